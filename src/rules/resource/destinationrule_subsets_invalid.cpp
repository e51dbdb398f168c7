// DestinationRule subsets with an empty, invalid or duplicate name, or invalid labels. Istio's
// webhook rejects them (ValidateDestinationRule, validateSubset, labels.Instance.Validate):
// subset names end up in Envoy cluster names (outbound|80|v1|reviews...), a duplicate would
// shadow the other subset, and an invalid label selects no endpoint (503 UH for routes to it).

#include <set>
#include <string>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1302", "destinationrule-subsets-invalid", Family::Resource,
                         Severity::Error,
                         "A DestinationRule subset has an empty, invalid or duplicate name, or "
                         "invalid labels",
                         ""};

void check(const model::DestinationRule& dr, Sink& out) {
  std::set<std::string> seen;
  for (const model::Subset& subset : dr.spec.subsets) {
    const model::Field<std::string>& name = subset.name;
    if (name.present) {
      if (name->empty()) {
        out.report(kInfo, dr, name.loc,
                   "subset name is empty: give the subset a DNS-1123 label name such as v1");
      } else if (!validate::is_dns1123_label(*name)) {
        out.report(kInfo, dr, name.loc,
                   "subset name " + validate::quote(*name) +
                       " is not a DNS-1123 label: use lower-case letters, digits and '-' "
                       "(at most 63 characters), e.g. v1");
      }
      if (!seen.insert(*name).second) {
        out.report(kInfo, dr, name.loc,
                   "duplicate subset name " + validate::quote(*name) +
                       ": rename or merge the subsets so each name is defined once");
      }
    }
    for (const auto& [key, value] : subset.labels) {
      if (auto why = validate::label_key(key)) {
        out.report(kInfo, dr, value.loc,
                   "subset label key " + validate::quote(key) + " is invalid (" + *why +
                       "): use a Kubernetes label key such as version or app.kubernetes.io/name");
      }
      if (value.present) {
        if (auto why = validate::label_value(*value)) {
          out.report(kInfo, dr, value.loc,
                     "subset label " + validate::quote(key) + " has an invalid value (" + *why +
                         "): use a Kubernetes label value (letters, digits, '-', '_', '.')");
        }
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
