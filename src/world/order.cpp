#include "meshward/world/order.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace meshward::world {

namespace {

// Reads exactly `n` digits at `pos`; advances `pos`.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, std::int64_t& out) {
  if (pos + n > s.size()) {
    return false;
  }
  std::int64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_nanos(std::string_view s) {
  std::size_t pos = 0;
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-') || !read_digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_digits(s, pos, 2, day)) {
    return std::nullopt;
  }
  if (!(expect(s, pos, 'T') || expect(s, pos, 't'))) {
    return std::nullopt;
  }
  if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':') || !read_digits(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !read_digits(s, pos, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::int64_t nanos = 0;
  if (expect(s, pos, '.')) {
    std::int64_t scale = 100000000;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) {
      return std::nullopt;
    }
  }
  std::int64_t offset = 0;
  if (expect(s, pos, 'Z') || expect(s, pos, 'z')) {
    offset = 0;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const std::int64_t sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    std::int64_t oh = 0, om = 0;
    if (!read_digits(s, pos, 2, oh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, om)) {
      return std::nullopt;
    }
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) {
    return std::nullopt;
  }
  const std::int64_t seconds =
      days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  // Nanoseconds since the epoch fit in 64 bits from 1677 to 2262 only (Go's UnixNano has the
  // same range); RFC 3339 allows years 0000-9999, so times beyond are held at the ends
  // (found by fuzz_kube_list: a creationTimestamp in the year 4428 overflowed).
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000000000 - 1;
  if (seconds > kMaxSeconds) {
    return std::numeric_limits<std::int64_t>::max();
  }
  if (seconds < -kMaxSeconds) {
    return std::numeric_limits<std::int64_t>::min() + 1;  // min() itself means "no timestamp"
  }
  return seconds * 1000000000 + nanos;
}

std::int64_t creation_time_nanos(const model::Object& object) {
  if (object.meta.creation_timestamp.empty()) {
    return std::numeric_limits<std::int64_t>::min();
  }
  return parse_rfc3339_nanos(object.meta.creation_timestamp)
      .value_or(std::numeric_limits<std::int64_t>::min());
}

OrderKey order_key(const model::Object& object) {
  return OrderKey{creation_time_nanos(object), object.sequence, object.meta.name,
                  object.meta.namespace_, object.kind()};
}

bool stable_less(const model::Object& a, const model::Object& b) {
  return order_key(a) < order_key(b);
}

void sort_stable(std::vector<const model::Object*>& objects) {
  if (objects.size() < 2) {
    return;
  }
  std::vector<std::pair<OrderKey, const model::Object*>> keyed;
  keyed.reserve(objects.size());
  for (const model::Object* o : objects) {
    keyed.emplace_back(order_key(*o), o);
  }
  // Distinct objects have distinct keys; the same object twice ties, and either copy may
  // come first (they are equal).
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    objects[i] = keyed[i].second;
  }
}

}  // namespace meshward::world
