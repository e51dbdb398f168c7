#pragma once
// The stable order every world listing uses: oldest first, like pilot's
// sortConfigByCreationTime, with the reading order of files (Object::sequence) before the name
// so that objects read from manifests without timestamps keep their file order.

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "meshward/model/object.h"

namespace meshward::world {

/// Nanoseconds since the Unix epoch of an RFC 3339 timestamp
/// (`2024-05-01T10:00:00Z`, fractional seconds and `+hh:mm` offsets accepted); nullopt when
/// malformed.
std::optional<std::int64_t> parse_rfc3339_nanos(std::string_view text);

/// The object's creation time for ordering: parse_rfc3339_nanos(creationTimestamp), or the
/// smallest value when absent or malformed (Go's zero time sorts before every real one).
std::int64_t creation_time_nanos(const model::Object& object);

/// An object's position in the stable order, precomputed (views into the object: valid while
/// it lives). Compares creation time, then Object::sequence, then name, then namespace, then
/// kind: total for objects with distinct ObjectKeys.
struct OrderKey {
  std::int64_t time = 0;                      ///< creation_time_nanos().
  std::uint64_t sequence = 0;                 ///< Object::sequence.
  std::string_view name;                      ///< metadata.name.
  std::string_view namespace_;                ///< metadata.namespace.
  model::Kind kind = model::Kind::Namespace;  ///< Last tie-break.
  friend auto operator<=>(const OrderKey&, const OrderKey&) = default;
  friend bool operator==(const OrderKey&, const OrderKey&) = default;
};

/// The object's OrderKey.
OrderKey order_key(const model::Object& object);

/// order_key(a) < order_key(b). Each call computes both keys (parsing two timestamps): to sort
/// a list, use sort_stable().
bool stable_less(const model::Object& a, const model::Object& b);

/// Sorts `objects` into the stable order, computing each object's OrderKey once (not twice per
/// comparison as sorting with stable_less() does). Equal pointers end up adjacent.
void sort_stable(std::vector<const model::Object*>& objects);

}  // namespace meshward::world
