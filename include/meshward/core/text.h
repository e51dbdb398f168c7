#pragma once
// Small text helpers every module shares.

#include <string>
#include <string_view>
#include <vector>

namespace meshward {

/// `parts` with `sep` between each two (an empty part included).
inline std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i != 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

}  // namespace meshward
