// Sidecar ingress `tls` settings Istio's webhook rejects or warns about (ValidateSidecar and
// validateTLSOptions in pkg/config/validation/validation.go): subjectAltNames, httpsRedirect,
// credentialName(s) and tlsCertificates are unsupported on a sidecar; ISTIO_MUTUAL and
// AUTO_PASSTHROUGH are gateway-only modes; TLS needs an HTTPS/TLS port; SIMPLE/MUTUAL need
// certificate files; caCrl needs MUTUAL; and (warnings) TLS 1.0/1.1 without cipherSuites,
// duplicate cipher suites, and certificates that PASSTHROUGH ignores.

#include <set>
#include <string>

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1507", "sidecar-ingress-tls-invalid", Family::Resource,
                         Severity::Error,
                         "A Sidecar ingress listener's TLS settings are unsupported or incomplete",
                         ""};

bool set(const model::Field<std::string>& f) { return f.present && !f->empty(); }

void check_tls(const model::Sidecar& sc, const model::IstioIngressListener& in, Sink& out) {
  using model::ServerTlsMode;
  const model::ServerTlsSettings& tls = *in.tls;
  const ServerTlsMode mode = tls.mode.value_or(ServerTlsMode::Passthrough);
  const std::string mode_name(model::enum_name(mode));
  if (!tls.subject_alt_names.empty()) {
    out.report(kInfo, sc, tls.subject_alt_names.front().loc,
               "subjectAltNames is not supported in Sidecar ingress TLS: remove it");
  }
  if (tls.https_redirect.value_or(false)) {
    out.report(kInfo, sc, tls.https_redirect.loc,
               "httpsRedirect is not supported in Sidecar ingress TLS: remove it");
  }
  if (set(tls.credential_name)) {
    out.report(kInfo, sc, tls.credential_name.loc,
               "credentialName is not supported in Sidecar ingress TLS: mount the certificate "
               "and use serverCertificate/privateKey");
  }
  if (!tls.credential_names.empty()) {
    out.report(kInfo, sc, tls.credential_names.front().loc,
               "credentialNames is not supported in Sidecar ingress TLS: use "
               "serverCertificate/privateKey");
  }
  if (!tls.tls_certificates.empty()) {
    out.report(kInfo, sc, tls.tls_certificates.front().loc,
               "tlsCertificates is not supported in Sidecar ingress TLS: use "
               "serverCertificate/privateKey");
  }
  if (mode == ServerTlsMode::IstioMutual || mode == ServerTlsMode::AutoPassthrough) {
    out.report(kInfo, sc, tls.mode.loc,
               "mode " + mode_name + " cannot be used in Sidecar ingress TLS: use SIMPLE, MUTUAL "
               "or OPTIONAL_MUTUAL");
  }
  if (in.port) {
    auto p = validate::parse_protocol(in.port->protocol.value);
    if (!p || !validate::is_tls(*p)) {
      out.report(kInfo, sc, tls.loc,
                 "TLS settings need an HTTPS or TLS port, but port " +
                     std::to_string(in.port->number.value) + " has protocol " +
                     validate::quote(in.port->protocol.value) +
                     ": set port.protocol to HTTPS or TLS, or remove tls");
    }
  }
  // validateTLSOptions.
  using model::TlsProtocolVersion;
  if (tls.min_protocol_version.present &&
      (*tls.min_protocol_version == TlsProtocolVersion::V1_0 ||
       *tls.min_protocol_version == TlsProtocolVersion::V1_1) &&
      tls.cipher_suites.empty()) {
    out.report(kInfo, sc, tls.min_protocol_version.loc,
               "minProtocolVersion below TLSV1_2 needs cipherSuites: the default ciphers no "
               "longer include ones compatible with TLS 1.0/1.1",
               Severity::Warning, "Istio accepts it with a warning");
  }
  std::set<std::string> ciphers;
  for (const auto& cs : tls.cipher_suites) {
    if (!ciphers.insert(*cs).second) {
      out.report(kInfo, sc, cs.loc,
                 "cipher suite " + validate::quote(*cs) + " is listed twice and is ignored",
                 Severity::Warning, "Istio ignores duplicate cipher suites with a warning");
    }
  }
  if (mode == ServerTlsMode::IstioMutual) {
    return;
  }
  if (mode == ServerTlsMode::Passthrough || mode == ServerTlsMode::AutoPassthrough) {
    if (set(tls.ca_crl) || set(tls.server_certificate) || set(tls.private_key) ||
        set(tls.ca_certificates) || set(tls.credential_name)) {
      out.report(kInfo, sc, tls.loc,
                 mode_name + " mode does not use certificates; they are ignored: remove them or "
                             "set mode SIMPLE/MUTUAL",
                 Severity::Warning, "Istio accepts ignored certificates with a warning");
    }
  }
  const bool terminating = mode == ServerTlsMode::Simple || mode == ServerTlsMode::Mutual ||
                           mode == ServerTlsMode::OptionalMutual;
  if (terminating && set(tls.credential_name)) {
    return;
  }
  if (terminating) {
    if (!set(tls.server_certificate)) {
      out.report(kInfo, sc, tls.loc,
                 mode_name + " TLS requires a server certificate: set serverCertificate");
    }
    if (!set(tls.private_key)) {
      out.report(kInfo, sc, tls.loc, mode_name + " TLS requires a private key: set privateKey");
    }
    if (mode != ServerTlsMode::Simple && !set(tls.ca_certificates)) {
      out.report(kInfo, sc, tls.loc,
                 mode_name + " TLS requires a client CA bundle: set caCertificates");
    }
  }
  if (set(tls.ca_crl)) {
    if (set(tls.credential_name)) {
      out.report(kInfo, sc, tls.ca_crl.loc,
                 "caCrl is not supported with credentialName: put the CRL in the credential");
    }
    if (mode == ServerTlsMode::Simple) {
      out.report(kInfo, sc, tls.ca_crl.loc,
                 "caCrl is not supported with SIMPLE TLS (no client certificates are checked): "
                 "use MUTUAL or remove caCrl");
    }
  }
}

void check(const model::Sidecar& sc, Sink& out) {
  for (const model::IstioIngressListener& in : sc.spec.ingress) {
    if (in.tls) {
      check_tls(sc, in, out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
