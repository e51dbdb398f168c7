// DestinationRule `outlierDetection` settings Istio's webhook rejects or warns about
// (validateOutlierDetection in pkg/config/validation/validation.go): interval or
// baseEjectionTime under 1ms or not whole milliseconds, max/min percentages outside 0..100,
// consecutiveLocalOriginFailures without splitExternalLocalOriginErrors (Envoy would never
// count them), and the deprecated consecutiveErrors (warning).

#include <cstdint>
#include <string>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"
#include "traffic_policy_util.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1308", "destinationrule-outlier-detection-invalid", Family::Resource,
                         Severity::Error, "A DestinationRule outlierDetection setting is invalid",
                         ""};

void duration(const model::DestinationRule& dr, const model::Field<model::Duration>& f,
              const char* name, Sink& out) {
  if (!f.present) {
    return;
  }
  if (auto why = validate::duration(*f)) {
    out.report(kInfo, dr, f.loc,
               std::string(name) + " " + validate::quote(f->text) + " is invalid (" + *why +
                   "): use a whole number of milliseconds, at least 1ms (e.g. 10s)");
  }
}

void percent(const model::DestinationRule& dr, const model::Field<std::int32_t>& f,
             const char* name, Sink& out) {
  if (!f.present) {
    return;
  }
  if (auto why = validate::percent(*f)) {
    out.report(kInfo, dr, f.loc,
               std::string(name) + " is invalid (" + *why + "): use a value in 0..100");
  }
}

void check_outlier(const model::DestinationRule& dr, const model::OutlierDetection& od,
                   Sink& out) {
  duration(dr, od.base_ejection_time, "baseEjectionTime", out);
  duration(dr, od.interval, "interval", out);
  if (od.consecutive_errors.present && *od.consecutive_errors != 0) {
    out.report(kInfo, dr, od.consecutive_errors.loc,
               "consecutiveErrors is deprecated: use consecutive5xxErrors or "
               "consecutiveGatewayErrors instead",
               Severity::Warning, "Istio accepts the deprecated field with a warning");
  }
  if (od.consecutive_local_origin_failures.value_or(0) > 0 &&
      !od.split_external_local_origin_errors.value_or(false)) {
    out.report(kInfo, dr, od.consecutive_local_origin_failures.loc,
               "consecutiveLocalOriginFailures is set but splitExternalLocalOriginErrors is "
               "false: set splitExternalLocalOriginErrors: true or remove the field");
  }
  percent(dr, od.max_ejection_percent, "maxEjectionPercent", out);
  percent(dr, od.min_health_percent, "minHealthPercent", out);
}

void check(const model::DestinationRule& dr, Sink& out) {
  for_each_policy_setting(dr, &model::TrafficPolicy::outlier_detection,
                          &model::PortTrafficPolicy::outlier_detection,
                          [&](const model::OutlierDetection& settings) {
                            check_outlier(dr, settings, out);
                          });
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
