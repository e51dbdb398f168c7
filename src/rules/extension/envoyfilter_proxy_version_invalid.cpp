// A configPatch whose match.proxy.proxyVersion is not a valid RE2 regex: istiod cannot match
// proxies against it and Istio's webhook rejects the filter ("Envoy filter: invalid regex for
// proxy version", pkg/config/validation/envoyfilter/envoyfilter.go). A regex longer than 1024
// characters (Istio's regex limit) is only warned about: Istio ignores it rather than rejecting
// the filter, so the version restriction does not work as written.

#include <string>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4104", "envoyfilter-proxy-version-invalid", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter match.proxy.proxyVersion is not a valid RE2 regex, or is "
                         "too long to be used",
                         ""};

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.match || !cp.match->proxy || cp.match->proxy->proxy_version.value.empty()) {
      continue;
    }
    if (cp.match->context.present &&
        cp.match->context.value == model::EnvoyFilterPatchContext::Waypoint) {
      continue;
    }
    const model::Field<std::string>& version = cp.match->proxy->proxy_version;
    if (version.value.size() > validate::kMaxRegexLength) {
      out.report(kInfo, ef, version.loc,
                 "proxyVersion regex is " + std::to_string(version.value.size()) +
                     " characters long, over Istio's 1024-character regex limit, so Istio ignores "
                     "it: shorten it (e.g. ^1\\.2[0-9].*)",
                 Severity::Warning, "Istio warns and ignores the regex instead of rejecting");
      continue;
    }
    if (validate::Result bad = validate::regex(version.value)) {
      out.report(kInfo, ef, version.loc,
                 "proxyVersion " + validate::quote(version.value) +
                     " is not a valid RE2 regex (" + *bad + "): fix it, e.g. ^1\\.24.*");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
