#include "meshward/model/kinds/workload_entry.h"

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

// The VM from the Istio WorkloadEntry docs, with every field set. Lines are asserted below.
constexpr std::string_view kDetailsVm = R"(apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: details-svc
  namespace: bookinfo
spec:
  serviceAccount: details-legacy
  address: 2.2.2.2
  labels:
    app: details-legacy
    instance-id: vm1
  ports:
    http: 8080
    grpc: 9090
  network: vm-network
  locality: us-east1/us-east1-b/rack-12
  weight: 20
)";

TEST(WorkloadEntryDecode, EveryFieldOfTheDocsVm) {
  auto result = decode_text(kDetailsVm);
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const WorkloadEntry* we = only<WorkloadEntry>(result);
  ASSERT_NE(we, nullptr);
  EXPECT_EQ(we->meta.name, "details-svc");
  EXPECT_EQ(we->meta.namespace_, "bookinfo");
  const WorkloadEntrySpec& spec = we->spec;
  EXPECT_EQ(spec.loc.path, "spec");
  EXPECT_EQ(spec.service_account.value, "details-legacy");
  EXPECT_EQ(spec.address.value, "2.2.2.2");
  EXPECT_EQ(spec.address.loc.path, "spec.address");
  EXPECT_EQ(spec.address.loc.line, 8u);
  ASSERT_EQ(spec.labels.size(), 2u);
  EXPECT_EQ(spec.labels.at("app").value, "details-legacy");
  EXPECT_EQ(spec.labels.at("instance-id").value, "vm1");
  EXPECT_EQ(spec.labels.at("instance-id").loc.path, "spec.labels[instance-id]");
  EXPECT_EQ(spec.labels.at("instance-id").loc.line, 11u);
  ASSERT_EQ(spec.ports.size(), 2u);
  EXPECT_EQ(spec.ports.at("http").value, 8080u);
  EXPECT_EQ(spec.ports.at("grpc").value, 9090u);
  EXPECT_EQ(spec.ports.at("grpc").loc.path, "spec.ports[grpc]");
  EXPECT_EQ(spec.ports.at("grpc").loc.line, 14u);
  EXPECT_EQ(spec.network.value, "vm-network");
  EXPECT_EQ(spec.locality.value, "us-east1/us-east1-b/rack-12");
  EXPECT_TRUE(spec.weight.present);
  EXPECT_EQ(spec.weight.value, 20u);
  EXPECT_EQ(spec.weight.loc.line, 17u);
}

TEST(WorkloadEntryDecode, AddresslessEntryLeavesAbsentFieldsUnset) {
  // The docs' remote-network aggregate: no address, only network and labels.
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: foo-workloads-cluster-2
spec:
  serviceAccount: foo
  network: cluster-2-network
  labels:
    app: foo
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const WorkloadEntry* we = only<WorkloadEntry>(result);
  ASSERT_NE(we, nullptr);
  EXPECT_FALSE(we->spec.address.present);
  EXPECT_FALSE(we->spec.weight.present);
  EXPECT_TRUE(we->spec.ports.empty());
  EXPECT_EQ(we->spec.network.value, "cluster-2-network");
  EXPECT_EQ(we->spec.labels.at("app").value, "foo");
  EXPECT_EQ(we->meta.namespace_, "default");
}

TEST(WorkloadEntryDecode, EveryServedVersionDecodesToTheSameModel) {
  for (const char* version : {"v1", "v1beta1", "v1alpha3"}) {
    SCOPED_TRACE(version);
    auto result = decode_text(std::string("apiVersion: networking.istio.io/") + version + R"(
kind: WorkloadEntry
metadata:
  name: vm
spec:
  address: vm1.vpc01.corp.net
  ports:
    http: 80
)");
    ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
    const WorkloadEntry* we = only<WorkloadEntry>(result);
    ASSERT_NE(we, nullptr);
    EXPECT_EQ(we->api_version, std::string("networking.istio.io/") + version);
    EXPECT_EQ(we->spec.address.value, "vm1.vpc01.corp.net");
    EXPECT_EQ(we->spec.ports.at("http").value, 80u);
  }
}

TEST(WorkloadEntryDecode, JsonInputKeepsLines) {
  auto result = decode_text(R"({
  "apiVersion": "networking.istio.io/v1beta1",
  "kind": "WorkloadEntry",
  "metadata": {"name": "vm", "namespace": "legacy"},
  "spec": {
    "address": "10.0.0.7",
    "ports": {"https": 8443},
    "weight": 3
  }
})",
                            "we.json");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const WorkloadEntry* we = only<WorkloadEntry>(result);
  ASSERT_NE(we, nullptr);
  EXPECT_EQ(we->spec.address.value, "10.0.0.7");
  EXPECT_EQ(we->spec.address.loc.line, 6u);
  EXPECT_EQ(we->spec.ports.at("https").value, 8443u);
  EXPECT_EQ(we->spec.ports.at("https").loc.line, 7u);
  EXPECT_EQ(we->spec.weight.value, 3u);
}

TEST(WorkloadEntryDecode, WrongTypesAndUnknownFieldsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: vm
spec:
  address: 10.0.0.7
  ports:
    http: eighty
    grpc: 9090
  weight: -1
  labels: app=details
  serviceAcount: details
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.ports[http]"))
      << describe(result.findings);
  EXPECT_EQ(finding_line(result.findings, "MW1002", "spec.ports[http]"), 8u);
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.weight"));
  EXPECT_EQ(finding_line(result.findings, "MW1002", "spec.weight"), 10u);
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.labels"));
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.serviceAcount"));
  EXPECT_EQ(result.findings.size(), 4u) << describe(result.findings);
  // The object is still decoded, with the good values kept and the bad ones absent.
  const WorkloadEntry* we = only<WorkloadEntry>(result);
  ASSERT_NE(we, nullptr);
  EXPECT_EQ(we->spec.address.value, "10.0.0.7");
  EXPECT_FALSE(we->spec.ports.at("http").present);
  EXPECT_EQ(we->spec.ports.at("grpc").value, 9090u);
  EXPECT_FALSE(we->spec.weight.present);
  EXPECT_FALSE(we->spec.service_account.present);
}

TEST(WorkloadEntryDecode, MissingSpecIsRequired) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: vm
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec")) << describe(result.findings);
}

}  // namespace
}  // namespace meshward::model
