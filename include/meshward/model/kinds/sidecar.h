#pragma once
// networking.istio.io Sidecar: narrows what a workload's proxy listens on (ingress) and which
// hosts it can reach (egress), and what happens to traffic to unknown hosts.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/kinds/common.h"
#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/gateway.h"
#include "meshward/model/kinds/virtual_service.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// networking.v1alpha3.CaptureMode, in proto order.
enum class CaptureMode : std::uint8_t { Default, Iptables, None };
template <>
struct EnumNames<CaptureMode> {
  static constexpr std::string_view names[] = {"DEFAULT", "IPTABLES", "NONE"};
};

/// OutboundTrafficPolicy.Mode, in proto order.
enum class OutboundTrafficPolicyMode : std::uint8_t { RegistryOnly, AllowAny };
template <>
struct EnumNames<OutboundTrafficPolicyMode> {
  static constexpr std::string_view names[] = {"REGISTRY_ONLY", "ALLOW_ANY"};
};

/// networking.v1alpha3.IstioIngressListener: one inbound port of the workload.
struct IstioIngressListener {
  Loc loc;
  Optional<Port> port;  ///< Required (SidecarPort in the proto: same fields as Port).
  Field<std::string> bind;
  Field<CaptureMode> capture_mode;  ///< Absent means DEFAULT.
  Field<std::string> default_endpoint;
  Optional<ServerTlsSettings> tls;
  Optional<ConnectionPoolSettings> connection_pool;  ///< Overrides inbound_connection_pool.
};
void decode(ObjectReader& r, IstioIngressListener& out);

/// networking.v1alpha3.IstioEgressListener: hosts reachable through one port (or all ports).
struct IstioEgressListener {
  Loc loc;
  Optional<Port> port;
  Field<std::string> bind;
  Field<CaptureMode> capture_mode;        ///< Absent means DEFAULT.
  std::vector<Field<std::string>> hosts;  ///< Required: "namespace/dnsName" entries.
};
void decode(ObjectReader& r, IstioEgressListener& out);

/// networking.v1alpha3.OutboundTrafficPolicy.
struct OutboundTrafficPolicy {
  Loc loc;
  Field<OutboundTrafficPolicyMode> mode;    ///< Absent means REGISTRY_ONLY.
  Optional<Destination> egress_proxy;  ///< Where ALLOW_ANY traffic to unknown hosts goes.
};
void decode(ObjectReader& r, OutboundTrafficPolicy& out);

/// networking.v1alpha3.Sidecar spec.
struct SidecarSpec {
  Loc loc;
  Optional<WorkloadSelector> workload_selector;
  std::vector<IstioIngressListener> ingress;
  std::vector<IstioEgressListener> egress;
  Optional<OutboundTrafficPolicy> outbound_traffic_policy;
  /// Inbound connection limits for every ingress listener without its own connection_pool.
  Optional<ConnectionPoolSettings> inbound_connection_pool;
};
void decode(ObjectReader& r, SidecarSpec& out);

class Sidecar : public Object {
 public:
  static constexpr Kind kKind = Kind::Sidecar;
  Sidecar() : Object(kKind) {}
  SidecarSpec spec;
};
std::shared_ptr<Object> decode_sidecar(ObjectReader& r);

}  // namespace meshward::model
