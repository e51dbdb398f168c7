#include "meshward/cli/args.h"

#include <gtest/gtest.h>

namespace meshward::cli {
namespace {

const std::vector<FlagSpec> kSpecs = {{"filename", "f", true, ""},
                                      {"output", "o", true, ""},
                                      {"help", "h", false, ""}};

TEST(Args, LongShortInlineAndRepeated) {
  auto args = Args::parse({"-f", "a.yaml", "--filename=b", "--output", "json", "c", "-h"}, kSpecs);
  ASSERT_TRUE(args.ok()) << args.error().message;
  EXPECT_EQ(args->values("filename"), (std::vector<std::string>{"a.yaml", "b"}));
  EXPECT_EQ(args->value("output"), "json");
  EXPECT_TRUE(args->has("help"));
  EXPECT_EQ(args->positional(), (std::vector<std::string>{"c"}));
}

TEST(Args, StdinDashIsPositional) {
  auto args = Args::parse({"-f", "-"}, kSpecs);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->value("filename"), "-");
}

TEST(Args, Errors) {
  EXPECT_FALSE(Args::parse({"--nope"}, kSpecs).ok());
  EXPECT_FALSE(Args::parse({"-f"}, kSpecs).ok());
  EXPECT_FALSE(Args::parse({"--help=yes"}, kSpecs).ok());
}

}  // namespace
}  // namespace meshward::cli
