// An EnvoyFilter patch that breaks the filter chains istiod builds, in one of two ways.
//
// Terminal filters. Envoy requires the last HTTP filter of a connection manager to be a
// terminal one (istiod's `envoy.filters.http.router`) and no terminal filter before the last;
// a listener's network filters likewise end in a terminal filter (`http_connection_manager`,
// `tcp_proxy`). Envoy rejects a listener that breaks this ("terminal filter ... must be the last
// filter", "non-terminal filter ... is the last filter"): the update is NACKed, the proxy keeps
// its old listeners, and a newly started proxy never gets the listener at all. Patches that do
// it (listener_patch.go, step for step): REMOVE of the terminal filter, REPLACE of it by a
// non-terminal one, and ADD or INSERT_AFTER that lands after it (ADD always appends; INSERT_AFTER
// without a filter match appends; INSERT_AFTER the terminal filter follows it).
//
// Security filters. REMOVE of the filters istiod builds from PeerAuthentication,
// RequestAuthentication and AuthorizationPolicy (`istio_authn`, `envoy.filters.http.jwt_authn`,
// `envoy.filters.http.rbac`, `envoy.filters.http.ext_authz`, and the network `rbac` /
// `ext_authz` filters) silently turns those policies off for every proxy the patch reaches.

#include <array>
#include <string>
#include <string_view>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4117", "envoyfilter-breaks-filter-chain", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter patch removes or displaces a terminal filter (Envoy "
                         "rejects the listener) or removes a filter that enforces Istio security "
                         "policy",
                         ""};

using model::EnvoyFilterApplyTo;
using Op = model::EnvoyFilterPatchOperation;

constexpr std::string_view kRouter = "envoy.filters.http.router";
constexpr std::array<std::string_view, 2> kTerminalNetwork = {
    "envoy.filters.network.http_connection_manager", "envoy.filters.network.tcp_proxy"};
constexpr std::array<std::string_view, 4> kSecurityHttp = {
    "istio_authn", "envoy.filters.http.jwt_authn", "envoy.filters.http.rbac",
    "envoy.filters.http.ext_authz"};
constexpr std::array<std::string_view, 2> kSecurityNetwork = {"envoy.filters.network.rbac",
                                                              "envoy.filters.network.ext_authz"};

template <std::size_t N>
bool one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  for (std::string_view n : names) {
    if (n == name) {
      return true;
    }
  }
  return false;
}

// The name of the filter the patch's value adds; empty when it names none.
std::string value_name(const model::EnvoyConfigObjectPatch& cp) {
  if (!cp.patch || !cp.patch->value) {
    return "";
  }
  const json::Value* v = cp.patch->value->get();
  if (v == nullptr || !v->IsObject()) {
    return "";
  }
  const auto it = v->FindMember("name");
  return it != v->MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

constexpr std::string_view kNack =
    "; Envoy rejects the listener (NACK): the proxies keep their previous listeners and a "
    "proxy that starts now never gets it";

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.patch || !cp.patch->operation.present) {
      continue;  // MW4103's finding.
    }
    const bool http = cp.apply_to.value == EnvoyFilterApplyTo::HttpFilter;
    if (!http && cp.apply_to.value != EnvoyFilterApplyTo::NetworkFilter) {
      continue;
    }
    if (cp.match && cp.match->context.present &&
        cp.match->context.value == model::EnvoyFilterPatchContext::Waypoint) {
      continue;  // Waypoints are not modelled.
    }
    const model::EnvoyFilterFilterMatch* filter =
        cp.match && cp.match->listener && cp.match->listener->filter_chain &&
                cp.match->listener->filter_chain->filter
            ? &*cp.match->listener->filter_chain->filter
            : nullptr;
    // The filter the operation is relative to: the subFilter for HTTP filters, the filter for
    // network filters; empty when the patch names none.
    std::string matched;
    if (http && filter != nullptr && filter->sub_filter) {
      matched = filter->sub_filter->name.value;
    } else if (!http && filter != nullptr) {
      matched = filter->name.value;
    }
    const auto is_terminal = [http](std::string_view name) {
      return http ? name == kRouter : one_of(name, kTerminalNetwork);
    };
    const std::string added = value_name(cp);
    const std::string kind = http ? "HTTP filter" : "network filter";
    const Op op = cp.patch->operation.value;
    const model::Loc& where = cp.patch->operation.loc;
    std::string problem;
    if (op == Op::Remove && is_terminal(matched)) {
      problem = "removes the terminal " + kind + " " + matched + std::string(kNack);
    } else if (op == Op::Replace && is_terminal(matched) && !is_terminal(added)) {
      problem = "replaces the terminal " + kind + " " + matched + " by " +
                (added.empty() ? "a filter without a name" : added) + ", which is not terminal" +
                std::string(kNack);
    } else if ((op == Op::Add || (op == Op::InsertAfter && (matched.empty() || is_terminal(matched)))) &&
               !is_terminal(added)) {
      const std::string terminal =
          http ? std::string(kRouter)
               : (is_terminal(matched) ? matched
                                       : std::string("(http_connection_manager or tcp_proxy)"));
      problem = std::string(op == Op::Add ? "appends " : "puts ") +
                (added.empty() ? "its filter" : added) + " after the terminal " + kind + " " +
                terminal + std::string(kNack) + "; use INSERT_BEFORE " +
                (http ? std::string(kRouter) : std::string("the terminal filter"));
    } else if (op == Op::Remove &&
               (http ? one_of(matched, kSecurityHttp) : one_of(matched, kSecurityNetwork))) {
      problem = "removes " + matched +
                ", the filter istiod builds from PeerAuthentication, RequestAuthentication and "
                "AuthorizationPolicy: those policies stop being enforced on every proxy this "
                "patch reaches";
    }
    if (!problem.empty()) {
      out.report(kInfo, ef, where, std::string(model::enum_name(cp.apply_to.value)) + " " +
                                       std::string(model::enum_name(op)) + " " + problem);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
