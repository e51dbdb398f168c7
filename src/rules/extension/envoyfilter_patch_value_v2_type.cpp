// A patch value that references an Envoy v2 API type ("@type": "type.googleapis.com/
// envoy.config.filter.http.lua.v2.Lua"). Envoy and istiod dropped the v2 xDS API; istiod cannot
// resolve the Any type and Istio's webhook rejects the filter ("referenced type unknown (hint:
// try using the v3 XDS API)", pkg/config/validation/envoyfilter/envoyfilter.go).

#include <string>
#include <string_view>

#include "meshward/core/json.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4113", "envoyfilter-patch-value-v2-type", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter patch value references a removed Envoy v2 API type", ""};

// "type.googleapis.com/envoy.config.filter.http.lua.v2.Lua" -> true.
bool is_v2_type(std::string_view type_url) {
  const auto slash = type_url.rfind('/');
  const std::string_view type =
      slash == std::string_view::npos ? type_url : type_url.substr(slash + 1);
  if (type.rfind("envoy.", 0) != 0) {
    return false;
  }
  return type.find(".v2.") != std::string_view::npos ||
         type.find(".v2alpha.") != std::string_view::npos;
}

void collect(const json::Value& v, std::string& found) {
  if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      if (it->name == "@type" && it->value.IsString()) {
        const std::string_view type(it->value.GetString(), it->value.GetStringLength());
        if (is_v2_type(type)) {
          found += (found.empty() ? "" : ", ") + std::string(type);
        }
      } else {
        collect(it->value, found);
      }
    }
  } else if (v.IsArray()) {
    for (const json::Value& e : v.GetArray()) {
      collect(e, found);
    }
  }
}

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.patch || !cp.patch->value || cp.patch->value->get() == nullptr) {
      continue;
    }
    std::string found;
    collect(*cp.patch->value->get(), found);
    if (!found.empty()) {
      out.report(kInfo, ef, cp.patch->value_loc,
                 "patch value references the removed Envoy v2 API type(s) " + found +
                     ": istiod cannot resolve them; use the v3 type (e.g. "
                     "envoy.extensions.filters.http.lua.v3.Lua)");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
