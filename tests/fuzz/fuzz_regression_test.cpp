// Replays the fuzz targets' inputs through their bodies (fuzz/include/meshward_fuzz/fuzz.h),
// without libFuzzer: every file of fuzz/regressions/<target>/ (inputs that once crashed a
// target or broke an invariant, kept after the fix), the committed seeds of
// fuzz/seeds/<target>/, and the seeds generated from the repository's manifests. A body
// aborts on a broken invariant; an exception escaping it fails the test.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward_fuzz/fuzz.h"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename().string().front() != '.') {
      out.push_back(it->path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const meshward::fuzz::Target& target_named(std::string_view name) {
  for (const auto& t : meshward::fuzz::targets()) {
    if (t.name == name) {
      return t;
    }
  }
  throw std::runtime_error("no fuzz target " + std::string(name));
}

int run(const meshward::fuzz::Target& target, const std::string& data) {
  return target.run(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

class FuzzRegression : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzRegression, RegressionInputsAndCommittedSeeds) {
  const auto& target = target_named(GetParam());
  const fs::path root = meshward::fuzz::source_dir();
  std::size_t replayed = 0;
  for (const char* dir : {"fuzz/regressions", "fuzz/seeds"}) {
    for (const auto& file : files_in(root / dir / GetParam())) {
      SCOPED_TRACE(file.string());
      EXPECT_NO_THROW(EXPECT_EQ(run(target, read(file)), 0));
      ++replayed;
    }
  }
  RecordProperty("replayed", static_cast<int>(replayed));
}

TEST_P(FuzzRegression, GeneratedSeeds) {
  const auto& target = target_named(GetParam());
  const auto seeds = meshward::fuzz::seeds(GetParam(), meshward::fuzz::source_dir());
  for (const auto& seed : seeds) {
    SCOPED_TRACE(seed.name);
    EXPECT_NO_THROW(EXPECT_EQ(run(target, seed.data), 0));
  }
}

// Any bytes are an input of every target: a sample of edge cases each must survive.
TEST_P(FuzzRegression, EdgeCases) {
  const auto& target = target_named(GetParam());
  const std::vector<std::string> inputs = {
      "",
      std::string(1, '\0'),
      "\n",
      "{",
      "[",
      "---\n---\n",
      "\xEF\xBB\xBF",
      "\xff\xfe\xfd",
      std::string(4096, '['),
      std::string(4096, '{'),
      "VirtualService\n",
  };
  for (const auto& input : inputs) {
    EXPECT_NO_THROW(EXPECT_EQ(run(target, input), 0));
  }
}

std::vector<std::string> target_names() {
  std::vector<std::string> out;
  for (const auto& t : meshward::fuzz::targets()) {
    out.emplace_back(t.name);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegression, ::testing::ValuesIn(target_names()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
