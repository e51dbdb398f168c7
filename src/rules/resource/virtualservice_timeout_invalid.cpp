// An HTTP route timeout below 1ms or with sub-millisecond precision. Istio's webhook rejects
// it (agent.ValidateDuration via validateHTTPRoute, pkg/config/validation/virtualservice.go):
// Envoy timeouts have millisecond precision, and `0s` would be read as "disabled".

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1215", "virtualservice-timeout-invalid", Family::Resource,
                         Severity::Error,
                         "An HTTP route timeout is below 1ms or not whole milliseconds", ""};

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (!http.timeout.present) {
      continue;
    }
    if (auto why = validate::duration(http.timeout.value)) {
      out.report(kInfo, vs, http.timeout.loc,
                 "timeout " + validate::quote(http.timeout.value.text) + ": " + *why +
                     " (omit timeout to disable it)");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
