// Route destination weights that are negative, or several destinations whose weights add up
// to 0. Istio's webhook rejects both (validateWeight and "total destination weight = 0",
// pkg/config/validation/validation.go): Envoy's weighted clusters need a positive total.
// Weights do not have to sum to 100; they are relative.

#include <cstdint>
#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1210", "virtualservice-weights-invalid", Family::Resource,
                         Severity::Error,
                         "A route weight is negative, or all weights of a split are 0", ""};

template <class Route>
void check_route(const model::VirtualService& vs, const Route& route, Sink& out) {
  std::int64_t total = 0;
  for (const auto& rd : route.route) {
    if (rd.weight.value < 0) {
      out.report(kInfo, vs, rd.weight.loc,
                 "weight " + std::to_string(rd.weight.value) + " is negative: use 0 or more");
    }
    total += rd.weight.value;
  }
  if (route.route.size() > 1 && total == 0) {
    out.report(kInfo, vs, route.route.front().loc,
               "the " + std::to_string(route.route.size()) +
                   " destinations have a total weight of 0: give at least one a positive weight");
  }
}

void check(const model::VirtualService& vs, Sink& out) {
  for (const auto& r : vs.spec.http) {
    check_route(vs, r, out);
  }
  for (const auto& r : vs.spec.tls) {
    check_route(vs, r, out);
  }
  for (const auto& r : vs.spec.tcp) {
    check_route(vs, r, out);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
