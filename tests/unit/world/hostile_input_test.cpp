// Reading inputs that never end or are too big (issue #9, docs/hardening.md "Input limits"):
// `meshward check -f /dev/zero`, an endless stdin, a huge file. The loader stops at
// LoadOptions::max_input_bytes with an error naming the limit (exit 2 in the CLI); memory
// stays bounded by it. No duration is asserted.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "meshward/world/loader.h"

namespace meshward::world {
namespace {

namespace fs = std::filesystem;

TEST(HostileLoad, ADeviceThatNeverEndsStopsAtTheLimit) {
  LoadOptions options;
  options.max_input_bytes = 1 << 20;
  auto loaded = load_paths({"/dev/zero"}, options);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, "cannot read /dev/zero: larger than the limit of 1048576 bytes for one input");
}

TEST(HostileLoad, AFileOverTheLimitIsRefusedAndOneAtItIsRead) {
  std::string templ = (fs::temp_directory_path() / "meshward-hostile-load-XXXXXX").string();
  ASSERT_NE(::mkdtemp(templ.data()), nullptr);
  const fs::path dir = templ;
  const std::string doc = "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: d}\n";
  std::ofstream(dir / "a.yaml") << doc;
  LoadOptions options;
  options.max_input_bytes = doc.size();
  auto at = load_paths({(dir / "a.yaml").string()}, options);
  ASSERT_TRUE(at.ok()) << at.error().message;
  EXPECT_EQ(at->objects.size(), 1u);
  options.max_input_bytes = doc.size() - 1;
  auto over = load_paths({dir.string()}, options);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("larger than the limit of " + std::to_string(doc.size() - 1) + " bytes"),
            std::string::npos)
      << over.error().message;
  EXPECT_EQ(LoadOptions{}.max_input_bytes, std::size_t{1} << 30);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meshward::world
