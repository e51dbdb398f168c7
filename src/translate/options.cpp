#include "meshward/translate/options.h"

#include <charconv>

namespace meshward::translate {

namespace {

// Reads a decimal number at the front of `text`, advancing it; nullopt when there is none.
std::optional<int> read_number(std::string_view& text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) {
    return std::nullopt;
  }
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

}  // namespace

std::optional<IstioVersion> parse_istio_version(std::string_view text) {
  if (text.starts_with('v')) {
    text.remove_prefix(1);
  }
  const auto major = read_number(text);
  if (!major || !text.starts_with('.')) {
    return std::nullopt;
  }
  text.remove_prefix(1);
  const auto minor = read_number(text);
  if (!minor) {
    return std::nullopt;
  }
  if (text.starts_with('.')) {  // A patch release behaves as its minor release.
    text.remove_prefix(1);
    if (!read_number(text)) {
      return std::nullopt;
    }
  }
  if (!text.empty()) {
    return std::nullopt;
  }
  const IstioVersion v{*major, *minor};
  if (v < kOldestIstioVersion || v > kNewestIstioVersion) {
    return std::nullopt;
  }
  return v;
}

std::string to_string(IstioVersion v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

}  // namespace meshward::translate
