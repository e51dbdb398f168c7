#include "meshward/model/kinds/envoy_filter.h"

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

// String member `key` of a JSON object, or "" when absent or not a string.
std::string string_member(const json::Value& object, const char* key) {
  if (!object.IsObject()) {
    return "";
  }
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) {
    return "";
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// Istio's per-version stats filter: inserts istio.stats before the router on outbound
// sidecar listeners of 1.17 proxies. Lines are asserted below.
constexpr std::string_view kStats = R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: stats-filter-1.17
  namespace: istio-system
spec:
  priority: -1
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_OUTBOUND
      proxy:
        proxyVersion: '^1\.17.*'
      listener:
        filterChain:
          filter:
            name: "envoy.filters.network.http_connection_manager"
            subFilter:
              name: "envoy.filters.http.router"
    patch:
      operation: INSERT_BEFORE
      value:
        name: istio.stats
        typed_config:
          "@type": type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/stats.PluginConfig
          value:
            disable_host_header_fallback: true
            metrics:
            - dimensions:
                destination_cluster: node.metadata['CLUSTER_ID']
)";

TEST(EnvoyFilterDecode, StatsFilterInsertedBeforeTheRouter) {
  auto result = decode_text(kStats);
  // The free-form patch value (typed_config and below) must not produce unknown-field noise.
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const EnvoyFilter* ef = only<EnvoyFilter>(result);
  ASSERT_NE(ef, nullptr);
  EXPECT_EQ(ef->meta.name, "stats-filter-1.17");
  EXPECT_EQ(ef->meta.namespace_, "istio-system");
  EXPECT_EQ(ef->api_version, "networking.istio.io/v1alpha3");
  const EnvoyFilterSpec& spec = ef->spec;
  EXPECT_TRUE(spec.priority.present);
  EXPECT_EQ(spec.priority.value, -1);
  EXPECT_EQ(spec.priority.loc.line, 7u);
  EXPECT_FALSE(spec.workload_selector.has_value());
  EXPECT_TRUE(spec.target_refs.empty());
  ASSERT_EQ(spec.config_patches.size(), 1u);

  const EnvoyConfigObjectPatch& cp = spec.config_patches[0];
  EXPECT_EQ(cp.loc.path, "spec.configPatches[0]");
  EXPECT_EQ(cp.apply_to.value, EnvoyFilterApplyTo::HttpFilter);
  EXPECT_EQ(cp.apply_to.loc.path, "spec.configPatches[0].applyTo");
  EXPECT_EQ(cp.apply_to.loc.line, 9u);
  ASSERT_TRUE(cp.match.has_value());
  EXPECT_EQ(cp.match->context.value, EnvoyFilterPatchContext::SidecarOutbound);
  ASSERT_TRUE(cp.match->proxy.has_value());
  EXPECT_EQ(cp.match->proxy->proxy_version.value, "^1\\.17.*");
  EXPECT_EQ(cp.match->proxy->proxy_version.loc.path,
            "spec.configPatches[0].match.proxy.proxyVersion");
  EXPECT_EQ(cp.match->proxy->proxy_version.loc.line, 13u);
  EXPECT_FALSE(cp.match->route_configuration.has_value());
  EXPECT_FALSE(cp.match->cluster.has_value());
  ASSERT_TRUE(cp.match->listener.has_value());
  EXPECT_FALSE(cp.match->listener->port_number.present);
  ASSERT_TRUE(cp.match->listener->filter_chain.has_value());
  ASSERT_TRUE(cp.match->listener->filter_chain->filter.has_value());
  const EnvoyFilterFilterMatch& filter = *cp.match->listener->filter_chain->filter;
  EXPECT_EQ(filter.name.value, "envoy.filters.network.http_connection_manager");
  ASSERT_TRUE(filter.sub_filter.has_value());
  EXPECT_EQ(filter.sub_filter->name.value, "envoy.filters.http.router");
  EXPECT_EQ(filter.sub_filter->name.loc.path,
            "spec.configPatches[0].match.listener.filterChain.filter.subFilter.name");
  EXPECT_EQ(filter.sub_filter->name.loc.line, 19u);

  ASSERT_TRUE(cp.patch.has_value());
  EXPECT_EQ(cp.patch->operation.value, EnvoyFilterPatchOperation::InsertBefore);
  EXPECT_FALSE(cp.patch->filter_class.present);
  ASSERT_TRUE(cp.patch->value.has_value());
  EXPECT_EQ(cp.patch->value_loc.path, "spec.configPatches[0].patch.value");
  EXPECT_EQ(cp.patch->value_loc.line, 22u);
  const json::Value* value = cp.patch->value->get();
  ASSERT_NE(value, nullptr);
  ASSERT_TRUE(value->IsObject());
  EXPECT_EQ(string_member(*value, "name"), "istio.stats");
  ASSERT_TRUE(value->HasMember("typed_config"));
  const json::Value& typed = (*value)["typed_config"];
  EXPECT_EQ(string_member(typed, "@type"), "type.googleapis.com/udpa.type.v1.TypedStruct");
  EXPECT_EQ(string_member(typed, "type_url"), "type.googleapis.com/stats.PluginConfig");
  ASSERT_TRUE(typed.HasMember("value"));
  const json::Value& config = typed["value"];
  ASSERT_TRUE(config.HasMember("disable_host_header_fallback"));
  EXPECT_TRUE(config["disable_host_header_fallback"].IsTrue());
  ASSERT_TRUE(config["metrics"].IsArray());
  EXPECT_EQ(string_member(config["metrics"][0]["dimensions"], "destination_cluster"),
            "node.metadata['CLUSTER_ID']");
}

TEST(EnvoyFilterDecode, PatchValueOutlivesTheDecodeResultsDocument) {
  RawJson kept;
  {
    auto result = decode_text(kStats);
    const EnvoyFilter* ef = only<EnvoyFilter>(result);
    ASSERT_NE(ef, nullptr);
    ASSERT_TRUE(ef->spec.config_patches[0].patch->value.has_value());
    kept = *ef->spec.config_patches[0].patch->value;
  }
  ASSERT_NE(kept.get(), nullptr);
  EXPECT_EQ(string_member(*kept.get(), "name"), "istio.stats");
}

TEST(EnvoyFilterDecode, RouteClusterAndListenerMatchesWithEveryField) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: everything
  namespace: bookinfo
spec:
  workloadSelector:
    labels:
      app: reviews
  configPatches:
  - applyTo: HTTP_ROUTE
    match:
      context: GATEWAY
      routeConfiguration:
        portNumber: 443
        portName: https
        gateway: istio-system/ingress
        name: https.443.https.ingress.istio-system
        vhost:
          name: "reviews.example.com:443"
          domainName: reviews.example.com
          route:
            name: default
            action: ROUTE
    patch:
      operation: MERGE
      value:
        timeout: 5s
  - applyTo: CLUSTER
    match:
      context: SIDECAR_INBOUND
      cluster:
        portNumber: 9080
        service: reviews.bookinfo.svc.cluster.local
        subset: v2
        name: "inbound|9080||"
      proxy:
        metadata:
          ISTIO_VERSION: "1.22.0"
          CLUSTER_ID: east
    patch:
      operation: REMOVE
  - applyTo: LISTENER_FILTER
    match:
      context: SIDECAR_INBOUND
      listener:
        portNumber: 15006
        portName: virtualInbound
        name: virtualInbound
        listenerFilter: envoy.filters.listener.http_inspector
        filterChain:
          name: virtualInbound-blackhole
          sni: reviews.example.com
          transportProtocol: tls
          applicationProtocols: "h2,http/1.1"
          destinationPort: 9080
    patch:
      operation: REPLACE
      filterClass: AUTHZ
      value:
        name: envoy.filters.listener.http_inspector
  - applyTo: BOOTSTRAP
    patch:
      operation: MERGE
      value:
        stats_flush_interval: 10s
  - applyTo: EXTENSION_CONFIG
    match:
      context: WAYPOINT
    patch:
      operation: ADD
      filterClass: STATS
      value:
        name: my-wasm-extension
  - applyTo: NETWORK_FILTER
    patch:
      operation: INSERT_FIRST
  - applyTo: VIRTUAL_HOST
    match:
      routeConfiguration:
        vhost:
          route:
            action: DIRECT_RESPONSE
    patch:
      operation: INSERT_AFTER
      filterClass: AUTHN
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const EnvoyFilter* ef = only<EnvoyFilter>(result);
  ASSERT_NE(ef, nullptr);
  const EnvoyFilterSpec& spec = ef->spec;
  ASSERT_TRUE(spec.workload_selector.has_value());
  EXPECT_EQ(spec.workload_selector->labels.at("app").value, "reviews");
  EXPECT_FALSE(spec.priority.present);
  ASSERT_EQ(spec.config_patches.size(), 7u);

  const EnvoyConfigObjectPatch& route = spec.config_patches[0];
  EXPECT_EQ(route.apply_to.value, EnvoyFilterApplyTo::HttpRoute);
  EXPECT_EQ(route.match->context.value, EnvoyFilterPatchContext::Gateway);
  ASSERT_TRUE(route.match->route_configuration.has_value());
  const EnvoyFilterRouteConfigurationMatch& rc = *route.match->route_configuration;
  EXPECT_EQ(rc.port_number.value, 443u);
  EXPECT_EQ(rc.port_name.value, "https");
  EXPECT_EQ(rc.gateway.value, "istio-system/ingress");
  EXPECT_EQ(rc.gateway.loc.path, "spec.configPatches[0].match.routeConfiguration.gateway");
  EXPECT_EQ(rc.gateway.loc.line, 17u);
  EXPECT_EQ(rc.name.value, "https.443.https.ingress.istio-system");
  ASSERT_TRUE(rc.vhost.has_value());
  EXPECT_EQ(rc.vhost->name.value, "reviews.example.com:443");
  EXPECT_EQ(rc.vhost->domain_name.value, "reviews.example.com");
  ASSERT_TRUE(rc.vhost->route.has_value());
  EXPECT_EQ(rc.vhost->route->name.value, "default");
  EXPECT_EQ(rc.vhost->route->action.value, EnvoyFilterRouteAction::Route);
  EXPECT_EQ(rc.vhost->route->action.loc.line, 24u);
  EXPECT_EQ(route.patch->operation.value, EnvoyFilterPatchOperation::Merge);
  EXPECT_EQ(string_member(*route.patch->value->get(), "timeout"), "5s");

  const EnvoyConfigObjectPatch& cluster = spec.config_patches[1];
  EXPECT_EQ(cluster.apply_to.value, EnvoyFilterApplyTo::Cluster);
  EXPECT_EQ(cluster.match->context.value, EnvoyFilterPatchContext::SidecarInbound);
  ASSERT_TRUE(cluster.match->cluster.has_value());
  EXPECT_EQ(cluster.match->cluster->port_number.value, 9080u);
  EXPECT_EQ(cluster.match->cluster->service.value, "reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(cluster.match->cluster->subset.value, "v2");
  EXPECT_EQ(cluster.match->cluster->name.value, "inbound|9080||");
  ASSERT_TRUE(cluster.match->proxy.has_value());
  EXPECT_FALSE(cluster.match->proxy->proxy_version.present);
  EXPECT_EQ(cluster.match->proxy->metadata.at("ISTIO_VERSION").value, "1.22.0");
  EXPECT_EQ(cluster.match->proxy->metadata.at("CLUSTER_ID").loc.path,
            "spec.configPatches[1].match.proxy.metadata[CLUSTER_ID]");
  EXPECT_EQ(cluster.patch->operation.value, EnvoyFilterPatchOperation::Remove);
  EXPECT_FALSE(cluster.patch->value.has_value());

  const EnvoyConfigObjectPatch& lf = spec.config_patches[2];
  EXPECT_EQ(lf.apply_to.value, EnvoyFilterApplyTo::ListenerFilter);
  ASSERT_TRUE(lf.match->listener.has_value());
  const EnvoyFilterListenerMatch& listener = *lf.match->listener;
  EXPECT_EQ(listener.port_number.value, 15006u);
  EXPECT_EQ(listener.port_name.value, "virtualInbound");
  EXPECT_EQ(listener.name.value, "virtualInbound");
  EXPECT_EQ(listener.listener_filter.value, "envoy.filters.listener.http_inspector");
  ASSERT_TRUE(listener.filter_chain.has_value());
  EXPECT_EQ(listener.filter_chain->name.value, "virtualInbound-blackhole");
  EXPECT_EQ(listener.filter_chain->sni.value, "reviews.example.com");
  EXPECT_EQ(listener.filter_chain->transport_protocol.value, "tls");
  EXPECT_EQ(listener.filter_chain->application_protocols.value, "h2,http/1.1");
  EXPECT_EQ(listener.filter_chain->destination_port.value, 9080u);
  EXPECT_FALSE(listener.filter_chain->filter.has_value());
  EXPECT_EQ(lf.patch->operation.value, EnvoyFilterPatchOperation::Replace);
  EXPECT_EQ(lf.patch->filter_class.value, EnvoyFilterFilterClass::Authz);

  EXPECT_EQ(spec.config_patches[3].apply_to.value, EnvoyFilterApplyTo::Bootstrap);
  EXPECT_FALSE(spec.config_patches[3].match.has_value());
  EXPECT_EQ(spec.config_patches[4].apply_to.value, EnvoyFilterApplyTo::ExtensionConfig);
  EXPECT_EQ(spec.config_patches[4].match->context.value, EnvoyFilterPatchContext::Waypoint);
  EXPECT_EQ(spec.config_patches[4].patch->operation.value, EnvoyFilterPatchOperation::Add);
  EXPECT_EQ(spec.config_patches[4].patch->filter_class.value, EnvoyFilterFilterClass::Stats);
  EXPECT_EQ(spec.config_patches[5].apply_to.value, EnvoyFilterApplyTo::NetworkFilter);
  EXPECT_EQ(spec.config_patches[5].patch->operation.value, EnvoyFilterPatchOperation::InsertFirst);
  const EnvoyConfigObjectPatch& vhost = spec.config_patches[6];
  EXPECT_EQ(vhost.apply_to.value, EnvoyFilterApplyTo::VirtualHost);
  EXPECT_FALSE(vhost.match->context.present);  // ANY by default.
  EXPECT_EQ(vhost.match->route_configuration->vhost->route->action.value,
            EnvoyFilterRouteAction::DirectResponse);
  EXPECT_EQ(vhost.patch->operation.value, EnvoyFilterPatchOperation::InsertAfter);
  EXPECT_EQ(vhost.patch->filter_class.value, EnvoyFilterFilterClass::Authn);
}

TEST(EnvoyFilterDecode, TargetRefsAndEnumNumbers) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: waypoint-tweak
  namespace: bookinfo
spec:
  targetRefs:
  - kind: Gateway
    group: gateway.networking.k8s.io
    name: waypoint
  configPatches:
  - applyTo: 1
    match:
      context: 4
    patch:
      operation: 7
      filterClass: 0
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const EnvoyFilter* ef = only<EnvoyFilter>(result);
  ASSERT_NE(ef, nullptr);
  ASSERT_EQ(ef->spec.target_refs.size(), 1u);
  EXPECT_EQ(ef->spec.target_refs[0].kind.value, "Gateway");
  EXPECT_EQ(ef->spec.target_refs[0].group.value, "gateway.networking.k8s.io");
  EXPECT_EQ(ef->spec.target_refs[0].name.value, "waypoint");
  EXPECT_EQ(ef->spec.target_refs[0].loc.path, "spec.targetRefs[0]");
  const EnvoyConfigObjectPatch& cp = ef->spec.config_patches[0];
  EXPECT_EQ(cp.apply_to.value, EnvoyFilterApplyTo::Listener);
  EXPECT_EQ(cp.match->context.value, EnvoyFilterPatchContext::Waypoint);
  EXPECT_EQ(cp.patch->operation.value, EnvoyFilterPatchOperation::Replace);
  EXPECT_TRUE(cp.patch->filter_class.present);
  EXPECT_EQ(cp.patch->filter_class.value, EnvoyFilterFilterClass::Unspecified);
}

TEST(EnvoyFilterDecode, OnlyV1alpha3IsServed) {
  for (const char* version : {"v1", "v1beta1"}) {
    SCOPED_TRACE(version);
    auto result = decode_text(std::string("apiVersion: networking.istio.io/") + version + R"(
kind: EnvoyFilter
metadata:
  name: ef
spec:
  configPatches:
  - applyTo: CLUSTER
    patch:
      operation: REMOVE
)");
    EXPECT_TRUE(has_finding(result.findings, "MW1007", "apiVersion")) << describe(result.findings);
    EXPECT_TRUE(result.objects.empty());
  }
}

TEST(EnvoyFilterDecode, BadEnumsWrongTypesUnknownAndMissingFieldsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: broken
spec:
  priority: high
  workloadSelector:
    app: reviews
  configPatches:
  - applyTo: HTTP_FILTERS
    match:
      context: INBOUND
      listner:
        portNumber: 8080
      listener:
        portNumber: eighty
        filterChain:
          destinationPort: -1
    patch:
      operation: INSERT
      filterClass: LAST
      value: "name: envoy.lua"
  - applyTo: CLUSTER
    match:
      routeConfiguration:
        vhost:
          route:
            action: FORWARD
    patch: REMOVE
  targetRefs:
  - kind: Gateway
)");
  const auto& f = result.findings;
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.priority")) << describe(f);
  EXPECT_EQ(finding_line(f, "MW1002", "spec.priority"), 6u);
  // EnvoyFilter's selector is {labels: {...}}: a bare label is an unknown field.
  EXPECT_TRUE(has_finding(f, "MW1005", "spec.workloadSelector.app"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.configPatches[0].applyTo"));
  EXPECT_EQ(finding_line(f, "MW1003", "spec.configPatches[0].applyTo"), 10u);
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.configPatches[0].match.context"));
  EXPECT_TRUE(has_finding(f, "MW1005", "spec.configPatches[0].match.listner"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.configPatches[0].match.listener.portNumber"));
  EXPECT_EQ(finding_line(f, "MW1002", "spec.configPatches[0].match.listener.portNumber"), 16u);
  EXPECT_TRUE(
      has_finding(f, "MW1002", "spec.configPatches[0].match.listener.filterChain.destinationPort"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.configPatches[0].patch.operation"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.configPatches[0].patch.filterClass"));
  // A patch value is a google.protobuf.Struct: YAML-in-a-string is a common mistake.
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.configPatches[0].patch.value"));
  EXPECT_EQ(finding_line(f, "MW1002", "spec.configPatches[0].patch.value"), 22u);
  EXPECT_TRUE(has_finding(f, "MW1003",
                          "spec.configPatches[1].match.routeConfiguration.vhost.route.action"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.configPatches[1].patch"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.targetRefs[0].name"));
  EXPECT_EQ(f.size(), 13u) << describe(f);

  const EnvoyFilter* ef = only<EnvoyFilter>(result);
  ASSERT_NE(ef, nullptr);
  const EnvoyConfigObjectPatch& cp = ef->spec.config_patches[0];
  EXPECT_FALSE(cp.apply_to.present);
  EXPECT_FALSE(cp.patch->operation.present);
  EXPECT_FALSE(cp.patch->value.has_value());
  EXPECT_EQ(cp.patch->value_loc.path, "spec.configPatches[0].patch.value");
  EXPECT_FALSE(ef->spec.config_patches[1].patch.has_value());
  EXPECT_TRUE(ef->spec.workload_selector->labels.empty());
}

TEST(EnvoyFilterDecode, MissingConfigPatchesIsRequired) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: empty
spec:
  workloadSelector:
    labels:
      app: reviews
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec.configPatches"))
      << describe(result.findings);
  EXPECT_EQ(finding_line(result.findings, "MW1004", "spec.configPatches"), 5u);
  EXPECT_EQ(result.findings.size(), 1u) << describe(result.findings);
}

}  // namespace
}  // namespace meshward::model
