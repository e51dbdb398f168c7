// Scope (reference §8): Sidecar selection, egress hosts, exportTo, VirtualService precedence,
// DestinationRule lookup and merging.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/world/snapshot.h"
#include "testlib/testlib.h"

namespace meshward::translate {
namespace {

// A world decoded from YAML, with a Registry over it.
class World {
 public:
  explicit World(const std::string& yaml, Options options = {}) : options_(std::move(options)) {
    auto decoded = meshward::testing::decode_text(yaml);
    EXPECT_TRUE(decoded.findings.empty()) << meshward::testing::describe(decoded.findings);
    snapshot_ = world::Snapshot::make(std::move(decoded.objects));
    registry_ = std::make_unique<Registry>(*snapshot_, options_);
  }
  const Registry& registry() const { return *registry_; }

 private:
  Options options_;
  std::shared_ptr<const world::Snapshot> snapshot_;
  std::unique_ptr<Registry> registry_;
};

Proxy sidecar(std::string ns, model::Labels labels = {}) {
  Proxy p;
  p.namespace_ = std::move(ns);
  p.labels = std::move(labels);
  return p;
}

Proxy gateway(std::string ns, model::Labels labels = {{"istio", "ingressgateway"}}) {
  Proxy p = sidecar(std::move(ns), std::move(labels));
  p.type = Proxy::Type::Gateway;
  return p;
}

std::string service(const std::string& name, const std::string& ns,
                    const std::string& extra_meta = "") {
  return "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n" + extra_meta + "spec:\n  clusterIP: 10.0.0.1\n  ports:\n  - name: http\n" +
         "    port: 80\n  selector:\n    app: " + name + "\n";
}

std::string sidecar_resource(const std::string& name, const std::string& ns,
                             const std::string& spec) {
  return "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: " + name +
         "\n  namespace: " + ns + "\nspec:\n" + spec;
}

std::string dr(const std::string& name, const std::string& ns, const std::string& host,
               const std::string& extra = "") {
  return "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: " +
         name + "\n  namespace: " + ns + "\nspec:\n  host: \"" + host + "\"\n" + extra;
}

std::string vs(const std::string& name, const std::string& ns, const std::string& hosts,
               const std::string& extra = "") {
  return "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: " +
         name + "\n  namespace: " + ns + "\nspec:\n  hosts: " + hosts + "\n" + extra;
}

std::vector<std::string> hostnames(const std::vector<MeshService>& services) {
  std::vector<std::string> out;
  for (const auto& s : services) {
    out.push_back(s.namespace_ + "/" + s.hostname);
  }
  return out;
}

std::vector<std::string> names(const std::vector<const model::VirtualService*>& list) {
  std::vector<std::string> out;
  for (const auto* v : list) {
    out.push_back(v->meta.namespace_ + "/" + v->meta.name);
  }
  return out;
}

// "ns/name" of the DestinationRule that applies to `host`, "" for none.
std::string applied(const Scope& scope, const std::string& host) {
  const auto d = scope.destination_rule(host);
  if (!d) {
    return "";
  }
  return d->rule->meta.namespace_ + "/" + d->rule->meta.name;
}

using Strings = std::vector<std::string>;

// ---- Proxy ----------------------------------------------------------------------------------

TEST(ParseProxy, SidecarAndGateway) {
  std::string error;
  auto p = parse_proxy("sidecar:bookinfo,app=reviews,version=v1", &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->type, Proxy::Type::Sidecar);
  EXPECT_EQ(p->namespace_, "bookinfo");
  EXPECT_EQ(p->labels, (model::Labels{{"app", "reviews"}, {"version", "v1"}}));
  EXPECT_EQ(p->dns_domain("cluster.local"), "bookinfo.svc.cluster.local");

  p = parse_proxy("sidecar:default", &error);
  ASSERT_TRUE(p) << error;
  EXPECT_TRUE(p->labels.empty());

  p = parse_proxy("gateway:istio-system,istio=ingressgateway", &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->type, Proxy::Type::Gateway);
  EXPECT_EQ(p->labels.at("istio"), "ingressgateway");

  // `locality` says where the proxy runs; like `proxy-version`, it is no label.
  p = parse_proxy("sidecar:shop,app=web,locality=us-east/us-east-1a", &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->locality, "us-east/us-east-1a");
  EXPECT_EQ(p->labels, (model::Labels{{"app", "web"}}));
}

TEST(ParseProxy, ClearErrors) {
  const struct {
    const char* text;
    const char* expect;
  } cases[] = {
      {"bookinfo", "has no type"},
      {"waypoint:ns", "unknown proxy type `waypoint`"},
      {"sidecar:", "has no namespace"},
      {"sidecar:,app=a", "has no namespace"},
      {"sidecar:ns,app", "`app` is not key=value"},
      {"sidecar:ns,=x", "is not key=value"},
      {"sidecar:ns,app=a,app=b", "`app` is given twice"},
      {"gateway:istio-system", "needs its workload labels"},
      {"sidecar:ns,locality=", "locality is empty"},
      {"sidecar:ns,locality=a,locality=b", "locality is given twice"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_proxy(c.text, &error)) << c.text;
    EXPECT_NE(error.find(c.expect), std::string::npos) << c.text << ": " << error;
  }
}

// ---- Sidecar selection (§8.1) -------------------------------------------------------------

TEST(ScopeSidecar, SelectorThenNamespaceThenRootThenDefault) {
  World w(sidecar_resource("ns-wide", "app", "  egress:\n  - hosts: [\"./*\"]\n") +
          sidecar_resource("for-reviews", "app",
                           "  workloadSelector:\n    labels:\n      app: reviews\n"
                           "  egress:\n  - hosts: [\"*/*\"]\n") +
          sidecar_resource("for-reviews-newer", "app",
                           "  workloadSelector:\n    labels:\n      app: reviews\n"
                           "  egress:\n  - hosts: [\"istio-system/*\"]\n") +
          sidecar_resource("root", "istio-system", "  egress:\n  - hosts: [\"./*\"]\n") +
          sidecar_resource("root-selected", "istio-system",
                           "  workloadSelector:\n    labels:\n      app: x\n"
                           "  egress:\n  - hosts: [\"./*\"]\n"));
  // A selecting Sidecar wins over the namespace-wide one even though it is newer; among
  // selecting ones the oldest.
  Scope reviews(w.registry(), sidecar("app", {{"app", "reviews"}}));
  ASSERT_NE(reviews.sidecar(), nullptr);
  EXPECT_EQ(reviews.sidecar()->meta.name, "for-reviews");
  // No selector matches: the namespace-wide one.
  Scope other(w.registry(), sidecar("app", {{"app", "ratings"}}));
  ASSERT_NE(other.sidecar(), nullptr);
  EXPECT_EQ(other.sidecar()->meta.name, "ns-wide");
  // Nothing in the namespace: the root namespace's selector-less Sidecar, with `.` meaning the
  // proxy's namespace.
  Scope inherited(w.registry(), sidecar("web", {{"app", "x"}}));
  ASSERT_NE(inherited.sidecar(), nullptr);
  EXPECT_EQ(inherited.sidecar()->meta.name, "root");
  ASSERT_EQ(inherited.egress_listeners().size(), 1u);
  EXPECT_EQ(inherited.egress_listeners()[0].hosts[0].namespace_, "web");
  // Gateways always use the default scope.
  Scope gw(w.registry(), gateway("app", {{"app", "reviews"}}));
  EXPECT_EQ(gw.sidecar(), nullptr);
  ASSERT_EQ(gw.egress_listeners().size(), 1u);
  EXPECT_EQ(gw.egress_listeners()[0].hosts[0].host, "*");
}

TEST(ScopeSidecar, DefaultWithoutAnySidecar) {
  World w(service("a", "x"));
  Scope s(w.registry(), sidecar("x"));
  EXPECT_EQ(s.sidecar(), nullptr);
  ASSERT_EQ(s.egress_listeners().size(), 1u);
  const auto& l = s.egress_listeners()[0];
  EXPECT_FALSE(l.port);
  ASSERT_EQ(l.hosts.size(), 1u);
  EXPECT_EQ(l.hosts[0].namespace_, "*");
  EXPECT_EQ(l.hosts[0].host, "*");
  EXPECT_EQ(s.outbound_policy(), OutboundPolicy::AllowAny);
}

TEST(ScopeSidecar, OutboundPolicyFromSidecarElseMesh) {
  World w(sidecar_resource("s", "locked", "  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY\n") +
          sidecar_resource("s", "open", "  outboundTrafficPolicy:\n    mode: ALLOW_ANY\n"));
  EXPECT_EQ(Scope(w.registry(), sidecar("locked")).outbound_policy(), OutboundPolicy::RegistryOnly);
  EXPECT_EQ(Scope(w.registry(), sidecar("open")).outbound_policy(), OutboundPolicy::AllowAny);
  Options registry_only;
  registry_only.mesh.outbound = OutboundPolicy::RegistryOnly;
  World mesh(service("a", "x"), registry_only);
  EXPECT_EQ(Scope(mesh.registry(), sidecar("x")).outbound_policy(), OutboundPolicy::RegistryOnly);
}

// ---- Egress hosts and exportTo of services -------------------------------------------------

TEST(ScopeServices, EgressHostForms) {
  World w(service("a", "app") + service("b", "app") + service("c", "other") +
          service("d", "other") + service("e", "third") +
          "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n"
          "  name: ext\n  namespace: third\nspec:\n  hosts: [api.example.com, www.other.org]\n"
          "  ports:\n  - number: 443\n    name: tls\n    protocol: TLS\n  resolution: DNS\n" +
          sidecar_resource("s", "app",
                           "  egress:\n  - hosts:\n    - \"./*\"\n"
                           "    - \"other/c.other.svc.cluster.local\"\n"
                           "    - \"*/*.example.com\"\n"
                           "    - \"~/e.third.svc.cluster.local\"\n"
                           "    - \"no-slash\"\n"));
  Scope s(w.registry(), sidecar("app"));
  const auto& l = s.egress_listeners().at(0);
  // The malformed entry is dropped; `.` is the proxy namespace; `~` entries import nothing.
  ASSERT_EQ(l.hosts.size(), 4u);
  EXPECT_EQ(l.hosts[0].namespace_, "app");
  EXPECT_TRUE(l.hosts[3].excluded);
  EXPECT_EQ(hostnames(s.services(l)),
            (Strings{"app/a.app.svc.cluster.local", "app/b.app.svc.cluster.local",
                     "other/c.other.svc.cluster.local", "third/api.example.com"}));
  EXPECT_TRUE(s.service_for_host("c.other.svc.cluster.local"));
  EXPECT_FALSE(s.service_for_host("d.other.svc.cluster.local"));
  EXPECT_FALSE(s.service_for_host("e.third.svc.cluster.local"));
  EXPECT_FALSE(s.service_for_host("www.other.org"));
}

TEST(ScopeServices, ExportToOfServicesAndServiceEntries) {
  const std::string world =
      service("private", "own", "  annotations:\n    networking.istio.io/exportTo: \".\"\n") +
      service("to-other", "own", "  annotations:\n    networking.istio.io/exportTo: \"other\"\n") +
      service("hidden", "own", "  annotations:\n    networking.istio.io/exportTo: \"~, other\"\n") +
      service("public", "own") +
      "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n"
      "  name: se\n  namespace: own\nspec:\n  hosts: [se.example.com]\n  exportTo: [third]\n"
      "  ports:\n  - number: 80\n    name: http\n    protocol: HTTP\n  resolution: DNS\n";
  World w(world);
  const auto visible = [&](const std::string& ns) {
    Scope s(w.registry(), sidecar(ns));
    return hostnames(s.services(s.egress_listeners()[0]));
  };
  // Private first, then exported by name, then public.
  EXPECT_EQ(visible("own"),
            (Strings{"own/private.own.svc.cluster.local", "own/public.own.svc.cluster.local"}));
  EXPECT_EQ(visible("other"),
            (Strings{"own/to-other.own.svc.cluster.local", "own/public.own.svc.cluster.local"}));
  EXPECT_EQ(visible("third"), (Strings{"own/se.example.com", "own/public.own.svc.cluster.local"}));
  Scope other(w.registry(), sidecar("other"));
  EXPECT_FALSE(other.service_for_host("private.own.svc.cluster.local"));
  EXPECT_FALSE(other.service_for_host("hidden.own.svc.cluster.local"));
  EXPECT_TRUE(other.service_for_host("to-other.own.svc.cluster.local"));
  // Gateways see what their namespace sees.
  Scope gw(w.registry(), gateway("third"));
  EXPECT_EQ(hostnames(gw.services()),
            (Strings{"own/se.example.com", "own/public.own.svc.cluster.local"}));
}

std::string service_entry(const std::string& name, const std::string& ns, const std::string& host,
                          const std::string& port = "80") {
  return "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: " + name +
         "\n  namespace: " + ns + "\nspec:\n  hosts: [\"" + host +
         "\"]\n  location: MESH_INTERNAL\n  ports:\n  - number: " + port + "\n    name: http-" +
         port + "\n    protocol: HTTP\n  resolution: DNS\n";
}

TEST(ScopeServices, OneNamespacePerHostname) {
  // Per hostname one namespace: the proxy's own, else a Kubernetes Service's over a
  // ServiceEntry seen first (here exported by name, so listed before public services), else
  // the first seen.
  World w(service_entry("squat", "one", "a.app.svc.cluster.local") + "  exportTo: [third]\n" +
          service_entry("mine", "web", "a.app.svc.cluster.local") + service("a", "app") +
          service_entry("shared1", "one", "shared.example.com") +
          service_entry("shared2", "two", "shared.example.com"));
  Scope third(w.registry(), sidecar("third"));
  auto a = third.service_for_host("a.app.svc.cluster.local");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->registry, MeshService::Registry::Kubernetes);
  Scope web(w.registry(), sidecar("web"));
  a = web.service_for_host("a.app.svc.cluster.local");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->namespace_, "web");
  Scope two(w.registry(), sidecar("two"));
  auto shared = two.service_for_host("shared.example.com");
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->namespace_, "two");
  shared = third.service_for_host("shared.example.com");
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->namespace_, "one");
  // services() and service_for_host() agree.
  for (const auto& s : third.services()) {
    auto one = third.service_for_host(s.hostname);
    ASSERT_TRUE(one) << s.hostname;
    EXPECT_EQ(one->namespace_, s.namespace_) << s.hostname;
  }
  EXPECT_EQ(hostnames(third.services()),
            (Strings{"app/a.app.svc.cluster.local", "one/shared.example.com"}));
}

TEST(ScopeServices, ServiceEntryAddressesAreOneServiceEach) {
  // One service per address for listeners (a VIP listener each), one per hostname for clusters.
  World w(
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: db\n"
      "  namespace: ext\nspec:\n  hosts: [db.example.com]\n"
      "  addresses: [10.0.0.1, 10.0.0.2]\n  location: MESH_INTERNAL\n"
      "  ports:\n  - number: 5432\n    name: tcp\n    protocol: TCP\n"
      "  resolution: STATIC\n  endpoints:\n  - address: 10.1.0.1\n");
  Scope s(w.registry(), sidecar("app"));
  const auto listener = s.services(s.egress_listeners()[0]);
  ASSERT_EQ(listener.size(), 2u);
  EXPECT_EQ(listener[0].address, "10.0.0.1");
  EXPECT_EQ(listener[1].address, "10.0.0.2");
  EXPECT_EQ(hostnames(s.services()), (Strings{"ext/db.example.com"}));
}

TEST(ScopeServices, PortListenerTrimsAndMergesPorts) {
  World w(
      "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: multi\n  namespace: app\n"
      "spec:\n  clusterIP: 10.0.0.2\n  ports:\n  - name: http\n    port: 80\n"
      "  - name: grpc\n    port: 9090\n  - name: tcp\n    port: 5000\n" +
      sidecar_resource("s", "app",
                       "  egress:\n  - port:\n      number: 9090\n      protocol: GRPC\n"
                       "      name: grpc\n    hosts: [\"./*\"]\n"
                       "  - port:\n      number: 80\n      protocol: HTTP\n      name: http\n"
                       "    hosts: [\"./*\"]\n"));
  Scope s(w.registry(), sidecar("app"));
  ASSERT_EQ(s.egress_listeners().size(), 2u);
  const auto first = s.services(s.egress_listeners()[0]);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(first[0].ports.size(), 1u);
  EXPECT_EQ(first[0].ports[0].port, 9090u);
  // The scope merges the two partial copies; port 5000 is imported by no listener.
  auto merged = s.service_for_host("multi.app.svc.cluster.local");
  ASSERT_TRUE(merged);
  ASSERT_EQ(merged->ports.size(), 2u);
  EXPECT_EQ(merged->ports[0].port, 9090u);
  EXPECT_EQ(merged->ports[1].port, 80u);
}

TEST(ScopeServices, VirtualServiceDestinationsAreImported) {
  World w(
      service("a", "app") + service("backend", "far") + service("unused", "far") +
      vs("route-a", "app", "[a]",
         "  http:\n  - route:\n    - destination:\n        host: backend.far.svc.cluster.local\n") +
      sidecar_resource("s", "app", "  egress:\n  - hosts: [\"./*\"]\n"));
  Scope s(w.registry(), sidecar("app"));
  // The listener itself only has what its hosts import...
  EXPECT_EQ(hostnames(s.services(s.egress_listeners()[0])),
            (Strings{"app/a.app.svc.cluster.local"}));
  // ...but the scope (clusters) also has what its VirtualServices route to.
  EXPECT_EQ(hostnames(s.services()),
            (Strings{"app/a.app.svc.cluster.local", "far/backend.far.svc.cluster.local"}));
  EXPECT_TRUE(s.service_for_host("backend.far.svc.cluster.local"));
  EXPECT_FALSE(s.service_for_host("unused.far.svc.cluster.local"));
}

TEST(ScopeServices, ServiceForHostAgreesWithServicesUnderARestrictiveSidecar) {
  // service_for_host() reads what the listeners' VirtualServices route to from the
  // VirtualServices routing to the host alone (with the default domain suffix; from the whole
  // table with another one): it must give the entry services() holds, with the same ports.
  for (const std::string suffix : {"cluster.local", "corp.internal"}) {
    const auto fqdn = [&](const std::string& name, const std::string& ns) {
      return name + "." + ns + ".svc." + suffix;
    };
    const auto route = [&](const std::string& host, const std::string& port) {
      return "    - destination:\n        host: " + host +
             (port.empty() ? "" : "\n        port:\n          number: " + port) + "\n";
    };
    const std::string world =
        service("a", "app") + service("a2", "app") +
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: multi\n  namespace: far\n"
        "spec:\n  clusterIP: 10.0.0.2\n  ports:\n  - name: http\n    port: 80\n"
        "  - name: grpc\n    port: 9090\n  - name: tcp\n    port: 5000\n" +
        service("backend", "far") + service("gw-only", "far") + service("elsewhere", "far") +
        // Routes to multi on 5000 and to backend on every port.
        vs("r1", "app", "[a]",
           "  http:\n  - route:\n" + route(fqdn("multi", "far"), "5000") +
               route(fqdn("backend", "far"), "")) +
        // A rule for clients in another namespace only (skipped), then multi on 9090.
        vs("r2", "app", "[a2]",
           "  http:\n  - match:\n    - sourceNamespace: other\n    route:\n" +
               route(fqdn("multi", "far"), "80") + "  - route:\n" +
               route(fqdn("multi", "far"), "9090")) +
        // Bound to a gateway only, or in a namespace no listener imports: no import.
        vs("r3", "app", "[a]",
           "  gateways: [gw]\n  http:\n  - route:\n" + route(fqdn("gw-only", "far"), "")) +
        vs("r4", "nowhere", "[x.nowhere.svc." + suffix + "]",
           "  http:\n  - route:\n" + route(fqdn("elsewhere", "far"), "")) +
        sidecar_resource("s", "app",
                         "  egress:\n  - port:\n      number: 9090\n      protocol: GRPC\n"
                         "      name: grpc\n    hosts: [\"./*\"]\n"
                         "  - hosts: [\"./*\"]\n");
    Options options;
    options.mesh.domain_suffix = suffix;
    World w(world, options);
    Scope s(w.registry(), sidecar("app"));
    const auto ports = [](const MeshService& m) {
      std::vector<std::uint32_t> out;
      for (const auto& p : m.ports) {
        out.push_back(p.port);
      }
      return out;
    };
    EXPECT_EQ(hostnames(s.services()),
              (Strings{"far/" + fqdn("multi", "far"), "app/" + fqdn("a", "app"),
                       "app/" + fqdn("a2", "app"), "far/" + fqdn("backend", "far")}))
        << suffix;
    for (const auto& m : s.services()) {
      const auto one = s.service_for_host(m.hostname);
      ASSERT_TRUE(one) << m.hostname;
      EXPECT_EQ(one->namespace_, m.namespace_) << m.hostname;
      EXPECT_EQ(ports(*one), ports(m)) << m.hostname;
    }
    const auto multi = s.service_for_host(fqdn("multi", "far"));
    ASSERT_TRUE(multi);
    EXPECT_EQ(ports(*multi), (std::vector<std::uint32_t>{9090, 5000})) << suffix;
    EXPECT_FALSE(s.service_for_host(fqdn("gw-only", "far"))) << suffix;
    EXPECT_FALSE(s.service_for_host(fqdn("elsewhere", "far"))) << suffix;
  }
}

TEST(ScopeServices, NamedNamespacesGiveWhatAWholeMeshPassGives) {
  // Listeners that name their namespaces are answered from those namespaces only; an extra
  // `*/` entry that imports nothing forces the pass over the whole mesh. Same answers.
  const std::string world =
      service("a", "app") + service("b", "other") + service("c", "third") +
      service("hidden", "other", "  annotations:\n    networking.istio.io/exportTo: \".\"\n") +
      "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: se\n"
      "  namespace: other\nspec:\n  hosts: [x.example.com, y.example.com]\n"
      "  addresses: [10.9.0.1, 10.9.0.2]\n  ports:\n  - number: 80\n    name: http\n"
      "    protocol: HTTP\n  resolution: STATIC\n" +
      service_entry("squat", "other", "a.app.svc.cluster.local") + vs("v-app", "app", "[a]") +
      vs("v-other", "other", "[b, x.example.com]") +
      vs("v-third", "third", "[c]",
         "  http:\n  - route:\n    - destination:\n        host: c.third.svc.cluster.local\n");
  const std::string egress = "  egress:\n  - hosts: [\"./*\", \"other/*\", \"third/v-third.x\"";
  World named(world + sidecar_resource("s", "app", egress + "]\n"));
  World whole(world + sidecar_resource("s", "app", egress + ", \"*/nothing.invalid\"]\n"));
  Scope a(named.registry(), sidecar("app"));
  Scope b(whole.registry(), sidecar("app"));
  const auto listed = [](const std::vector<MeshService>& list) {
    std::vector<std::string> out;
    for (const auto& s : list) {
      out.push_back(s.namespace_ + "/" + s.hostname + "@" + s.address);
    }
    return out;
  };
  EXPECT_EQ(listed(a.services(a.egress_listeners()[0])),
            listed(b.services(b.egress_listeners()[0])));
  EXPECT_EQ(listed(a.services()), listed(b.services()));
  EXPECT_EQ(names(a.virtual_services("mesh")), names(b.virtual_services("mesh")));
  EXPECT_EQ(names(a.virtual_services(a.egress_listeners()[0])),
            names(b.virtual_services(b.egress_listeners()[0])));
  EXPECT_EQ(
      listed(a.services(a.egress_listeners()[0])),
      (Strings{"app/a.app.svc.cluster.local@10.0.0.1", "other/b.other.svc.cluster.local@10.0.0.1",
               "other/x.example.com@10.9.0.1", "other/x.example.com@10.9.0.2",
               "other/y.example.com@10.9.0.1", "other/y.example.com@10.9.0.2"}));
  EXPECT_EQ(names(a.virtual_services("mesh")), (Strings{"app/v-app", "other/v-other"}));
  EXPECT_EQ(hostnames(a.services()),
            (Strings{"app/a.app.svc.cluster.local", "other/b.other.svc.cluster.local",
                     "other/x.example.com", "other/y.example.com"}));
}

// ---- VirtualService precedence (§8.3) ------------------------------------------------------

TEST(ScopeVirtualServices, PrivateThenExportedThenPublicEachOldestFirst) {
  const std::string ts = "  creationTimestamp: \"2024-01-0";
  const auto vs_at = [&](const std::string& name, const std::string& ns, int day,
                         const std::string& export_to) {
    return "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: " +
           name + "\n  namespace: " + ns + "\n" + ts + std::to_string(day) +
           "T00:00:00Z\"\nspec:\n  hosts: [\"*.example.com\"]\n" +
           (export_to.empty() ? "" : "  exportTo: " + export_to + "\n");
  };
  World w(vs_at("public-old", "x", 1, "") + vs_at("public-new", "later", 5, "[\"*\"]") +
          vs_at("exported", "x", 3, "[app]") + vs_at("private-new", "app", 4, "[\".\"]") +
          vs_at("private-old", "app", 2, "") + vs_at("elsewhere", "x", 1, "[\".\"]") +
          vs_at("nobody", "app", 1, "[\"~\", app]"));
  Scope s(w.registry(), sidecar("app"));
  // Only `.` (or the namespace by name) makes a VirtualService private: one of the proxy's
  // namespace without exportTo is public.
  EXPECT_EQ(names(s.virtual_services("mesh")),
            (Strings{"app/private-new", "x/exported", "x/public-old", "app/private-old",
                     "later/public-new"}));
  EXPECT_EQ(names(s.virtual_services_for_host("mesh", "a.example.com")),
            names(s.virtual_services("mesh")));
  EXPECT_TRUE(s.virtual_services_for_host("mesh", "a.example.org").empty());
}

TEST(ScopeVirtualServices, GatewayBindingAndSidecarHosts) {
  World w(vs("to-gw", "edge", "[a.example.com]", "  gateways: [ingress]\n") +
          vs("both", "edge", "[b.example.com]", "  gateways: [edge/ingress, mesh]\n") +
          vs("mesh-a", "edge", "[a.example.com]") + vs("mesh-c", "edge", "[c.other.org]") +
          sidecar_resource("s", "app", "  egress:\n  - hosts: [\"*/*.example.com\"]\n"));
  Scope gw(w.registry(), gateway("edge"));
  EXPECT_EQ(names(gw.virtual_services("edge/ingress")), (Strings{"edge/to-gw", "edge/both"}));
  EXPECT_EQ(names(gw.virtual_services_for_host("edge/ingress", "b.example.com")),
            (Strings{"edge/both"}));
  // Sidecars see only the `mesh` ones their egress hosts import.
  Scope sc(w.registry(), sidecar("app"));
  EXPECT_EQ(names(sc.virtual_services("mesh")), (Strings{"edge/both", "edge/mesh-a"}));
  EXPECT_EQ(names(sc.virtual_services(sc.egress_listeners()[0])),
            (Strings{"edge/both", "edge/mesh-a"}));
  EXPECT_TRUE(sc.virtual_services_for_host("mesh", "c.other.org").empty());
  // Without a Sidecar every `mesh` VirtualService is imported.
  Scope open(w.registry(), sidecar("web"));
  EXPECT_EQ(names(open.virtual_services("mesh")),
            (Strings{"edge/both", "edge/mesh-a", "edge/mesh-c"}));
}

// ---- DestinationRule lookup (§8.4) ---------------------------------------------------------

TEST(ScopeDestinationRule, ClientNamespaceThenServiceNamespaceThenRoot) {
  const std::string base = service("reviews", "bookinfo");
  const std::string host = "reviews.bookinfo.svc.cluster.local";
  {
    World w(base + dr("svc-ns", "bookinfo", "reviews") + dr("client", "app", host) +
            dr("root", "istio-system", host));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), host), "app/client");
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("web")), host), "bookinfo/svc-ns");
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("bookinfo")), host), "bookinfo/svc-ns");
  }
  {
    World w(base + dr("root", "istio-system", "*.svc.cluster.local"));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("web")), host), "istio-system/root");
  }
  {
    // A client-namespace wildcard beats a service-namespace exact rule.
    World w(base + dr("exact", "bookinfo", host) + dr("wild", "app", "*.cluster.local"));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), host), "app/wild");
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("web")), host), "bookinfo/exact");
  }
  {
    // Within a namespace: exact before wildcards, then the most specific wildcard.
    World w(base + dr("any", "app", "*") + dr("svc", "app", "*.svc.cluster.local") +
            dr("bookinfo", "app", "*.bookinfo.svc.cluster.local"));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), host), "app/bookinfo");
    World exact(base + dr("wild", "app", "*.bookinfo.svc.cluster.local") +
                dr("exact", "app", "reviews.bookinfo.svc.cluster.local"));
    EXPECT_EQ(applied(Scope(exact.registry(), sidecar("app")), host), "app/exact");
  }
  {
    // The host is resolved in the rule's namespace: `reviews` in `app` is another service.
    World w(base + dr("short", "app", "reviews"));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), host), "");
  }
}

TEST(ScopeDestinationRule, ExportTo) {
  const std::string host = "reviews.bookinfo.svc.cluster.local";
  const std::string base = service("reviews", "bookinfo");
  {
    // A service-namespace rule exported elsewhere does not apply to other clients, and the
    // lookup goes on to the root namespace.
    World w(base + dr("to-web", "bookinfo", host, "  exportTo: [web]\n") +
            dr("root", "istio-system", host));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("web")), host), "bookinfo/to-web");
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), host), "istio-system/root");
  }
  {
    // A private rule applies only in its own namespace.
    World w(base + dr("private", "bookinfo", host, "  exportTo: [\".\"]\n"));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("bookinfo")), host), "bookinfo/private");
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), host), "");
  }
  {
    // A client-namespace rule exported only to other namespaces is not the client's.
    World w(base + dr("away", "app", host, "  exportTo: [web]\n") + dr("svc", "bookinfo", host));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), host), "bookinfo/svc");
  }
  {
    // A root-namespace client takes the root namespace's private rules first; a root rule
    // exported to all is found after the service namespace's.
    World w(base + dr("root-private", "istio-system", host, "  exportTo: [\".\"]\n") +
            dr("svc", "bookinfo", host));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("istio-system")), host),
              "istio-system/root-private");
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), host), "bookinfo/svc");
    World pub(base + dr("root-public", "istio-system", host) + dr("svc", "bookinfo", host));
    EXPECT_EQ(applied(Scope(pub.registry(), sidecar("istio-system")), host), "bookinfo/svc");
  }
  {
    // No rule for services the proxy does not see.
    World w(
        service("hidden", "bookinfo", "  annotations:\n    networking.istio.io/exportTo: \".\"\n") +
        dr("hidden", "app", "hidden.bookinfo.svc.cluster.local"));
    EXPECT_EQ(applied(Scope(w.registry(), sidecar("app")), "hidden.bookinfo.svc.cluster.local"),
              "");
  }
}

TEST(ScopeDestinationRule, WorkloadSelector) {
  const std::string host = "reviews.bookinfo.svc.cluster.local";
  World w(service("reviews", "bookinfo") + dr("all", "app", host) +
          dr("for-v1", "app", host, "  workloadSelector:\n    matchLabels:\n      version: v1\n") +
          dr("svc-scoped", "bookinfo", host,
             "  workloadSelector:\n    matchLabels:\n      version: v1\n"));
  EXPECT_EQ(applied(Scope(w.registry(), sidecar("app", {{"version", "v1"}})), host), "app/for-v1");
  EXPECT_EQ(applied(Scope(w.registry(), sidecar("app", {{"version", "v2"}})), host), "app/all");
  // Workload-scoped rules never leave their namespace.
  EXPECT_EQ(applied(Scope(w.registry(), sidecar("web", {{"version", "v1"}})), host), "");
  // Only selecting rules in the client namespace: the lookup stops there, nothing applies.
  World only(
      service("reviews", "bookinfo") +
      dr("for-v1", "app", host, "  workloadSelector:\n    matchLabels:\n      version: v1\n") +
      dr("svc", "bookinfo", host));
  EXPECT_EQ(applied(Scope(only.registry(), sidecar("app", {{"version", "v2"}})), host), "");
}

TEST(ScopeDestinationRule, MergesRulesOfOneNamespace) {
  const std::string host = "reviews.bookinfo.svc.cluster.local";
  World w(service("reviews", "bookinfo") +
          dr("first", "bookinfo", host, "  subsets:\n  - name: v1\n    labels: {version: v1}\n") +
          dr("second", "bookinfo", host,
             "  trafficPolicy:\n    loadBalancer:\n      simple: RANDOM\n"
             "  subsets:\n  - name: v1\n    labels: {version: other}\n"
             "  - name: v2\n    labels: {version: v2}\n") +
          dr("third", "bookinfo", host,
             "  trafficPolicy:\n    loadBalancer:\n      simple: ROUND_ROBIN\n"
             "  subsets:\n  - name: v3\n    labels: {version: v3}\n") +
          dr("elsewhere", "bookinfo", host,
             "  exportTo: [web]\n"
             "  subsets:\n  - name: v9\n    labels: {version: v9}\n"));
  Scope s(w.registry(), sidecar("app"));
  const auto d = s.destination_rule(host);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rule->meta.name, "first");
  ASSERT_EQ(d->merged.size(), 3u);
  EXPECT_EQ(d->merged[2]->meta.name, "third");
  ASSERT_EQ(d->subsets.size(), 3u);
  EXPECT_EQ(d->subsets[0]->labels.at("version").value, "v1");  // the first `v1` stays
  EXPECT_EQ(d->subsets[1]->name.value, "v2");
  EXPECT_EQ(d->subsets[2]->name.value, "v3");
  ASSERT_NE(d->find_subset("v3"), nullptr);
  EXPECT_EQ(d->find_subset("v9"), nullptr);
  // The first rule with a traffic policy gives it.
  ASSERT_NE(d->traffic_policy, nullptr);
  EXPECT_EQ(d->traffic_policy->load_balancer->simple.value, model::SimpleLb::Random);
}

}  // namespace
}  // namespace meshward::translate
