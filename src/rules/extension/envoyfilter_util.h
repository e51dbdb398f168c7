#pragma once
// Helpers the EnvoyFilter checks (src/rules/extension/) share; internal, not a check. What
// the relative-operation checks (MW4111, MW4112) have in common: which patches istioctl
// analyze counts as relative, the filter a patch is about, and the walk over the relative
// patches of EnvoyFilters without a priority.

#include <cstddef>
#include <functional>
#include <string>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/rule.h"

namespace meshward::rules {

/// Relative operations as the analyzer counts them (INSERT_BEFORE, INSERT_AFTER; REMOVE and
/// REPLACE only where they are valid: elsewhere MW4108/MW4110 report the patch as ignored).
bool is_relative_patch(const model::EnvoyConfigObjectPatch& cp);

/// The filter a patch is about, as the analyzer names it: the value's `name`, else the
/// listener filter match's name (only when the value has other fields). Empty when unknown.
std::string patch_instance_name(const model::EnvoyConfigObjectPatch& cp);

/// Whether the patch's match restricts it by a non-empty proxyVersion.
bool patch_sets_proxy_version(const model::EnvoyConfigObjectPatch& cp);

/// Calls `fn(ef, cp, name, versioned_others)` for every relative patch `cp` of every
/// EnvoyFilter `ef` with priority 0, where `name` is patch_instance_name(cp) and
/// `versioned_others` is how many other patches (of any EnvoyFilter) that restrict by
/// proxyVersion have that name. Reads EnvoyFilter.
void for_each_relative_patch_without_priority(
    const Context& ctx,
    const std::function<void(const model::EnvoyFilter&, const model::EnvoyConfigObjectPatch&,
                             const std::string& name, std::size_t versioned_others)>& fn);

}  // namespace meshward::rules
