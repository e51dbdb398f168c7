// Golden cases for `meshward translate`: each folder under tests/golden/translate/ holds a
// `world.yaml` and one or more invocations: `args` (the flags besides `-f`, on one line)
// with `expected.<json|yaml|txt>` (by its `-o`), and optionally `<name>.args` with
// `<name>.expected.<ext>`; a word of the args naming another file of the folder
// (`--mesh-config mesh.yaml`) is passed as its path. The test runs the command in-process
// exactly as the CLI does.
// A new case is a new folder; no code. MESHWARD_UPDATE_GOLDEN=1 rewrites the expected files:
// review every change by hand against ../shared/reference/istio-translation.md.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "meshward/cli/commands.h"

namespace meshward::cli {
namespace {

namespace fs = std::filesystem;

fs::path golden_root() { return fs::path(MESHWARD_SOURCE_DIR) / "tests" / "golden" / "translate"; }

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Invocation {
  std::string folder;  // "brief-1.15"
  std::string name;    // "" for `args`, else the stem of `<name>.args`
};

std::vector<Invocation> all_invocations() {
  std::vector<Invocation> out;
  if (!fs::exists(golden_root())) {
    return out;
  }
  for (const auto& dir : fs::directory_iterator(golden_root())) {
    if (!dir.is_directory()) {
      continue;
    }
    for (const auto& file : fs::directory_iterator(dir.path())) {
      const std::string filename = file.path().filename().string();
      if (filename == "args") {
        out.push_back({dir.path().filename().string(), ""});
      } else if (file.path().extension() == ".args") {
        out.push_back({dir.path().filename().string(), file.path().stem().string()});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Invocation& a, const Invocation& b) {
    return a.folder + "/" + a.name < b.folder + "/" + b.name;
  });
  return out;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) {
    words.push_back(w);
  }
  return words;
}

// The expected file's extension follows the output format.
std::string extension_for(const std::vector<std::string>& words) {
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "-o" || words[i] == "--output") {
      return words[i + 1] == "table" ? "txt" : words[i + 1];
    }
  }
  return "txt";  // The default output is the table.
}

class GoldenTranslate : public ::testing::TestWithParam<Invocation> {};

TEST_P(GoldenTranslate, MatchesExpected) {
  const Invocation& inv = GetParam();
  const fs::path dir = golden_root() / inv.folder;
  ASSERT_TRUE(fs::exists(dir / "world.yaml")) << dir << " needs a world.yaml";
  const std::string prefix = inv.name.empty() ? "" : inv.name + ".";
  std::vector<std::string> words = split_words(read_all(dir / (prefix + "args")));
  const std::string ext = extension_for(words);
  // A word naming another file of the folder (`--mesh-config mesh.yaml`) is given as its path.
  for (std::string& word : words) {
    if (word[0] != '-' && word != "world.yaml" && fs::is_regular_file(dir / word)) {
      word = (dir / word).string();
    }
  }
  words.insert(words.begin(), {"-f", (dir / "world.yaml").string()});

  std::ostringstream out;
  std::ostringstream err;
  const int status = translate_command(words, out, err);
  EXPECT_EQ(status, kExitOk) << err.str();
  EXPECT_EQ(err.str(), "") << "the world must decode cleanly";

  const fs::path expected = dir / (prefix + "expected." + ext);
  if (std::getenv("MESHWARD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expected, std::ios::binary) << out.str();
  }
  ASSERT_TRUE(fs::exists(expected)) << "missing " << expected << " (MESHWARD_UPDATE_GOLDEN=1)";
  EXPECT_EQ(out.str(), read_all(expected));
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTranslate, ::testing::ValuesIn(all_invocations()),
                         [](const ::testing::TestParamInfo<Invocation>& param_info) {
                           std::string name =
                               param_info.param.folder +
                               (param_info.param.name.empty() ? "" : "_" + param_info.param.name);
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) {
                               c = '_';
                             }
                           }
                           return name;
                         });

TEST(TranslateCommand, UsageErrorsExitTwo) {
  const std::string world = (golden_root() / "brief-current" / "world.yaml").string();
  const struct {
    std::vector<std::string> args;
    const char* message;
  } cases[] = {
      {{"--proxy", "sidecar:default"}, "no input"},
      {{"-f", world}, "--proxy is required"},
      {{"-f", world, "--proxy", "pod:default"}, "unknown proxy type"},
      {{"-f", world, "--proxy", "gateway:istio-system"}, "needs its workload labels"},
      {{"-f", world, "--proxy", "sidecar:default", "--istio-version", "2.0"},
       "--istio-version \"2.0\""},
      {{"-f", world, "--proxy", "sidecar:default", "--istio-version", "1.9"}, "is not a release"},
      {{"-f", world, "--proxy", "sidecar:default", "--type", "secrets"}, "--type must be"},
      {{"-f", world, "--proxy", "sidecar:default", "-o", "xml"}, "--output must be"},
      {{"-f", "/does/not/exist", "--proxy", "sidecar:default"}, "/does/not/exist"},
      {{"--bogus"}, "unknown flag"},
  };
  for (const auto& c : cases) {
    std::ostringstream out, err;
    EXPECT_EQ(translate_command(c.args, out, err), kExitUsage) << c.message;
    EXPECT_NE(err.str().find(c.message), std::string::npos) << err.str();
  }
}

TEST(TranslateCommand, HelpListsTheFlags) {
  std::ostringstream out, err;
  EXPECT_EQ(translate_command({"--help"}, out, err), kExitOk);
  EXPECT_NE(out.str().find("--istio-version"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("--proxy"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace meshward::cli
