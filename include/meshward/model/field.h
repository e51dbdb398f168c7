#pragma once
// Building blocks of the typed model: every decoded value knows where it came from.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "meshward/core/json.h"

namespace meshward::model {

/// Where a decoded value sits: its field path inside the resource
/// ("spec.http[0].route[1].destination.subset") and, when read from a file, its 1-based line
/// (0 when unknown, e.g. in an admission request).
struct Loc {
  std::string path;
  std::uint32_t line = 0;
};

/// A decoded scalar. `present` is false when the field was absent, null, or of the wrong type
/// (the decoder then reported a finding); `value` is then the type's default.
template <class T>
struct Field {
  T value{};
  bool present = false;
  Loc loc;

  const T& operator*() const { return value; }
  const T* operator->() const { return &value; }
  /// The value when present, else `fallback`.
  const T& value_or(const T& fallback) const { return present ? value : fallback; }
};

/// An optional sub-message, allocated only when present. Most optional blocks of a route or
/// a traffic policy are absent in real objects, and std::optional would reserve their full
/// size inline (kilobytes per route); this keeps absent blocks at one pointer. Same reading
/// API as std::optional; copies are deep.
template <class T>
class Optional {
 public:
  Optional() = default;
  Optional(std::nullopt_t) {}  // NOLINT: implicit like std::optional
  Optional(const Optional& other) : p_(other.p_ ? std::make_unique<T>(*other.p_) : nullptr) {}
  Optional(Optional&&) noexcept = default;
  Optional& operator=(const Optional& other) {
    p_ = other.p_ ? std::make_unique<T>(*other.p_) : nullptr;
    return *this;
  }
  Optional& operator=(Optional&&) noexcept = default;
  Optional& operator=(std::nullopt_t) {
    p_.reset();
    return *this;
  }

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return p_ != nullptr; }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }
  T& value() { return *p_; }
  const T& value() const { return *p_; }
  T& emplace() {
    p_ = std::make_unique<T>();
    return *p_;
  }
  void reset() { p_.reset(); }
  friend bool operator==(const Optional& o, std::nullopt_t) { return !o.p_; }

 private:
  std::unique_ptr<T> p_;
};

/// A protobuf/Go duration as Istio accepts it ("1.5s", "100ms", "1h2m"); kept as written too.
struct Duration {
  std::int64_t nanos = 0;
  std::string text;
};

/// Kubernetes IntOrString (Service targetPort and similar).
struct IntOrString {
  bool is_int = true;
  std::int64_t number = 0;
  std::string name;
};

/// A free-form JSON subtree (google.protobuf.Struct, EnvoyFilter patch values), copied out
/// of the input document so it outlives it.
struct RawJson {
  std::shared_ptr<const json::Document> doc;
  const json::Value* get() const { return doc.get(); }
};

/// Kubernetes metadata labels/annotations: plain strings, sorted by key.
using Labels = std::map<std::string, std::string>;

/// A string map whose entries are checked individually (subset labels, selectors):
/// each value keeps its own location (`...labels[version]`).
using StringMap = std::map<std::string, Field<std::string>>;

/// Names of an enum's values as they appear in YAML/JSON, in the order of the enum's
/// underlying values (0, 1, 2, ...). Specialise next to the enum:
///   template <> struct EnumNames<TlsMode> { static constexpr std::string_view names[] = {...}; };
template <class E>
struct EnumNames;

/// The YAML/JSON name of an enum value ("ISTIO_MUTUAL").
template <class E>
constexpr std::string_view enum_name(E e) {
  const auto i = static_cast<std::size_t>(e);
  constexpr auto n = std::size(EnumNames<E>::names);
  return i < n ? EnumNames<E>::names[i] : std::string_view("UNKNOWN");
}

}  // namespace meshward::model
