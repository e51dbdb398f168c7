// Golden cases for `meshward check`: each folder under tests/golden/check/ holds an `input/`
// tree of manifests and `expected.json` (-o json); optionally `expected.txt` (-o text, no
// colour) and `expected.sarif.json` (-o sarif, normalised: see sarif_for_golden), and a
// `policy.yaml` passed as --policy, and an `args` file of more flags (whitespace-separated,
// e.g. `--istio-version 1.31`), given to every run of the case. A new case is a new folder;
// no code.
// MESHWARD_UPDATE_GOLDEN=1 rewrites the expected files from the current output (review the
// diff); it writes text and SARIF goldens only where they exist already, or for every case
// with MESHWARD_UPDATE_GOLDEN=all.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/cli/commands.h"
#include "meshward/core/json.h"
#include "meshward/rules/registry.h"

namespace meshward::cli {
namespace {

namespace fs = std::filesystem;

fs::path golden_root() { return fs::path(MESHWARD_SOURCE_DIR) / "tests" / "golden" / "check"; }

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(golden_root())) {
    if (entry.is_directory()) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// `meshward check` on a case with `extra` flags (and --policy when the case has one); paths
// in the output are made relative to the case folder, so cases do not depend on where the
// tree is checked out.
struct CheckRun {
  int status = 0;
  std::string out;
  std::string err;
};
CheckRun run_case(const fs::path& dir, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"-f", (dir / "input").string()};
  if (fs::exists(dir / "policy.yaml")) {
    args.push_back("--policy");
    args.push_back((dir / "policy.yaml").string());
  }
  if (fs::exists(dir / "args")) {
    std::istringstream words(read_all(dir / "args"));
    for (std::string word; words >> word;) {
      args.push_back(word);
    }
  }
  args.insert(args.end(), extra.begin(), extra.end());
  std::ostringstream out;
  std::ostringstream err;
  CheckRun run;
  run.status = check(args, out, err);
  run.out = replace_all(replace_all(out.str(), "file://" + dir.string() + "/", ""), dir.string() + "/", "");
  run.err = err.str();
  return run;
}

// Compares `actual` with the case's `name`, (re)writing it first under
// MESHWARD_UPDATE_GOLDEN. `optional` goldens are only compared where the file exists.
void expect_golden(const fs::path& dir, const std::string& name, const CheckRun& run,
                   bool optional) {
  const std::string& actual = run.out;
  const fs::path expected_path = dir / name;
  const char* update = std::getenv("MESHWARD_UPDATE_GOLDEN");
  if (update != nullptr &&
      (!optional || fs::exists(expected_path) || std::string_view(update) == "all")) {
    std::ofstream(expected_path, std::ios::binary) << actual;
  }
  if (optional && !fs::exists(expected_path)) {
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path
                                         << " (run with MESHWARD_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, read_all(expected_path)) << "differs from " << expected_path
                                             << "; stderr: " << run.err;
}

std::string to_pretty(const json::Value& v) {
  json::StringBuffer buffer;
  json::PrettyWriter w(buffer);
  w.SetIndent(' ', 2);
  v.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

bool is_level(const json::Value& v) {
  return v.IsString() && (std::string_view(v.GetString()) == "error" ||
                          std::string_view(v.GetString()) == "warning" ||
                          std::string_view(v.GetString()) == "note");
}

// Checks what SARIF 2.1.0 requires (and GitHub code scanning reads) of `doc`, then turns it
// into its golden form: the driver's version becomes "VERSION", the rules array keeps only
// the rules the results name (the full catalogue is checked here against the registry, not
// repeated in every golden), and results lose their ruleIndex (checked here; it moves when
// a rule is added).
void check_and_normalise_sarif(json::Document& doc, std::size_t finding_count) {
  ASSERT_TRUE(doc.IsObject());
  ASSERT_TRUE(doc.HasMember("$schema") && doc["$schema"].IsString());
  ASSERT_STREQ(doc["version"].GetString(), "2.1.0");
  ASSERT_TRUE(doc["runs"].IsArray());
  ASSERT_EQ(doc["runs"].Size(), 1u);
  json::Value& run = doc["runs"][0];
  json::Value& driver = run["tool"]["driver"];
  EXPECT_STREQ(driver["name"].GetString(), "meshward");
  ASSERT_TRUE(driver["version"].IsString());
  EXPECT_GT(driver["version"].GetStringLength(), 0u);

  const auto& registry = rules::all_rules();
  json::Value& rules_json = driver["rules"];
  ASSERT_TRUE(rules_json.IsArray());
  ASSERT_EQ(rules_json.Size(), registry.size());
  for (rapidjson::SizeType i = 0; i < rules_json.Size(); ++i) {
    const json::Value& rule = rules_json[i];
    EXPECT_EQ(std::string_view(rule["id"].GetString()), registry[i].info.code);
    EXPECT_EQ(std::string_view(rule["name"].GetString()), registry[i].info.name);
    EXPECT_TRUE(rule["shortDescription"]["text"].IsString());
    EXPECT_TRUE(is_level(rule["defaultConfiguration"]["level"]));
  }

  json::Value& results = run["results"];
  ASSERT_TRUE(results.IsArray());
  ASSERT_EQ(results.Size(), finding_count);
  std::vector<bool> used(registry.size(), false);
  for (auto& result : results.GetArray()) {
    ASSERT_TRUE(result["ruleId"].IsString());
    ASSERT_TRUE(result["ruleIndex"].IsUint());
    const unsigned index = result["ruleIndex"].GetUint();
    ASSERT_LT(index, registry.size());
    EXPECT_STREQ(rules_json[index]["id"].GetString(), result["ruleId"].GetString());
    used[index] = true;
    EXPECT_TRUE(is_level(result["level"]));
    ASSERT_TRUE(result["message"]["text"].IsString());
    EXPECT_GT(result["message"]["text"].GetStringLength(), 0u);
    if (result.HasMember("locations")) {
      for (const auto& location : result["locations"].GetArray()) {
        if (location.HasMember("physicalLocation")) {
          const json::Value& physical = location["physicalLocation"];
          EXPECT_TRUE(physical["artifactLocation"]["uri"].IsString());
          if (physical.HasMember("region")) {
            EXPECT_GE(physical["region"]["startLine"].GetUint(), 1u);
          }
        }
        if (location.HasMember("logicalLocations")) {
          for (const auto& logical : location["logicalLocations"].GetArray()) {
            EXPECT_TRUE(logical["fullyQualifiedName"].IsString());
          }
        }
      }
    }
    result.EraseMember("ruleIndex");  // keeps the order of the other members
  }

  driver["version"].SetString("VERSION");
  json::Value kept(rapidjson::kArrayType);
  for (rapidjson::SizeType i = 0; i < rules_json.Size(); ++i) {
    if (used[i]) {
      kept.PushBack(json::Value(rules_json[i], doc.GetAllocator()), doc.GetAllocator());
    }
  }
  driver["rules"] = kept;
}

class GoldenCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCheck, MatchesExpectedJson) {
  const fs::path dir = golden_root() / GetParam();
  ASSERT_TRUE(fs::is_directory(dir / "input")) << dir << " needs an input/ folder";
  const CheckRun json_run = run_case(dir, {"-o", "json"});
  const std::string& actual = json_run.out;
  expect_golden(dir, "expected.json", json_run, false);
  const int status = json_run.status;

  json::Document doc;
  doc.Parse(actual.c_str());
  ASSERT_FALSE(doc.HasParseError());
  const bool has_errors = doc["summary"]["errors"].GetUint64() > 0;
  EXPECT_EQ(status, has_errors ? kExitFindings : kExitOk);

  // The text a person reads, without colour.
  const CheckRun text_run = run_case(dir, {"--color", "never"});
  EXPECT_EQ(text_run.status, status);
  expect_golden(dir, "expected.txt", text_run, true);

  // SARIF: the same findings, structurally valid, and its golden.
  const CheckRun sarif_run = run_case(dir, {"-o", "sarif"});
  EXPECT_EQ(sarif_run.status, status);
  json::Document sarif;
  sarif.Parse(sarif_run.out.c_str());
  ASSERT_FALSE(sarif.HasParseError()) << sarif_run.out;
  check_and_normalise_sarif(sarif, doc["findings"].Size());
  if (!HasFatalFailure()) {
    CheckRun normalised = sarif_run;
    normalised.out = to_pretty(sarif);
    expect_golden(dir, "expected.sarif.json", normalised, true);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenCheck, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) {
                               c = '_';
                             }
                           }
                           return name;
                         });

}  // namespace
}  // namespace meshward::cli
