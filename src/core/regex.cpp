#include "meshward/core/regex.h"

#include <re2/re2.h>

#include <algorithm>
#include <string>

namespace meshward {

Regex::Regex(std::string_view pattern) {
  // Go's regexp.Compile uses syntax.Perl: Perl classes (\d \s \w), \b, non-greedy operators,
  // UTF-8, leftmost-first matching, `.` not matching `\n`. RE2's defaults match that; we only
  // silence logging. RE2 never backtracks, and its compiled program is bounded by max_mem
  // (RE2 fails the compile with "pattern too large" past it; nested counted repetitions past
  // 1000 are refused while parsing), so no pattern of user input takes unbounded time or
  // memory here (docs/hardening.md, "Input limits"). Set explicitly, not left to RE2's default.
  RE2::Options options;
  options.set_max_mem(kRegexMaxMem);
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_posix_syntax(false);
  options.set_longest_match(false);
  options.set_case_sensitive(true);
  re_ = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

bool Regex::ok() const { return re_ && re_->ok(); }

std::string Regex::error() const { return ok() ? std::string() : re_->error(); }

std::size_t Regex::program_size() const {
  return ok() ? static_cast<std::size_t>(std::max(re_->ProgramSize(), 1)) : 0;
}

bool Regex::too_large() const { return re_ && re_->error_code() == RE2::ErrorPatternTooLarge; }

bool Regex::search(std::string_view text) const {
  return ok() && RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace meshward
