#include "meshward/core/regex.h"

#include <re2/re2.h>

namespace meshward {

Regex::Regex(std::string_view pattern) {
  // Go's regexp.Compile uses syntax.Perl; RE2's defaults match it. Set explicitly, with
  // logging off and the compile bounded.
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

bool Regex::search(std::string_view text) const {
  return ok() && RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace meshward
