#pragma once
// The Kubernetes object every kind derives from, and the list of kinds meshward reads.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "meshward/core/diag.h"
#include "meshward/model/field.h"

namespace meshward::model {

/// Every kind meshward decodes. Adding one: a value here, a row in kinds.cpp, and
/// model/kinds/<kind>.h/.cpp.
enum class Kind : std::uint8_t {
  Namespace,
  Service,
  Endpoints,
  EndpointSlice,
  Pod,
  Gateway,
  VirtualService,
  DestinationRule,
  ServiceEntry,
  Sidecar,
  EnvoyFilter,
  WorkloadEntry,
  PeerAuthentication,
  RequestAuthentication,
  AuthorizationPolicy,
};
inline constexpr std::size_t kKindCount = 15;

/// "VirtualService".
std::string_view kind_name(Kind kind);
/// Kind by its Kubernetes name; nullopt when meshward does not model it.
std::optional<Kind> parse_kind(std::string_view name);
/// API group: "" (core), "discovery.k8s.io", "networking.istio.io", "security.istio.io".
std::string_view kind_group(Kind kind);
/// Whether objects of the kind live in a namespace (all but Namespace).
bool kind_is_namespaced(Kind kind);
/// The kind's plural resource name as used in URLs ("virtualservices").
std::string_view kind_resource(Kind kind);

/// Kubernetes ObjectMeta, the parts checks and indexes read.
struct ObjectMeta {
  Loc loc;
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  std::string creation_timestamp;  ///< RFC 3339 as written; empty when absent.
  std::int64_t generation = 0;
  Labels labels;
  Labels annotations;
};

/// A decoded Kubernetes object. Concrete kinds derive from it and add `spec` (or, for
/// Endpoints/EndpointSlice, their top-level fields). Objects are immutable once decoded and
/// shared between world snapshots through ObjectPtr.
class Object {
 public:
  explicit Object(Kind kind) : kind_(kind) {}
  virtual ~Object() = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  Kind kind() const { return kind_; }
  std::string api_version;  ///< As written: "networking.istio.io/v1beta1".
  ObjectMeta meta;
  /// File and line of the document's first line, for objects read from files.
  std::optional<SourceRef> source;
  /// Order in which the object was read; breaks creation-time ties like file order does
  /// for `istioctl analyze`.
  std::uint64_t sequence = 0;

  /// Identity for findings.
  ResourceRef ref() const;

  /// The object as `T` when it is of T's kind, else nullptr.
  template <class T>
  const T* as() const {
    return kind_ == T::kKind ? static_cast<const T*>(this) : nullptr;
  }

 private:
  Kind kind_;
};

using ObjectPtr = std::shared_ptr<const Object>;

/// Identity of an object inside a world: kind, namespace, name.
struct ObjectKey {
  Kind kind = Kind::Namespace;
  std::string namespace_;
  std::string name;
  friend bool operator==(const ObjectKey&, const ObjectKey&) = default;
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};
ObjectKey key_of(const Object& object);

}  // namespace meshward::model
