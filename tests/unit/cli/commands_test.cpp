#include "meshward/cli/commands.h"

#include <unistd.h>

#include <filesystem>
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
  EXPECT_NE(err.str().find("text, json or sarif"), std::string::npos);
  EXPECT_EQ(check({"-f", kExamples, "--fail-on", "fatal"}, out, err), kExitUsage);
  EXPECT_EQ(check({"--bogus"}, out, err), kExitUsage);
}

// The world of tests/golden/check/mesh-subset-starting-*: the canary subset's only pod is
// not ready and its EndpointSlice entry names no `terminating` condition, which Istio 1.31
// reads as terminating (MW2116: the canary cluster stays empty) and earlier releases as
// merely unhealthy (no finding).
const std::string kStartingCanary =
    std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/mesh-subset-starting-1.31/input";

TEST(CheckCommand, IstioVersionMustBeAReproducedRelease) {
  for (const std::string bad : {"2.0", "1.9", "1.32", "one.fifteen", ""}) {
    std::ostringstream out, err;
    EXPECT_EQ(check({"-f", kStartingCanary, "--istio-version", bad}, out, err), kExitUsage) << bad;
    EXPECT_NE(err.str().find("--istio-version \"" + bad + "\" is not a release"),
              std::string::npos)
        << err.str();
    EXPECT_TRUE(out.str().empty()) << out.str();
  }
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", kStartingCanary, "--istio-version"}, out, err), kExitUsage);
}

TEST(CheckCommand, IstioVersionReachesTheMeshChecks) {
  const auto mw2116 = [](const std::vector<std::string>& extra, int expected_status) {
    std::vector<std::string> args = {"-f", kStartingCanary, "-o", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream out, err;
    EXPECT_EQ(check(args, out, err), expected_status) << out.str() << err.str();
    json::Document doc;
    doc.Parse(out.str().c_str());
    std::size_t n = 0;
    if (!doc.HasParseError()) {
      for (const auto& f : doc["findings"].GetArray()) {
        n += std::string_view(f["code"].GetString()) == "MW2116" ? 1 : 0;
      }
    }
    return n;
  };
  EXPECT_EQ(mw2116({"--istio-version", "1.31"}, kExitFindings), 1u);
  EXPECT_EQ(mw2116({"--istio-version", "1.31.2"}, kExitFindings), 1u);  // a patch is ignored
  EXPECT_EQ(mw2116({"--istio-version", "1.30"}, kExitOk), 0u);
  EXPECT_EQ(mw2116({"--istio-version", "1.10"}, kExitOk), 0u);
  EXPECT_EQ(mw2116({}, kExitOk), 0u);  // the default release, 1.30
}

TEST(CheckCommand, HelpNamesIstioVersion) {
  std::ostringstream out, err;
  EXPECT_EQ(check({"--help"}, out, err), kExitOk);
  EXPECT_NE(out.str().find("--istio-version"), std::string::npos) << out.str();
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
  EXPECT_NE(out.str().find("MW1005 warning"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find(" error "), std::string::npos) << out.str();
  EXPECT_EQ(check({"-f", dir, "--fail-on", "warning"}, out, err), kExitFindings);
  EXPECT_EQ(check({"-f", dir, "--fail-on", "info"}, out, err), kExitFindings);
  // none: report only.
  const std::string errors = std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/typo-hides-tls/input";
  EXPECT_EQ(check({"-f", errors}, out, err), kExitFindings);
  EXPECT_EQ(check({"-f", errors, "--fail-on", "none"}, out, err), kExitOk);
}

// A policy file in a temporary file, removed at the end of the test.
class PolicyFile {
 public:
  explicit PolicyFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("meshward-check-policy-" + std::to_string(::getpid()) + "-" + std::to_string(++count_) + ".yaml")) {
    std::ofstream(path_) << text;
  }
  ~PolicyFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int count_ = 0;
  std::filesystem::path path_;
};

TEST(CheckCommand, PolicyDecidesTheExitAndFailOnAddsAThreshold) {
  // One error (MW1107) and one warning (MW1005), both in namespace bookinfo.
  const std::string dir = std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/typo-hides-tls/input";
  std::ostringstream out, err;
  // The default policy denies errors: exit 1, as without a policy.
  PolicyFile defaults("");
  EXPECT_EQ(check({"-f", dir, "--policy", defaults.path()}, out, err), kExitFindings);
  // The error only warns: nothing would deny, so exit 0 -- unless --fail-on warning.
  PolicyFile relaxed("rules:\n  gateway-tls-missing: warn\n");
  out.str("");
  EXPECT_EQ(check({"-f", dir, "--policy", relaxed.path()}, out, err), kExitOk) << out.str();
  EXPECT_NE(out.str().find("MW1107 warning"), std::string::npos) << out.str();
  EXPECT_EQ(check({"-f", dir, "--policy", relaxed.path(), "--fail-on", "warning"}, out, err),
            kExitFindings);
  // The namespace is off: nothing is reported at all.
  PolicyFile off("namespaces:\n  bookinfo: off\n");
  out.str("");
  EXPECT_EQ(check({"-f", dir, "--policy", off.path(), "--fail-on", "info"}, out, err), kExitOk);
  EXPECT_NE(out.str().find("0 errors, 0 warnings, 0 infos in 1 objects from 1 file; 2 ignored by the policy"),
            std::string::npos)
      << out.str();
  // The warning raised to deny: exit 1 even with the error ignored.
  PolicyFile strict("rules:\n  MW1107: ignore\n  MW1005: deny\n");
  out.str("");
  EXPECT_EQ(check({"-f", dir, "--policy", strict.path(), "-o", "json"}, out, err), kExitFindings);
  json::Document doc;
  doc.Parse(out.str().c_str());
  ASSERT_FALSE(doc.HasParseError()) << out.str();
  ASSERT_EQ(doc["findings"].Size(), 1u);
  EXPECT_STREQ(doc["findings"][0]["code"].GetString(), "MW1005");
  EXPECT_STREQ(doc["findings"][0]["severity"].GetString(), "error");
}

TEST(CheckCommand, BadPolicyFileIsAUsageError) {
  PolicyFile bad("rules:\n  MW9999: warn\n");
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "--policy", bad.path()}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("meshward check: --policy: " + bad.path() + ":2: rules: unknown rule \"MW9999\""),
            std::string::npos)
      << err.str();
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "--policy", "/does/not/exist.yaml"}, out, err), kExitUsage);
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "--fail-on", "sometimes"}, out, err), kExitUsage);
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "--color", "sometimes"}, out, err), kExitUsage);
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
