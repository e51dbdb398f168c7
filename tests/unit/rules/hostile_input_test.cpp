// Regexes built to blow up (issue #9, docs/hardening.md "Input limits"): every regex meshward
// reads is compiled by RE2 (never std::regex, never matched by a backtracking engine) with an
// explicit memory bound, so a pattern of at most 1024 bytes cannot take unbounded time or
// memory; one past RE2's bounds is a finding with RE2's reason; and a RegexBudget bounds the
// total per admission review. No duration is asserted: the bounds show in RE2's refusals and
// in the budget's.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "meshward/rules/validate.h"

namespace meshward::rules::validate {
namespace {

namespace fs = std::filesystem;

TEST(HostileRegex, ProgramsPastTheMemoryBoundAreRefused) {
  // Short patterns whose compiled program is huge: a Unicode class is hundreds of
  // instructions, a thousand times.
  for (const std::string pattern : {"\\pL{1000}", "(\\pL|\\pN|\\pP){1000}", "\\pL{500}\\pN{500}"}) {
    Result why = regex(pattern);
    ASSERT_TRUE(why) << pattern;
    EXPECT_NE(why->find("pattern too large"), std::string::npos) << *why;
  }
  // What Envoy accepts under Istio (programs up to 32 768 instructions) still compiles.
  EXPECT_FALSE(regex(".{1000}.{1000}.{1000}.{1000}"));
  EXPECT_FALSE(regex("[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63}){0,10}"));
}

TEST(HostileRegex, NestedRepetitionIsRefusedWhileParsing) {
  for (const std::string pattern : {"((a{1000}){1000}){1000}", "(((a{100}){100}){100})", "(a{2}){1001}"}) {
    Result why = regex(pattern);
    ASSERT_TRUE(why) << pattern;
    EXPECT_NE(why->find("invalid repetition size"), std::string::npos) << *why;
  }
}

TEST(HostileRegex, ABudgetBoundsTheTotalCompileWork) {
  const std::string heavy = "\\pL{1000}";
  {
    RegexBudget budget(3 * kRegexMaxInstructions + 100);
    for (int i = 0; i < 3; ++i) {
      Result why = regex(heavy + "budget" + std::to_string(i));
      ASSERT_TRUE(why);
      EXPECT_NE(why->find("pattern too large"), std::string::npos) << *why;
    }
    // Spent: the next distinct heavy pattern is not compiled, and the message names the limit.
    Result stopped = regex(heavy + "budget3");
    ASSERT_TRUE(stopped);
    EXPECT_NE(stopped->find("was not compiled"), std::string::npos) << *stopped;
    EXPECT_NE(stopped->find(std::to_string(3 * kRegexMaxInstructions + 100) + " RE2 instructions"),
              std::string::npos)
        << *stopped;
    // Known patterns are answered from the memo, valid ones included.
    EXPECT_NE(regex(heavy + "budget0")->find("pattern too large"), std::string::npos);
    {
      RegexBudget inner(10 * kRegexMaxInstructions);
      EXPECT_NE(regex(heavy + "budget3")->find("pattern too large"), std::string::npos) << "a new scope, a new budget";
    }
    EXPECT_NE(regex(heavy + "budget4")->find("was not compiled"), std::string::npos) << "the outer scope is spent";
  }
  // Without a scope: unbounded.
  EXPECT_NE(regex(heavy + "budget5")->find("pattern too large"), std::string::npos);
}

TEST(HostileRegex, BacktrackingClassicsAreValidRe2) {
  for (const std::string pattern : {"(a+)+$", "(a|aa)*b", "^(([a-z])+.)+[A-Z]([a-z])+$", "(.*a){20}",
                                    "(\\w+\\s?)+$"}) {
    EXPECT_FALSE(regex(pattern)) << pattern << ": " << regex(pattern).value_or("");
  }
}

// Every source file: no std::regex (a backtracking engine whose recursion a pattern or a
// subject can drive to a stack overflow), RE2 only through core/regex.h (bounded compile
// memory; validate::regex() validates with it).
TEST(HostileRegex, NoSourceUsesStdRegex) {
  const fs::path root = MESHWARD_SOURCE_DIR;
  std::size_t files = 0;
  for (const char* dir : {"src", "include"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) {
        continue;
      }
      ++files;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      EXPECT_EQ(s.find("<regex>"), std::string::npos) << entry.path();
      EXPECT_EQ(s.find("std::regex"), std::string::npos) << entry.path();
      EXPECT_EQ(s.find("std::basic_regex"), std::string::npos) << entry.path();
      if (entry.path().filename() != "regex.cpp") {
        EXPECT_EQ(s.find("<re2/re2.h>"), std::string::npos)
            << entry.path() << " compiles regexes outside core/regex.h";
      }
    }
  }
  EXPECT_GT(files, 100u);
}

// An inline jwks is JSON inside a string the user controls, up to the API server's 3 MiB body:
// parsed recursively, a nesting level per stack frame, 3 MB of '[' overflowed the evaluation
// thread's stack (found by the sanitizer build). Parsed iteratively, it is a finding.
TEST(HostileJwks, DeepNestingIsAFindingNotAStackOverflow) {
  for (const std::string& text : {std::string(3'000'000, '['),
                                  std::string(1'000'000, '[') + std::string(1'000'000, ']'),
                                  std::string("{\"keys\":") + std::string(1'000'000, '[')}) {
    const Result why = jwks(text);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("jwks"), std::string::npos) << *why;
    EXPECT_FALSE(jwks_has_private_key(text));
  }
}

}  // namespace
}  // namespace meshward::rules::validate
