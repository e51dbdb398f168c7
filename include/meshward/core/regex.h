#pragma once
// Matching with a regular expression a user wrote (EnvoyFilter proxyVersion, ...), the way Go's
// regexp matches it: RE2 with Go's syntax (syntax.Perl: Perl classes, UTF-8, leftmost-first,
// `.` not matching `\n`) and compile memory bounded by kRegexMaxMem, so no pattern takes
// unbounded time or memory (docs/hardening.md, "Input limits"). Validating a regex as Istio's
// webhook does (length limit, Go's refusals, per-review budget) is rules::validate::regex();
// validate.cpp compiles through this class too: the one place that includes RE2.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace meshward {

/// Memory RE2 may use to compile one regex: room for programs of about 40 000 instructions,
/// above the 32 768 that Envoy accepts under Istio (its bootstrap sets
/// re2.max_program_size.error_level); a pattern whose program needs more does not compile.
inline constexpr std::int64_t kRegexMaxMem = 1 << 20;

/// A compiled regex. A pattern that does not compile matches nothing (ok() is false).
class Regex {
 public:
  explicit Regex(std::string_view pattern);
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;

  bool ok() const;
  /// Whether the regex matches anywhere in `text` (Go's MatchString, RE2::PartialMatch).
  bool search(std::string_view text) const;
  /// Why it does not compile (RE2's message); empty when ok().
  std::string error() const;
  /// The compiled program's size in instructions (at least 1); 0 when not ok().
  std::size_t program_size() const;
  /// Whether the compile failed for exceeding kRegexMaxMem ("pattern too large").
  bool too_large() const;

 private:
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace meshward
