#include "annotations_util.h"

#include <string>

#include "meshward/rules/validate.h"

namespace meshward::rules {

void check_forbidden_annotations(const RuleInfo& info, const model::Object& object, Sink& out) {
  for (const auto& [key, value] : object.meta.annotations) {
    std::string why;
    if (key == "istio.io/dry-run") {
      why = "is only supported on AuthorizationPolicy";
    } else if (key == "internal.istio.io/webhook-always-reject") {
      why = "is reserved for the webhook's self-test and is always rejected";
    } else if (key == "internal.istio.io/parent-namespace" || key == "internal.istio.io/parents") {
      why = "is set by Istio internally and must not be set by users";
    } else {
      continue;
    }
    out.report(info, object, object.meta.loc,
               "annotation " + validate::quote(key) + " " + why + ": remove it");
  }
}

}  // namespace meshward::rules
