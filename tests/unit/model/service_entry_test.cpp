#include "meshward/model/kinds/service_entry.h"

#include <gtest/gtest.h>

#include <string>

#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::finding_line;
using testing::has_finding;
using testing::only;

TEST(ServiceEntryDecode, EgressToEditionCnnWithDnsResolution) {
  // The Istio egress task's ServiceEntry. Lines are asserted below.
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: cnn
  namespace: egress
spec:
  hosts:
  - edition.cnn.com
  ports:
  - number: 80
    name: http-port
    protocol: HTTP
  - number: 443
    name: https
    protocol: HTTPS
  resolution: DNS
  location: MESH_EXTERNAL
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const ServiceEntry* se = only<ServiceEntry>(result);
  ASSERT_NE(se, nullptr);
  EXPECT_EQ(se->meta.name, "cnn");
  EXPECT_EQ(se->meta.namespace_, "egress");
  const ServiceEntrySpec& spec = se->spec;
  ASSERT_EQ(spec.hosts.size(), 1u);
  EXPECT_EQ(spec.hosts[0].value, "edition.cnn.com");
  EXPECT_EQ(spec.hosts[0].loc.path, "spec.hosts[0]");
  EXPECT_EQ(spec.hosts[0].loc.line, 8u);
  ASSERT_EQ(spec.ports.size(), 2u);
  EXPECT_EQ(spec.ports[0].number.value, 80u);
  EXPECT_EQ(spec.ports[0].name.value, "http-port");
  EXPECT_EQ(spec.ports[0].protocol.value, "HTTP");
  EXPECT_FALSE(spec.ports[0].target_port.present);
  EXPECT_EQ(spec.ports[1].loc.path, "spec.ports[1]");
  EXPECT_EQ(spec.ports[1].loc.line, 13u);
  EXPECT_EQ(spec.ports[1].number.value, 443u);
  EXPECT_EQ(spec.ports[1].number.loc.path, "spec.ports[1].number");
  EXPECT_EQ(spec.ports[1].protocol.value, "HTTPS");
  EXPECT_TRUE(spec.resolution.present);
  EXPECT_EQ(spec.resolution.value, ServiceEntryResolution::Dns);
  EXPECT_EQ(spec.resolution.loc.line, 16u);
  EXPECT_EQ(spec.location.value, ServiceEntryLocation::MeshExternal);
  EXPECT_TRUE(spec.location.present);
  EXPECT_TRUE(spec.endpoints.empty());
  EXPECT_FALSE(spec.workload_selector.has_value());
  EXPECT_TRUE(spec.export_to.empty());
}

TEST(ServiceEntryDecode, StaticEndpointsAddressesExportToAndSans) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata:
  name: external-svc-mongocluster
  namespace: data
spec:
  hosts:
  - mymongodb.somedomain
  addresses:
  - 192.192.192.192/24
  ports:
  - number: 27018
    name: mongodb
    protocol: MONGO
    targetPort: 27017
  location: MESH_INTERNAL
  resolution: STATIC
  endpoints:
  - address: 2.2.2.2
  - address: 3.3.3.3
    ports:
      mongodb: 27019
    labels:
      zone: b
    network: net-2
    locality: us/east/b
    weight: 5
    serviceAccount: mongo
  exportTo:
  - "."
  - istio-system
  subjectAltNames:
  - "spiffe://cluster.local/ns/data/sa/mongo"
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const ServiceEntry* se = only<ServiceEntry>(result);
  ASSERT_NE(se, nullptr);
  const ServiceEntrySpec& spec = se->spec;
  ASSERT_EQ(spec.addresses.size(), 1u);
  EXPECT_EQ(spec.addresses[0].value, "192.192.192.192/24");
  EXPECT_EQ(spec.ports[0].target_port.value, 27017u);
  EXPECT_EQ(spec.ports[0].protocol.value, "MONGO");
  EXPECT_EQ(spec.location.value, ServiceEntryLocation::MeshInternal);
  EXPECT_EQ(spec.resolution.value, ServiceEntryResolution::Static);
  ASSERT_EQ(spec.endpoints.size(), 2u);
  EXPECT_EQ(spec.endpoints[0].address.value, "2.2.2.2");
  EXPECT_EQ(spec.endpoints[0].loc.path, "spec.endpoints[0]");
  EXPECT_TRUE(spec.endpoints[0].ports.empty());
  const WorkloadEntrySpec& ep = spec.endpoints[1];
  EXPECT_EQ(ep.address.value, "3.3.3.3");
  EXPECT_EQ(ep.address.loc.path, "spec.endpoints[1].address");
  EXPECT_EQ(ep.address.loc.line, 20u);
  EXPECT_EQ(ep.ports.at("mongodb").value, 27019u);
  EXPECT_EQ(ep.ports.at("mongodb").loc.path, "spec.endpoints[1].ports[mongodb]");
  EXPECT_EQ(ep.ports.at("mongodb").loc.line, 22u);
  EXPECT_EQ(ep.labels.at("zone").value, "b");
  EXPECT_EQ(ep.network.value, "net-2");
  EXPECT_EQ(ep.locality.value, "us/east/b");
  EXPECT_EQ(ep.weight.value, 5u);
  EXPECT_EQ(ep.service_account.value, "mongo");
  ASSERT_EQ(spec.export_to.size(), 2u);
  EXPECT_EQ(spec.export_to[0].value, ".");
  EXPECT_EQ(spec.export_to[1].value, "istio-system");
  EXPECT_EQ(spec.export_to[1].loc.path, "spec.exportTo[1]");
  EXPECT_EQ(spec.export_to[1].loc.line, 31u);
  ASSERT_EQ(spec.subject_alt_names.size(), 1u);
  EXPECT_EQ(spec.subject_alt_names[0].value, "spiffe://cluster.local/ns/data/sa/mongo");
}

TEST(ServiceEntryDecode, WorkloadSelectorAndTheNewerResolutions) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: details-svc
spec:
  hosts:
  - details.bookinfo.com
  location: MESH_INTERNAL
  ports:
  - number: 80
    name: http
    protocol: HTTP
    targetPort: 8080
  resolution: DNS_ROUND_ROBIN
  workloadSelector:
    labels:
      app: details-legacy
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: wildcard
spec:
  hosts:
  - "*.example.com"
  resolution: DYNAMIC_DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: by-number
spec:
  hosts:
  - numbered.example.com
  location: 1
  resolution: 2
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  ASSERT_EQ(result.objects.size(), 3u);
  const ServiceEntry* details = result.objects[0]->as<ServiceEntry>();
  ASSERT_NE(details, nullptr);
  EXPECT_EQ(details->spec.resolution.value, ServiceEntryResolution::DnsRoundRobin);
  ASSERT_TRUE(details->spec.workload_selector.has_value());
  EXPECT_EQ(details->spec.workload_selector->loc.path, "spec.workloadSelector");
  EXPECT_EQ(details->spec.workload_selector->labels.at("app").value, "details-legacy");
  EXPECT_EQ(details->spec.workload_selector->labels.at("app").loc.line, 17u);
  const ServiceEntry* wildcard = result.objects[1]->as<ServiceEntry>();
  ASSERT_NE(wildcard, nullptr);
  EXPECT_EQ(wildcard->spec.hosts[0].value, "*.example.com");
  EXPECT_EQ(wildcard->spec.resolution.value, ServiceEntryResolution::DynamicDns);
  EXPECT_FALSE(wildcard->spec.location.present);  // MESH_EXTERNAL by default.
  EXPECT_TRUE(wildcard->spec.ports.empty());
  // Protobuf JSON also accepts enum numbers.
  const ServiceEntry* numbered = result.objects[2]->as<ServiceEntry>();
  ASSERT_NE(numbered, nullptr);
  EXPECT_EQ(numbered->spec.location.value, ServiceEntryLocation::MeshInternal);
  EXPECT_EQ(numbered->spec.resolution.value, ServiceEntryResolution::Dns);
}

TEST(ServiceEntryDecode, EveryServedVersionDecodesToTheSameModel) {
  for (const char* version : {"v1", "v1beta1", "v1alpha3"}) {
    SCOPED_TRACE(version);
    auto result = decode_text(std::string("apiVersion: networking.istio.io/") + version + R"(
kind: ServiceEntry
metadata:
  name: httpbin
spec:
  hosts:
  - httpbin.org
  ports:
  - number: 443
    name: tls
    protocol: TLS
  resolution: NONE
)");
    ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
    const ServiceEntry* se = only<ServiceEntry>(result);
    ASSERT_NE(se, nullptr);
    EXPECT_EQ(se->api_version, std::string("networking.istio.io/") + version);
    EXPECT_EQ(se->spec.hosts[0].value, "httpbin.org");
    EXPECT_EQ(se->spec.ports[0].protocol.value, "TLS");
    EXPECT_TRUE(se->spec.resolution.present);
    EXPECT_EQ(se->spec.resolution.value, ServiceEntryResolution::None);
  }
  auto result = decode_text(R"(apiVersion: networking.istio.io/v2
kind: ServiceEntry
metadata:
  name: future
spec:
  hosts:
  - a.example.com
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1007", "apiVersion")) << describe(result.findings);
  EXPECT_TRUE(result.objects.empty());
}

TEST(ServiceEntryDecode, BadEnumsWrongTypesUnknownAndMissingFieldsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: broken
spec:
  hosts: api.example.com
  ports:
  - number: https
    protocol: HTTPS
  - number: 80
    name: http
    protocl: HTTP
  location: EXTERNAL
  resolution: DNS_ROUNDROBIN
  endpoints:
  - adress: 1.2.3.4
    ports:
      http: high
  exportTo: "*"
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.hosts")) << describe(result.findings);
  EXPECT_EQ(finding_line(result.findings, "MW1002", "spec.hosts"), 6u);
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.ports[0].number"));
  EXPECT_EQ(finding_line(result.findings, "MW1002", "spec.ports[0].number"), 8u);
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec.ports[0].name"));
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.ports[1].protocl"));
  EXPECT_EQ(finding_line(result.findings, "MW1005", "spec.ports[1].protocl"), 12u);
  EXPECT_TRUE(has_finding(result.findings, "MW1003", "spec.location"));
  EXPECT_TRUE(has_finding(result.findings, "MW1003", "spec.resolution"));
  EXPECT_EQ(finding_line(result.findings, "MW1003", "spec.resolution"), 14u);
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.endpoints[0].adress"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.endpoints[0].ports[http]"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.exportTo"));
  EXPECT_EQ(result.findings.size(), 9u) << describe(result.findings);
  const ServiceEntry* se = only<ServiceEntry>(result);
  ASSERT_NE(se, nullptr);
  EXPECT_TRUE(se->spec.hosts.empty());
  EXPECT_FALSE(se->spec.location.present);
  EXPECT_FALSE(se->spec.resolution.present);
  EXPECT_EQ(se->spec.ports[1].number.value, 80u);
  EXPECT_EQ(se->spec.ports[1].name.value, "http");
}

TEST(ServiceEntryDecode, MissingHostsAndSpecAreRequired) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: no-hosts
spec:
  ports:
  - number: 80
    name: http
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: no-spec
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec.hosts")) << describe(result.findings);
  EXPECT_EQ(finding_line(result.findings, "MW1004", "spec.hosts"), 5u);
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec"));
  EXPECT_EQ(result.findings.size(), 2u) << describe(result.findings);
}

}  // namespace
}  // namespace meshward::model
