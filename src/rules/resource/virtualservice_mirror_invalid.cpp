// HTTP traffic mirroring that is invalid: mirrorPercent over 100 (and the field is deprecated:
// warning), mirrorPercentage outside 0..100, a mirror destination with host `*`, an invalid
// host, subset or port, a mirrors[] entry without destination or with a percentage outside
// 0..100. Mirrors validateHTTPRoute / validateHTTPMirrors (pkg/config/validation/): Envoy
// would reject the route or mirror nothing.

#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1217", "virtualservice-mirror-invalid", Family::Resource,
                         Severity::Error, "An HTTP mirror setting is invalid", ""};

std::string num(double v) {
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') {
    s.pop_back();
  }
  if (!s.empty() && s.back() == '.') {
    s.pop_back();
  }
  return s;
}

void check_destination(const model::VirtualService& vs, const model::Destination& d,
                       const std::string& where, Sink& out) {
  if (d.host.value == "*") {
    out.report(kInfo, vs, d.host.loc, where + " host \"*\" is not allowed: name a service");
  } else if (auto why = validate::wildcard_domain(d.host.value)) {
    out.report(kInfo, vs, d.host.present ? d.host.loc : d.loc, where + " host: " + *why);
  }
  if (!d.subset.value.empty() && !validate::is_dns1123_label(d.subset.value)) {
    out.report(kInfo, vs, d.subset.loc,
               where + " subset " + validate::quote(d.subset.value) +
                   " is not a valid subset name (DNS-1123 label)");
  }
  if (d.port) {
    if (auto why = validate::port(d.port->number.value)) {
      out.report(kInfo, vs, d.port->loc, where + " " + *why);
    }
  }
}

void check_percent(const model::VirtualService& vs, const model::Percent& p,
                   const std::string& where, Sink& out) {
  if (p.value.value > 100 || p.value.value < 0) {
    out.report(kInfo, vs, p.value.present ? p.value.loc : p.loc,
               where + " " + num(p.value.value) + " must be between 0 and 100");
  }
}

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (http.mirror_percent.present) {
      if (http.mirror_percent.value > 100) {
        out.report(kInfo, vs, http.mirror_percent.loc,
                   "mirrorPercent " + std::to_string(http.mirror_percent.value) +
                       " must be at most 100");
      }
      out.report(kInfo, vs, http.mirror_percent.loc,
                 "mirrorPercent is deprecated: use mirrorPercentage.value instead",
                 Severity::Warning, "Istio only warns about the deprecated field");
    }
    if (http.mirror_percentage) {
      check_percent(vs, *http.mirror_percentage, "mirrorPercentage", out);
    }
    if (http.mirror) {
      check_destination(vs, *http.mirror, "mirror", out);
    }
    for (const model::HttpMirrorPolicy& m : http.mirrors) {
      if (!m.destination) {
        out.report(kInfo, vs, m.loc, "mirrors entry has no destination: set destination.host");
        continue;
      }
      check_destination(vs, *m.destination, "mirrors destination", out);
      if (m.percentage) {
        check_percent(vs, *m.percentage, "mirrors percentage", out);
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
