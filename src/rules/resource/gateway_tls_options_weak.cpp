// Gateway TLS options Envoy will not honour as written: a minimum version of TLS 1.0/1.1 with
// no cipherSuites (Envoy's defaults no longer include ciphers those versions need, so old
// clients still fail), unknown cipher suite names and duplicates (both ignored). Istio only
// warns (validateTLSOptions, pkg/config/validation/validation.go; security.IsValidCipherSuite).

#include <set>
#include <string>
#include <string_view>

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1110", "gateway-tls-options-weak", Family::Resource,
                         Severity::Warning,
                         "Gateway TLS options are ignored: old TLS versions without ciphers, "
                         "unknown or duplicate cipher suites",
                         ""};

// pkg/config/security/security.go ValidCipherSuites (Envoy/BoringSSL names).
constexpr std::string_view kCiphers[] = {
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-SHA",        "ECDHE-RSA-AES128-SHA",
    "ECDHE-ECDSA-AES256-SHA",        "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256",             "AES256-GCM-SHA384",
    "AES128-SHA",                    "AES256-SHA",
    "DES-CBC3-SHA",
};

bool valid_cipher(std::string_view cs) {
  if (cs.empty() || cs == "ALL") {
    return true;
  }
  const char c = cs.front();
  const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (!alnum) {
    return true;  // BoringSSL operators (!, -, +, [) are passed through.
  }
  for (std::string_view known : kCiphers) {
    if (known == cs) {
      return true;
    }
  }
  return false;
}

void check(const model::Gateway& gw, Sink& out) {
  for (const model::Server& server : gw.spec.servers) {
    if (!server.tls) {
      continue;
    }
    const model::ServerTlsSettings& tls = *server.tls;
    const auto min = tls.min_protocol_version;
    if (min.present &&
        (min.value == model::TlsProtocolVersion::V1_0 ||
         min.value == model::TlsProtocolVersion::V1_1) &&
        tls.cipher_suites.empty()) {
      out.report(kInfo, gw, min.loc,
                 "minProtocolVersion " + std::string(model::enum_name(min.value)) +
                     " needs cipherSuites compatible with it (the defaults no longer include "
                     "them): list cipherSuites or raise minProtocolVersion to TLSV1_2");
    }
    std::set<std::string> seen;
    for (const auto& cs : tls.cipher_suites) {
      if (!valid_cipher(cs.value)) {
        out.report(kInfo, gw, cs.loc,
                   "unknown cipher suite " + validate::quote(cs.value) +
                       " is ignored: use an Envoy cipher name such as "
                       "ECDHE-RSA-AES128-GCM-SHA256");
      } else if (!seen.insert(cs.value).second) {
        out.report(kInfo, gw, cs.loc,
                   "duplicate cipher suite " + validate::quote(cs.value) + " is ignored: remove it");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
