#include "meshward/model/reader.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace meshward::model {

std::uint32_t DecodeContext::line_of(const json::Value& v, std::uint32_t fallback) const {
  if (lines_ == nullptr) {
    return fallback;
  }
  auto it = lines_->find(&v);
  return it == lines_->end() ? fallback : it->second;
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

const json::Value* ObjectReader::take(std::string_view key) {
  if (asked_count_ < asked_.size()) {
    asked_[asked_count_++] = key;
  } else {
    asked_overflow_ = true;
  }
  // Last occurrence wins, as in Go's and Kubernetes' JSON decoders; duplicates are reported
  // by finish().
  const json::Value* found = nullptr;
  for (auto it = object_.MemberBegin(); it != object_.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == key) {
      found = &it->value;
    }
  }
  if (found != nullptr && found->IsNull()) {
    return nullptr;
  }
  return found;
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
  for (auto it = begin; it != end; ++it) {
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
      ctx_.report(kFieldDuplicate, at(name, it->value),
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
      ctx_.report(kFieldUnknown, at(name, it->value),
                  "unknown field \"" + std::string(name.substr(0, 64)) + "\"");
    }
  }
}

}  // namespace meshward::model
