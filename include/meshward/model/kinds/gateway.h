#pragma once
// networking.istio.io Gateway: servers (port, hosts, TLS) a gateway workload listens on.

#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// ServerTLSSettings.TLSmode, in proto order.
enum class ServerTlsMode : std::uint8_t {
  Passthrough,
  Simple,
  Mutual,
  AutoPassthrough,
  IstioMutual,
  OptionalMutual
};
template <>
struct EnumNames<ServerTlsMode> {
  static constexpr std::string_view names[] = {"PASSTHROUGH",  "SIMPLE",       "MUTUAL",
                                               "AUTO_PASSTHROUGH", "ISTIO_MUTUAL",
                                               "OPTIONAL_MUTUAL"};
};

enum class TlsProtocolVersion : std::uint8_t { Auto, V1_0, V1_1, V1_2, V1_3 };
template <>
struct EnumNames<TlsProtocolVersion> {
  static constexpr std::string_view names[] = {"TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2",
                                               "TLSV1_3"};
};

/// networking Port (Gateway servers, Sidecar listeners).
struct Port {
  Loc loc;
  Field<std::uint32_t> number;
  Field<std::string> protocol;  ///< Free text in the API; validated by checks.
  Field<std::string> name;
  Field<std::uint32_t> target_port;
};
void decode(ObjectReader& r, Port& out);

struct TlsCertificate {
  Loc loc;
  Field<std::string> server_certificate;
  Field<std::string> private_key;
  Field<std::string> ca_certificates;
};
void decode(ObjectReader& r, TlsCertificate& out);

struct ServerTlsSettings {
  Loc loc;
  Field<bool> https_redirect;
  Field<ServerTlsMode> mode;  ///< Absent means PASSTHROUGH (the proto default).
  Field<std::string> server_certificate;
  Field<std::string> private_key;
  Field<std::string> ca_certificates;
  Field<std::string> ca_crl;
  Field<std::string> credential_name;
  std::vector<Field<std::string>> credential_names;
  std::vector<TlsCertificate> tls_certificates;
  std::vector<Field<std::string>> subject_alt_names;
  std::vector<Field<std::string>> verify_certificate_spki;
  std::vector<Field<std::string>> verify_certificate_hash;
  Field<TlsProtocolVersion> min_protocol_version;
  Field<TlsProtocolVersion> max_protocol_version;
  std::vector<Field<std::string>> cipher_suites;
};
void decode(ObjectReader& r, ServerTlsSettings& out);

struct Server {
  Loc loc;
  Optional<Port> port;
  Field<std::string> bind;
  std::vector<Field<std::string>> hosts;
  Optional<ServerTlsSettings> tls;
  Field<std::string> default_endpoint;
  Field<std::string> name;
};
void decode(ObjectReader& r, Server& out);

struct GatewaySpec {
  Loc loc;
  std::vector<Server> servers;
  StringMap selector;
};
void decode(ObjectReader& r, GatewaySpec& out);

class Gateway : public Object {
 public:
  static constexpr Kind kKind = Kind::Gateway;
  Gateway() : Object(kKind) {}
  GatewaySpec spec;
};
std::shared_ptr<Object> decode_gateway(ObjectReader& r);

}  // namespace meshward::model
