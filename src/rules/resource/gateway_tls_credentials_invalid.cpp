// Gateway server TLS credentials that do not fit the TLS mode: ISTIO_MUTUAL with certificate
// fields, several certificate sources at once, SIMPLE/MUTUAL/OPTIONAL_MUTUAL without a
// certificate and key (or, for MUTUAL, a CA bundle), or a CRL with credentialName or SIMPLE
// (errors); certificates on PASSTHROUGH servers and more than two tlsCertificates (warnings:
// ignored). Mirrors validateTLSOptions in pkg/config/validation/validation.go; Envoy would have
// no certificate to serve and the handshake fails.

#include <string>

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

using model::ServerTlsMode;

constexpr RuleInfo kInfo{"MW1109", "gateway-tls-credentials-invalid", Family::Resource,
                         Severity::Error,
                         "A Gateway server's TLS certificates do not match its TLS mode", ""};

const model::Loc& loc_of(const model::Field<std::string>& f, const model::Loc& fallback) {
  return f.present ? f.loc : fallback;
}

void check_tls(const model::Gateway& gw, const model::ServerTlsSettings& tls, Sink& out) {
  const ServerTlsMode mode = tls.mode.value_or(ServerTlsMode::Passthrough);
  const std::string mode_name(model::enum_name(mode));
  const bool has_cert = !tls.server_certificate.value.empty();
  const bool has_key = !tls.private_key.value.empty();
  const bool has_ca = !tls.ca_certificates.value.empty();
  const bool has_cred = !tls.credential_name.value.empty();
  const bool has_creds = !tls.credential_names.empty();
  const bool has_tls_certs = !tls.tls_certificates.empty();

  if (mode == ServerTlsMode::IstioMutual) {
    const auto bad = [&](bool set, const model::Loc& loc, const char* what) {
      if (set) {
        out.report(kInfo, gw, loc,
                   std::string("ISTIO_MUTUAL TLS cannot have ") + what +
                       ": remove it (the mesh certificate is used)");
      }
    };
    bad(has_cert, tls.server_certificate.loc, "a serverCertificate");
    bad(has_key, tls.private_key.loc, "a privateKey");
    bad(has_ca, tls.ca_certificates.loc, "caCertificates");
    bad(has_tls_certs, tls.loc, "tlsCertificates");
    bad(has_cred, tls.credential_name.loc, "a credentialName");
    bad(has_creds, tls.loc, "credentialNames");
    return;
  }

  if ((mode == ServerTlsMode::Passthrough || mode == ServerTlsMode::AutoPassthrough) &&
      (!tls.ca_crl.value.empty() || has_cert || has_key || has_ca || has_tls_certs || has_cred ||
       has_creds)) {
    out.report(kInfo, gw, tls.mode.present ? tls.mode.loc : tls.loc,
               mode_name + " mode does not use certificates, they will be ignored: remove them "
                           "or terminate TLS with mode SIMPLE",
               Severity::Warning, "Istio only warns: the certificates are ignored");
  }

  const int sources = (has_cert && has_key ? 1 : 0) + (has_cred ? 1 : 0) + (has_creds ? 1 : 0) +
                      (has_tls_certs ? 1 : 0);
  if (sources > 1) {
    out.report(kInfo, gw, tls.loc,
               "several certificate sources are set: keep only one of credentialName, "
               "credentialNames, serverCertificate/privateKey, tlsCertificates");
  }

  const bool terminating = mode == ServerTlsMode::Simple || mode == ServerTlsMode::Mutual ||
                           mode == ServerTlsMode::OptionalMutual;
  if (terminating && !(has_cred || has_creds)) {
    const bool mutual = mode != ServerTlsMode::Simple;
    const std::string prefix = mutual ? "MUTUAL TLS" : "SIMPLE TLS";
    if (mutual && !has_ca) {
      out.report(kInfo, gw, loc_of(tls.ca_certificates, tls.loc),
                 prefix + " (mode " + mode_name +
                     ") requires a client CA bundle: set caCertificates or use a credentialName");
    }
    if (tls.tls_certificates.size() > 2) {
      out.report(kInfo, gw, tls.loc,
                 prefix + " supports at most 2 server certificates, " +
                     std::to_string(tls.tls_certificates.size()) +
                     " tlsCertificates given: keep one RSA and one ECDSA certificate",
                 Severity::Warning, "Istio only warns: extra certificates are ignored");
    }
    if (has_tls_certs) {
      for (const model::TlsCertificate& c : tls.tls_certificates) {
        if (c.server_certificate.value.empty()) {
          out.report(kInfo, gw, c.loc,
                     prefix + " requires a server certificate: set serverCertificate");
        }
        if (c.private_key.value.empty()) {
          out.report(kInfo, gw, c.loc, prefix + " requires a private key: set privateKey");
        }
      }
    } else {
      if (!has_cert) {
        out.report(kInfo, gw, loc_of(tls.server_certificate, tls.loc),
                   prefix + " (mode " + mode_name +
                       ") requires a server certificate: set credentialName (preferred) or "
                       "serverCertificate and privateKey");
      }
      if (!has_key) {
        out.report(kInfo, gw, loc_of(tls.private_key, tls.loc),
                   prefix + " (mode " + mode_name +
                       ") requires a private key: set credentialName (preferred) or "
                       "serverCertificate and privateKey");
      }
    }
  }

  if (!tls.ca_crl.value.empty()) {
    if (has_cred) {
      out.report(kInfo, gw, tls.ca_crl.loc,
                 "caCrl is not supported with credentialName: put the CRL (ca.crl) in the "
                 "credential Secret instead");
    }
    if (mode == ServerTlsMode::Simple) {
      out.report(kInfo, gw, tls.ca_crl.loc,
                 "caCrl is not supported with SIMPLE TLS: remove it or use mode MUTUAL");
    }
  }
}

void check(const model::Gateway& gw, Sink& out) {
  for (const model::Server& server : gw.spec.servers) {
    if (server.tls) {
      check_tls(gw, *server.tls, out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
