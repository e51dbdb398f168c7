// Golden cases for `meshward check -o json`: each folder under tests/golden/check/ holds an
// `input/` tree of manifests and `expected.json`. A new case is a new folder; no code.
// MESHWARD_UPDATE_GOLDEN=1 rewrites expected.json from the current output (review the diff).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/cli/commands.h"
#include "meshward/core/json.h"

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

class GoldenCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCheck, MatchesExpectedJson) {
  const fs::path dir = golden_root() / GetParam();
  ASSERT_TRUE(fs::is_directory(dir / "input")) << dir << " needs an input/ folder";
  std::ostringstream out;
  std::ostringstream err;
  const int status = check({"-f", (dir / "input").string(), "-o", "json"}, out, err);
  // Paths in the output are relative to the case folder, so cases do not depend on where
  // the tree is checked out.
  const std::string actual = replace_all(out.str(), dir.string() + "/", "");

  const fs::path expected_path = dir / "expected.json";
  if (std::getenv("MESHWARD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expected_path, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path
                                         << " (run with MESHWARD_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, read_all(expected_path)) << "stderr: " << err.str();

  json::Document doc;
  doc.Parse(actual.c_str());
  ASSERT_FALSE(doc.HasParseError());
  const bool has_errors = doc["summary"]["errors"].GetUint64() > 0;
  EXPECT_EQ(status, has_errors ? kExitFindings : kExitOk);
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
