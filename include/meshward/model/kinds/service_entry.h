#pragma once
// networking.istio.io ServiceEntry: adds hosts (external APIs, VMs) to Istio's service
// registry, with their ports, resolution mode and endpoints.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/kinds/common.h"
#include "meshward/model/kinds/workload_entry.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// ServiceEntry.Location, in proto order.
enum class ServiceEntryLocation : std::uint8_t { MeshExternal, MeshInternal };
template <>
struct EnumNames<ServiceEntryLocation> {
  static constexpr std::string_view names[] = {"MESH_EXTERNAL", "MESH_INTERNAL"};
};

/// ServiceEntry.Resolution, in proto order.
enum class ServiceEntryResolution : std::uint8_t { None, Static, Dns, DnsRoundRobin, DynamicDns };
template <>
struct EnumNames<ServiceEntryResolution> {
  static constexpr std::string_view names[] = {"NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN",
                                               "DYNAMIC_DNS"};
};

/// networking.v1alpha3.ServicePort (a ServiceEntry port). Not `ServicePort`: that name is the
/// Kubernetes Service port in service.h.
struct ServiceEntryPort {
  Loc loc;
  Field<std::uint32_t> number;  ///< Required.
  Field<std::string> protocol;  ///< Free text in the API (HTTP|HTTPS|GRPC|...); checks validate.
  Field<std::string> name;      ///< Required.
  Field<std::uint32_t> target_port;
};
void decode(ObjectReader& r, ServiceEntryPort& out);

/// networking.v1alpha3.ServiceEntry spec.
struct ServiceEntrySpec {
  Loc loc;
  std::vector<Field<std::string>> hosts;  ///< Required, at least one.
  std::vector<Field<std::string>> addresses;
  std::vector<ServiceEntryPort> ports;
  Field<ServiceEntryLocation> location;      ///< Absent means MESH_EXTERNAL.
  Field<ServiceEntryResolution> resolution;  ///< Absent means NONE.
  std::vector<WorkloadEntrySpec> endpoints;  ///< Exclusive with workload_selector.
  Optional<WorkloadSelector> workload_selector;
  std::vector<Field<std::string>> export_to;
  std::vector<Field<std::string>> subject_alt_names;
};
void decode(ObjectReader& r, ServiceEntrySpec& out);

class ServiceEntry : public Object {
 public:
  static constexpr Kind kKind = Kind::ServiceEntry;
  ServiceEntry() : Object(kKind) {}
  ServiceEntrySpec spec;
};
std::shared_ptr<Object> decode_service_entry(ObjectReader& r);

}  // namespace meshward::model
