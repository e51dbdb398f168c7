// A filter match under applyTo LISTENER or FILTER_CHAIN: istiod matches listeners and filter
// chains without looking at their filters, so the filter condition is silently ignored and the
// patch applies more widely than written. Istio's webhook warns ("filter match has no effect
// when used with ..."; an error kept as a warning for compatibility,
// pkg/config/validation/envoyfilter/envoyfilter.go).

#include <string>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4106", "envoyfilter-filter-match-ineffective", Family::Extension,
                         Severity::Warning,
                         "An EnvoyFilter filter match is ignored with applyTo LISTENER or "
                         "FILTER_CHAIN",
                         ""};

using model::EnvoyFilterApplyTo;

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.match || !cp.match->listener || !cp.match->listener->filter_chain ||
        !cp.match->listener->filter_chain->filter) {
      continue;
    }
    if (cp.match->context.present &&
        cp.match->context.value == model::EnvoyFilterPatchContext::Waypoint) {
      continue;
    }
    if (cp.apply_to.value == EnvoyFilterApplyTo::Listener ||
        cp.apply_to.value == EnvoyFilterApplyTo::FilterChain) {
      out.report(kInfo, ef, cp.match->listener->filter_chain->filter->loc,
                 "filter match has no effect with applyTo " +
                     std::string(model::enum_name(cp.apply_to.value)) +
                     ": the patch applies to every matching " +
                     (cp.apply_to.value == EnvoyFilterApplyTo::Listener ? "listener"
                                                                         : "filter chain") +
                     " whatever its filters; remove the filter match or narrow the match by "
                     "port, name or filterChain fields");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
