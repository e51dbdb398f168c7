// Admission evaluates a change only on its neighbourhood (rules/focus.h). These tests hold it
// to the whole-world answer: for random worlds and random CREATE/UPDATE/DELETE reviews, the
// findings introduced_findings() reports equal the findings of the whole overlay world minus
// the whole base world (plus the object's own), which is what "introduced" means.

#include <algorithm>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/admission/decide.h"
#include "meshward/admission/review.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/run.h"
#include "meshward/translate/mesh_config.h"
#include "meshward/world/loader.h"
#include "meshward/world/overlay.h"
#include "meshward/world/snapshot.h"

namespace meshward::admission {
namespace {

std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Random mesh configuration over a small vocabulary, so that objects refer to each other
// (hosts, subsets, gateways, selectors, ports) and every mesh check has something to judge.
// Objects are JSON, as the API server sends them.
class MeshGenerator {
 public:
  explicit MeshGenerator(unsigned seed) : rng_(seed) {}

  static constexpr const char* kKinds[] = {
      "VirtualService", "VirtualService",        "DestinationRule",     "DestinationRule",
      "Service",        "Service",               "ServiceEntry",        "Gateway",
      "Gateway",        "Pod",                   "WorkloadEntry",       "Sidecar",
      "EnvoyFilter",    "PeerAuthentication",    "PeerAuthentication",  "RequestAuthentication",
      "AuthorizationPolicy"};
  static constexpr const char* kNamespaces[] = {"bookinfo", "bookinfo", "default", "istio-system"};
  static constexpr const char* kHosts[] = {"reviews",
                                           "ratings",
                                           "reviews",
                                           "reviews.bookinfo.svc.cluster.local",
                                           "ratings.default.svc.cluster.local",
                                           "*.bookinfo.svc.cluster.local",
                                           "api.example.com",
                                           "*.example.com",
                                           "istio-egressgateway.istio-system.svc.cluster.local"};
  static constexpr const char* kExternalHosts[] = {"api.example.com", "*.example.com",
                                                   "db.example.org",
                                                   "reviews.bookinfo.svc.cluster.local"};
  static constexpr const char* kServiceNames[] = {"reviews", "ratings", "istio-ingressgateway",
                                                  "istio-egressgateway"};
  static constexpr const char* kGatewayNames[] = {"gw", "egress", "gw2"};
  static constexpr const char* kGatewayRefs[] = {"gw", "istio-system/gw", "istio-system/egress",
                                                 "mesh", "bookinfo/gw2", "istio-system/gw2"};
  static constexpr const char* kSubsets[] = {"v1", "v2", "v3"};
  static constexpr const char* kTimestamps[] = {"2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z",
                                                "2023-06-01T12:00:00Z", "2024-03-01T00:00:00Z"};

  std::string kind() { return kKinds[pick(std::size(kKinds))]; }
  std::string ns() { return kNamespaces[pick(std::size(kNamespaces))]; }

  // A random kind, namespace and name; gateway workload Services mostly live in istio-system.
  void key(std::string& kind_out, std::string& ns_out, std::string& name_out) {
    kind_out = kind();
    name_out = name(kind_out);
    ns_out = name_out.starts_with("istio-") && !coin(4) ? "istio-system" : ns();
  }

  // A name of `kind`, among few, so that creates collide with existing objects.
  std::string name(const std::string& kind) {
    if (kind == "Service") {
      return kServiceNames[pick(std::size(kServiceNames))];
    }
    if (kind == "Gateway") {
      return kGatewayNames[pick(std::size(kGatewayNames))];
    }
    if (kind == "VirtualService" || kind == "DestinationRule") {
      static constexpr const char* kNames[] = {"reviews", "ratings", "r1", "r2"};
      return kNames[pick(std::size(kNames))];
    }
    std::string p;
    for (char c : kind) {
      if (c >= 'A' && c <= 'Z') {
        p += static_cast<char>(c - 'A' + 'a');
      }
    }
    return p + std::to_string(pick(3));
  }

  // One object of `kind` `ns`/`name` with random content.
  std::string object(const std::string& kind, const std::string& ns, const std::string& name) {
    std::string meta = R"("metadata":{"name":)" + q(name) + R"(,"namespace":)" + q(ns) +
                       R"(,"creationTimestamp":)" + q(kTimestamps[pick(std::size(kTimestamps))]);
    if (kind == "Pod") {
      return R"({"apiVersion":"v1","kind":"Pod",)" + meta + R"(,"labels":)" + labels() + "}}";
    }
    if (kind == "Service") {
      // The gateway workloads' Services select their pods (often with more labels than a
      // Gateway's selector), like istioctl's install.
      std::string selector = labels();
      if (name.starts_with("istio-") && !coin(4)) {
        const std::string istio = name == "istio-egressgateway" ? "egressgateway" : "ingressgateway";
        selector = R"({"istio":)" + q(istio) + (coin(2) ? R"(,"app":"reviews"})" : "}");
      }
      // Some are exported to their own namespace only (MW2102, MW2118 judge visibility).
      const std::string annotations =
          coin(4) ? R"(,"annotations":{"networking.istio.io/exportTo":"."})" : "";
      return R"({"apiVersion":"v1","kind":"Service",)" + meta + annotations +
             R"(},"spec":{"ports":)" + service_ports() + R"(,"selector":)" + selector + "}}";
    }
    const std::string head = R"({"apiVersion":)" + q(api_version(kind)) + R"(,"kind":)" +
                             q(kind) + "," + meta + R"(},"spec":)";
    if (kind == "VirtualService") {
      return head + virtual_service() + "}";
    }
    if (kind == "DestinationRule") {
      return head + destination_rule() + "}";
    }
    if (kind == "ServiceEntry") {
      std::string spec = R"({"hosts":)" + list(kExternalHosts, 1 + pick(2)) + R"(,"location":)" +
                         q(coin(4) ? "MESH_INTERNAL" : "MESH_EXTERNAL") +
                         R"(,"resolution":"DNS","ports":[{"number":)" +
                         (coin(2) ? "443" : "80") + R"(,"name":"tls","protocol":"TLS"}])";
      if (coin(3)) {
        spec += R"(,"exportTo":[)" + q(coin(2) ? "." : "*") + "]";
      }
      return head + spec + "}}";
    }
    if (kind == "Gateway") {
      return head + gateway(name == "egress" && !coin(4)) + "}";
    }
    if (kind == "WorkloadEntry") {
      return head + R"({"address":"10.1.0.)" + std::to_string(pick(250)) + R"(","labels":)" +
             labels() + "}}";
    }
    if (kind == "Sidecar") {
      std::string spec = R"({"egress":[{"hosts":["./*"]}])";
      if (coin(2)) {
        spec += R"(,"workloadSelector":{"labels":)" + labels(true) + "}";
      }
      return head + spec + "}}";
    }
    if (kind == "EnvoyFilter") {
      return head + envoy_filter() + "}";
    }
    // Security policies.
    std::string spec = "{";
    std::string sep;
    if (coin(2)) {
      spec += R"("selector":{"matchLabels":)" + labels(true) + "}";
      sep = ",";
    }
    if (kind == "PeerAuthentication") {
      static constexpr const char* kModes[] = {"STRICT", "STRICT", "PERMISSIVE", "DISABLE"};
      spec += sep + R"("mtls":{"mode":)" + q(kModes[pick(std::size(kModes))]) + "}";
      if (!sep.empty() && coin(2)) {  // MW3117: a Service port or a workload port
        static constexpr const char* kPorts[] = {"80", "443", "8080", "9080"};
        spec += R"(,"portLevelMtls":{)" + q(kPorts[pick(std::size(kPorts))]) +
                R"(:{"mode":"DISABLE"}})";
      }
    } else if (kind == "AuthorizationPolicy") {
      // MW3115 reads whether a policy demands a request principal.
      static constexpr const char* kPolicies[] = {
          R"("action":"ALLOW","rules":[{"from":[{"source":{"namespaces":["bookinfo"]}}]}])",
          R"("action":"ALLOW","rules":[{"from":[{"source":{"requestPrincipals":["*"]}}]}])",
          R"("action":"DENY","rules":[{"from":[{"source":{"notRequestPrincipals":["*"]}}]}])",
          // MW3120 judges the provider of each workload's CUSTOM policies (kMeshConfig).
          R"("action":"CUSTOM","provider":{"name":"authz"},"rules":[{"to":[{"operation":{"paths":["/admin"]}}]}])",
          R"("action":"CUSTOM","provider":{"name":"other"},"rules":[{"to":[{"operation":{"paths":["/admin"]}}]}])"};
      spec += sep + kPolicies[pick(std::size(kPolicies))];
    } else {
      spec += sep + R"("jwtRules":[{"issuer":"https://issuer.example.com","jwksUri":"https://issuer.example.com/jwks"}])";
    }
    return head + spec + "}}";
  }

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool coin(std::size_t one_in) { return pick(one_in) == 0; }

  static std::string api_version(const std::string& kind) {
    if (kind == "Pod" || kind == "Service") {
      return "v1";
    }
    if (kind == "PeerAuthentication" || kind == "RequestAuthentication" ||
        kind == "AuthorizationPolicy") {
      return "security.istio.io/v1";
    }
    if (kind == "EnvoyFilter") {
      return "networking.istio.io/v1alpha3";
    }
    return "networking.istio.io/v1";
  }

 private:
  template <std::size_t N>
  std::string list(const char* const (&pool)[N], std::size_t n) {
    std::string out = "[";
    for (std::size_t i = 0; i < n; ++i) {
      out += (i == 0 ? "" : ",") + q(pool[pick(N)]);
    }
    return out + "]";
  }

  std::string labels(bool non_empty = false) {
    std::vector<std::string> pairs;
    if (coin(2)) {
      pairs.push_back(R"("app":)" + q(coin(2) ? "reviews" : "ratings"));
    }
    if (coin(2)) {
      pairs.push_back(R"("version":)" + q(coin(2) ? "v1" : "v2"));
    }
    if (coin(3)) {
      pairs.push_back(R"("istio":)" + q(coin(2) ? "ingressgateway" : "egressgateway"));
    }
    if (pairs.empty() && non_empty) {
      pairs.push_back(R"("app":"reviews")");
    }
    std::string out = "{";
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      out += (i == 0 ? "" : ",") + pairs[i];
    }
    return out + "}";
  }

  std::string service_ports() {
    static constexpr const char* kPorts[] = {
        R"({"name":"http","port":9080})",
        R"({"name":"http-web","port":80,"targetPort":8080})",
        R"({"name":"https","port":443,"targetPort":8443})",
        R"({"name":"web","port":9080})",
        R"({"port":8080})"};
    std::string out = "[" + std::string(kPorts[pick(std::size(kPorts))]);
    if (coin(2)) {
      out += "," + std::string(kPorts[pick(std::size(kPorts))]);
    }
    return out + "]";
  }

  std::string destination() {
    std::string d = R"({"host":)" + q(kHosts[pick(std::size(kHosts))]);
    if (coin(2)) {
      d += R"(,"subset":)" + q(kSubsets[pick(std::size(kSubsets))]);
    }
    if (coin(2)) {
      d += R"(,"port":{"number":)" + std::string(coin(2) ? "9080" : "80") + "}";
    }
    return d + "}";
  }

  std::string virtual_service() {
    std::string spec = R"({"hosts":)" + list(kHosts, 1 + pick(2));
    if (coin(2)) {
      spec += R"(,"gateways":)" + list(kGatewayRefs, 1 + pick(2));
    }
    if (coin(4)) {
      spec += R"(,"exportTo":[)" + q(coin(2) ? "." : "*") + "]";
    }
    spec += R"(,"http":[)";
    for (std::size_t i = 0, n = 1 + pick(2); i < n; ++i) {
      spec += i == 0 ? "{" : ",{";
      if (coin(2)) {
        spec += R"("match":[{"uri":{"prefix":)" + q(coin(2) ? "/" : "/api") + "}}],";
      }
      spec += R"("route":[{"destination":)" + destination() + "}";
      if (coin(3)) {
        spec += R"(,{"destination":)" + destination() + "}";
      }
      spec += "]";
      if (coin(5)) {
        spec += R"(,"mirror":)" + destination();
      }
      spec += "}";
    }
    spec += "]";
    if (coin(4)) {
      spec += R"(,"tls":[{"match":[{"port":443,"sniHosts":)" + list(kHosts, 1) +
              R"(}],"route":[{"destination":)" + destination() + "}]}]";
    }
    if (coin(5)) {
      spec += R"(,"tcp":[{"route":[{"destination":)" + destination() + "}]}]";
    }
    return spec + "}";
  }

  std::string destination_rule() {
    std::string spec = R"({"host":)" + q(kHosts[pick(std::size(kHosts))]);
    if (coin(2)) {
      static constexpr const char* kTls[] = {"DISABLE", "SIMPLE", "ISTIO_MUTUAL"};
      spec += R"(,"trafficPolicy":{"tls":{"mode":)" + q(kTls[pick(std::size(kTls))]) + "}}";
    }
    spec += R"(,"subsets":[)";
    for (std::size_t i = 0, n = pick(3); i < n; ++i) {
      spec += std::string(i == 0 ? "" : ",") + R"({"name":)" +
              q(kSubsets[pick(std::size(kSubsets))]) + R"(,"labels":{"version":"v1"}})";
    }
    spec += "]";
    if (coin(4)) {
      spec += R"(,"exportTo":[)" + q(coin(2) ? "." : "*") + "]";
    }
    if (coin(6)) {
      spec += R"(,"workloadSelector":{"matchLabels":{"app":"reviews"}})";
    }
    return spec + "}";
  }

  std::string gateway(bool egress) {
    std::string spec = R"({"selector":)";
    static constexpr const char* kSelectors[] = {R"({"istio":"ingressgateway"})",
                                                 R"({"istio":"ingressgateway"})",
                                                 R"({"istio":"egressgateway"})", R"({})",
                                                 R"({"app":"reviews"})",
                                                 R"({"istio":"ingressgateway","app":"reviews"})"};
    spec += egress ? R"({"istio":"egressgateway"})" : kSelectors[pick(std::size(kSelectors))];
    spec += R"(,"servers":[)";
    static constexpr const char* kForms[] = {"", "", "./", "*/", "bookinfo/"};
    static constexpr const char* kServerHosts[] = {"api.example.com", "*.example.com", "*",
                                                   "reviews.bookinfo.svc.cluster.local",
                                                   "db.example.org"};
    for (std::size_t i = 0, n = 1 + pick(2); i < n; ++i) {
      const bool https = coin(2);
      spec += std::string(i == 0 ? "" : ",") + R"({"port":{"number":)" +
              (https ? "443" : "80") + R"(,"name":)" + q(https ? "https" : "http") +
              R"(,"protocol":)" + q(https ? (coin(3) ? "TLS" : "HTTPS") : "HTTP") +
              R"(},"hosts":[)";
      for (std::size_t j = 0, m = 1 + pick(2); j < m; ++j) {
        spec += std::string(j == 0 ? "" : ",") +
                q(std::string(kForms[pick(std::size(kForms))]) +
                  kServerHosts[pick(std::size(kServerHosts))]);
      }
      spec += "]";
      if (https) {
        spec += coin(3) ? R"(,"tls":{"mode":"PASSTHROUGH"})"
                        : R"(,"tls":{"mode":"SIMPLE","credentialName":"cert"})";
      }
      spec += "}";
    }
    return spec + "]}";
  }

  std::string envoy_filter() {
    std::string spec = "{";
    if (coin(2)) {
      spec += R"("priority":10,)";
    }
    if (coin(2)) {
      spec += R"("workloadSelector":{"labels":)" + labels(true) + "},";
    }
    spec += R"("configPatches":[)";
    for (std::size_t i = 0, n = 1 + pick(2); i < n; ++i) {
      std::string match = R"({"context":"SIDECAR_INBOUND")";
      if (coin(2)) {
        match += R"(,"proxy":{"proxyVersion":"^1\\.2.*"})";
      }
      match += R"(,"listener":{"filterChain":{"filter":{"name":"envoy.filters.network.http_connection_manager","subFilter":{"name":"envoy.filters.http.router"}}}}})";
      spec += std::string(i == 0 ? "" : ",") + R"({"applyTo":"HTTP_FILTER","match":)" + match +
              R"(,"patch":{"operation":)" + q(coin(2) ? "INSERT_BEFORE" : "MERGE") +
              R"(,"value":{"name":)" + q(coin(2) ? "my-filter" : "other-filter") + "}}}";
    }
    return spec + "]}";
  }

  std::mt19937 rng_;
};

// The API group of an apiVersion ("" for the core group).
std::string group_of(const std::string& api_version) {
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

std::string review_json(const std::string& op, const std::string& kind, const std::string& ns,
                        const std::string& name, const std::string& object,
                        const std::string& old_object) {
  const std::string api = MeshGenerator::api_version(kind);
  const auto slash = api.find('/');
  const std::string version = slash == std::string::npos ? api : api.substr(slash + 1);
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":)" +
         q(group_of(api)) + R"(,"version":)" + q(version) + R"(,"kind":)" + q(kind) +
         R"(},"namespace":)" + q(ns) + R"(,"name":)" + q(name) + R"(,"operation":)" + q(op) +
         R"(,"userInfo":{"username":"test"},"object":)" + object + R"(,"oldObject":)" +
         old_object + "}}";
}

std::vector<std::string> identities(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    out.push_back(finding_identity(f));
  }
  return out;
}

// What "introduced" means, computed the slow way: every check over the whole overlay world,
// minus every finding of the base world, plus the object's own findings.
std::vector<std::string> whole_world_introduced(const Review& review, const EvaluatedWorld& world) {
  std::optional<world::Overlay> after;
  if (review.operation == Operation::Delete) {
    after.emplace(world::Overlay::erase(world.snapshot, model::key_of(*review.old_object)));
  } else {
    after.emplace(world::Overlay::put(world.snapshot, review.object));
  }
  // Admission re-judges a mesh check only for a change of its trigger kinds
  // (Rule::admission_triggers); the whole world holds the findings of the others too.
  const model::Kind changed =
      (review.operation == Operation::Delete ? review.old_object : review.object)->kind();
  std::vector<Finding> out;
  std::unordered_set<std::string> seen;
  rules::RunOptions options;
  options.translate = world.translate;
  for (Finding& f : rules::check_world(*after, options)) {
    const rules::Rule* rule = rules::find_rule(f.code);
    if (rule != nullptr && rule->check_mesh && !rule->triggers().contains(changed)) {
      continue;
    }
    std::string id = finding_identity(f);
    if (world.finding_ids.count(id) == 0 && seen.insert(id).second) {
      out.push_back(std::move(f));
    }
  }
  if (review.operation != Operation::Delete) {
    std::vector<Finding> own = review.object_findings;
    for (Finding& f : rules::check_object(*review.object)) {
      own.push_back(std::move(f));
    }
    for (Finding& f : own) {
      if (seen.insert(finding_identity(f)).second) {
        out.push_back(std::move(f));
      }
    }
  }
  rules::drop_findings_on_rejected_fields(out);
  sort_findings(out);
  return identities(out);
}

struct WorldObject {
  std::string kind;
  std::string ns;
  std::string name;
  std::string json;
};

// Expects the focused answer of `body` to equal the whole-world one; returns the number of
// mesh findings (MW2xxx, MW4xxx from mesh checks) the change introduced.
std::size_t expect_same_as_whole_world(const std::string& body, const EvaluatedWorld& world,
                                       const std::string& trace) {
  SCOPED_TRACE(trace);
  auto review = parse_review(body);
  EXPECT_TRUE(review.ok()) << body;
  if (!review.ok() || (review->operation != Operation::Delete && !review->object)) {
    return 0;
  }
  const std::vector<std::string> focused = identities(introduced_findings(*review, world));
  const std::vector<std::string> whole = whole_world_introduced(*review, world);
  EXPECT_EQ(focused, whole) << "review: " << body;
  return static_cast<std::size_t>(std::count_if(whole.begin(), whole.end(), [](const std::string& id) {
    return id.starts_with("MW2") || id.starts_with("MW3") || id.starts_with("MW41");
  }));
}

// The random worlds' MeshConfig: one external authorizer, served by a Service the generator
// makes (and changes and deletes).
translate::Options random_world_options() {
  auto mesh = translate::parse_mesh_config(
      "extensionProviders:\n- name: authz\n  envoyExtAuthzGrpc:\n"
      "    service: bookinfo/reviews.bookinfo.svc.cluster.local\n    port: 9080\n",
      "mesh.yaml");
  EXPECT_TRUE(mesh.ok());
  translate::Options options;
  if (mesh.ok()) {
    options.mesh = std::move(*mesh);
  }
  return options;
}

TEST(AdmissionNeighbourhood, RandomChangesMatchTheWholeWorldDiff) {
  std::size_t changes = 0;
  std::size_t with_mesh_findings = 0;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    MeshGenerator gen(seed);
    std::vector<WorldObject> objects;
    const std::size_t size = 20 + gen.pick(30);
    for (std::size_t i = 0; i < size; ++i) {
      WorldObject o;
      gen.key(o.kind, o.ns, o.name);
      o.json = gen.object(o.kind, o.ns, o.name);
      objects.push_back(std::move(o));
    }
    std::string list = R"({"apiVersion":"v1","kind":"List","items":[)";
    for (std::size_t i = 0; i < objects.size(); ++i) {
      list += (i == 0 ? "" : ",") + objects[i].json;
    }
    list += "]}";
    auto loaded = world::load_text(list, "world.json");
    auto world = evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "random",
                                random_world_options());

    for (int c = 0; c < 40; ++c) {
      const std::size_t roll = gen.pick(10);
      std::string body;
      if (roll < 3) {
        // CREATE (possibly of a key that exists: admission then sees a replacement).
        std::string kind, ns, name;
        gen.key(kind, ns, name);
        body = review_json("CREATE", kind, ns, name, gen.object(kind, ns, name), "null");
      } else {
        const WorldObject& o = objects[gen.pick(objects.size())];
        if (roll < 7) {
          body = review_json("UPDATE", o.kind, o.ns, o.name, gen.object(o.kind, o.ns, o.name),
                             o.json);
        } else {
          body = review_json("DELETE", o.kind, o.ns, o.name, "null", o.json);
        }
      }
      with_mesh_findings += expect_same_as_whole_world(
          body, *world, "seed " + std::to_string(seed) + " change " + std::to_string(c)) > 0;
      ++changes;
    }
  }
  // The generator must produce changes that break the mesh, or the comparison says little.
  EXPECT_GT(with_mesh_findings, changes / 10) << with_mesh_findings << " of " << changes;
}

// Changes that break an object other than the one changed: the finding lands on the other
// object, and only the neighbourhood reaches it.
const WorldObject kBookinfo[] = {
    {"Service", "bookinfo", "reviews",
     R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"reviews","namespace":"bookinfo"},"spec":{"ports":[{"name":"http","port":9080}],"selector":{"app":"reviews"}}})"},
    {"Service", "istio-system", "istio-ingressgateway",
     R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"istio-ingressgateway","namespace":"istio-system"},"spec":{"ports":[{"name":"http2","port":80,"targetPort":8080}],"selector":{"istio":"ingressgateway"}}})"},
    {"Gateway", "istio-system", "gw",
     R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"gw","namespace":"istio-system"},"spec":{"selector":{"istio":"ingressgateway"},"servers":[{"port":{"number":80,"name":"http","protocol":"HTTP"},"hosts":["reviews.example.com"]}]}})"},
    {"VirtualService", "bookinfo", "reviews",
     R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"reviews","namespace":"bookinfo"},"spec":{"hosts":["reviews"],"http":[{"route":[{"destination":{"host":"reviews","subset":"v1","port":{"number":9080}}}]}]}})"},
    {"VirtualService", "bookinfo", "edge",
     R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"edge","namespace":"bookinfo"},"spec":{"hosts":["reviews.example.com"],"gateways":["istio-system/gw"],"http":[{"route":[{"destination":{"host":"reviews","port":{"number":9080}}}]}]}})"},
    {"DestinationRule", "bookinfo", "reviews",
     R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"reviews","namespace":"bookinfo"},"spec":{"host":"reviews","subsets":[{"name":"v1","labels":{"version":"v1"}},{"name":"v2","labels":{"version":"v2"}}]}})"},
};

struct Breaking {
  const char* what;
  const char* op;
  const char* kind;
  const char* ns;
  const char* name;
  const char* object;  // "null" for DELETE
  const char* code;    // the finding it must introduce
  const char* on;      // on this object (kind/ns/name)
};

std::shared_ptr<const EvaluatedWorld> evaluated(const std::vector<WorldObject>& objects,
                                                const translate::Options& options = {}) {
  std::string list = R"({"apiVersion":"v1","kind":"List","items":[)";
  for (std::size_t i = 0; i < objects.size(); ++i) {
    list += (i == 0 ? "" : ",") + objects[i].json;
  }
  list += "]}";
  auto loaded = world::load_text(list, "world.json");
  EXPECT_TRUE(loaded.findings.empty());
  return evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "test", options);
}

// Runs `c` against `world` (made of `objects`): same answer as the whole world, and the
// expected finding among those introduced.
void expect_breaks(const std::vector<WorldObject>& objects, const EvaluatedWorld& world,
                   const Breaking& c) {
  SCOPED_TRACE(c.what);
  // The old object, as the API server sends it: the world's own version.
  std::string old_object = "null";
  for (const WorldObject& o : objects) {
    if (o.kind == c.kind && o.ns == c.ns && o.name == c.name) {
      old_object = o.json;
    }
  }
  const std::string body = review_json(c.op, c.kind, c.ns, c.name, c.object, old_object);
  EXPECT_GT(expect_same_as_whole_world(body, world, c.what), 0u);
  auto review = parse_review(body);
  ASSERT_TRUE(review.ok()) << body;
  const auto introduced = introduced_findings(*review, world);
  const bool found = std::any_of(introduced.begin(), introduced.end(), [&](const Finding& f) {
    return f.code == c.code &&
           f.resource.kind + "/" + f.resource.namespace_ + "/" + f.resource.name == c.on;
  });
  EXPECT_TRUE(found) << c.code << " on " << c.on << " not among "
                     << ::testing::PrintToString(identities(introduced));
}

TEST(AdmissionNeighbourhood, ChangesThatBreakAnotherObjectAreReported) {
  const std::vector<WorldObject> objects(std::begin(kBookinfo), std::end(kBookinfo));
  const auto world = evaluated(objects);
  const Breaking cases[] = {
      {"deleting the subset a VirtualService uses", "UPDATE", "DestinationRule", "bookinfo",
       "reviews",
       R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"reviews","namespace":"bookinfo"},"spec":{"host":"reviews","subsets":[{"name":"v2","labels":{"version":"v2"}}]}})",
       "MW2101", "VirtualService/bookinfo/reviews"},
      {"deleting the DestinationRule", "DELETE", "DestinationRule", "bookinfo", "reviews", "null",
       "MW2101", "VirtualService/bookinfo/reviews"},
      {"deleting the only VirtualService bound to a Gateway host", "DELETE", "VirtualService",
       "bookinfo", "edge", "null", "MW2106", "Gateway/istio-system/gw"},
      {"changing the Service port a route names", "UPDATE", "Service", "bookinfo", "reviews",
       R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"reviews","namespace":"bookinfo"},"spec":{"ports":[{"name":"http","port":8080}],"selector":{"app":"reviews"}}})",
       "MW2103", "VirtualService/bookinfo/reviews"},
      {"deleting the Service a route names", "DELETE", "Service", "bookinfo", "reviews", "null",
       "MW2102", "VirtualService/bookinfo/edge"},
      {"deleting the Gateway a VirtualService binds", "DELETE", "Gateway", "istio-system", "gw",
       "null", "MW2104", "VirtualService/bookinfo/edge"},
      {"a second Gateway on the same workload, port and host", "CREATE", "Gateway",
       "istio-system", "gw-new",
       R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"gw-new","namespace":"istio-system"},"spec":{"selector":{"istio":"ingressgateway"},"servers":[{"port":{"number":80,"name":"http","protocol":"HTTP"},"hosts":["reviews.example.com"]}]}})",
       "MW2108", "Gateway/istio-system/gw-new"},
  };
  for (const Breaking& c : cases) {
    expect_breaks(objects, *world, c);
  }
}

// A root VirtualService reads its delegates by name (MW2117): deleting one, hiding it from the
// root's namespace or giving it a route outside the delegating match drops routes of the root.
TEST(AdmissionNeighbourhood, DelegateChangesThatDropRootRoutesAreReported) {
  std::vector<WorldObject> objects(std::begin(kBookinfo), std::end(kBookinfo));
  objects.push_back(
      {"VirtualService", "bookinfo", "front",
       R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"front","namespace":"bookinfo"},"spec":{"hosts":["front.example.com"],"http":[{"name":"reviews","match":[{"uri":{"prefix":"/reviews"}}],"delegate":{"name":"reviews-routes"}}]}})"});
  objects.push_back(
      {"VirtualService", "bookinfo", "reviews-routes",
       R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"reviews-routes","namespace":"bookinfo"},"spec":{"http":[{"match":[{"uri":{"prefix":"/reviews/v1"}}],"route":[{"destination":{"host":"reviews"}}]}]}})"});
  const auto world = evaluated(objects);
  ASSERT_TRUE(std::none_of(world->findings.begin(), world->findings.end(),
                           [](const Finding& f) { return f.code == "MW2117"; }));
  const Breaking cases[] = {
      {"deleting the delegate", "DELETE", "VirtualService", "bookinfo", "reviews-routes", "null",
       "MW2117", "VirtualService/bookinfo/front"},
      {"exporting the delegate elsewhere only", "UPDATE", "VirtualService", "bookinfo",
       "reviews-routes",
       R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"reviews-routes","namespace":"bookinfo"},"spec":{"exportTo":["other"],"http":[{"match":[{"uri":{"prefix":"/reviews/v1"}}],"route":[{"destination":{"host":"reviews"}}]}]}})",
       "MW2117", "VirtualService/bookinfo/front"},
      {"a delegate route outside the root's prefix", "UPDATE", "VirtualService", "bookinfo",
       "reviews-routes",
       R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"reviews-routes","namespace":"bookinfo"},"spec":{"http":[{"match":[{"uri":{"prefix":"/ratings"}}],"route":[{"destination":{"host":"reviews"}}]}]}})",
       "MW2117", "VirtualService/bookinfo/front"},
  };
  for (const Breaking& c : cases) {
    expect_breaks(objects, *world, c);
  }
}

// An EnvoyFilter reads the workloads its selector picks (MW4115): deleting or relabelling the
// last one it selects orphans it, in its namespace or, for a root-namespace filter, anywhere.
TEST(AdmissionNeighbourhood, WorkloadChangeThatOrphansAnEnvoyFilterIsReported) {
  const std::string filter =
      R"({"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"$N","namespace":"$S"},"spec":{"workloadSelector":{"labels":{"app":"billing"}},"configPatches":[{"applyTo":"CLUSTER","match":{"context":"SIDECAR_OUTBOUND"},"patch":{"operation":"MERGE","value":{"connect_timeout":"2s"}}}]}})";
  const auto ef = [&](const std::string& name, const std::string& ns) {
    std::string f = filter;
    f.replace(f.find("$N"), 2, name);
    f.replace(f.find("$S"), 2, ns);
    return WorldObject{"EnvoyFilter", ns, name, f};
  };
  const auto workload_entry = [](const std::string& app) {
    return R"({"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"billing-vm","namespace":"vms"},"spec":{"address":"10.20.0.7","labels":{"app":")" +
           app + R"("}}})";
  };
  // The Pod keeps the world's workloads known when the WorkloadEntry goes.
  const std::vector<WorldObject> objects{
      ef("billing-timeouts", "vms"), ef("billing-mesh-wide", "istio-system"),
      {"WorkloadEntry", "vms", "billing-vm", workload_entry("billing")},
      {"Pod", "bookinfo", "ratings",
       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"ratings","namespace":"bookinfo","labels":{"app":"ratings"}}})"}};
  const auto world = evaluated(objects);
  const std::string relabelled = workload_entry("billing-v2");
  for (const char* on : {"EnvoyFilter/vms/billing-timeouts", "EnvoyFilter/istio-system/billing-mesh-wide"}) {
    expect_breaks(objects, *world,
                  {"deleting the WorkloadEntry", "DELETE", "WorkloadEntry", "vms", "billing-vm",
                   "null", "MW4115", on});
    expect_breaks(objects, *world,
                  {"relabelling the WorkloadEntry", "UPDATE", "WorkloadEntry", "vms", "billing-vm",
                   relabelled.c_str(), "MW4115", on});
  }
}

// A Gateway reads its workload's Service (the route name uses its target port), also when the
// Service's selector is narrower than the Gateway's.
TEST(AdmissionNeighbourhood, GatewayWorkloadServiceChangeIsReported) {
  const std::string service =
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"istio-ingressgateway","namespace":"istio-system"},"spec":{"ports":[{"name":"http2","port":80,"targetPort":$P}],"selector":{"istio":"ingressgateway"}}})";
  const auto with_port = [&](const std::string& port) {
    std::string s = service;
    return s.replace(s.find("$P"), 2, port);
  };
  const std::vector<WorldObject> objects{
      {"Service", "istio-system", "istio-ingressgateway", with_port("8080")},
      {"Gateway", "istio-system", "gw",
       R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"gw","namespace":"istio-system"},"spec":{"selector":{"istio":"ingressgateway","app":"edge"},"servers":[{"port":{"number":80,"name":"http","protocol":"HTTP"},"hosts":["a.example.com"]}]}})"}};
  const std::string changed = with_port("9090");
  expect_breaks(objects, *evaluated(objects),
                {"changing the gateway Service's target port", "UPDATE", "Service", "istio-system",
                 "istio-ingressgateway", changed.c_str(), "MW2106", "Gateway/istio-system/gw"});
}

// MW2119 judges a DestinationRule by where its host's endpoints run: a WorkloadEntry moving to
// a region its `distribute` does not name is reported against the move.
TEST(AdmissionNeighbourhood, WorkloadMovingOutOfADistributeTargetIsReported) {
  const std::string entry =
      R"({"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"db-1","namespace":"data"},"spec":{"address":"10.0.0.9","labels":{"app":"db"},"locality":"$L"}})";
  const auto at = [&](const std::string& locality) {
    std::string e = entry;
    return e.replace(e.find("$L"), 2, locality);
  };
  const std::vector<WorldObject> objects{
      {"ServiceEntry", "data", "db",
       R"({"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"db","namespace":"data"},"spec":{"hosts":["db.example.internal"],"location":"MESH_INTERNAL","ports":[{"number":5432,"name":"tcp","protocol":"TCP"}],"resolution":"STATIC","workloadSelector":{"labels":{"app":"db"}}}})"},
      {"WorkloadEntry", "data", "db-1", at("us-east-1/us-east-1a")},
      {"DestinationRule", "data", "db",
       R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"db","namespace":"data"},"spec":{"host":"db.example.internal","trafficPolicy":{"loadBalancer":{"localityLbSetting":{"distribute":[{"from":"us-east-1/*","to":{"us-east-1/*":100}}]}}}}})"}};
  const std::string moved = at("eu-west-1/eu-west-1a");
  expect_breaks(objects, *evaluated(objects),
                {"moving the only endpoint to eu-west-1", "UPDATE", "WorkloadEntry", "data", "db-1",
                 moved.c_str(), "MW2119", "DestinationRule/data/db"});
}

// Some checks judge only when the world holds Pods or workloads at all: the first Pod in, or
// the last one out, changes Gateways that select nothing the Pod carries, and EnvoyFilters.
TEST(AdmissionNeighbourhood, FirstOrLastWorkloadChangesEveryGatewayAndEnvoyFilter) {
  const std::string gateway =
      R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"$N","namespace":"istio-system","creationTimestamp":"$T"},"spec":{"selector":{"istio":"ingressgateway"},"servers":[{"port":{"number":80,"name":"http","protocol":"HTTP"},"hosts":["a.example.com"]}]}})";
  const auto gw = [&](const std::string& name, const std::string& time) {
    std::string g = gateway;
    g.replace(g.find("$N"), 2, name);
    g.replace(g.find("$T"), 2, time);
    return WorldObject{"Gateway", "istio-system", name, g};
  };
  const std::string pod =
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"other","namespace":"default","labels":{"app":"other"}}})";
  // A workload that is no Pod: with it, the world still has workloads when the last Pod leaves.
  const WorldObject vm{
      "WorkloadEntry", "default", "vm",
      R"({"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry","metadata":{"name":"vm","namespace":"default"},"spec":{"address":"10.0.0.9","labels":{"app":"vm"}}})"};
  {
    // Two Gateways on one selector and host, no Pod they select: with the Pod, MW2108 judges
    // by Pods (none shared: no conflict); without it, by selectors (conflict). The
    // WorkloadEntry keeps the world's workloads known: only the Pods' fact changes.
    const std::vector<WorldObject> objects{
        gw("gw-a", "2024-01-01T00:00:00Z"), gw("gw-b", "2024-02-01T00:00:00Z"),
        {"Pod", "default", "other", pod},
        vm};
    expect_breaks(objects, *evaluated(objects),
                  {"deleting the last Pod", "DELETE", "Pod", "default", "other", "null", "MW2108",
                   "Gateway/istio-system/gw-b"});
  }
  {
    // MW4120 judges an EnvoyFilter on the Pods it selects, or on a hypothetical sidecar of its
    // namespace when the world has no Pod (a WorkloadEntry does not count): the last Pod out
    // makes the MERGE of a Lua typed_config into the inbound router visible. The Pod is in
    // another namespace, so only the world-wide fact links it to the EnvoyFilter.
    const std::string merge =
        R"({"applyTo":"HTTP_FILTER","match":{"context":"SIDECAR_INBOUND","listener":{"filterChain":{"filter":{"name":"envoy.filters.network.http_connection_manager","subFilter":{"name":"envoy.filters.http.router"}}}}},"patch":{"operation":"MERGE","value":{"typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua"}}}})";
    const std::string filter =
        R"({"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"ef","namespace":"bookinfo"},"spec":{"configPatches":[)" +
        merge + "]}}";
    const std::vector<WorldObject> objects{
        {"EnvoyFilter", "bookinfo", "ef", filter},
        {"Pod", "default", "other", pod},
        vm};
    expect_breaks(objects, *evaluated(objects),
                  {"deleting the last Pod", "DELETE", "Pod", "default", "other", "null", "MW4120",
                   "EnvoyFilter/bookinfo/ef"});
  }
  {
    // No workload at all: MW2110 does not judge; the first Pod makes it judge every Gateway.
    const std::vector<WorldObject> objects{gw("gw-a", "2024-01-01T00:00:00Z")};
    expect_breaks(objects, *evaluated(objects),
                  {"creating the first Pod", "CREATE", "Pod", "default", "other", pod.c_str(),
                   "MW2110", "Gateway/istio-system/gw-a"});
  }
}

// MW3120 reads the Service of the mesh's external authorizer for every CUSTOM policy, in any
// namespace: deleting it, or a second provider on a workload, breaks the policies.
TEST(AdmissionNeighbourhood, ChangesThatBreakACustomProviderAreReported) {
  const std::vector<WorldObject> objects{
      {"Service", "bookinfo", "reviews",
       R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"reviews","namespace":"bookinfo"},"spec":{"ports":[{"name":"grpc","port":9080}],"selector":{"app":"reviews"}}})"},
      {"AuthorizationPolicy", "default", "ext",
       R"({"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"ext","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"web"}},"action":"CUSTOM","provider":{"name":"authz"},"rules":[{"to":[{"operation":{"paths":["/admin"]}}]}]}})"}};
  const auto world = evaluated(objects, random_world_options());
  expect_breaks(objects, *world,
                {"deleting the authorizer's Service", "DELETE", "Service", "bookinfo", "reviews",
                 "null", "MW3120", "AuthorizationPolicy/default/ext"});
  expect_breaks(
      objects, *world,
      {"a second CUSTOM policy with another provider", "CREATE", "AuthorizationPolicy", "default",
       "ext2",
       R"({"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"ext2","namespace":"default"},"spec":{"action":"CUSTOM","provider":{"name":"other"},"rules":[{}]}})",
       "MW3120", "AuthorizationPolicy/default/ext"});
}

}  // namespace
}  // namespace meshward::admission
