#pragma once
// A small command-line reader: flags in `--name value`, `--name=value` and short `-f value`
// forms, repeated flags collected in order. Unknown flags are errors.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/result.h"

namespace meshward::cli {

/// One flag a command accepts.
struct FlagSpec {
  std::string_view name;        ///< Long name without dashes: "output".
  std::string_view short_name;  ///< One letter or empty: "o".
  bool takes_value = true;
  std::string_view help;
};

/// Parsed flags of one command.
class Args {
 public:
  /// Parses argv-style words against `specs`.
  static Result<Args> parse(const std::vector<std::string>& words, const std::vector<FlagSpec>& specs);

  /// Last value of a flag, if given.
  std::optional<std::string> value(std::string_view name) const;
  /// Every value of a repeatable flag, in order.
  std::vector<std::string> values(std::string_view name) const;
  bool has(std::string_view name) const;
  /// Words that are not flags.
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> flags_;
  std::vector<std::string> positional_;
};

/// "  -o, --output VALUE   help" lines for usage text.
std::string describe_flags(const std::vector<FlagSpec>& specs);

}  // namespace meshward::cli
