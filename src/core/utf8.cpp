#include "meshward/core/utf8.h"

namespace meshward::utf8 {

std::optional<std::string> without_surrogates(std::string_view s) {
  std::optional<std::string> out;
  // A surrogate encodes as ED A0..BF xx; anything else starting with ED is a valid character.
  for (std::size_t i = s.find('\xED'); i != std::string_view::npos; i = s.find('\xED', i + 1)) {
    if (i + 2 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0) {
      if (!out) {
        out.emplace(s);
      }
      out->replace(i, 3, "\xEF\xBF\xBD");
      i += 2;
    }
  }
  return out;
}

}  // namespace meshward::utf8
