#include "meshward/model/reader.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace meshward::model {

namespace {
inline std::size_t slot_hash(const json::Value* p) {
  // Values sit 16 or 32 bytes apart in RapidJSON's pool: mix the address bits so siblings
  // do not pile up in neighbouring slots (linear probing).
  auto x = reinterpret_cast<std::uintptr_t>(p) >> 4;
  x ^= x >> 17;
  x *= 0x9E3779B97F4A7C15ull;
  return static_cast<std::size_t>(x ^ (x >> 29));
}
}  // namespace

std::size_t LineMap::block_of(const json::Value& container) const {
  if (table_.empty()) {
    return kNoBlock;
  }
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = slot_hash(&container) & mask;; i = (i + 1) & mask) {
    if (table_[i].key == &container) {
      return table_[i].block;
    }
    if (table_[i].key == nullptr) {
      return kNoBlock;
    }
  }
}

std::uint32_t LineMap::line_of(const json::Value& v, std::uint32_t fallback) const {
  const std::size_t block = block_of(v);
  return block == kNoBlock ? fallback : lines_[block];
}

std::uint32_t LineMap::child_line(const json::Value& container, std::size_t index,
                                  std::uint32_t fallback) const {
  return line_in_block(block_of(container), index, fallback);
}

void LineMap::reserve(std::size_t values, std::size_t containers) {
  lines_.reserve(values + containers);
  std::size_t want = 16;
  while (want < 2 * containers) {  // load factor <= 1/2
    want <<= 1;
  }
  if (want > table_.size()) {
    std::vector<Slot> old = std::move(table_);
    table_.assign(want, Slot{});
    used_ = 0;
    for (const Slot& s : old) {
      if (s.key != nullptr) {
        const std::size_t mask = table_.size() - 1;
        std::size_t i = slot_hash(s.key) & mask;
        while (table_[i].key != nullptr) {
          i = (i + 1) & mask;
        }
        table_[i] = s;
        ++used_;
      }
    }
  }
}

void LineMap::grow() { reserve(lines_.size(), table_.empty() ? 8 : table_.size()); }

std::size_t LineMap::add_container(const json::Value* v, std::uint32_t line, std::size_t children) {
  const std::size_t block = lines_.size();
  set_root(v, line);
  lines_.resize(lines_.size() + children, 0);
  return block + 1;
}

void LineMap::set_root(const json::Value* v, std::uint32_t line) {
  if ((used_ + 1) * 2 > table_.size()) {
    grow();
  }
  const std::size_t mask = table_.size() - 1;
  std::size_t i = slot_hash(v) & mask;
  while (table_[i].key != nullptr && table_[i].key != v) {
    i = (i + 1) & mask;
  }
  if (table_[i].key == nullptr) {
    ++used_;
  }
  table_[i] = Slot{v, static_cast<std::uint32_t>(lines_.size())};
  lines_.push_back(line);
}

void DecodeContext::report(const RuleInfo& info, const Loc& loc, std::string message) {
  std::optional<SourceRef> source;
  if (!file.empty()) {
    source = SourceRef{file, loc.line};
  }
  findings_.push_back(make_finding(info, resource, loc.path, std::move(message), std::move(source)));
}

std::string child_path(const std::string& parent, std::string_view key) {
  std::string p;
  p.reserve(parent.size() + key.size() + 1);
  p += parent;
  if (!parent.empty()) {
    p += '.';
  }
  p += key;
  return p;
}

std::string index_path(const std::string& parent, std::size_t index) {
  std::string p;
  p.reserve(parent.size() + 6);
  p += parent;
  p += '[';
  p += std::to_string(index);
  p += ']';
  return p;
}

std::string map_key_path(const std::string& parent, std::string_view key) {
  std::string p;
  p.reserve(parent.size() + key.size() + 2);
  p += parent;
  p += '[';
  p += key;
  p += ']';
  return p;
}

namespace detail {

void report_wrong_type(const json::Value& v, const Loc& loc, DecodeContext& ctx,
                       std::string_view expected) {
  std::string msg = "expected ";
  msg += expected;
  msg += ", got ";
  msg += json::type_name(v);
  if (v.IsString() || v.IsNumber() || v.IsBool()) {
    std::string shown = json::to_string(v);
    if (shown.size() > 40) {
      shown = shown.substr(0, 37) + "...";
    }
    msg += " " + shown;
  }
  ctx.report(kFieldWrongType, loc, std::move(msg));
}

RawJson copy_raw(const json::Value& v) {
  auto doc = std::make_shared<json::Document>();
  doc->CopyFrom(v, doc->GetAllocator());
  return RawJson{std::move(doc)};
}

}  // namespace detail

namespace {

// Integers arrive as JSON numbers, as doubles with an integral value (YAML "1e3"), or as
// strings (protobuf JSON writes 64-bit integers as strings).
bool read_integer(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::int64_t min,
                  std::uint64_t max, std::string_view type, std::int64_t& out_signed,
                  std::uint64_t& out_unsigned, bool& negative) {
  auto out_of_range = [&]() {
    ctx.report(kFieldWrongType, loc,
               std::string(json::to_string(v)) + " is out of range for " + std::string(type));
    return false;
  };
  negative = false;
  if (v.IsInt64()) {
    std::int64_t x = v.GetInt64();
    if (x < min || (x > 0 && static_cast<std::uint64_t>(x) > max)) {
      return out_of_range();
    }
    negative = x < 0;
    out_signed = x;
    out_unsigned = static_cast<std::uint64_t>(x);
    return true;
  }
  if (v.IsUint64()) {
    std::uint64_t x = v.GetUint64();
    if (x > max) {
      return out_of_range();
    }
    out_unsigned = x;
    out_signed = static_cast<std::int64_t>(x);
    return true;
  }
  if (v.IsDouble()) {
    double d = v.GetDouble();
    if (!std::isfinite(d) || d != std::floor(d)) {
      ctx.report(kFieldWrongType, loc,
                 "expected an integer (" + std::string(type) + "), got " + json::to_string(v));
      return false;
    }
    if (d < static_cast<double>(min) || d > static_cast<double>(max) || d >= 18446744073709551616.0) {
      return out_of_range();
    }
    negative = d < 0;
    if (negative) {
      out_signed = static_cast<std::int64_t>(d);
      out_unsigned = static_cast<std::uint64_t>(out_signed);
    } else {
      out_unsigned = static_cast<std::uint64_t>(d);
      out_signed = static_cast<std::int64_t>(out_unsigned);
    }
    return true;
  }
  if (v.IsString()) {
    std::string_view s(v.GetString(), v.GetStringLength());
    if (!s.empty() && s[0] == '-') {
      std::int64_t x = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (ec == std::errc() && p == s.data() + s.size()) {
        if (x < min) {
          return out_of_range();
        }
        negative = true;
        out_signed = x;
        out_unsigned = static_cast<std::uint64_t>(x);
        return true;
      }
    } else {
      std::uint64_t x = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (ec == std::errc::result_out_of_range) {
        return out_of_range();
      }
      if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) {
        if (x > max) {
          return out_of_range();
        }
        out_unsigned = x;
        out_signed = static_cast<std::int64_t>(x);
        return true;
      }
    }
  }
  detail::report_wrong_type(v, loc, ctx, std::string("an integer (") + std::string(type) + ")");
  return false;
}

}  // namespace

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::string& out) {
  if (!v.IsString()) {
    detail::report_wrong_type(v, loc, ctx, "string");
    return false;
  }
  out.assign(v.GetString(), v.GetStringLength());
  return true;
}

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, bool& out) {
  if (!v.IsBool()) {
    detail::report_wrong_type(v, loc, ctx, "boolean");
    return false;
  }
  out = v.GetBool();
  return true;
}

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::int64_t& out) {
  std::int64_t s = 0;
  std::uint64_t u = 0;
  bool neg = false;
  if (!read_integer(v, loc, ctx, std::numeric_limits<std::int64_t>::min(),
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()), "int64",
                    s, u, neg)) {
    return false;
  }
  out = s;
  return true;
}

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::int32_t& out) {
  std::int64_t s = 0;
  std::uint64_t u = 0;
  bool neg = false;
  if (!read_integer(v, loc, ctx, std::numeric_limits<std::int32_t>::min(),
                    static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()), "int32",
                    s, u, neg)) {
    return false;
  }
  out = static_cast<std::int32_t>(s);
  return true;
}

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::uint32_t& out) {
  std::int64_t s = 0;
  std::uint64_t u = 0;
  bool neg = false;
  if (!read_integer(v, loc, ctx, 0, std::numeric_limits<std::uint32_t>::max(), "uint32", s, u,
                    neg)) {
    return false;
  }
  out = static_cast<std::uint32_t>(u);
  return true;
}

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::uint64_t& out) {
  std::int64_t s = 0;
  std::uint64_t u = 0;
  bool neg = false;
  if (!read_integer(v, loc, ctx, 0, std::numeric_limits<std::uint64_t>::max(), "uint64", s, u,
                    neg)) {
    return false;
  }
  out = u;
  return true;
}

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, double& out) {
  if (!v.IsNumber()) {
    detail::report_wrong_type(v, loc, ctx, "number");
    return false;
  }
  out = v.GetDouble();
  return true;
}

std::optional<std::int64_t> parse_duration_nanos(std::string_view text) {
  // Go's time.ParseDuration grammar: [-+]? (number unit)+, or "0". Units ns us µs ms s m h.
  std::string_view s = text;
  if (s.empty()) {
    return std::nullopt;
  }
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return 0;
  }
  if (s.empty()) {
    return std::nullopt;
  }
  long double total = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    long double whole = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      whole = whole * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    long double frac = 0;
    long double scale = 1;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        frac = frac * 10 + (s[i] - '0');
        scale *= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) {
      return std::nullopt;
    }
    std::size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') {
      ++u;
    }
    std::string_view unit = s.substr(i, u - i);
    long double mult = 0;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1e3L;
    } else if (unit == "ms") {
      mult = 1e6L;
    } else if (unit == "s") {
      mult = 1e9L;
    } else if (unit == "m") {
      mult = 60e9L;
    } else if (unit == "h") {
      mult = 3600e9L;
    } else {
      return std::nullopt;
    }
    total += (whole + frac / scale) * mult;
    if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    s.remove_prefix(u);
  }
  auto nanos = static_cast<std::int64_t>(total + 0.5L);
  return negative ? -nanos : nanos;
}

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, Duration& out) {
  if (!v.IsString()) {
    detail::report_wrong_type(v, loc, ctx, "duration string (e.g. \"1.5s\")");
    return false;
  }
  std::string_view text(v.GetString(), v.GetStringLength());
  auto nanos = parse_duration_nanos(text);
  if (!nanos) {
    ctx.report(kFieldWrongType, loc,
               "\"" + std::string(text) + "\" is not a duration (expected e.g. \"1.5s\", \"100ms\", \"1m\")");
    return false;
  }
  out.nanos = *nanos;
  out.text = std::string(text);
  return true;
}

bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, IntOrString& out) {
  if (v.IsString()) {
    out.is_int = false;
    out.name.assign(v.GetString(), v.GetStringLength());
    return true;
  }
  std::int64_t n = 0;
  if (!v.IsNumber()) {
    detail::report_wrong_type(v, loc, ctx, "integer or string");
    return false;
  }
  if (!read_scalar(v, loc, ctx, n)) {
    return false;
  }
  out.is_int = true;
  out.number = n;
  return true;
}

bool read_enum(const json::Value& v, const Loc& loc, DecodeContext& ctx,
               const std::string_view* names, std::size_t count, std::size_t& index) {
  if (v.IsString()) {
    std::string_view s(v.GetString(), v.GetStringLength());
    for (std::size_t i = 0; i < count; ++i) {
      if (names[i] == s) {
        index = i;
        return true;
      }
    }
    std::string allowed;
    for (std::size_t i = 0; i < count; ++i) {
      if (!names[i].empty()) {
        if (!allowed.empty()) {
          allowed += ", ";
        }
        allowed += names[i];
      }
    }
    std::string shown(s.substr(0, 64));
    ctx.report(kEnumValueUnknown, loc,
               "unknown value \"" + shown + "\" (expected one of: " + allowed + ")");
    return false;
  }
  if (v.IsUint64() && v.GetUint64() < count) {
    index = static_cast<std::size_t>(v.GetUint64());
    return true;
  }
  if (v.IsNumber()) {
    ctx.report(kEnumValueUnknown, loc, "unknown enum number " + json::to_string(v));
    return false;
  }
  detail::report_wrong_type(v, loc, ctx, "enum name string");
  return false;
}

Loc ObjectReader::at(std::string_view key, const json::Value& value) const {
  std::size_t index = 0;
  for (auto it = object_.MemberBegin(); it != object_.MemberEnd(); ++it, ++index) {
    if (&it->value == &value) {
      return at(key, index);
    }
  }
  return missing(key);
}

std::size_t ObjectReader::take_index(std::string_view key) {
  if (asked_count_ < asked_.size()) {
    asked_[asked_count_++] = key;
  } else {
    asked_overflow_ = true;
  }
  // Last occurrence wins, as in Go's and Kubernetes' JSON decoders; duplicates are reported
  // by finish().
  std::size_t found = kAbsent;
  std::size_t index = 0;
  for (auto it = object_.MemberBegin(); it != object_.MemberEnd(); ++it, ++index) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) {
      found = index;
    }
  }
  if (found != kAbsent &&
      (object_.MemberBegin() + static_cast<std::ptrdiff_t>(found))->value.IsNull()) {
    return kAbsent;
  }
  return found;
}

const json::Value* ObjectReader::take(std::string_view key) {
  const std::size_t index = take_index(key);
  return index == kAbsent ? nullptr
                          : &(object_.MemberBegin() + static_cast<std::ptrdiff_t>(index))->value;
}

void ObjectReader::report_missing(std::string_view key) {
  ctx_.report(kFieldRequired, missing(key), "required field \"" + std::string(key) + "\" is missing");
}

void ObjectReader::finish() {
  const auto begin = object_.MemberBegin();
  const auto end = object_.MemberEnd();
  // Small objects (all real ones) compare pairwise; big hostile ones use a hash set so a
  // 100k-key object stays linear.
  const bool large = object_.MemberCount() > 32;
  std::unordered_set<std::string_view> seen;
  std::size_t index = 0;
  for (auto it = begin; it != end; ++it, ++index) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    bool duplicate = false;
    if (large) {
      duplicate = !seen.insert(name).second;
    } else {
      for (auto prev = begin; prev != it && !duplicate; ++prev) {
        duplicate = std::string_view(prev->name.GetString(), prev->name.GetStringLength()) == name;
      }
    }
    if (duplicate) {
      ctx_.report(kFieldDuplicate, at(name, index),
                  "key \"" + std::string(name.substr(0, 64)) +
                      "\" appears more than once; the last one is used");
    }
    if (ignore_unknown_ || asked_overflow_) {
      continue;
    }
    bool known = false;
    for (std::size_t i = 0; i < asked_count_; ++i) {
      if (asked_[i] == name) {
        known = true;
        break;
      }
    }
    if (!known) {
      ctx_.report(kFieldUnknown, at(name, index),
                  "unknown field \"" + std::string(name.substr(0, 64)) + "\"");
    }
  }
}

}  // namespace meshward::model
