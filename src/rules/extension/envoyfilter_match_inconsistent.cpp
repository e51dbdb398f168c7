// A configPatch whose match cannot select the kind of object it patches: a listener-class
// applyTo (LISTENER, FILTER_CHAIN, NETWORK_FILTER, HTTP_FILTER) with a routeConfiguration or
// cluster match, a route-class applyTo with a non-routeConfiguration match, CLUSTER with a
// non-cluster match, a filter match without a name, or a subFilter match that is not under
// the HTTP connection manager, not for HTTP_FILTER, or unnamed. istiod would never apply the
// patch; Istio's webhook rejects each (pkg/config/validation/envoyfilter/envoyfilter.go).

#include <string>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4105", "envoyfilter-match-inconsistent", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter configPatch's match does not fit its applyTo, or a filter "
                         "or subFilter match is incomplete",
                         ""};

using model::EnvoyFilterApplyTo;

std::string apply_to_name(const model::EnvoyConfigObjectPatch& cp) {
  return std::string(model::enum_name(cp.apply_to.value));
}

void check_listener_match(const model::EnvoyFilter& ef, const model::EnvoyConfigObjectPatch& cp,
                          const model::EnvoyFilterListenerMatch& listener, Sink& out) {
  if (!listener.filter_chain || !listener.filter_chain->filter) {
    return;
  }
  const model::EnvoyFilterFilterMatch& filter = *listener.filter_chain->filter;
  if (filter.name.value.empty()) {
    out.report(kInfo, ef, filter.name.present ? filter.name.loc : filter.loc,
               "filter match has no name to match on: set filter.name (e.g. "
               "envoy.filters.network.http_connection_manager)");
    return;
  }
  if (!filter.sub_filter) {
    return;
  }
  const model::EnvoyFilterSubFilterMatch& sub = *filter.sub_filter;
  if (cp.apply_to.value != EnvoyFilterApplyTo::HttpFilter) {
    out.report(kInfo, ef, sub.loc,
               "subFilter match can be used with applyTo HTTP_FILTER only, not " +
                   apply_to_name(cp) + ": remove subFilter or patch an HTTP_FILTER");
    return;
  }
  if (filter.name.value != "envoy.filters.network.http_connection_manager" &&
      filter.name.value != "envoy.http_connection_manager") {
    out.report(kInfo, ef, filter.name.loc,
               "subFilter match requires filter name "
               "envoy.filters.network.http_connection_manager, found \"" +
                   filter.name.value + "\"");
    return;
  }
  if (sub.name.value.empty()) {
    out.report(kInfo, ef, sub.name.present ? sub.name.loc : sub.loc,
               "subFilter match has no name to match on: set subFilter.name (e.g. "
               "envoy.filters.http.router)");
  }
}

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.match || !cp.apply_to.present) {
      continue;
    }
    const model::EnvoyConfigObjectMatch& m = *cp.match;
    if (m.context.present && m.context.value == model::EnvoyFilterPatchContext::Waypoint) {
      continue;
    }
    const bool has_object_match = m.listener || m.route_configuration || m.cluster;
    if (!has_object_match) {
      continue;  // context/proxy only: matches every object of the applyTo class
    }
    switch (cp.apply_to.value) {
      case EnvoyFilterApplyTo::Listener:
      case EnvoyFilterApplyTo::FilterChain:
      case EnvoyFilterApplyTo::NetworkFilter:
      case EnvoyFilterApplyTo::HttpFilter:
        if (!m.listener) {
          out.report(kInfo, ef, m.loc,
                     "applyTo " + apply_to_name(cp) +
                         " patches a listener-class object but the match is not a listener "
                         "match: use match.listener");
        } else {
          check_listener_match(ef, cp, *m.listener, out);
        }
        break;
      case EnvoyFilterApplyTo::RouteConfiguration:
      case EnvoyFilterApplyTo::VirtualHost:
      case EnvoyFilterApplyTo::HttpRoute:
        if (!m.route_configuration) {
          out.report(kInfo, ef, m.loc,
                     "applyTo " + apply_to_name(cp) +
                         " patches an HTTP route-class object but the match is not a "
                         "routeConfiguration match: use match.routeConfiguration");
        }
        break;
      case EnvoyFilterApplyTo::Cluster:
        if (!m.cluster) {
          out.report(kInfo, ef, m.loc,
                     "applyTo CLUSTER patches a cluster but the match is not a cluster match: use "
                     "match.cluster");
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
