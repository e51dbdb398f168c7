#pragma once
// networking.istio.io EnvoyFilter (v1alpha3 only): patches applied to the Envoy configuration
// istiod generates. Patch values are free-form Envoy config, kept as raw JSON.
//
// The proto nests every message and enum inside EnvoyFilter; their C++ names carry an
// `EnvoyFilter` prefix (like Go's EnvoyFilter_Patch) because the bare names (Patch, Operation,
// RouteMatch, ...) would clash with other kinds in the shared namespace. EnvoyConfigObjectMatch
// and EnvoyConfigObjectPatch are already unique and keep their proto names.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/kinds/common.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// EnvoyFilter.ApplyTo, in proto order (INVALID = 0).
enum class EnvoyFilterApplyTo : std::uint8_t {
  Invalid,
  Listener,
  FilterChain,
  NetworkFilter,
  HttpFilter,
  RouteConfiguration,
  VirtualHost,
  HttpRoute,
  Cluster,
  ExtensionConfig,
  Bootstrap,
  ListenerFilter
};
template <>
struct EnumNames<EnvoyFilterApplyTo> {
  static constexpr std::string_view names[] = {
      "INVALID",          "LISTENER",    "FILTER_CHAIN",
      "NETWORK_FILTER",   "HTTP_FILTER", "ROUTE_CONFIGURATION",
      "VIRTUAL_HOST",     "HTTP_ROUTE",  "CLUSTER",
      "EXTENSION_CONFIG", "BOOTSTRAP",   "LISTENER_FILTER"};
};

/// EnvoyFilter.PatchContext, in proto order.
enum class EnvoyFilterPatchContext : std::uint8_t {
  Any,
  SidecarInbound,
  SidecarOutbound,
  Gateway,
  Waypoint
};
template <>
struct EnumNames<EnvoyFilterPatchContext> {
  static constexpr std::string_view names[] = {"ANY", "SIDECAR_INBOUND", "SIDECAR_OUTBOUND",
                                               "GATEWAY", "WAYPOINT"};
};

/// EnvoyFilter.RouteConfigurationMatch.RouteMatch.Action, in proto order.
enum class EnvoyFilterRouteAction : std::uint8_t { Any, Route, Redirect, DirectResponse };
template <>
struct EnumNames<EnvoyFilterRouteAction> {
  static constexpr std::string_view names[] = {"ANY", "ROUTE", "REDIRECT", "DIRECT_RESPONSE"};
};

/// EnvoyFilter.Patch.Operation, in proto order (INVALID = 0).
enum class EnvoyFilterPatchOperation : std::uint8_t {
  Invalid,
  Merge,
  Add,
  Remove,
  InsertBefore,
  InsertAfter,
  InsertFirst,
  Replace
};
template <>
struct EnumNames<EnvoyFilterPatchOperation> {
  static constexpr std::string_view names[] = {"INVALID",      "MERGE",         "ADD",
                                               "REMOVE",       "INSERT_BEFORE", "INSERT_AFTER",
                                               "INSERT_FIRST", "REPLACE"};
};

/// EnvoyFilter.Patch.FilterClass, in proto order.
enum class EnvoyFilterFilterClass : std::uint8_t { Unspecified, Authn, Authz, Stats };
template <>
struct EnumNames<EnvoyFilterFilterClass> {
  static constexpr std::string_view names[] = {"UNSPECIFIED", "AUTHN", "AUTHZ", "STATS"};
};

/// EnvoyFilter.ProxyMatch.
struct EnvoyFilterProxyMatch {
  Loc loc;
  Field<std::string> proxy_version;  ///< RE2 regex on the proxy's ISTIO_VERSION.
  StringMap metadata;
};
void decode(ObjectReader& r, EnvoyFilterProxyMatch& out);

/// EnvoyFilter.ClusterMatch.
struct EnvoyFilterClusterMatch {
  Loc loc;
  Field<std::uint32_t> port_number;
  Field<std::string> service;
  Field<std::string> subset;
  Field<std::string> name;
};
void decode(ObjectReader& r, EnvoyFilterClusterMatch& out);

/// EnvoyFilter.RouteConfigurationMatch.RouteMatch.
struct EnvoyFilterRouteMatch {
  Loc loc;
  Field<std::string> name;
  Field<EnvoyFilterRouteAction> action;  ///< Absent means ANY.
};
void decode(ObjectReader& r, EnvoyFilterRouteMatch& out);

/// EnvoyFilter.RouteConfigurationMatch.VirtualHostMatch.
struct EnvoyFilterVirtualHostMatch {
  Loc loc;
  Field<std::string> name;
  Field<std::string> domain_name;
  Optional<EnvoyFilterRouteMatch> route;
};
void decode(ObjectReader& r, EnvoyFilterVirtualHostMatch& out);

/// EnvoyFilter.RouteConfigurationMatch.
struct EnvoyFilterRouteConfigurationMatch {
  Loc loc;
  Field<std::uint32_t> port_number;
  Field<std::string> port_name;
  Field<std::string> gateway;  ///< "namespace/name" of an Istio Gateway.
  Optional<EnvoyFilterVirtualHostMatch> vhost;
  Field<std::string> name;
};
void decode(ObjectReader& r, EnvoyFilterRouteConfigurationMatch& out);

/// EnvoyFilter.ListenerMatch.SubFilterMatch.
struct EnvoyFilterSubFilterMatch {
  Loc loc;
  Field<std::string> name;
};
void decode(ObjectReader& r, EnvoyFilterSubFilterMatch& out);

/// EnvoyFilter.ListenerMatch.FilterMatch.
struct EnvoyFilterFilterMatch {
  Loc loc;
  Field<std::string> name;
  Optional<EnvoyFilterSubFilterMatch> sub_filter;
};
void decode(ObjectReader& r, EnvoyFilterFilterMatch& out);

/// EnvoyFilter.ListenerMatch.FilterChainMatch.
struct EnvoyFilterFilterChainMatch {
  Loc loc;
  Field<std::string> name;
  Field<std::string> sni;
  Field<std::string> transport_protocol;     ///< "raw_buffer" or "tls".
  Field<std::string> application_protocols;  ///< Comma separated (h2, http/1.1, ...).
  Optional<EnvoyFilterFilterMatch> filter;
  Field<std::uint32_t> destination_port;
};
void decode(ObjectReader& r, EnvoyFilterFilterChainMatch& out);

/// EnvoyFilter.ListenerMatch.
struct EnvoyFilterListenerMatch {
  Loc loc;
  Field<std::uint32_t> port_number;
  Field<std::string> port_name;  ///< Not implemented by Istio (hidden from its docs).
  Optional<EnvoyFilterFilterChainMatch> filter_chain;
  Field<std::string> listener_filter;
  Field<std::string> name;
};
void decode(ObjectReader& r, EnvoyFilterListenerMatch& out);

/// EnvoyFilter.Patch.
struct EnvoyFilterPatch {
  Loc loc;
  Field<EnvoyFilterPatchOperation> operation;  ///< Absent means INVALID.
  /// google.protobuf.Struct: the Envoy config to merge/add, kept whole. Set only when `value`
  /// is a JSON object (anything else is a wrong-type finding).
  Optional<RawJson> value;
  Loc value_loc;  ///< Where `value` is, for findings about its content (RawJson has no Loc).
  Field<EnvoyFilterFilterClass> filter_class;  ///< Absent means UNSPECIFIED.
};
void decode(ObjectReader& r, EnvoyFilterPatch& out);

/// EnvoyFilter.EnvoyConfigObjectMatch. listener / route_configuration / cluster are a oneof.
struct EnvoyConfigObjectMatch {
  Loc loc;
  Field<EnvoyFilterPatchContext> context;  ///< Absent means ANY.
  Optional<EnvoyFilterProxyMatch> proxy;
  Optional<EnvoyFilterListenerMatch> listener;
  Optional<EnvoyFilterRouteConfigurationMatch> route_configuration;
  Optional<EnvoyFilterClusterMatch> cluster;
};
void decode(ObjectReader& r, EnvoyConfigObjectMatch& out);

/// EnvoyFilter.EnvoyConfigObjectPatch.
struct EnvoyConfigObjectPatch {
  Loc loc;
  Field<EnvoyFilterApplyTo> apply_to;  ///< Absent means INVALID.
  Optional<EnvoyConfigObjectMatch> match;
  Optional<EnvoyFilterPatch> patch;
};
void decode(ObjectReader& r, EnvoyConfigObjectPatch& out);

/// networking.v1alpha3.EnvoyFilter spec.
struct EnvoyFilterSpec {
  Loc loc;
  Optional<WorkloadSelector> workload_selector;  ///< Exclusive with target_refs.
  std::vector<PolicyTargetReference> target_refs;
  std::vector<EnvoyConfigObjectPatch> config_patches;  ///< Required.
  Field<std::int32_t> priority;                        ///< Lower applies first; absent means 0.
};
void decode(ObjectReader& r, EnvoyFilterSpec& out);

class EnvoyFilter : public Object {
 public:
  static constexpr Kind kKind = Kind::EnvoyFilter;
  EnvoyFilter() : Object(kKind) {}
  EnvoyFilterSpec spec;
};
std::shared_ptr<Object> decode_envoy_filter(ObjectReader& r);

}  // namespace meshward::model
