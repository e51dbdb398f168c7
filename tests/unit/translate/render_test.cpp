// render.h: /config_dump JSON/YAML shape (field names, @type URLs, protobuf JSON conventions)
// and the istioctl proxy-config tables (reference §9), on hand-built configurations.
#include "meshward/translate/render.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "meshward/core/json.h"

namespace meshward::translate {
namespace {

json::Document parse(const std::string& text) {
  json::Document doc;
  doc.Parse(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

Route default_route(const std::string& cluster) {
  Route r;
  r.name = "default";
  RouteAction a;
  a.cluster = cluster;
  a.max_grpc_timeout = 0;
  RetryPolicy retry;
  retry.retry_on = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
  retry.num_retries = 2;
  retry.retriable_status_codes = {503};
  a.retry_policy = retry;
  r.action = a;
  r.decorator_operation = "bar.ns.svc.cluster.local:50002/*";
  return r;
}

ProxyConfig sample() {
  ProxyConfig c;
  RouteConfiguration rc;
  rc.name = "50002";
  rc.max_direct_response_body_size_bytes = 1048576;
  VirtualHost vh;
  vh.name = "bar.ns.svc.cluster.local:50002";
  vh.domains = {"bar.ns.svc.cluster.local",
                "bar.ns.svc.cluster.local:50002",
                "bar.ns",
                "bar.ns:50002",
                "bar.ns.svc",
                "bar.ns.svc:50002",
                "10.0.0.7",
                "10.0.0.7:50002"};
  vh.routes.push_back(default_route("outbound|50002|v1|bar.ns.svc.cluster.local"));
  rc.virtual_hosts.push_back(vh);
  RouteConfiguration gw;
  gw.name = "http.8080";
  VirtualHost blackhole;
  blackhole.name = "blackhole:80";
  blackhole.domains = {"*"};
  gw.virtual_hosts.push_back(blackhole);
  c.routes = {rc, gw};

  Cluster eds;
  eds.name = "outbound|50002|v1|bar.ns.svc.cluster.local";
  eds.alt_stat_name = eds.name + ";";
  eds.istio_config = "/apis/networking.istio.io/v1alpha3/namespaces/ns/destination-rule/bar";
  eds.subset = "v1";
  eds.services = {{"bar.ns.svc.cluster.local", "bar", "ns"}};
  Cluster blackhole_cluster;
  blackhole_cluster.name = "BlackHoleCluster";
  blackhole_cluster.type = Cluster::Type::Static;
  blackhole_cluster.lb_policy = "ROUND_ROBIN";
  c.clusters = {eds, blackhole_cluster};

  ClusterLoadAssignment cla;
  cla.cluster_name = eds.name;
  LocalityLbEndpoints zone_a;
  zone_a.locality = {"r", "a", ""};
  LbEndpoint ep;
  ep.address = {"11.0.0.1", 80};
  ep.health_status = 1;
  ep.istio_workload = "bar-v1;ns;bar;v1;Kubernetes";
  ep.tls_mode_istio = true;
  zone_a.lb_endpoints.push_back(ep);
  zone_a.load_balancing_weight = 1;
  cla.endpoints.push_back(zone_a);
  c.endpoints = {cla};

  Listener l;
  l.name = "0.0.0.0_50002";
  l.address = {"0.0.0.0", 50002};
  l.traffic_direction = "OUTBOUND";
  l.bind_to_port = false;
  l.continue_on_listener_filters_timeout = true;
  l.listener_filters_timeout = 0;
  l.listener_filters = {"envoy.filters.listener.tls_inspector",
                        "envoy.filters.listener.http_inspector"};
  FilterChain http;
  http.match.transport_protocol = "raw_buffer";
  http.match.application_protocols = {"http/1.1", "h2c"};
  NetworkFilter hcm;
  hcm.name = "envoy.filters.network.http_connection_manager";
  hcm.stat_prefix = "outbound_0.0.0.0_50002";
  hcm.rds_route_config_name = "50002";
  hcm.http_filters = {HttpFilter{"istio.metadata_exchange", {}, {}, {}, {}},
                      HttpFilter{"envoy.filters.http.router", {}, {}, {}, {}}};
  http.filters.push_back(hcm);
  l.filter_chains.push_back(http);
  FilterChain passthrough;
  passthrough.name = "PassthroughFilterChain";
  NetworkFilter tcp;
  tcp.name = "envoy.filters.network.tcp_proxy";
  tcp.stat_prefix = "PassthroughCluster";
  tcp.cluster = "PassthroughCluster";
  passthrough.filters.push_back(tcp);
  l.default_filter_chain = passthrough;
  c.listeners.push_back(l);
  return c;
}

TEST(RenderJson, ConfigDumpHasTypedSectionsInEnvoyOrder) {
  const json::Document doc = parse(render_config_dump_json(sample(), DumpType::All));
  const auto& configs = doc["configs"];
  ASSERT_EQ(configs.Size(), 4u);
  EXPECT_STREQ(configs[0]["@type"].GetString(),
               "type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
  EXPECT_STREQ(configs[1]["@type"].GetString(),
               "type.googleapis.com/envoy.admin.v3.ListenersConfigDump");
  EXPECT_STREQ(configs[2]["@type"].GetString(),
               "type.googleapis.com/envoy.admin.v3.RoutesConfigDump");
  EXPECT_STREQ(configs[3]["@type"].GetString(),
               "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump");
  const auto& listener = configs[1]["dynamic_listeners"][0]["active_state"]["listener"];
  EXPECT_STREQ(listener["@type"].GetString(),
               "type.googleapis.com/envoy.config.listener.v3.Listener");
  EXPECT_EQ(listener["address"]["socket_address"]["port_value"].GetUint(), 50002u);
  EXPECT_FALSE(listener["bind_to_port"].GetBool());
  EXPECT_STREQ(listener["listener_filters_timeout"].GetString(), "0s");
  const auto& hcm = listener["filter_chains"][0]["filters"][0]["typed_config"];
  EXPECT_STREQ(hcm["@type"].GetString(),
               "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
               "HttpConnectionManager");
  EXPECT_STREQ(hcm["rds"]["route_config_name"].GetString(), "50002");
  EXPECT_STREQ(hcm["rds"]["config_source"]["initial_fetch_timeout"].GetString(), "0s");
  EXPECT_STREQ(hcm["rds"]["config_source"]["resource_api_version"].GetString(), "V3");
  const auto& passthrough = listener["default_filter_chain"];
  EXPECT_TRUE(passthrough["filter_chain_match"].IsObject());
  EXPECT_EQ(passthrough["filter_chain_match"].MemberCount(), 0u);
  EXPECT_STREQ(passthrough["name"].GetString(), "PassthroughFilterChain");
}

TEST(RenderJson, ProtobufConventionsForRoutesAndClusters) {
  const json::Document doc = parse(render_config_dump_json(sample(), DumpType::All));
  const auto& rc = doc["configs"][2]["dynamic_route_configs"][0]["route_config"];
  EXPECT_FALSE(rc["validate_clusters"].GetBool());  // BoolValue false is printed.
  EXPECT_EQ(rc["max_direct_response_body_size_bytes"].GetUint(), 1048576u);
  const auto& route = rc["virtual_hosts"][0]["routes"][0];
  const auto& retry = route["route"]["retry_policy"];
  // int64 fields are strings in protobuf JSON; uint32 ones numbers.
  EXPECT_STREQ(retry["host_selection_retry_max_attempts"].GetString(), "5");
  EXPECT_EQ(retry["num_retries"].GetUint(), 2u);
  EXPECT_EQ(retry["retriable_status_codes"][0].GetUint(), 503u);
  EXPECT_STREQ(retry["retry_host_predicate"][0]["name"].GetString(),
               "envoy.retry_host_predicates.previous_hosts");
  EXPECT_STREQ(route["route"]["timeout"].GetString(), "0s");
  // Fields in field-number order: `name` (14) comes last in a route.
  EXPECT_STREQ((route.MemberEnd() - 1)->name.GetString(), "name");

  const auto& clusters = doc["configs"][0]["dynamic_active_clusters"];
  const auto& eds = clusters[0]["cluster"];
  EXPECT_STREQ(eds["type"].GetString(), "EDS");
  EXPECT_STREQ(eds["eds_cluster_config"]["service_name"].GetString(),
               "outbound|50002|v1|bar.ns.svc.cluster.local");
  EXPECT_STREQ(eds["connect_timeout"].GetString(), "10s");
  EXPECT_STREQ(eds["metadata"]["filter_metadata"]["istio"]["subset"].GetString(), "v1");
  const auto& blackhole = clusters[1]["cluster"];
  EXPECT_STREQ(blackhole["type"].GetString(), "STATIC");  // A oneof: printed though default.
  EXPECT_FALSE(blackhole.HasMember("lb_policy"));         // ROUND_ROBIN is the enum default.

  const auto& ep = doc["configs"][3]["dynamic_endpoint_configs"][0]["endpoint_config"];
  EXPECT_STREQ(ep["@type"].GetString(),
               "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment");
  const auto& lb = ep["endpoints"][0]["lb_endpoints"][0];
  EXPECT_STREQ(lb["health_status"].GetString(), "HEALTHY");
  EXPECT_STREQ(
      lb["metadata"]["filter_metadata"]["envoy.transport_socket_match"]["tlsMode"].GetString(),
      "istio");
  EXPECT_STREQ(lb["metadata"]["filter_metadata"]["istio"]["workload"].GetString(),
               "bar-v1;ns;bar;v1;Kubernetes");
}

TEST(RenderJson, DurationsUseProtobufForm) {
  ProxyConfig c;
  RouteConfiguration rc;
  rc.name = "80";
  VirtualHost vh;
  vh.name = "a:80";
  Route r = default_route("outbound|80||a");
  std::get<RouteAction>(r.action).timeout = 1500;
  std::get<RouteAction>(r.action).retry_policy->per_try_timeout = 500;
  vh.routes.push_back(r);
  rc.virtual_hosts.push_back(vh);
  c.routes.push_back(rc);
  const json::Document doc = parse(render_config_dump_json(c, DumpType::Routes));
  const auto& action = doc["configs"][0]["dynamic_route_configs"][0]["route_config"]
                          ["virtual_hosts"][0]["routes"][0]["route"];
  EXPECT_STREQ(action["timeout"].GetString(), "1.500s");
  EXPECT_STREQ(action["retry_policy"]["per_try_timeout"].GetString(), "0.500s");
}

TEST(RenderJson, TypeSelectsOneSection) {
  const json::Document doc = parse(render_config_dump_json(sample(), DumpType::Endpoints));
  ASSERT_EQ(doc["configs"].Size(), 1u);
  EXPECT_STREQ(doc["configs"][0]["@type"].GetString(),
               "type.googleapis.com/envoy.admin.v3.EndpointsConfigDump");
}

TEST(RenderYaml, SameTreeAsJson) {
  const std::string text = render_config_dump_yaml(sample(), DumpType::Routes);
  const YAML::Node node = YAML::Load(text);
  const YAML::Node rc = node["configs"][0]["dynamic_route_configs"][0]["route_config"];
  // Numeric-looking strings stay strings.
  EXPECT_EQ(rc["name"].as<std::string>(), "50002");
  EXPECT_NE(text.find("name: \"50002\""), std::string::npos) << text;
  EXPECT_EQ(rc["virtual_hosts"][0]["routes"][0]["route"]["retry_policy"]
              ["host_selection_retry_max_attempts"]
                  .as<std::string>(),
            "5");
  EXPECT_EQ(rc["@type"].as<std::string>(),
            "type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
}

TEST(RenderTable, RoutesShowDomainsVirtualServiceAnd404) {
  ProxyConfig c = sample();
  c.routes[0].virtual_hosts[0].routes[0].istio_config =
      "/apis/networking.istio.io/v1alpha3/namespaces/ns/virtual-service/bar-vs";
  const std::string table = render_table(c, DumpType::Routes);
  const std::string expected =
      "NAME          VHOST NAME                         DOMAINS              MATCH     VIRTUAL "
      "SERVICE\n"
      "50002         bar.ns.svc.cluster.local:50002     bar.ns, 10.0.0.7     /*        bar-vs.ns\n"
      "http.8080     blackhole:80                       *                    /*        404\n";
  EXPECT_EQ(table, expected);
}

TEST(RenderTable, DomainsAreShortenedAsIstioctlDoes) {
  ProxyConfig c;
  RouteConfiguration rc;
  rc.name = "9080";
  VirtualHost vh;
  vh.name = "reviews.bookinfo.svc.cluster.local:9080";
  vh.domains = {"reviews.bookinfo.svc.cluster.local",
                "reviews.bookinfo.svc.cluster.local.",
                "reviews",
                "reviews.bookinfo.svc",
                "reviews.bookinfo",
                "10.0.0.9"};
  vh.routes.push_back(default_route("outbound|9080||reviews.bookinfo.svc.cluster.local"));
  rc.virtual_hosts.push_back(vh);
  VirtualHost allow_any;
  allow_any.name = "allow_any";
  allow_any.domains = {"*"};
  Route passthrough;
  passthrough.name = "allow_any";
  RouteAction a;
  a.cluster = "PassthroughCluster";
  passthrough.action = a;
  allow_any.routes.push_back(passthrough);
  rc.virtual_hosts.push_back(allow_any);
  c.routes.push_back(rc);
  const std::string table = render_table(c, DumpType::Routes);
  // The FQDN and `reviews.bookinfo.svc` go because `reviews.bookinfo` is there (the
  // absolute `....local.` stays); allow_any is hidden.
  EXPECT_NE(table.find(" reviews.bookinfo.svc.cluster.local., reviews + 2 more... "),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("allow_any"), std::string::npos) << table;
}

TEST(RenderTable, ClustersSortedWithEmptyDestinationRuleColumn) {
  ProxyConfig c;
  Cluster a;
  a.name = "outbound|5000||helloworld.sample.svc.cluster.local";
  Cluster b;
  b.name = "BlackHoleCluster";
  b.type = Cluster::Type::Static;
  Cluster d;
  d.name = "inbound|9080||";
  d.type = Cluster::Type::OriginalDst;
  c.clusters = {a, b, d};
  const std::string expected =
      "SERVICE FQDN                            PORT     SUBSET     DIRECTION     TYPE             "
      "DESTINATION RULE\n"
      "                                        9080     -          inbound       ORIGINAL_DST     "
      "\n"
      "BlackHoleCluster                        -        -          -             STATIC           "
      "\n"
      "helloworld.sample.svc.cluster.local     5000     -          outbound      EDS              "
      "\n";
  EXPECT_EQ(render_table(c, DumpType::Clusters), expected);
}

TEST(RenderTable, ListenersOneRowPerChainIncludingTheDefault) {
  const std::string table = render_table(sample(), DumpType::Listeners);
  const std::string expected =
      "ADDRESSES PORT  MATCH                                DESTINATION\n"
      "0.0.0.0   50002 Trans: raw_buffer; App: http/1.1,h2c Route: 50002\n"
      "0.0.0.0   50002 ALL                                  PassthroughCluster\n";
  EXPECT_EQ(table, expected);
}

TEST(RenderTable, EndpointsWithLocality) {
  const std::string expected =
      "ENDPOINT        STATUS      LOCALITY     CLUSTER\n"
      "11.0.0.1:80     HEALTHY     r/a          outbound|50002|v1|bar.ns.svc.cluster.local\n";
  EXPECT_EQ(render_table(sample(), DumpType::Endpoints), expected);
}

TEST(RenderTable, AllPrefixesNamesWithTheirType) {
  const std::string table = render_table(sample(), DumpType::All);
  EXPECT_NE(table.find("cluster/BlackHoleCluster"), std::string::npos) << table;
  EXPECT_NE(table.find("listener/0.0.0.0_50002"), std::string::npos) << table;
  EXPECT_NE(table.find("route/http.8080"), std::string::npos) << table;
  EXPECT_NE(table.find("endpoint/11.0.0.1:80"), std::string::npos) << table;
}

}  // namespace
}  // namespace meshward::translate
