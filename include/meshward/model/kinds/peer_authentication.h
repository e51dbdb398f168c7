#pragma once
// security.istio.io PeerAuthentication (v1, v1beta1): the mTLS mode a workload's sidecar (or
// ztunnel) accepts, for the whole workload and per port.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "meshward/model/field.h"
#include "meshward/model/kinds/common.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// PeerAuthentication.MutualTLS.Mode, in proto order.
enum class MutualTlsMode : std::uint8_t { Unset, Disable, Permissive, Strict };
template <>
struct EnumNames<MutualTlsMode> {
  static constexpr std::string_view names[] = {"UNSET", "DISABLE", "PERMISSIVE", "STRICT"};
};

/// PeerAuthentication.MutualTLS.
struct MutualTls {
  Loc loc;
  /// Absent means UNSET (the proto default): inherit from the namespace/mesh policy, and
  /// PERMISSIVE when there is none.
  Field<MutualTlsMode> mode;
};
void decode(ObjectReader& r, MutualTls& out);

/// PeerAuthentication spec.
struct PeerAuthenticationSpec {
  Loc loc;
  /// Absent: the policy applies to every workload of its namespace (mesh-wide in the root
  /// namespace).
  Optional<LabelSelector> selector;
  /// Absent: inherit from the parent policy.
  Optional<MutualTls> mtls;
  /// Keyed by port number as written ("8080"); a key that is not a port number is reported
  /// (MW1002) but kept. Only honoured when `selector` is set.
  std::map<std::string, MutualTls> port_level_mtls;
};
void decode(ObjectReader& r, PeerAuthenticationSpec& out);

/// A decoded PeerAuthentication.
class PeerAuthentication : public Object {
 public:
  static constexpr Kind kKind = Kind::PeerAuthentication;
  PeerAuthentication() : Object(kKind) {}
  PeerAuthenticationSpec spec;
};
std::shared_ptr<Object> decode_peer_authentication(ObjectReader& r);

}  // namespace meshward::model
