// DestinationRule client `tls` settings Istio's webhook rejects (agent.ValidateTLS in
// pkg/config/validation/agent/validation.go): insecureSkipVerify together with the
// verification settings it disables, certificate files together with credentialName, MUTUAL
// without a client certificate and key, and a configmap:// credentialName outside the rule's
// namespace. The sidecar could not build the upstream TLS context, so requests fail.

#include <string>
#include <string_view>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"
#include "traffic_policy_util.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1309", "destinationrule-tls-invalid", Family::Resource,
                         Severity::Error,
                         "A DestinationRule client TLS setting is contradictory or incomplete",
                         ""};

bool set(const model::Field<std::string>& f) { return f.present && !f->empty(); }

void check_tls(const model::DestinationRule& dr, const model::ClientTlsSettings& tls, Sink& out) {
  using model::ClientTlsMode;
  const ClientTlsMode mode = tls.mode.value_or(ClientTlsMode::Disable);
  constexpr std::string_view kConfigMap = "configmap://";
  if (set(tls.credential_name) && tls.credential_name->rfind(kConfigMap, 0) == 0) {
    const std::string rest = tls.credential_name->substr(kConfigMap.size());
    const auto slash = rest.find('/');
    const std::string& ns = dr.meta.namespace_;
    if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size()) {
      out.report(kInfo, dr, tls.credential_name.loc,
                 "credentialName " + validate::quote(*tls.credential_name) +
                     " is not of the form configmap://<namespace>/<name>");
    } else if (ns.empty() || rest.substr(0, slash) != ns) {
      out.report(kInfo, dr, tls.credential_name.loc,
                 "credentialName " + validate::quote(*tls.credential_name) +
                     " must name a ConfigMap in the DestinationRule's own namespace " +
                     validate::quote(ns) + ": use configmap://" + ns + "/" +
                     rest.substr(slash + 1));
    }
  }
  if (tls.insecure_skip_verify.value_or(false)) {
    if (mode == ClientTlsMode::Simple &&
        (set(tls.ca_certificates) || set(tls.credential_name) || !tls.subject_alt_names.empty())) {
      out.report(kInfo, dr, tls.insecure_skip_verify.loc,
                 "insecureSkipVerify disables server verification, so caCertificates, "
                 "credentialName and subjectAltNames cannot be set with it: remove them or "
                 "drop insecureSkipVerify");
    }
    if (mode == ClientTlsMode::Mutual &&
        (set(tls.ca_certificates) || !tls.subject_alt_names.empty())) {
      out.report(kInfo, dr, tls.insecure_skip_verify.loc,
                 "insecureSkipVerify disables server verification, so caCertificates and "
                 "subjectAltNames cannot be set with it: remove them or drop "
                 "insecureSkipVerify");
    }
  }
  if ((mode == ClientTlsMode::Simple || mode == ClientTlsMode::Mutual) &&
      set(tls.credential_name)) {
    if (set(tls.client_certificate) || set(tls.ca_certificates) || set(tls.private_key) ||
        set(tls.ca_crl)) {
      out.report(kInfo, dr, tls.credential_name.loc,
                 "credentialName cannot be combined with clientCertificate, privateKey, "
                 "caCertificates or caCrl: put the certificates in the credential, or drop "
                 "credentialName");
    }
    return;
  }
  if (mode == ClientTlsMode::Mutual) {
    if (!set(tls.client_certificate)) {
      out.report(kInfo, dr, tls.loc,
                 "MUTUAL TLS needs a client certificate: set clientCertificate (or use "
                 "credentialName, or ISTIO_MUTUAL for mesh mTLS)");
    }
    if (!set(tls.private_key)) {
      out.report(kInfo, dr, tls.loc,
                 "MUTUAL TLS needs a private key: set privateKey (or use credentialName, or "
                 "ISTIO_MUTUAL for mesh mTLS)");
    }
  }
}

void check(const model::DestinationRule& dr, Sink& out) {
  for_each_policy_setting(dr, &model::TrafficPolicy::tls,
                          &model::PortTrafficPolicy::tls,
                          [&](const model::ClientTlsSettings& settings) {
                            check_tls(dr, settings, out);
                          });
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
