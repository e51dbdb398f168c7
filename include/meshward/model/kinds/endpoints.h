#pragma once
// Kubernetes core/v1 Endpoints: the addresses behind a Service, grouped into subsets that
// share ports. Fields are top level (there is no spec).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// core/v1 ObjectReference (an endpoint's targetRef, usually a Pod).
struct ObjectReference {
  Loc loc;
  Field<std::string> kind;
  Field<std::string> name;
  Field<std::string> namespace_;
  Field<std::string> uid;
};
void decode(ObjectReader& r, ObjectReference& out);

/// EndpointPort (core/v1 and discovery.k8s.io, which share the shape).
struct EndpointPort {
  Loc loc;
  Field<std::string> name;  ///< Matches the Service port's name; empty for a single port.
  /// Absent: in Endpoints not allowed; in an EndpointSlice "all ports".
  Field<std::int32_t> port;
  Field<TransportProtocol> protocol;  ///< Absent means TCP.
  Field<std::string> app_protocol;
};
void decode(ObjectReader& r, EndpointPort& out);

/// EndpointAddress.
struct EndpointAddress {
  Loc loc;
  Field<std::string> ip;
  Field<std::string> hostname;
  Field<std::string> node_name;
  Optional<ObjectReference> target_ref;
};
void decode(ObjectReader& r, EndpointAddress& out);

/// EndpointSubset: addresses that all expose `ports`.
struct EndpointSubset {
  Loc loc;
  std::vector<EndpointAddress> addresses;
  std::vector<EndpointAddress> not_ready_addresses;
  std::vector<EndpointPort> ports;
};
void decode(ObjectReader& r, EndpointSubset& out);

/// A decoded Endpoints object.
class Endpoints : public Object {
 public:
  static constexpr Kind kKind = Kind::Endpoints;
  Endpoints() : Object(kKind) {}
  std::vector<EndpointSubset> subsets;
};
std::shared_ptr<Object> decode_endpoints(ObjectReader& r);

}  // namespace meshward::model
