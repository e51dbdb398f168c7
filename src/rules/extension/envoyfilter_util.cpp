#include "envoyfilter_util.h"

#include <set>

#include "meshward/core/json.h"

namespace meshward::rules {

using model::EnvoyFilterApplyTo;
using model::EnvoyFilterPatchOperation;

bool is_relative_patch(const model::EnvoyConfigObjectPatch& cp) {
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

std::string patch_instance_name(const model::EnvoyConfigObjectPatch& cp) {
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

bool patch_sets_proxy_version(const model::EnvoyConfigObjectPatch& cp) {
  return cp.match && cp.match->proxy && !cp.match->proxy->proxy_version.value.empty();
}

void for_each_relative_patch_without_priority(
    const Context& ctx,
    const std::function<void(const model::EnvoyFilter&, const model::EnvoyConfigObjectPatch&,
                             const std::string& name, std::size_t versioned_others)>& fn) {
  const world::ObjectList subjects = ctx.subjects(model::Kind::EnvoyFilter);
  if (subjects.empty()) {
    return;
  }
  // Filter names some patch (of any EnvoyFilter) restricts by proxyVersion, with how many
  // patches do.
  std::multiset<std::string> versioned;
  for (const model::Object* o : ctx.of_kind(model::Kind::EnvoyFilter)) {
    for (const model::EnvoyConfigObjectPatch& cp : o->as<model::EnvoyFilter>()->spec.config_patches) {
      if (patch_sets_proxy_version(cp)) {
        versioned.insert(patch_instance_name(cp));
      }
    }
  }
  for (const model::Object* o : subjects) {
    const model::EnvoyFilter& ef = *o->as<model::EnvoyFilter>();
    if (ef.spec.priority.value != 0) {
      continue;
    }
    for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
      if (!is_relative_patch(cp)) {
        continue;
      }
      const std::string name = patch_instance_name(cp);
      const std::size_t others = versioned.count(name) - (patch_sets_proxy_version(cp) ? 1 : 0);
      fn(ef, cp, name, others);
    }
  }
}

}  // namespace meshward::rules
