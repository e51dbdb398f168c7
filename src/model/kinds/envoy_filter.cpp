#include "meshward/model/kinds/envoy_filter.h"

namespace meshward::model {

void decode(ObjectReader& r, EnvoyFilterProxyMatch& out) {
  r.optional("proxyVersion", out.proxy_version);
  r.optional("metadata", out.metadata);
}

void decode(ObjectReader& r, EnvoyFilterClusterMatch& out) {
  r.optional("portNumber", out.port_number);
  r.optional("service", out.service);
  r.optional("subset", out.subset);
  r.optional("name", out.name);
}

void decode(ObjectReader& r, EnvoyFilterRouteMatch& out) {
  r.optional("name", out.name);
  r.optional("action", out.action);
}

void decode(ObjectReader& r, EnvoyFilterVirtualHostMatch& out) {
  r.optional("name", out.name);
  r.optional("domainName", out.domain_name);
  r.optional("route", out.route);
}

void decode(ObjectReader& r, EnvoyFilterRouteConfigurationMatch& out) {
  r.optional("portNumber", out.port_number);
  r.optional("portName", out.port_name);
  r.optional("gateway", out.gateway);
  r.optional("vhost", out.vhost);
  r.optional("name", out.name);
}

void decode(ObjectReader& r, EnvoyFilterSubFilterMatch& out) { r.optional("name", out.name); }

void decode(ObjectReader& r, EnvoyFilterFilterMatch& out) {
  r.optional("name", out.name);
  r.optional("subFilter", out.sub_filter);
}

void decode(ObjectReader& r, EnvoyFilterFilterChainMatch& out) {
  r.optional("name", out.name);
  r.optional("sni", out.sni);
  r.optional("transportProtocol", out.transport_protocol);
  r.optional("applicationProtocols", out.application_protocols);
  r.optional("filter", out.filter);
  r.optional("destinationPort", out.destination_port);
}

void decode(ObjectReader& r, EnvoyFilterListenerMatch& out) {
  r.optional("portNumber", out.port_number);
  r.optional("portName", out.port_name);
  r.optional("filterChain", out.filter_chain);
  r.optional("listenerFilter", out.listener_filter);
  r.optional("name", out.name);
}

void decode(ObjectReader& r, EnvoyFilterPatch& out) {
  r.optional("operation", out.operation);
  // Free-form Envoy config (the CRD preserves unknown fields here), so it is copied whole
  // rather than decoded key by key; only its shape is checked: a Struct is a JSON object.
  if (const json::Value* v = r.raw("value")) {
    out.value_loc = r.at("value", *v);
    if (v->IsObject()) {
      decode_value(*v, out.value_loc, r.ctx(), out.value.emplace());
    } else {
      detail::report_wrong_type(*v, out.value_loc, r.ctx(), "object");
    }
  }
  r.optional("filterClass", out.filter_class);
}

void decode(ObjectReader& r, EnvoyConfigObjectMatch& out) {
  r.optional("context", out.context);
  r.optional("proxy", out.proxy);
  r.optional("listener", out.listener);
  r.optional("routeConfiguration", out.route_configuration);
  r.optional("cluster", out.cluster);
}

void decode(ObjectReader& r, EnvoyConfigObjectPatch& out) {
  r.optional("applyTo", out.apply_to);
  r.optional("match", out.match);
  r.optional("patch", out.patch);
}

void decode(ObjectReader& r, EnvoyFilterSpec& out) {
  r.optional("workloadSelector", out.workload_selector);
  r.optional("targetRefs", out.target_refs);
  r.required("configPatches", out.config_patches);
  r.optional("priority", out.priority);
}

std::shared_ptr<Object> decode_envoy_filter(ObjectReader& r) {
  auto obj = std::make_shared<EnvoyFilter>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
