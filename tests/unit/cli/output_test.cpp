// Text and SARIF rendering of findings, and the colour decision.

#include "meshward/cli/output.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/core/json.h"

namespace meshward::cli {
namespace {

Finding finding(std::string code, Severity severity, std::string file, std::uint32_t line,
                std::string kind = "VirtualService", std::string ns = "bookinfo",
                std::string name = "reviews", std::string path = "spec.http[0]") {
  Finding f;
  f.code = std::move(code);
  f.severity = severity;
  f.rule = "some-rule";
  f.resource = {"networking.istio.io/v1", std::move(kind), std::move(ns), std::move(name)};
  f.path = std::move(path);
  f.message = "what breaks";
  if (!file.empty()) {
    f.source = SourceRef{std::move(file), line};
  }
  return f;
}

TEST(TextReport, GroupsByFileSortsByLineAndAlignsColumns) {
  const std::vector<Finding> findings = {
      finding("MW2101", Severity::Error, "b.yaml", 120),
      finding("MW1005", Severity::Warning, "b.yaml", 7, "Gateway", "istio-system", "gw", "spec.tsl"),
      finding("MW1001", Severity::Error, "a.yaml", 3, "", "", "", ""),
      finding("MW2301", Severity::Info, "", 0, "Namespace", "", "legacy", ""),
  };
  EXPECT_EQ(findings_to_text_report(findings, false),
            "a.yaml\n"
            "  3:  MW1001 error    what breaks\n"
            "\n"
            "b.yaml\n"
            "    7:  MW1005 warning  Gateway istio-system/gw spec.tsl: what breaks\n"
            "  120:  MW2101 error    VirtualService bookinfo/reviews spec.http[0]: what breaks\n"
            "\n"
            "(cluster)\n"
            "  MW2301 info     Namespace legacy: what breaks\n");
  EXPECT_EQ(findings_to_text_report({}, false), "");
}

TEST(TextReport, ColoursSeveritiesAndHeaders) {
  const std::string text = findings_to_text_report(
      {finding("MW2101", Severity::Error, "a.yaml", 1), finding("MW1005", Severity::Warning, "a.yaml", 2),
       finding("MW2301", Severity::Info, "a.yaml", 3)},
      true);
  EXPECT_EQ(text,
            "\033[1ma.yaml\033[0m\n"
            "  1:  MW2101 \033[31merror\033[0m    VirtualService bookinfo/reviews spec.http[0]: what breaks\n"
            "  2:  MW1005 \033[33mwarning\033[0m  VirtualService bookinfo/reviews spec.http[0]: what breaks\n"
            "  3:  MW2301 \033[36minfo\033[0m     VirtualService bookinfo/reviews spec.http[0]: what breaks\n");
}

TEST(Colour, AutoNeedsATerminalAndNoNoColor) {
  EXPECT_EQ(use_color("auto", true, nullptr), true);
  EXPECT_EQ(use_color("auto", false, nullptr), false);
  EXPECT_EQ(use_color("auto", true, "1"), false);
  EXPECT_EQ(use_color("auto", true, ""), true);  // NO_COLOR counts only when not empty
  EXPECT_EQ(use_color("always", false, "1"), true);
  EXPECT_EQ(use_color("never", true, nullptr), false);
  EXPECT_EQ(use_color("yes", true, nullptr), std::nullopt);
}

TEST(Sarif, ArtifactUris) {
  EXPECT_EQ(artifact_uri("deploy/vs.yaml"), "deploy/vs.yaml");
  EXPECT_EQ(artifact_uri("./deploy/my vs.yaml"), "deploy/my%20vs.yaml");
  EXPECT_EQ(artifact_uri("/srv/repo/a#b.yaml"), "file:///srv/repo/a%23b.yaml");
  EXPECT_EQ(artifact_uri("<stdin>"), std::nullopt);
}

TEST(Sarif, ResultsNameTheirRuleFileLineAndResource) {
  Finding f = finding("MW1201", Severity::Info, "deploy/vs.yaml", 12);
  f.istio_code = "IST0000";
  Finding from_stdin = finding("MW1001", Severity::Warning, "<stdin>", 4, "", "", "", "");
  const std::string text = findings_to_sarif({f, from_stdin}, "1.2.3");
  json::Document doc;
  doc.Parse(text.c_str());
  ASSERT_FALSE(doc.HasParseError()) << text;
  const json::Value& run = doc["runs"][0];
  EXPECT_STREQ(run["tool"]["driver"]["version"].GetString(), "1.2.3");
  const json::Value& r = run["results"][0];
  EXPECT_STREQ(r["ruleId"].GetString(), "MW1201");
  EXPECT_STREQ(run["tool"]["driver"]["rules"][r["ruleIndex"].GetUint()]["id"].GetString(), "MW1201");
  EXPECT_STREQ(r["level"].GetString(), "note");
  EXPECT_STREQ(r["message"]["text"].GetString(),
               "VirtualService bookinfo/reviews spec.http[0]: what breaks");
  const json::Value& loc = r["locations"][0];
  EXPECT_STREQ(loc["physicalLocation"]["artifactLocation"]["uri"].GetString(), "deploy/vs.yaml");
  EXPECT_EQ(loc["physicalLocation"]["region"]["startLine"].GetUint(), 12u);
  EXPECT_STREQ(loc["logicalLocations"][0]["fullyQualifiedName"].GetString(),
               "VirtualService/bookinfo/reviews/spec.http[0]");
  EXPECT_STREQ(loc["logicalLocations"][0]["name"].GetString(), "reviews");
  EXPECT_STREQ(r["properties"]["istio_code"].GetString(), "IST0000");
  EXPECT_TRUE(r["partialFingerprints"]["meshwardFinding/v1"].IsString());
  // Nothing to locate: no file (stdin) and no resource.
  EXPECT_FALSE(run["results"][1].HasMember("locations"));
  EXPECT_STREQ(run["results"][1]["level"].GetString(), "warning");
}

}  // namespace
}  // namespace meshward::cli
