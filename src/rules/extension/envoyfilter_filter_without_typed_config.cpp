// A filter in a patch value configured by name only, without typed_config (or
// config_discovery). Envoy's lookup of extensions by name is deprecated and kept only behind a
// runtime flag (envoy.reloadable_features.no_extension_lookup_by_name); once removed, the
// proxy rejects the listener. Istio's webhook warns ("using deprecated types by name without
// typed_config", validateMissingTypedConfigFilterTypes in
// pkg/config/validation/envoyfilter/envoyfilter.go). This check looks at the patched filter
// itself (HTTP_FILTER, NETWORK_FILTER, LISTENER_FILTER, EXTENSION_CONFIG) and at filters
// listed in the value (filters, http_filters, listener_filters).

#include <string>
#include <string_view>

#include "meshward/core/json.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4114", "envoyfilter-filter-without-typed-config", Family::Extension,
                         Severity::Warning,
                         "An EnvoyFilter configures an Envoy filter by name without typed_config",
                         ""};

using model::EnvoyFilterApplyTo;

bool has_member(const json::Value& v, std::string_view a, std::string_view b) {
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    const std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (key == a || key == b) {
      return true;
    }
  }
  return false;
}

bool has_typed_config(const json::Value& filter) {
  return has_member(filter, "typed_config", "typedConfig") ||
         has_member(filter, "config_discovery", "configDiscovery");
}

std::string filter_name(const json::Value& filter) {
  auto it = filter.FindMember("name");
  if (it != filter.MemberEnd() && it->value.IsString()) {
    return "\"" + std::string(it->value.GetString(), it->value.GetStringLength()) + "\"";
  }
  return "(unnamed)";
}

void add(std::string& found, const std::string& name) {
  found += (found.empty() ? "" : ", ") + name;
}

bool is_filter_list_key(std::string_view key) {
  return key == "filters" || key == "http_filters" || key == "httpFilters" ||
         key == "listener_filters" || key == "listenerFilters";
}

void collect(const json::Value& v, std::string& found) {
  if (v.IsArray()) {
    for (const json::Value& e : v.GetArray()) {
      collect(e, found);
    }
    return;
  }
  if (!v.IsObject()) {
    return;
  }
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    const std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (key == "typed_config" || key == "typedConfig") {
      continue;  // inside an extension's own config: not Envoy's filter lists
    }
    if (is_filter_list_key(key) && it->value.IsArray()) {
      for (const json::Value& f : it->value.GetArray()) {
        if (f.IsObject() && !has_typed_config(f)) {
          add(found, filter_name(f));
        }
        collect(f, found);
      }
    } else {
      collect(it->value, found);
    }
  }
}

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.patch || !cp.patch->value || cp.patch->value->get() == nullptr) {
      continue;
    }
    const json::Value& value = *cp.patch->value->get();
    if (!value.IsObject()) {
      continue;
    }
    std::string found;
    switch (cp.apply_to.value) {
      case EnvoyFilterApplyTo::HttpFilter:
      case EnvoyFilterApplyTo::NetworkFilter:
      case EnvoyFilterApplyTo::ListenerFilter:
      case EnvoyFilterApplyTo::ExtensionConfig:
        if (!has_typed_config(value)) {
          add(found, filter_name(value));
        }
        break;
      default:
        break;
    }
    collect(value, found);
    if (!found.empty()) {
      out.report(kInfo, ef, cp.patch->value_loc,
                 "filter(s) " + found +
                     " configured by name without typed_config: Envoy's lookup by name is "
                     "deprecated; add typed_config with the filter's v3 \"@type\" (an empty "
                     "config message is enough)");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
