#include "meshward/cli/commands.h"

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
