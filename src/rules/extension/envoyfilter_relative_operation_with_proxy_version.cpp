// A relative patch (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) in an EnvoyFilter without a
// priority, on a filter that another patch selects by proxyVersion. During an upgrade the
// versioned patch stops (or starts) matching, the relative patch then finds a different
// neighbour or none, and proxies of the two versions end up with different filter chains.
// Mirrors istioctl analyze IST0155 EnvoyFilterUsesRelativeOperationWithProxyVersion
// (pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go); Istio compares the filter names
// in analysis order, this check compares every other patch with a non-empty name.

#include <set>
#include <string>

#include "meshward/core/json.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4112", "envoyfilter-relative-operation-with-proxy-version",
                         Family::Extension, Severity::Warning,
                         "An EnvoyFilter with priority 0 uses a relative patch operation on a "
                         "filter another patch selects by proxyVersion",
                         "IST0155"};

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
      if (name.empty() || others == 0) {
        continue;  // MW4111 (or nothing to compare with)
      }
      out.report(kInfo, ef, cp.patch->operation.loc,
                 "relative operation " +
                     std::string(model::enum_name(cp.patch->operation.value)) + " on \"" + name +
                     "\" in an EnvoyFilter without priority, while another patch on that filter "
                     "is restricted by proxyVersion: an upgrade can change what this patch is "
                     "relative to; set spec.priority");
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::EnvoyFilter}, &check));

}  // namespace meshward::rules
