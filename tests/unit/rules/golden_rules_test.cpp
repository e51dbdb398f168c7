// Golden cases per rule: tests/golden/rules/<CODE>-<name>/ holds fires.yaml and fixed.yaml
// (plus, optionally, more fires-*.yaml / fixed-*.yaml cases, and a mesh-config.yaml every case
// is judged with, as `--mesh-config`), each with
// <case>.expected.json: the findings of that rule alone on that input, in the `-o json`
// shape (rules::check_paths_with_rule; docs/checks/ shows the same for fires and fixed). A new rule = a new folder; no code. MESHWARD_UPDATE_GOLDEN=1 rewrites the expected
// files (review the diff).

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/core/json.h"
#include "meshward/core/report.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/run.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::rules {
namespace {

namespace fs = std::filesystem;

fs::path golden_root() { return fs::path(MESHWARD_SOURCE_DIR) / "tests" / "golden" / "rules"; }

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct GoldenCase {
  std::string folder;  // "MW1201-virtualservice-route-action-missing"
  std::string name;    // "fires"
};

std::vector<GoldenCase> all_cases() {
  std::vector<GoldenCase> cases;
  if (!fs::exists(golden_root())) {
    return cases;
  }
  for (const auto& dir : fs::directory_iterator(golden_root())) {
    if (!dir.is_directory()) {
      continue;
    }
    for (const auto& file : fs::directory_iterator(dir.path())) {
      if (file.path().extension() == ".yaml" && file.path().filename() != kGoldenMeshConfig) {
        cases.push_back({dir.path().filename().string(), file.path().stem().string()});
      }
    }
  }
  std::sort(cases.begin(), cases.end(), [](const GoldenCase& a, const GoldenCase& b) {
    return a.folder + "/" + a.name < b.folder + "/" + b.name;
  });
  return cases;
}

std::string code_of(const std::string& folder) { return folder.substr(0, folder.find('-')); }

// Runs one rule on one input file, as `meshward check` would with only that rule (decoder
// rules included: their findings come from reading the file).
std::vector<Finding> run_case(const fs::path& dir, const std::string& name,
                              const std::string& code) {
  auto findings = check_golden_case(dir.string(), name, code);
  EXPECT_TRUE(findings.ok()) << findings.error().message;
  return findings.ok() ? std::move(*findings) : std::vector<Finding>{};
}

class GoldenRule : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenRule, MatchesExpected) {
  const GoldenCase& c = GetParam();
  const fs::path dir = golden_root() / c.folder;
  const std::string code = code_of(c.folder);
  const Rule* rule = find_rule(code);
  ASSERT_NE(rule, nullptr) << c.folder << " names no registered rule";
  EXPECT_EQ(c.folder, code + "-" + std::string(rule->info.name)) << "folder must be <code>-<name>";

  auto findings = run_case(dir, c.name, code);
  std::string actual = findings_to_json(findings);
  const std::string prefix = dir.string() + "/";
  for (auto pos = actual.find(prefix); pos != std::string::npos; pos = actual.find(prefix)) {
    actual.replace(pos, prefix.size(), "");
  }
  const fs::path expected = dir / (c.name + ".expected.json");
  if (std::getenv("MESHWARD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expected, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(expected)) << "missing " << expected << " (MESHWARD_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, read_all(expected));

  if (c.name.rfind("fires", 0) == 0) {
    EXPECT_FALSE(findings.empty()) << c.folder << "/" << c.name << " must fire";
  }
  if (c.name.rfind("fixed", 0) == 0) {
    EXPECT_TRUE(findings.empty()) << c.folder << "/" << c.name << " must not fire";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenRule, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& param_info) {
                           std::string name = param_info.param.folder + "_" + param_info.param.name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) {
                               ch = '_';
                             }
                           }
                           return name;
                         });

// Meta-tests on the catalogue (Istio's TestAnalyzersHaveUniqueNames & co).

TEST(RuleRegistry, CodesNamesAndMetadataAreWellFormed) {
  std::set<std::string_view> codes;
  std::set<std::string_view> names;
  for (const Rule& rule : all_rules()) {
    const RuleInfo& info = rule.info;
    EXPECT_TRUE(codes.insert(info.code).second) << info.code;
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    ASSERT_EQ(info.code.size(), 6u) << info.code;
    EXPECT_EQ(info.code.substr(0, 2), "MW") << info.code;
    const char expected_digit = "1234"[static_cast<int>(info.family)];
    EXPECT_EQ(info.code[2], expected_digit) << info.code << " has the wrong family prefix";
    EXPECT_FALSE(info.description.empty()) << info.code;
    EXPECT_EQ(info.description.find('\n'), std::string_view::npos) << info.code;
    for (char ch : info.name) {
      EXPECT_TRUE((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')
          << info.name << " is not kebab-case";
    }
  }
}

TEST(RuleRegistry, EveryCheckHasFiresAndFixedGoldenCases) {
  // Decoder rules (MW1001-MW1009) too: docs/checks/ shows every check's fires and fixed case.
  for (const Rule& rule : all_rules()) {
    const fs::path dir =
        golden_root() / (std::string(rule.info.code) + "-" + std::string(rule.info.name));
    EXPECT_TRUE(fs::exists(dir / "fires.yaml")) << dir << "/fires.yaml missing";
    EXPECT_TRUE(fs::exists(dir / "fixed.yaml")) << dir << "/fixed.yaml missing";
  }
}

TEST(RuleRegistry, MeshChecksReadOnlyTheirDeclaredInputs) {
  for (const GoldenCase& c : all_cases()) {
    const Rule* rule = find_rule(code_of(c.folder));
    if (rule == nullptr || !rule->check_mesh) {
      continue;
    }
    auto loaded = world::load_paths({(golden_root() / c.folder / (c.name + ".yaml")).string()});
    ASSERT_TRUE(loaded.ok());
    world::Snapshot snapshot(std::move(loaded->objects));
    Context ctx(snapshot);
    Sink sink;
    rule->check_mesh(ctx, sink);
    const std::uint32_t extra = ctx.touched().bits() & ~rule->inputs.bits();
    EXPECT_EQ(extra, 0u) << rule->info.code << " read kinds it does not declare: read "
                         << ctx.touched().to_string() << ", declared " << rule->inputs.to_string();
  }
}

}  // namespace
}  // namespace meshward::rules
