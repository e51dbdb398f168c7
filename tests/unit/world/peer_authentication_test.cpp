#include "meshward/world/peer_authentication.h"

#include <gtest/gtest.h>

#include <memory>

#include "meshward/world/snapshot.h"
#include "world_testing.h"

namespace meshward::world {
namespace {

using model::MutualTlsMode;
using testing::decode_all;

constexpr std::string_view kRoot = "istio-system";

// The composed policy, with the world its pointers borrow from.
struct Composed : EffectivePeerAuthentication {
  std::shared_ptr<const Snapshot> world;
};

Composed compose(std::string_view yaml, std::string_view ns, const model::Labels& labels) {
  Composed out;
  out.world = Snapshot::make(decode_all(yaml));
  static_cast<EffectivePeerAuthentication&>(out) =
      effective_peer_authentication(*out.world, kRoot, ns, labels);
  return out;
}

std::string pa(std::string_view ns, std::string_view name, std::string_view created,
               std::string_view spec) {
  return "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: " +
         std::string(name) + ", namespace: " + std::string(ns) + ", creationTimestamp: \"" +
         std::string(created) + "\"}\nspec: " + std::string(spec) + "\n";
}

TEST(EffectivePeerAuthentication, NoPolicyIsPermissive) {
  const auto e = compose("", "shop", {{"app", "a"}});
  EXPECT_EQ(e.mode, MutualTlsMode::Permissive);
  EXPECT_EQ(e.mode_source, nullptr);
  EXPECT_EQ(e.for_port(9080), MutualTlsMode::Permissive);
}

TEST(EffectivePeerAuthentication, NarrowestScopeThatSetsAModeWins) {
  const std::string world = pa(kRoot, "mesh", "2024-01-01T00:00:00Z", "{mtls: {mode: STRICT}}") +
                            pa("shop", "ns", "2024-01-01T00:00:00Z", "{mtls: {mode: PERMISSIVE}}") +
                            pa("shop", "wl", "2024-01-01T00:00:00Z",
                               "{selector: {matchLabels: {app: a}}, mtls: {mode: DISABLE}}");
  EXPECT_EQ(compose(world, "shop", {{"app", "a"}}).mode, MutualTlsMode::Disable);
  const auto other = compose(world, "shop", {{"app", "b"}});
  EXPECT_EQ(other.mode, MutualTlsMode::Permissive);
  ASSERT_NE(other.mode_source, nullptr);
  EXPECT_EQ(other.mode_source->meta.name, "ns");
  EXPECT_EQ(compose(world, "web", {{"app", "a"}}).mode, MutualTlsMode::Strict);
}

TEST(EffectivePeerAuthentication, UnsetInheritsAndPortsResolve) {
  const std::string world =
      pa(kRoot, "mesh", "2024-01-01T00:00:00Z", "{mtls: {mode: STRICT}}") +
      pa("shop", "ns", "2024-01-01T00:00:00Z", "{mtls: {mode: UNSET}}") +
      pa("shop", "wl", "2024-01-01T00:00:00Z",
         "{selector: {matchLabels: {app: a}}, portLevelMtls: {'8080': {mode: DISABLE}, "
         "'9090': {mode: UNSET}}}");
  const auto e = compose(world, "shop", {{"app", "a"}});
  EXPECT_EQ(e.mode, MutualTlsMode::Strict);
  ASSERT_NE(e.mode_source, nullptr);
  EXPECT_EQ(e.mode_source->meta.name, "mesh");
  ASSERT_NE(e.workload_policy, nullptr);
  EXPECT_EQ(e.workload_policy->meta.name, "wl");
  EXPECT_EQ(e.for_port(8080), MutualTlsMode::Disable);
  EXPECT_EQ(e.for_port(9090), MutualTlsMode::Strict);  // UNSET: the workload's mode.
  EXPECT_EQ(e.for_port(80), MutualTlsMode::Strict);
  EXPECT_EQ(e.per_port.size(), 2U);
}

TEST(EffectivePeerAuthentication, OldestPolicyOfAScopeIsKeptEvenWhenItSetsNothing) {
  const std::string world =
      pa("shop", "ns", "2024-01-01T00:00:00Z", "{mtls: {mode: STRICT}}") +
      pa("shop", "old", "2024-01-01T00:00:00Z", "{selector: {matchLabels: {app: a}}}") +
      pa("shop", "young", "2024-02-01T00:00:00Z",
         "{selector: {matchLabels: {app: a}}, mtls: {mode: DISABLE}}");
  const auto e = compose(world, "shop", {{"app", "a"}});
  EXPECT_EQ(e.mode, MutualTlsMode::Strict);  // `young` is ignored, `old` inherits.
  ASSERT_NE(e.workload_policy, nullptr);
  EXPECT_EQ(e.workload_policy->meta.name, "old");
}

TEST(EffectivePeerAuthentication, RootNamespaceSelectorsAreNotWorkloadPolicies) {
  const std::string world =
      pa(kRoot, "mesh", "2024-01-01T00:00:00Z", "{mtls: {mode: PERMISSIVE}}") +
      pa(kRoot, "ingress", "2024-01-01T00:00:00Z",
         "{selector: {matchLabels: {app: a}}, mtls: {mode: STRICT}}");
  EXPECT_EQ(compose(world, kRoot, {{"app", "a"}}).mode, MutualTlsMode::Permissive);
  EXPECT_EQ(compose(world, "shop", {{"app", "a"}}).mode, MutualTlsMode::Permissive);
}

}  // namespace
}  // namespace meshward::world
