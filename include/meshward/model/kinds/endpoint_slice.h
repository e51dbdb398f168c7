#pragma once
// Kubernetes discovery.k8s.io EndpointSlice (v1, v1beta1): one slice of a Service's
// endpoints. Fields are top level (there is no spec). v1beta1 carries the zone in
// `topology["topology.kubernetes.io/zone"]`; the decoder copies it into `zone` so readers see
// one model.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/kinds/endpoints.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// AddressType, in API order.
enum class AddressType : std::uint8_t { IPv4, IPv6, FQDN };
template <>
struct EnumNames<AddressType> {
  static constexpr std::string_view names[] = {"IPv4", "IPv6", "FQDN"};
};

/// EndpointConditions. Absent means "unknown", which consumers treat as true for ready and
/// serving and false for terminating.
struct EndpointConditions {
  Loc loc;
  Field<bool> ready;
  Field<bool> serving;
  Field<bool> terminating;
};
void decode(ObjectReader& r, EndpointConditions& out);

/// ForZone / ForNode: a topology hint entry.
struct ForZone {
  Loc loc;
  Field<std::string> name;
};
void decode(ObjectReader& r, ForZone& out);

struct ForNode {
  Loc loc;
  Field<std::string> name;
};
void decode(ObjectReader& r, ForNode& out);

/// EndpointHints (topology-aware routing).
struct EndpointHints {
  Loc loc;
  std::vector<ForZone> for_zones;
  std::vector<ForNode> for_nodes;
};
void decode(ObjectReader& r, EndpointHints& out);

/// Endpoint: one backend (addresses are interchangeable copies of one endpoint; consumers
/// use the first).
struct Endpoint {
  Loc loc;
  std::vector<Field<std::string>> addresses;
  Optional<EndpointConditions> conditions;
  Field<std::string> hostname;
  Field<std::string> node_name;
  /// v1 `zone`; for v1beta1 (and v1 objects carrying only `deprecatedTopology`) the value of
  /// the topology.kubernetes.io/zone entry, with that entry's location.
  Field<std::string> zone;
  Optional<ObjectReference> target_ref;
  Optional<EndpointHints> hints;
  /// v1beta1 `topology` or v1 `deprecatedTopology`, as written.
  StringMap topology;
};
void decode(ObjectReader& r, Endpoint& out);

/// A decoded EndpointSlice.
class EndpointSlice : public Object {
 public:
  static constexpr Kind kKind = Kind::EndpointSlice;
  EndpointSlice() : Object(kKind) {}
  Field<AddressType> address_type;  ///< Required by the API.
  std::vector<Endpoint> endpoints;
  std::vector<EndpointPort> ports;  ///< Empty: no ports; a port with no number: all ports.
};
std::shared_ptr<Object> decode_endpoint_slice(ObjectReader& r);

}  // namespace meshward::model
