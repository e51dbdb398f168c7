#include "meshward/cli/commands.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "meshward/core/json.h"

namespace meshward::cli {
namespace {

const std::string kExamples = std::string(MESHWARD_SOURCE_DIR) + "/examples";

TEST(CheckCommand, UsageErrorsExitTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(check({}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("no input"), std::string::npos);
  EXPECT_EQ(check({"-f", "/does/not/exist"}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("/does/not/exist"), std::string::npos);
  EXPECT_EQ(check({"-f", kExamples, "-o", "xml"}, out, err), kExitUsage);
  EXPECT_EQ(check({"-f", kExamples, "--fail-on", "fatal"}, out, err), kExitUsage);
  EXPECT_EQ(check({"--bogus"}, out, err), kExitUsage);
}

TEST(CheckCommand, BundledExamplesAreClean) {
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "-o", "json"}, out, err), kExitOk) << out.str();
  json::Document doc;
  doc.Parse(out.str().c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["findings"].Size(), 0u) << out.str();
  EXPECT_EQ(doc["summary"]["errors"].GetUint64(), 0u);
}

TEST(CheckCommand, FailOnThreshold) {
  // A warning-only input passes by default and fails with --fail-on warning.
  const std::string dir = std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/unknown-field-warns/input";
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", dir}, out, err), kExitOk) << out.str();
  EXPECT_NE(out.str().find("warning MW1005"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find(": error "), std::string::npos) << out.str();
  EXPECT_EQ(check({"-f", dir, "--fail-on", "warning"}, out, err), kExitFindings);
}

TEST(VersionCommand, TextAndJson) {
  std::ostringstream out, err;
  EXPECT_EQ(version({}, out, err), kExitOk);
  EXPECT_EQ(out.str().rfind("meshward ", 0), 0u);
  std::ostringstream json_out;
  EXPECT_EQ(version({"-o", "json"}, json_out, err), kExitOk);
  json::Document doc;
  doc.Parse(json_out.str().c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_TRUE(doc["version"].IsString());
}

}  // namespace
}  // namespace meshward::cli

namespace meshward::cli {
namespace {

TEST(RulesCommand, CatalogueDocMatchesRegistry) {
  std::ostringstream out, err;
  ASSERT_EQ(rules_command({"-o", "md"}, out, err), kExitOk);
  std::ifstream in(std::string(MESHWARD_SOURCE_DIR) + "/docs/checks.md");
  std::stringstream doc;
  doc << in.rdbuf();
  // docs/checks.md = a short header, then exactly the table `meshward rules -o md` prints.
  const std::string text = doc.str();
  const auto table = text.find("| code |");
  ASSERT_NE(table, std::string::npos);
  EXPECT_EQ(text.substr(table), out.str())
      << "docs/checks.md is stale: regenerate it with `meshward rules -o md`";
}

TEST(RulesCommand, JsonListsEveryRule) {
  std::ostringstream out, err;
  ASSERT_EQ(rules_command({"-o", "json"}, out, err), kExitOk);
  json::Document doc;
  doc.Parse(out.str().c_str());
  ASSERT_TRUE(doc.IsArray());
  EXPECT_GT(doc.Size(), 100u);
  for (const auto& rule : doc.GetArray()) {
    EXPECT_TRUE(rule["code"].IsString());
    EXPECT_TRUE(rule["severity"].IsString());
    EXPECT_TRUE(rule["description"].IsString());
  }
}

}  // namespace
}  // namespace meshward::cli
