#include <gtest/gtest.h>

#include "meshward/world/facts.h"
#include "meshward/world/snapshot.h"
#include "world_testing.h"

namespace meshward::world {
namespace {

using testing::decode_all;

model::ObjectPtr one(const std::string& yaml) {
  auto objects = decode_all(yaml);
  EXPECT_EQ(objects.size(), 1u);
  return objects.empty() ? nullptr : objects[0];
}

model::ObjectPtr vs(const std::string& export_to) {
  return one(
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v, "
      "namespace: own}\nspec:\n  hosts: [a]\n" +
      (export_to.empty() ? "" : "  exportTo: " + export_to + "\n"));
}

model::ObjectPtr dr(const std::string& export_to, bool selector = false) {
  return one(
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d, "
      "namespace: own}\nspec:\n  host: a\n" +
      (export_to.empty() ? "" : "  exportTo: " + export_to + "\n") +
      (selector ? "  workloadSelector: {matchLabels: {app: a}}\n" : ""));
}

model::ObjectPtr se(const std::string& export_to) {
  return one(
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s, "
      "namespace: own}\nspec:\n  hosts: [a.example.com]\n" +
      (export_to.empty() ? "" : "  exportTo: " + export_to + "\n"));
}

model::ObjectPtr svc(const std::string& annotation) {
  return one("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: own\n" +
             (annotation.empty()
                  ? ""
                  : "  annotations: {networking.istio.io/exportTo: \"" + annotation + "\"}\n") +
             "spec: {ports: [{port: 80}]}\n");
}

struct Case {
  const char* export_to;
  bool own;
  bool other;  // namespace "other"
  bool third;  // namespace "third"
};

const Case kCases[] = {
    {"", true, true, true},  // absent: public (mesh default `*`)
    {"[\"*\"]", true, true, true},
    {"[\".\"]", true, false, false},
    {"[own]", true, false, false},
    {"[other]", false, true, false},
    {"[\".\", other]", true, true, false},
    {"[\"*\", other]", true, true, true},
};

TEST(Visibility, VirtualServiceDestinationRuleServiceEntry) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.export_to);
    for (const auto& o : {vs(c.export_to), dr(c.export_to), se(c.export_to)}) {
      ASSERT_NE(o, nullptr);
      SCOPED_TRACE(std::string(model::kind_name(o->kind())));
      EXPECT_EQ(visible_to(*o, "own"), c.own);
      EXPECT_EQ(visible_to(*o, "other"), c.other);
      EXPECT_EQ(visible_to(*o, "third"), c.third);
    }
  }
}

TEST(Visibility, NoneHidesFromEveryone) {
  for (const auto& o : {vs("[\"~\"]"), dr("[\"~\"]"), se("[\"~\"]")}) {
    SCOPED_TRACE(std::string(model::kind_name(o->kind())));
    EXPECT_FALSE(visible_to(*o, "own"));
    EXPECT_FALSE(visible_to(*o, "other"));
  }
  // pilot's VirtualService index drops every entry next to `~` (validation rejects the mix).
  EXPECT_FALSE(visible_to(*vs("[\"~\", other]"), "other"));
}

TEST(Visibility, DestinationRuleWithWorkloadSelectorIsPrivate) {
  EXPECT_TRUE(visible_to(*dr("[\"*\"]", true), "own"));
  EXPECT_FALSE(visible_to(*dr("[\"*\"]", true), "other"));
  EXPECT_FALSE(visible_to(*dr("", true), "other"));
}

TEST(Visibility, ServiceAnnotation) {
  EXPECT_TRUE(visible_to(*svc(""), "other"));
  EXPECT_TRUE(visible_to(*svc("*"), "other"));
  EXPECT_TRUE(visible_to(*svc("."), "own"));
  EXPECT_FALSE(visible_to(*svc("."), "other"));
  EXPECT_TRUE(visible_to(*svc(" other , third"), "third"));
  EXPECT_TRUE(visible_to(*svc(".,other"), "other"));
  EXPECT_FALSE(visible_to(*svc(".,other"), "third"));
  EXPECT_FALSE(visible_to(*svc("~"), "own"));
  EXPECT_EQ(export_to(*svc(" other , third")), (std::vector<std::string>{"other", "third"}));
}

TEST(Visibility, KindsWithoutExportToAreVisible) {
  auto gw =
      one("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g, "
          "namespace: own}\nspec: {}\n");
  EXPECT_TRUE(visible_to(*gw, "other"));
  EXPECT_TRUE(export_to(*gw).empty());
}

// MeshConfig default*ExportTo: each kind's default applies only to objects that name no
// exportTo of their own.
TEST(Visibility, MeshDefaultsApplyToObjectsWithoutExportTo) {
  ExportDefaults defaults;
  defaults.services = {"."};
  defaults.virtual_services = {"other"};
  defaults.destination_rules = {"~"};
  EXPECT_FALSE(visible_to(*svc(""), "other", defaults));
  EXPECT_TRUE(visible_to(*svc(""), "own", defaults));
  EXPECT_FALSE(visible_to(*se(""), "other", defaults));
  EXPECT_TRUE(visible_to(*svc("*"), "other", defaults)) << "its own exportTo wins";
  EXPECT_TRUE(visible_to(*se("[\"*\"]"), "other", defaults));
  EXPECT_TRUE(visible_to(*vs(""), "other", defaults));
  EXPECT_FALSE(visible_to(*vs(""), "third", defaults));
  EXPECT_FALSE(visible_to(*dr(""), "own", defaults));
  EXPECT_TRUE(visible_to(*dr("[\".\"]"), "own", defaults));
  EXPECT_EQ(export_to(*svc(""), defaults), (std::vector<std::string>{"."}));
  EXPECT_EQ(export_to(*svc("other"), defaults), (std::vector<std::string>{"other"}));
  EXPECT_TRUE(export_to(*svc("")).empty()) << "without defaults: public";
  auto gw =
      one("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g, "
          "namespace: own}\nspec: {}\n");
  EXPECT_TRUE(visible_to(*gw, "other", defaults));
}

}  // namespace
}  // namespace meshward::world
