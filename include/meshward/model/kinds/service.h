#pragma once
// Kubernetes core/v1 Service: the registry's hosts (<name>.<ns>.svc.cluster.local), ports and
// the selector that picks its workloads.

#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

enum class ServiceType : std::uint8_t { ClusterIP, NodePort, LoadBalancer, ExternalName };
template <>
struct EnumNames<ServiceType> {
  static constexpr std::string_view names[] = {"ClusterIP", "NodePort", "LoadBalancer",
                                               "ExternalName"};
};

enum class TransportProtocol : std::uint8_t { TCP, UDP, SCTP };
template <>
struct EnumNames<TransportProtocol> {
  static constexpr std::string_view names[] = {"TCP", "UDP", "SCTP"};
};

struct ServicePort {
  Loc loc;
  Field<std::string> name;
  Field<TransportProtocol> protocol;  ///< Absent means TCP.
  Field<std::string> app_protocol;
  Field<std::int32_t> port;
  Field<IntOrString> target_port;  ///< Absent means the same as `port`.
  Field<std::int32_t> node_port;
};
void decode(ObjectReader& r, ServicePort& out);

struct ServiceSpec {
  Loc loc;
  Field<ServiceType> type;
  Field<std::string> cluster_ip;  ///< "None" for headless services.
  std::vector<Field<std::string>> cluster_ips;
  std::vector<ServicePort> ports;
  StringMap selector;
  Field<std::string> external_name;
  std::vector<Field<std::string>> external_ips;
  Field<bool> publish_not_ready_addresses;
  Field<std::string> internal_traffic_policy;
};
void decode(ObjectReader& r, ServiceSpec& out);

class Service : public Object {
 public:
  static constexpr Kind kKind = Kind::Service;
  Service() : Object(kKind) {}
  ServiceSpec spec;
};
std::shared_ptr<Object> decode_service(ObjectReader& r);

}  // namespace meshward::model
