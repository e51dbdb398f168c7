#pragma once
// Helpers for the world tests: decoding manifests, naming query answers, and a generator of
// random (but seeded, so reproducible) worlds that exercise every index.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/object.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"
#include "meshward/world/order.h"
#include "meshward/world/selector.h"
#include "meshward/world/view.h"
#include "testlib/testlib.h"

namespace meshward::world::testing {

/// Decodes `yaml`; fails the test on any finding (the world tests need exact objects).
inline std::vector<model::ObjectPtr> decode_all(std::string_view yaml) {
  auto result = meshward::testing::decode_text(yaml);
  EXPECT_TRUE(result.findings.empty()) << meshward::testing::describe(result.findings);
  return std::move(result.objects);
}

/// "ns/name" of each object, in answer order.
inline std::vector<std::string> names(const ObjectList& objects) {
  std::vector<std::string> out;
  for (const auto* o : objects) {
    out.push_back(o->meta.namespace_ + "/" + o->meta.name);
  }
  return out;
}

using Names = std::vector<std::string>;

/// Random manifests over a small vocabulary of namespaces, hosts, labels and gateways, so that
/// queries hit wildcards both ways, shared hosts, ties in creation time and every selector
/// shape.
class WorldGenerator {
 public:
  explicit WorldGenerator(unsigned seed) : rng_(seed) {}

  static constexpr const char* kNamespaces[] = {"bookinfo", "default", "istio-system", "web"};
  static constexpr const char* kKinds[] = {"VirtualService",
                                           "DestinationRule",
                                           "ServiceEntry",
                                           "Service",
                                           "Pod",
                                           "WorkloadEntry",
                                           "Gateway",
                                           "Sidecar",
                                           "EnvoyFilter",
                                           "PeerAuthentication",
                                           "RequestAuthentication",
                                           "AuthorizationPolicy"};
  /// Hosts as written in specs: short names, FQDNs, wildcards of several depths.
  static constexpr const char* kHosts[] = {"reviews",
                                           "ratings",
                                           "reviews.bookinfo",
                                           "reviews.bookinfo.svc.cluster.local",
                                           "ratings.default.svc.cluster.local",
                                           "*.bookinfo.svc.cluster.local",
                                           "*.svc.cluster.local",
                                           "*.example.com",
                                           "api.example.com",
                                           "a.api.example.com",
                                           "*.api.example.com",
                                           "example.com",
                                           "*",
                                           "*.com",
                                           "10.0.0.1"};
  /// Hosts queries ask about (resolved forms plus wildcards).
  static constexpr const char* kQueries[] = {"reviews.bookinfo.svc.cluster.local",
                                             "reviews.default.svc.cluster.local",
                                             "ratings.default.svc.cluster.local",
                                             "ratings.web.svc.cluster.local",
                                             "reviews.bookinfo",
                                             "*.bookinfo.svc.cluster.local",
                                             "*.svc.cluster.local",
                                             "*.cluster.local",
                                             "*.example.com",
                                             "*.api.example.com",
                                             "api.example.com",
                                             "b.api.example.com",
                                             "example.com",
                                             "*",
                                             "*.com",
                                             "*.org",
                                             "nothing.org",
                                             "10.0.0.1",
                                             "svc0.web.svc.cluster.local",
                                             "svc1.bookinfo.svc.cluster.local"};
  static constexpr const char* kGatewayRefs[] = {
      "gw",      "./gw", "istio-system/ingress",
      "web/gw",  "mesh", "ingress.istio-system.svc.cluster.local",
      "other-gw"};
  static constexpr const char* kRefQueries[] = {"mesh",
                                                "bookinfo/gw",
                                                "default/gw",
                                                "web/gw",
                                                "istio-system/gw",
                                                "istio-system/ingress",
                                                "bookinfo/other-gw",
                                                "nothing/gw"};
  static constexpr const char* kExports[] = {"*", ".", "~", "bookinfo", "web", "default"};
  static constexpr const char* kLabelKeys[] = {"app", "version", "tier"};
  static constexpr const char* kLabelValues[] = {"reviews", "v1", "v2"};
  static constexpr const char* kTimestamps[] = {"",
                                                "2024-01-01T00:00:00Z",
                                                "2024-01-01T00:00:00Z",
                                                "2023-06-01T12:00:00Z",
                                                "2024-01-01T00:00:00.5Z",
                                                "2024-01-01T01:00:00+02:00"};

  /// A random name among few, so generated objects collide (and replace each other).
  std::string name(std::string_view prefix) {
    return std::string(prefix) + std::to_string(pick(6));
  }
  std::string ns() { return kNamespaces[pick(std::size(kNamespaces))]; }
  std::string kind() { return kKinds[pick(std::size(kKinds))]; }

  /// A random label set (possibly empty).
  model::Labels labels() {
    model::Labels out;
    for (const char* key : kLabelKeys) {
      if (coin(2)) {
        out[key] = kLabelValues[pick(std::size(kLabelValues))];
      }
    }
    return out;
  }

  /// One YAML document of `kind` `ns`/`name` with random content.
  std::string object(const std::string& kind, const std::string& ns, const std::string& name) {
    std::string y;
    y += "apiVersion: " + api_version(kind) + "\nkind: " + kind + "\nmetadata:\n  name: " + name +
         "\n  namespace: " + ns + "\n";
    const std::string ts = kTimestamps[pick(std::size(kTimestamps))];
    if (!ts.empty()) {
      y += "  creationTimestamp: \"" + ts + "\"\n";
    }
    if (kind == "Pod") {
      y += labels_block("  labels", labels(), 4);
      return y;
    }
    if (kind == "Service") {
      if (coin(3)) {
        y += "  annotations:\n    networking.istio.io/exportTo: \"" + export_csv() + "\"\n";
      }
      y += "spec:\n  ports:\n  - port: 80\n";
      y += labels_block("  selector", labels(), 4);
      return y;
    }
    y += "spec:\n";
    if (kind == "VirtualService") {
      y += list("  hosts", kHosts, 1 + pick(3));
      if (coin(2)) {
        y += list("  gateways", kGatewayRefs, 1 + pick(2));
      }
      y += exports();
      if (coin(2)) {
        y += "  http:\n  - route:\n";
        for (std::size_t i = 0, n = 1 + pick(2); i < n; ++i) {
          y += "    - destination: {host: \"" + std::string(kHosts[pick(std::size(kHosts))]) +
               "\"}\n";
        }
      }
    } else if (kind == "DestinationRule") {
      y += "  host: \"" + std::string(kHosts[pick(std::size(kHosts))]) + "\"\n";
      y += exports();
      if (coin(3)) {
        y += "  workloadSelector:\n" + labels_block("    matchLabels", labels(), 6);
      }
    } else if (kind == "ServiceEntry") {
      y += list("  hosts", kHosts, 1 + pick(2));
      y += exports();
      if (coin(3)) {
        y += "  workloadSelector:\n" + labels_block("    labels", labels(), 6);
      }
    } else if (kind == "WorkloadEntry") {
      y += "  address: 10.1.0." + std::to_string(pick(250)) + "\n";
      y += labels_block("  labels", labels(), 4);
    } else if (kind == "Gateway") {
      y += labels_block("  selector", labels(), 4);
      if (coin(2)) {
        // Server hosts with each namespace form: bare, ./, */ and ns/.
        static constexpr const char* kForms[] = {"", "./", "*/", "web/"};
        y += "  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n    hosts:\n";
        for (std::size_t i = 0, n = 1 + pick(2); i < n; ++i) {
          y += "    - \"" + std::string(kForms[pick(std::size(kForms))]) +
               kHosts[pick(std::size(kHosts))] + "\"\n";
        }
      }
    } else if (kind == "Sidecar" || kind == "EnvoyFilter") {
      if (coin(2)) {
        y += "  workloadSelector:\n" + labels_block("    labels", labels(), 6);
      }
      if (kind == "EnvoyFilter") {
        y += "  configPatches: []\n";
        if (coin(4)) {
          y += "  targetRefs:\n  - kind: Service\n    group: \"\"\n    name: reviews\n";
        }
      }
    } else {  // security kinds
      if (coin(2)) {
        y += "  selector:\n" + labels_block("    matchLabels", labels(), 6);
      }
      if (kind != "PeerAuthentication" && coin(4)) {
        y += "  targetRefs:\n  - kind: Gateway\n    group: gateway.networking.k8s.io\n"
             "    name: waypoint\n";
      }
    }
    return y;
  }

  /// A random object of a random kind, name and namespace.
  std::string any_object() {
    const std::string k = kind();
    return object(k, ns(), name(prefix(k)));
  }

  /// `count` random objects as one YAML stream.
  std::string world(int count) {
    std::string y;
    for (int i = 0; i < count; ++i) {
      y += "---\n" + any_object();
    }
    return y;
  }

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool coin(std::size_t one_in) { return pick(one_in) == 0; }

  static std::string prefix(const std::string& kind) {
    std::string p;
    for (char c : kind) {
      if (c >= 'A' && c <= 'Z') {
        p += static_cast<char>(c - 'A' + 'a');
      }
    }
    return p;
  }

 private:
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

  template <std::size_t N>
  std::string list(const std::string& key, const char* const (&pool)[N], std::size_t n) {
    std::string y = key + ":\n";
    for (std::size_t i = 0; i < n; ++i) {
      // Items at the key's own indentation: valid YAML, and what kubectl users write.
      y += std::string(key.find_first_not_of(' '), ' ') + "- \"" + pool[pick(N)] + "\"\n";
    }
    return y;
  }

  std::string exports() {
    if (!coin(2)) {
      return {};
    }
    return list("  exportTo", kExports, 1 + pick(2));
  }

  std::string export_csv() {
    std::string out = kExports[pick(std::size(kExports))];
    if (coin(2)) {
      out += ", ";
      out += kExports[pick(std::size(kExports))];
    }
    return out;
  }

  static std::string labels_block(const std::string& key, const model::Labels& labels, int indent) {
    if (labels.empty()) {
      return key + ": {}\n";
    }
    std::string y = key + ":\n";
    for (const auto& [k, v] : labels) {
      y += std::string(static_cast<std::size_t>(indent), ' ') + k + ": " + v + "\n";
    }
    return y;
  }

  std::mt19937 rng_;
};

/// The obvious implementation of View: linear scans over the objects, using only the
/// per-object predicates (host_matches over indexed_hosts, bound_gateways, workload_selection,
/// workload_matches). The indexes must agree with it.
class NaiveView final : public View {
 public:
  explicit NaiveView(std::vector<model::ObjectPtr> input) {
    std::map<model::ObjectKey, model::ObjectPtr> last;
    for (auto& o : input) {
      last.insert_or_assign(model::key_of(*o), o);
    }
    for (auto& [key, o] : last) {
      objects_.push_back(o);
    }
    std::sort(objects_.begin(), objects_.end(),
              [](const auto& a, const auto& b) { return stable_less(*a, *b); });
  }

 private:
  template <class Pred>
  ObjectList filter(Pred pred) const {
    ObjectList out;
    for (const auto& o : objects_) {
      if (pred(*o)) {
        out.push_back(o.get());
      }
    }
    return out;
  }
  std::size_t do_size() const override { return objects_.size(); }
  std::size_t do_count(model::Kind kind) const override { return do_of_kind(kind).size(); }
  const model::Object* do_find(model::Kind kind, std::string_view ns,
                               std::string_view name) const override {
    const auto found = filter([&](const model::Object& o) {
      return o.kind() == kind && o.meta.namespace_ == ns && o.meta.name == name;
    });
    return found.empty() ? nullptr : found.front();
  }
  ObjectList do_of_kind(model::Kind kind) const override {
    return filter([&](const model::Object& o) { return o.kind() == kind; });
  }
  ObjectList do_in_namespace(model::Kind kind, std::string_view ns) const override {
    return filter(
        [&](const model::Object& o) { return o.kind() == kind && o.meta.namespace_ == ns; });
  }
  ObjectList do_by_host(model::Kind kind, std::string_view host) const override {
    return filter([&](const model::Object& o) {
      const auto hosts = indexed_hosts(o);
      return o.kind() == kind && std::any_of(hosts.begin(), hosts.end(),
                                             [&](const auto& h) { return host_matches(h, host); });
    });
  }
  ObjectList do_routing_to(std::string_view host) const override {
    return filter([&](const model::Object& o) {
      const auto hosts = destination_hosts(o);
      return std::any_of(hosts.begin(), hosts.end(),
                         [&](const auto& h) { return host_matches(h, host); });
    });
  }
  ObjectList do_binding_gateway(std::string_view ref) const override {
    return filter([&](const model::Object& o) {
      const auto refs = bound_gateways(o);
      return std::find(refs.begin(), refs.end(), ref) != refs.end();
    });
  }
  ObjectList do_selecting(model::Kind kind, std::string_view ns,
                          const model::Labels& labels) const override {
    return filter([&](const model::Object& o) {
      return o.kind() == kind && (ns.empty() || o.meta.namespace_ == ns) &&
             selection_matches(workload_selection(o), labels);
    });
  }
  ObjectList do_selected_by(model::Kind kind, std::string_view ns,
                            const model::Labels& selector) const override {
    return filter([&](const model::Object& o) {
      return o.kind() == kind && is_workload_kind(kind) &&
             (ns.empty() || o.meta.namespace_ == ns) && workload_matches(o, selector);
    });
  }

  ObjectList do_selectors_including(model::Kind kind, std::string_view ns,
                                    const model::Labels& labels) const override {
    return filter([&](const model::Object& o) {
      const Selection sel = workload_selection(o);
      return o.kind() == kind && (ns.empty() || o.meta.namespace_ == ns) &&
             sel.mode == SelectionMode::Labels && selector_matches(labels, *sel.labels);
    });
  }

  std::vector<model::ObjectPtr> objects_;
};

/// Every label set over the generator's vocabulary (each key absent or one of the values).
inline std::vector<model::Labels> all_label_sets() {
  std::vector<model::Labels> out{{}};
  for (const char* key : WorldGenerator::kLabelKeys) {
    const std::size_t n = out.size();
    for (std::size_t i = 0; i < n; ++i) {
      for (const char* value : WorldGenerator::kLabelValues) {
        model::Labels l = out[i];
        l[key] = value;
        out.push_back(std::move(l));
      }
    }
  }
  return out;
}

inline std::string describe_labels(const model::Labels& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    out += k + "=" + v + ",";
  }
  return out + "}";
}

/// Asks `actual` and `expected` the same queries (every kind and namespace listing, every
/// generator host and gateway ref, every selector kind with every label set, `find` for every
/// object either knows) and expects identical answers. Returns the number of queries asked.
inline std::size_t expect_same_answers(const View& actual, const View& expected,
                                       const std::string& context) {
  SCOPED_TRACE(context);
  std::size_t asked = 0;
  const auto check = [&](const ObjectList& a, const ObjectList& e, const std::string& what) {
    ++asked;
    EXPECT_EQ(a, e) << what << "\n actual:   " << ::testing::PrintToString(names(a))
                    << "\n expected: " << ::testing::PrintToString(names(e));
  };
  EXPECT_EQ(actual.size(), expected.size());
  std::vector<std::string> namespaces(std::begin(WorldGenerator::kNamespaces),
                                      std::end(WorldGenerator::kNamespaces));
  namespaces.push_back("nowhere");
  for (std::size_t k = 0; k < model::kKindCount; ++k) {
    const auto kind = static_cast<model::Kind>(k);
    const std::string kname(model::kind_name(kind));
    const ObjectList all = expected.of_kind(kind);
    check(actual.of_kind(kind), all, "of_kind " + kname);
    ++asked;
    EXPECT_EQ(actual.count(kind), all.size()) << "count " << kname;
    for (const auto* o : all) {
      ++asked;
      EXPECT_EQ(actual.find(key_of(*o)), o) << kname << " " << o->meta.name;
    }
    for (const auto* o : actual.of_kind(kind)) {
      ++asked;
      EXPECT_EQ(expected.find(key_of(*o)), o) << kname << " " << o->meta.name;
    }
    for (const auto& ns : namespaces) {
      check(actual.in_namespace(kind, ns), expected.in_namespace(kind, ns),
            "in_namespace " + kname + " " + ns);
    }
    for (const char* host : WorldGenerator::kQueries) {
      check(actual.by_host(kind, host), expected.by_host(kind, host),
            "by_host " + kname + " " + host);
    }
  }
  for (const char* host : WorldGenerator::kQueries) {
    check(actual.routing_to(host), expected.routing_to(host), std::string("routing_to ") + host);
  }
  for (const char* ref : WorldGenerator::kRefQueries) {
    check(actual.binding_gateway(ref), expected.binding_gateway(ref),
          std::string("binding_gateway ") + ref);
  }
  namespaces.push_back("");
  const model::Kind selecting_kinds[] = {model::Kind::Service,
                                         model::Kind::Gateway,
                                         model::Kind::Sidecar,
                                         model::Kind::EnvoyFilter,
                                         model::Kind::PeerAuthentication,
                                         model::Kind::RequestAuthentication,
                                         model::Kind::AuthorizationPolicy,
                                         model::Kind::DestinationRule,
                                         model::Kind::ServiceEntry,
                                         model::Kind::Pod};
  const auto label_sets = all_label_sets();
  for (const auto kind : selecting_kinds) {
    for (const auto& ns : namespaces) {
      for (const auto& labels : label_sets) {
        check(actual.selecting(kind, ns, labels), expected.selecting(kind, ns, labels),
              "selecting " + std::string(model::kind_name(kind)) + " ns=" + ns + " " +
                  describe_labels(labels));
        check(actual.selectors_including(kind, ns, labels),
              expected.selectors_including(kind, ns, labels),
              "selectors_including " + std::string(model::kind_name(kind)) + " ns=" + ns + " " +
                  describe_labels(labels));
      }
    }
  }
  for (const auto kind : {model::Kind::Pod, model::Kind::WorkloadEntry, model::Kind::Service}) {
    for (const auto& ns : namespaces) {
      for (const auto& labels : label_sets) {
        check(actual.selected_by(kind, ns, labels), expected.selected_by(kind, ns, labels),
              "selected_by " + std::string(model::kind_name(kind)) + " ns=" + ns + " " +
                  describe_labels(labels));
      }
    }
  }
  return asked;
}

}  // namespace meshward::world::testing
