// A relative patch (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) in an EnvoyFilter without a
// priority: it depends on objects other EnvoyFilters may add, move or remove, and filters of
// equal priority apply in creation order, so the result changes with the order objects were
// created (e.g. after a restore or a re-install). Mirrors istioctl analyze IST0151
// EnvoyFilterUsesRelativeOperation (pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go);
// the proxyVersion variant is MW4112 (IST0155), which is reported instead when it applies.

#include <set>
#include <string>

#include "meshward/core/json.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4111", "envoyfilter-relative-operation-without-priority",
                         Family::Extension, Severity::Warning,
                         "An EnvoyFilter with priority 0 uses a relative patch operation "
                         "(INSERT_BEFORE, INSERT_AFTER, REPLACE or REMOVE)",
                         "IST0151"};

using model::EnvoyFilterApplyTo;
using model::EnvoyFilterPatchOperation;

// Relative operations as the analyzer counts them: REMOVE and REPLACE only where they are
// valid (elsewhere MW4108/MW4110 report the patch as ignored).
bool is_relative(const model::EnvoyConfigObjectPatch& cp) {
  if (!cp.patch) {
    return false;
  }
  const EnvoyFilterApplyTo a = cp.apply_to.value;
  switch (cp.patch->operation.value) {
    case EnvoyFilterPatchOperation::InsertBefore:
    case EnvoyFilterPatchOperation::InsertAfter:
      return true;
    case EnvoyFilterPatchOperation::Remove:
      return a != EnvoyFilterApplyTo::RouteConfiguration && a != EnvoyFilterApplyTo::HttpRoute;
    case EnvoyFilterPatchOperation::Replace:
      return a == EnvoyFilterApplyTo::HttpFilter || a == EnvoyFilterApplyTo::NetworkFilter ||
             a == EnvoyFilterApplyTo::VirtualHost;
    default:
      return false;
  }
}

// The filter a patch is about, as the analyzer names it: the value's `name`, else the
// listener filter match's name (only when the value has other fields). Empty when unknown.
std::string instance_name(const model::EnvoyConfigObjectPatch& cp) {
  if (!cp.patch || !cp.patch->value || cp.patch->value->get() == nullptr) {
    return {};
  }
  const json::Value& v = *cp.patch->value->get();
  if (!v.IsObject() || v.MemberCount() == 0) {
    return {};
  }
  if (auto it = v.FindMember("name"); it != v.MemberEnd()) {
    return it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                : json::to_string(it->value);
  }
  if (cp.match && cp.match->listener && cp.match->listener->filter_chain &&
      cp.match->listener->filter_chain->filter) {
    return cp.match->listener->filter_chain->filter->name.value;
  }
  return {};
}

bool sets_proxy_version(const model::EnvoyConfigObjectPatch& cp) {
  return cp.match && cp.match->proxy && !cp.match->proxy->proxy_version.value.empty();
}

void check(const Context& ctx, Sink& out) {
  // Filter names some patch restricts by proxyVersion, with how many patches do.
  std::multiset<std::string> versioned;
  ctx.each<model::EnvoyFilter>([&](const model::EnvoyFilter& ef) {
    for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
      if (sets_proxy_version(cp)) {
        versioned.insert(instance_name(cp));
      }
    }
  });
  ctx.each<model::EnvoyFilter>([&](const model::EnvoyFilter& ef) {
    if (ef.spec.priority.value != 0) {
      return;
    }
    for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
      if (!is_relative(cp)) {
        continue;
      }
      const std::string name = instance_name(cp);
      const std::size_t others = versioned.count(name) - (sets_proxy_version(cp) ? 1 : 0);
      if (!name.empty() && others > 0) {
        continue;  // MW4112
      }
      out.report(kInfo, ef, cp.patch->operation.loc,
                 "relative operation " +
                     std::string(model::enum_name(cp.patch->operation.value)) +
                     " in an EnvoyFilter without priority: its result depends on the order "
                     "EnvoyFilters were created; set spec.priority (or use ADD, INSERT_FIRST or "
                     "MERGE)");
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::EnvoyFilter}, &check));

}  // namespace meshward::rules
