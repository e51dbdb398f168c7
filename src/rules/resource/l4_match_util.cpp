#include "l4_match_util.h"

#include "meshward/rules/validate.h"

namespace meshward::rules {

void check_l4_match(const RuleInfo& info, const model::Object& object,
                    const std::vector<model::Field<std::string>>& destination_subnets,
                    const model::Field<std::uint32_t>& port,
                    const model::StringMap& source_labels, Sink& out) {
  for (const auto& subnet : destination_subnets) {
    if (auto w = validate::ip_or_cidr(subnet.value)) {
      out.report(info, object, subnet.loc, "destinationSubnets: " + *w);
    }
  }
  if (port.value != 0) {
    if (auto w = validate::port(port.value)) {
      out.report(info, object, port.loc, "match " + *w);
    }
  }
  for (const auto& [key, value] : source_labels) {
    if (auto w = validate::label_key(key)) {
      out.report(info, object, value.loc, "sourceLabels: " + *w);
    }
    if (auto w = validate::label_value(value.value)) {
      out.report(info, object, value.loc, "sourceLabels: " + *w);
    }
  }
}

}  // namespace meshward::rules
