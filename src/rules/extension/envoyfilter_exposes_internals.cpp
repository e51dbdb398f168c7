// Every EnvoyFilter patches the Envoy configuration istiod generates: field names, filter
// order and listener layout are implementation details that change between Istio releases, so
// a filter that works today can silently stop matching (or break the proxy) after an upgrade.
// Istio's webhook always warns ("EnvoyFilter exposes internal implementation details...",
// pkg/config/validation/envoyfilter/envoyfilter.go, ValidateEnvoyFilter).

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4101", "envoyfilter-exposes-internals", Family::Extension,
                         Severity::Warning,
                         "An EnvoyFilter depends on internal details of the generated Envoy "
                         "configuration that may change at any Istio upgrade",
                         ""};

void check(const model::EnvoyFilter& ef, Sink& out) {
  out.report(kInfo, ef, ef.spec.loc,
             "EnvoyFilter exposes internal implementation details that may change at any time: "
             "prefer a first-class API (VirtualService, DestinationRule, Telemetry, WasmPlugin, "
             "AuthorizationPolicy) and re-test this filter on every Istio upgrade");
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
