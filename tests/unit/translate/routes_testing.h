#pragma once
// Helpers for the route tests (route_builder, routes_sidecar, routes_gateway): a world decoded
// from YAML with its Registry and a Scope per proxy, and short descriptions of Envoy route
// objects to compare against.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/translate.h"
#include "meshward/world/snapshot.h"
#include "testlib/testlib.h"

namespace meshward::translate::routes_testing {

using Strings = std::vector<std::string>;

inline Options release(int minor) {
  Options o;
  o.version = IstioVersion{1, minor};
  return o;
}

/// A world decoded from YAML (the test fails on any decoder finding), with a Registry.
class World {
 public:
  explicit World(std::string_view yaml, Options options = {}) : options_(std::move(options)) {
    auto decoded = meshward::testing::decode_text(yaml);
    EXPECT_TRUE(decoded.findings.empty()) << meshward::testing::describe(decoded.findings);
    snapshot_ = world::Snapshot::make(std::move(decoded.objects));
    registry_ = std::make_unique<Registry>(*snapshot_, options_);
  }
  const Registry& registry() const { return *registry_; }

  /// The route configuration `name` for `proxy`.
  RouteConfiguration route(const Proxy& proxy, std::string_view name) const {
    const Scope scope(*registry_, proxy);
    return build_route(scope, name);
  }

 private:
  Options options_;
  std::shared_ptr<const world::Snapshot> snapshot_;
  std::unique_ptr<Registry> registry_;
};

inline Proxy sidecar(std::string ns, model::Labels labels = {}) {
  Proxy p;
  p.namespace_ = std::move(ns);
  p.labels = std::move(labels);
  return p;
}

inline Proxy gateway(std::string ns, model::Labels labels = {{"istio", "ingressgateway"}}) {
  Proxy p = sidecar(std::move(ns), std::move(labels));
  p.type = Proxy::Type::Gateway;
  return p;
}

/// The vhost named `name`, or nullptr (the test fails).
inline const VirtualHost* vhost(const RouteConfiguration& rc, std::string_view name) {
  for (const VirtualHost& vh : rc.virtual_hosts) {
    if (vh.name == name) {
      return &vh;
    }
  }
  ADD_FAILURE() << "no vhost " << name << " in route " << rc.name;
  return nullptr;
}

/// Not on a temporary: the pointer would dangle.
const VirtualHost* vhost(RouteConfiguration&& rc, std::string_view name) = delete;

inline Strings vhost_names(const RouteConfiguration& rc) {
  Strings out;
  for (const VirtualHost& vh : rc.virtual_hosts) {
    out.push_back(vh.name);
  }
  return out;
}

inline Strings route_names(const VirtualHost& vh) {
  Strings out;
  for (const Route& r : vh.routes) {
    out.push_back(r.name);
  }
  return out;
}

/// The one cluster a route forwards to ("" for weighted/redirect/direct).
inline std::string cluster_of(const Route& r) {
  const RouteAction* a = r.route();
  return a != nullptr ? a->cluster : std::string();
}

/// `name:weight` of each weighted cluster.
inline Strings weighted(const Route& r) {
  Strings out;
  if (const RouteAction* a = r.route()) {
    for (const ClusterWeight& w : a->weighted_clusters) {
      out.push_back(w.name + ":" + std::to_string(w.weight));
    }
  }
  return out;
}

/// A header matcher as `name=kind:value` / `name present`, `!` in front when inverted.
inline Strings headers(const RouteMatch& m) {
  Strings out;
  for (const HeaderMatcher& h : m.headers) {
    std::string s = h.invert_match ? "!" : "";
    s += h.name;
    if (h.present_match) {
      s += " present";
    } else if (h.string_match) {
      static constexpr const char* kKinds[] = {"exact", "prefix", "suffix", "regex", "contains"};
      s += "=";
      s += kKinds[static_cast<int>(h.string_match->kind)];
      s += ":" + h.string_match->value;
    }
    out.push_back(std::move(s));
  }
  return out;
}

/// The configuration istiod gives every release before 1.27 for the default retry policy.
inline void expect_default_retry(const RetryPolicy& p, bool with_503) {
  EXPECT_EQ(p.retry_on,
            "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes");
  EXPECT_EQ(p.num_retries, 2U);
  EXPECT_TRUE(p.previous_hosts_predicate);
  EXPECT_EQ(p.host_selection_retry_max_attempts, 5U);
  EXPECT_FALSE(p.per_try_timeout);
  if (with_503) {
    EXPECT_EQ(p.retriable_status_codes, std::vector<std::uint32_t>{503});
  } else {
    EXPECT_TRUE(p.retriable_status_codes.empty());
  }
}

/// `apiVersion/kind/metadata` header of an Istio networking object.
inline std::string istio_object(std::string_view kind, std::string_view name,
                                std::string_view ns) {
  return "---\napiVersion: networking.istio.io/v1\nkind: " + std::string(kind) +
         "\nmetadata: {name: " + std::string(name) + ", namespace: " + std::string(ns) + "}\n";
}

}  // namespace meshward::translate::routes_testing
