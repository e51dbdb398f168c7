#pragma once
// The typed decoder's reading primitives. A kind's decoder is a set of plain functions
//   void decode(ObjectReader& r, HTTPRoute& out) { r.optional("name", out.name); ... }
// one per struct; decode_value() dispatches on the C++ type of the destination, so a field
// is decoded by naming it once. Problems become findings in the DecodeContext; nothing here
// throws on bad input.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "meshward/core/diag.h"
#include "meshward/core/json.h"
#include "meshward/model/decode_rules.h"
#include "meshward/model/field.h"

namespace meshward::model {

/// Lines (1-based) of a document's values, for documents read from files. Only containers
/// (objects, arrays) are keyed, each to a block holding its own line and its children's
/// lines by member/element index: decoding asks for a child's line while it holds the parent,
/// so one hash lookup per object serves all its fields.
class LineMap {
 public:
  /// Line of a container value (or of a scalar root); `fallback` when unknown.
  std::uint32_t line_of(const json::Value& v, std::uint32_t fallback) const;
  /// Line of the `index`-th member/element of `container`; `fallback` when unknown.
  std::uint32_t child_line(const json::Value& container, std::size_t index,
                           std::uint32_t fallback) const;

  /// The block of a container, for repeated child lookups (kNoBlock when unknown).
  static constexpr std::size_t kNoBlock = static_cast<std::size_t>(-1);
  std::size_t block_of(const json::Value& container) const;
  /// Line of child `index` of the container whose block is `block`.
  std::uint32_t line_in_block(std::size_t block, std::size_t index, std::uint32_t fallback) const {
    if (block == kNoBlock) {
      return fallback;
    }
    const std::size_t slot = block + 1 + index;
    return slot < lines_.size() && lines_[slot] != 0 ? lines_[slot] : fallback;
  }
  /// Reserves room for `values` values of which `containers` are objects or arrays.
  void reserve(std::size_t values, std::size_t containers);

  /// Builders. add_container() opens a block for `v` (own line + `children` slots) and
  /// returns the slot of its first child; set() fills a slot.
  std::size_t add_container(const json::Value* v, std::uint32_t line, std::size_t children);
  void set(std::size_t slot, std::uint32_t line) { lines_[slot] = line; }
  void set_root(const json::Value* v, std::uint32_t line);
  bool empty() const { return used_ == 0; }

 private:
  // Open-addressing table (linear probing, power-of-two size) from container address to
  // block: hundreds of thousands of entries per large file, looked up once per decoded
  // struct, so it must be flat rather than node-based.
  struct Slot {
    const json::Value* key = nullptr;
    std::uint32_t block = 0;
  };
  void grow();
  std::vector<Slot> table_;
  std::size_t used_ = 0;
  std::vector<std::uint32_t> lines_;
};

/// State shared by one document's decoding: where lines come from, where findings go, and
/// which resource the findings are about.
class DecodeContext {
 public:
  DecodeContext(const LineMap* lines, std::vector<Finding>& findings)
      : lines_(lines), findings_(findings) {}

  /// Line of a container value (or the root) in its file, or `fallback` when unknown.
  std::uint32_t line_of(const json::Value& v, std::uint32_t fallback = 0) const {
    return lines_ == nullptr ? fallback : lines_->line_of(v, fallback);
  }
  /// Line of the `index`-th member/element of `container`, or `fallback` when unknown.
  std::uint32_t child_line(const json::Value& container, std::size_t index,
                           std::uint32_t fallback) const {
    return lines_ == nullptr ? fallback : lines_->child_line(container, index, fallback);
  }
  /// Block of a container in the line map (one lookup for many child_line_in() calls).
  std::size_t block_of(const json::Value& container) const {
    return lines_ == nullptr ? LineMap::kNoBlock : lines_->block_of(container);
  }
  std::uint32_t child_line_in(std::size_t block, std::size_t index, std::uint32_t fallback) const {
    return lines_ == nullptr ? fallback : lines_->line_in_block(block, index, fallback);
  }

  /// Adds a finding about the current resource at `loc`.
  void report(const RuleInfo& info, const Loc& loc, std::string message);

  /// Switches the line map (a List item has its own); returns the previous one.
  const LineMap* set_lines(const LineMap* lines) {
    const LineMap* previous = lines_;
    lines_ = lines;
    return previous;
  }

  ResourceRef resource;  ///< Filled in as soon as apiVersion/kind/metadata are read.
  std::string file;      ///< Source file, empty for admission requests.

 private:
  const LineMap* lines_;
  std::vector<Finding>& findings_;
};

/// Path of `key` under `parent` ("spec" + "hosts" -> "spec.hosts").
std::string child_path(const std::string& parent, std::string_view key);
/// Path of element `index` under `parent` ("spec.hosts" + 0 -> "spec.hosts[0]").
std::string index_path(const std::string& parent, std::size_t index);
/// Path of map entry `key` under `parent` ("labels" + "app" -> "labels[app]").
std::string map_key_path(const std::string& parent, std::string_view key);

class ObjectReader;

// Scalar readers: convert one JSON value into T, or report and return false.
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::string& out);
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, bool& out);
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::int64_t& out);
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::int32_t& out);
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::uint32_t& out);
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, std::uint64_t& out);
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, double& out);
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, Duration& out);
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, IntOrString& out);

/// Parses a Go/protobuf duration ("1h2m3.5s", "100ms", "-1s"); nullopt when malformed.
std::optional<std::int64_t> parse_duration_nanos(std::string_view text);

/// Reads an enum by name (or by number, as protobuf JSON allows).
bool read_enum(const json::Value& v, const Loc& loc, DecodeContext& ctx, const std::string_view* names,
               std::size_t count, std::size_t& index);

template <class E>
bool read_scalar(const json::Value& v, const Loc& loc, DecodeContext& ctx, E& out)
  requires std::is_enum_v<E>
{
  std::size_t index = 0;
  if (!read_enum(v, loc, ctx, EnumNames<E>::names, std::size(EnumNames<E>::names), index)) {
    return false;
  }
  out = static_cast<E>(index);
  return true;
}

namespace detail {
template <class T>
struct IsField : std::false_type {};
template <class T>
struct IsField<Field<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsOptional<Optional<T>> : std::true_type {};
template <class T>
struct IsStringMap : std::false_type {};
template <class T, class C, class A>
struct IsStringMap<std::map<std::string, T, C, A>> : std::true_type {};

template <class T>
inline constexpr bool kIsPlainScalar =
    std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_same_v<T, std::string> ||
    std::is_same_v<T, Duration> || std::is_same_v<T, IntOrString>;

/// Reports "expected X, got Y" at loc.
void report_wrong_type(const json::Value& v, const Loc& loc, DecodeContext& ctx,
                       std::string_view expected);
RawJson copy_raw(const json::Value& v);
}  // namespace detail

/// Decodes `v` (found at `loc`) into `out`, whatever `out` is: Field<T>, std::vector<T>,
/// std::optional<T>, std::map<std::string, T>, RawJson, or a model struct with a
/// `void decode(ObjectReader&, T&)` overload and a `Loc loc` member; plain scalars (std::string,
/// numbers, enums) decode without location, for maps such as Labels.
/// Returns false when the value had the wrong shape (already reported).
template <class T>
bool decode_value(const json::Value& v, const Loc& loc, DecodeContext& ctx, T& out);

/// Reads the members of one JSON object. Keys a decoder never asks for are reported as
/// unknown fields by finish(), which decode_value() calls after the struct's decode().
class ObjectReader {
 public:
  ObjectReader(const json::Value& object, const Loc& loc, DecodeContext& ctx)
      : object_(object), loc_(loc), ctx_(ctx), block_(ctx.block_of(object)) {}
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  /// Decodes `key` into `out` if present and not null. Returns whether it was present.
  template <class T>
  bool optional(std::string_view key, T& out) {
    const std::size_t index = take_index(key);
    if (index == kAbsent) {
      return false;
    }
    decode_value((object_.MemberBegin() + static_cast<std::ptrdiff_t>(index))->value,
                 at(key, index), ctx_, out);
    return true;
  }

  /// Like optional(), and reports a missing-field finding when absent or null.
  template <class T>
  bool required(std::string_view key, T& out) {
    if (optional(key, out)) {
      return true;
    }
    report_missing(key);
    return false;
  }

  /// Accepts `key` without decoding it (status, fields the checks never read).
  void ignore(std::string_view key) { take(key); }
  /// Accepts every key not otherwise read (free-form or fast-moving objects like metadata).
  void ignore_unknown() { ignore_unknown_ = true; }

  /// The raw value of `key` (marked as read), or nullptr when absent or null. For fields
  /// whose decoding depends on their shape (oneofs, int-or-string).
  const json::Value* raw(std::string_view key) { return take(key); }
  /// Location of `key`'s value, given the member's index in this object.
  Loc at(std::string_view key, std::size_t member_index) const {
    return Loc{child_path(loc_.path, key), ctx_.child_line_in(block_, member_index, loc_.line)};
  }
  /// Location of `key`'s value (line of the value itself when known), for a value obtained
  /// from raw().
  Loc at(std::string_view key, const json::Value& value) const;
  /// Location of a missing `key`: its path, and the line of the object that lacks it.
  Loc missing(std::string_view key) const { return Loc{child_path(loc_.path, key), loc_.line}; }

  /// Reports `key` as required but missing.
  void report_missing(std::string_view key);

  /// Reports unknown and duplicate keys. Called by decode_value(); call it yourself only
  /// when you build an ObjectReader by hand.
  void finish();

  const Loc& loc() const { return loc_; }
  DecodeContext& ctx() { return ctx_; }
  const json::Value& object() const { return object_; }

 private:
  static constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);
  /// Index of the (last) member named `key`, kAbsent when absent or null; marks it as read.
  std::size_t take_index(std::string_view key);
  const json::Value* take(std::string_view key);

  const json::Value& object_;
  const Loc& loc_;
  DecodeContext& ctx_;
  std::size_t block_;  // this object's block in the line map
  // Keys asked for so far; objects are small, so a linear scan beats hashing.
  std::array<std::string_view, 64> asked_{};
  std::size_t asked_count_ = 0;
  bool asked_overflow_ = false;
  bool ignore_unknown_ = false;
};

template <class T>
bool decode_value(const json::Value& v, const Loc& loc, DecodeContext& ctx, T& out) {
  if constexpr (detail::IsField<T>::value) {
    out.loc = loc;
    out.present = read_scalar(v, loc, ctx, out.value);
    return out.present;
  } else if constexpr (detail::kIsPlainScalar<T>) {
    return read_scalar(v, loc, ctx, out);
  } else if constexpr (std::is_same_v<T, RawJson>) {
    out = detail::copy_raw(v);
    return true;
  } else if constexpr (detail::IsVector<T>::value) {
    if (!v.IsArray()) {
      detail::report_wrong_type(v, loc, ctx, "array");
      return false;
    }
    out.clear();
    out.reserve(v.Size());
    const std::size_t block = ctx.block_of(v);
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      out.emplace_back();
      const json::Value& item = v[i];
      decode_value(item, Loc{index_path(loc.path, i), ctx.child_line_in(block, i, loc.line)}, ctx,
                   out.back());
    }
    return true;
  } else if constexpr (detail::IsOptional<T>::value) {
    out.emplace();
    if (!decode_value(v, loc, ctx, *out)) {
      out.reset();
      return false;
    }
    return true;
  } else if constexpr (detail::IsStringMap<T>::value) {
    if (!v.IsObject()) {
      detail::report_wrong_type(v, loc, ctx, "object");
      return false;
    }
    out.clear();
    std::size_t index = 0;
    const std::size_t block = ctx.block_of(v);
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it, ++index) {
      std::string key(it->name.GetString(), it->name.GetStringLength());
      Loc item_loc{map_key_path(loc.path, key), ctx.child_line_in(block, index, loc.line)};
      decode_value(it->value, item_loc, ctx, out[std::move(key)]);
    }
    return true;
  } else {
    // A model struct.
    if (!v.IsObject()) {
      detail::report_wrong_type(v, loc, ctx, "object");
      return false;
    }
    out.loc = loc;
    ObjectReader reader(v, out.loc, ctx);
    decode(reader, out);
    reader.finish();
    return true;
  }
}

}  // namespace meshward::model
