#include "gen_world.h"

namespace meshward::bench {

namespace {

std::string app_objects(std::size_t i) {
  const std::string app = "app-" + std::to_string(i);
  const std::string ns = "team-" + std::to_string(i % 50);
  const std::string ip = "10.96." + std::to_string((i / 250) % 256) + "." + std::to_string(i % 250 + 1);
  std::string s;
  s += R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + app + R"(","namespace":")" + ns +
       R"(","labels":{"app":")" + app + R"("},"resourceVersion":"1001","uid":"u-)" + app +
       R"("},"spec":{"clusterIP":")" + ip + R"(","ports":[{"name":"http","port":8080,"targetPort":8080,"protocol":"TCP"},{"name":"grpc","port":9090,"targetPort":9090}],"selector":{"app":")" + app + R"("},"type":"ClusterIP"}},)";
  s += R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":")" + app +
       R"(","namespace":")" + ns + R"("},"spec":{"hosts":[")" + app + R"(",")" + app +
       R"(.example.com"],"gateways":["mesh","istio-system/gw-)" + std::to_string(i / 20) +
       R"("],"http":[{"name":"canary","match":[{"headers":{"x-canary":{"exact":"true"}},"uri":{"prefix":"/api"}}],"route":[{"destination":{"host":")" + app +
       R"(","subset":"v2","port":{"number":8080}}}],"timeout":"3s","retries":{"attempts":3,"perTryTimeout":"1s","retryOn":"5xx,connect-failure"}},{"name":"default","route":[{"destination":{"host":")" + app +
       R"(","subset":"v1","port":{"number":8080}},"weight":90},{"destination":{"host":")" + app +
       R"(","subset":"v2","port":{"number":8080}},"weight":10}]}]}},)";
  s += R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":")" + app +
       R"(","namespace":")" + ns + R"("},"spec":{"host":")" + app +
       R"(","trafficPolicy":{"loadBalancer":{"simple":"LEAST_REQUEST"},"connectionPool":{"tcp":{"maxConnections":100},"http":{"http2MaxRequests":1000}},"outlierDetection":{"consecutive5xxErrors":5,"interval":"10s","baseEjectionTime":"30s"}},"subsets":[{"name":"v1","labels":{"version":"v1"}},{"name":"v2","labels":{"version":"v2"}}]}},)";
  return s;
}

// Two Pods of app `i` (version v1 and v2) and the EndpointSlice of its Service listing them.
std::string endpoint_objects(std::size_t i) {
  const std::string app = "app-" + std::to_string(i);
  const std::string ns = "team-" + std::to_string(i % 50);
  std::string s;
  std::string endpoints;
  for (int v = 1; v <= 2; ++v) {
    const std::string pod = app + "-v" + std::to_string(v) + "-7f9c8d-x" + std::to_string(v);
    const std::string ip = "10." + std::to_string(100 + v) + "." + std::to_string((i / 250) % 256) +
                           "." + std::to_string(i % 250 + 1);
    s += R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + pod + R"(","namespace":")" + ns +
         R"(","labels":{"app":")" + app + R"(","version":"v)" + std::to_string(v) +
         R"(","security.istio.io/tlsMode":"istio"}},"status":{"podIP":")" + ip + R"("}},)";
    endpoints += std::string(endpoints.empty() ? "" : ",") + R"({"addresses":[")" + ip +
                 R"("],"conditions":{"ready":true,"serving":true,"terminating":false},"nodeName":"node-)" +
                 std::to_string(v) + R"(","zone":"us-east-1a","targetRef":{"kind":"Pod","name":")" + pod +
                 R"(","namespace":")" + ns + R"("}})";
  }
  s += R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":")" + app +
       R"(-abc12","namespace":")" + ns + R"(","labels":{"kubernetes.io/service-name":")" + app +
       R"("}},"addressType":"IPv4","ports":[{"name":"http","port":8080,"protocol":"TCP"},{"name":"grpc","port":9090,"protocol":"TCP"}],"endpoints":[)" +
       endpoints + "]},";
  return s;
}

std::string gateway(std::size_t g) {
  std::string hosts;
  for (std::size_t i = g * 20; i < g * 20 + 20; ++i) {
    hosts += std::string(hosts.empty() ? "" : ",") + "\"app-" + std::to_string(i) + ".example.com\"";
  }
  return R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"gw-)" +
         std::to_string(g) +
         R"(","namespace":"istio-system"},"spec":{"selector":{"istio":"ingressgateway"},"servers":[{"port":{"number":443,"name":"https-)" +
         std::to_string(g) + R"(","protocol":"HTTPS"},"hosts":[)" + hosts +
         R"(],"tls":{"mode":"SIMPLE","credentialName":"cert-)" + std::to_string(g) + R"("}}]}},)";
}

std::string service_entry(std::size_t e) {
  const std::string host = "api-" + std::to_string(e) + ".partner.example.org";
  return R"({"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"ext-)" +
         std::to_string(e) + R"(","namespace":"team-)" + std::to_string(e % 50) +
         R"("},"spec":{"hosts":[")" + host +
         R"("],"location":"MESH_EXTERNAL","resolution":"DNS","ports":[{"number":443,"name":"tls","protocol":"TLS"}],"exportTo":["."]}},)";
}

}  // namespace

std::string generate_world_json(std::size_t objects, bool endpoints) {
  // 3 objects per app (+ 3 with endpoints) + 1/20 gateway + 1/10 service entry ~= 3.15 (6.15)
  // objects per app.
  const std::size_t apps = objects * 20 / (endpoints ? 123 : 63) + 1;
  std::string out = R"({"apiVersion":"v1","kind":"List","items":[)";
  out.reserve(apps * 2200);
  for (std::size_t i = 0; i < apps; ++i) {
    out += app_objects(i);
    if (endpoints) {
      out += endpoint_objects(i);
    }
    if (i % 20 == 0) {
      out += gateway(i / 20);
    }
    if (i % 10 == 0) {
      out += service_entry(i / 10);
    }
  }
  out.pop_back();  // trailing comma
  out += "]}\n";
  return out;
}

}  // namespace meshward::bench
