// EnvoyFilter patches: selection and order (pilot/pkg/model/envoyfilter.go,
// push_context.go EnvoyFilters / getMatchedEnvoyFilters) and listener patching
// (pilot/pkg/networking/core/envoyfilter/listener_patch.go), step for step.

#include "meshward/translate/envoy_filter.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "meshward/core/regex.h"
#include "meshward/model/kinds/pod.h"
#include "meshward/world/host.h"
#include "meshward/world/order.h"

namespace meshward::translate {

namespace {

using model::EnvoyConfigObjectPatch;
using model::EnvoyFilterApplyTo;
using model::EnvoyFilterPatchContext;
using Op = model::EnvoyFilterPatchOperation;

constexpr std::string_view kHcm = "envoy.filters.network.http_connection_manager";
constexpr std::string_view kVirtualInbound = "virtualInbound";
constexpr std::string_view kVirtualOutbound = "virtualOutbound";

std::string string_member(const json::Value* v, const char* key) {
  if (v == nullptr || !v->IsObject()) {
    return "";
  }
  const auto it = v->FindMember(key);
  return it != v->MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

const json::Value* member(const json::Value* v, const char* key) {
  if (v == nullptr || !v->IsObject()) {
    return nullptr;
  }
  const auto it = v->FindMember(key);
  return it != v->MemberEnd() ? &it->value : nullptr;
}

std::uint32_t uint_member(const json::Value* v, const char* key) {
  const json::Value* m = member(v, key);
  if (m != nullptr && m->IsUint()) {
    return m->GetUint();
  }
  if (m != nullptr && m->IsString()) {  // protobuf JSON also accepts numbers as strings
    const std::string s = m->GetString();
    if (!s.empty() && s.size() <= 9 &&
        std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return static_cast<std::uint32_t>(std::stoul(s));
    }
  }
  return 0;
}

std::vector<std::string> string_list(const json::Value* v) {
  std::vector<std::string> out;
  if (v != nullptr && v->IsArray()) {
    for (const auto& item : v->GetArray()) {
      if (item.IsString()) {
        out.emplace_back(item.GetString());
      }
    }
  }
  return out;
}

// ---- Objects from patch values (xds.BuildXDSObjectFromStruct, the fields matches read) ----

NetworkFilter network_filter_from(const json::Value& value) {
  NetworkFilter f;
  f.name = string_member(&value, "name");
  f.type_url = string_member(member(&value, "typed_config"), "@type");
  f.patch_value = model::detail::copy_raw(value);
  return f;
}

FilterChain filter_chain_from(const json::Value& value) {
  FilterChain c;
  c.name = string_member(&value, "name");
  if (const json::Value* m = member(&value, "filter_chain_match"); m != nullptr) {
    if (const json::Value* port = member(m, "destination_port"); port != nullptr) {
      c.match.destination_port = port->IsUint() ? port->GetUint() : uint_member(m, "destination_port");
    }
    c.match.server_names = string_list(member(m, "server_names"));
    c.match.transport_protocol = string_member(m, "transport_protocol");
    c.match.application_protocols = string_list(member(m, "application_protocols"));
  }
  if (const json::Value* filters = member(&value, "filters"); filters != nullptr && filters->IsArray()) {
    for (const auto& f : filters->GetArray()) {
      c.filters.push_back(network_filter_from(f));
    }
  }
  c.patch_value = model::detail::copy_raw(value);
  return c;
}

Listener listener_from(const json::Value& value) {
  Listener l;
  l.name = string_member(&value, "name");
  const json::Value* socket = member(member(&value, "address"), "socket_address");
  l.address.address = string_member(socket, "address");
  l.address.port_value = uint_member(socket, "port_value");
  l.traffic_direction = string_member(&value, "traffic_direction");
  if (const json::Value* chains = member(&value, "filter_chains"); chains != nullptr && chains->IsArray()) {
    for (const auto& c : chains->GetArray()) {
      l.filter_chains.push_back(filter_chain_from(c));
    }
  }
  l.patch_value = model::detail::copy_raw(value);
  return l;
}

HttpFilter http_filter_from(const json::Value& value) {
  return HttpFilter{string_member(&value, "name"), model::detail::copy_raw(value), {}, {}, {}};
}

// ---- Matches (listener_patch.go) -----------------------------------------------------------

const model::EnvoyFilterListenerMatch* listener_match_of(const ConfigPatch& p) {
  const auto& m = p.patch->match;
  return m && m->listener ? &*m->listener : nullptr;
}

bool context_matches(EnvoyFilterPatchContext context, const ConfigPatch& p) {
  return p.context == context || p.context == EnvoyFilterPatchContext::Any;
}

bool listener_matches(const Listener& l, const ConfigPatch& p) {
  const auto* m = listener_match_of(p);
  if (m == nullptr) {
    return true;
  }
  if (!m->name.value.empty() && m->name.value != l.name) {
    return false;
  }
  // The virtual listeners carry the port in their chains' matches (filter_chain_matches).
  if (p.patch->apply_to.value != EnvoyFilterApplyTo::Listener &&
      (l.name == kVirtualInbound || l.name == kVirtualOutbound)) {
    return true;
  }
  return m->port_number.value == 0 || l.address.port_value == m->port_number.value;
}

bool filter_chain_matches(const Listener& l, const FilterChain& fc, const ConfigPatch& p) {
  const auto* lm = listener_match_of(p);
  if (lm == nullptr) {
    return true;
  }
  const bool is_virtual = l.name == kVirtualInbound || l.name == kVirtualOutbound;
  if (is_virtual && lm->port_number.value > 0 &&
      fc.match.destination_port.value_or(0) != lm->port_number.value) {
    return false;
  }
  if (!lm->filter_chain) {
    return true;
  }
  const auto& m = *lm->filter_chain;
  if (!m.name.value.empty() && m.name.value != fc.name) {
    return false;
  }
  if (!m.sni.value.empty() && std::find(fc.match.server_names.begin(), fc.match.server_names.end(),
                                        m.sni.value) == fc.match.server_names.end()) {
    return false;
  }
  if (!m.transport_protocol.value.empty() && fc.match.transport_protocol != m.transport_protocol.value) {
    return false;
  }
  if (!m.application_protocols.value.empty()) {
    std::string_view rest = m.application_protocols.value;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view proto = rest.substr(0, comma);
      if (std::find(fc.match.application_protocols.begin(), fc.match.application_protocols.end(),
                    proto) == fc.match.application_protocols.end()) {
        return false;
      }
      if (comma == std::string_view::npos) {
        break;
      }
      rest = rest.substr(comma + 1);
    }
  }
  return m.destination_port.value == 0 || fc.match.destination_port == m.destination_port.value;
}

const model::EnvoyFilterFilterMatch* filter_match_of(const ConfigPatch& p) {
  const auto* lm = listener_match_of(p);
  return lm != nullptr && lm->filter_chain && lm->filter_chain->filter ? &*lm->filter_chain->filter
                                                                       : nullptr;
}

bool network_filter_matches(const NetworkFilter& f, const ConfigPatch& p) {
  const auto* m = filter_match_of(p);
  return m == nullptr || m->name.value == f.name;
}

bool has_http_filter_match(const ConfigPatch& p) {
  const auto* m = filter_match_of(p);
  return m != nullptr && m->sub_filter;
}

bool http_filter_matches(const HttpFilter& f, const ConfigPatch& p) {
  return !has_http_filter_match(p) || filter_match_of(p)->sub_filter->name.value == f.name;
}

const json::Value* value_of(const ConfigPatch& p) {
  return p.patch->patch && p.patch->patch->value ? p.patch->patch->value->get() : nullptr;
}

// A list operation needs the patch value to build what it inserts; REMOVE needs none.
bool has_value_or_removes(const ConfigPatch& p) {
  return p.operation == Op::Remove || value_of(p) != nullptr;
}

// ---- List operations shared by every ordered list (insertBeforeFunc & co.) -----------------

// Applies `p`'s list operation (ADD, INSERT_FIRST/BEFORE/AFTER, REPLACE, REMOVE) to `items`:
// `has_match` whether the patch names an element, `matches` whether an element is the one,
// `make` the element from the patch value. Returns whether it changed the list.
template <class T, class Matches, class Make>
bool list_operation(std::vector<T>& items, Op op, bool has_match, Matches matches, Make make) {
  switch (op) {
    case Op::Add:
      items.push_back(make());
      return true;
    case Op::InsertFirst:
      items.insert(items.begin(), make());
      return true;
    case Op::InsertAfter:
    case Op::InsertBefore: {
      if (!has_match) {  // Without a match: the end (AFTER) or the beginning (BEFORE).
        items.insert(op == Op::InsertAfter ? items.end() : items.begin(), make());
        return true;
      }
      const auto it = std::find_if(items.begin(), items.end(), matches);
      if (it == items.end()) {
        return false;
      }
      items.insert(op == Op::InsertAfter ? it + 1 : it, make());
      return true;
    }
    case Op::Replace: {
      if (!has_match) {
        return false;
      }
      const auto it = std::find_if(items.begin(), items.end(), matches);
      if (it == items.end()) {
        return false;
      }
      *it = make();
      return true;
    }
    case Op::Remove: {
      if (!has_match) {
        return false;
      }
      const auto before = items.size();
      items.erase(std::remove_if(items.begin(), items.end(), matches), items.end());
      return items.size() != before;
    }
    default:
      return false;
  }
}

// ---- The patcher -----------------------------------------------------------------------------

class ListenerPatcher {
 public:
  ListenerPatcher(EnvoyFilterPatchContext context, const ProxyPatches& patches, PatchLog* log)
      : context_(context), patches_(patches), log_(log) {}

  void run(std::vector<Listener>& listeners, bool skip_adds) {
    std::vector<bool> removed(listeners.size(), false);
    for (std::size_t i = 0; i < listeners.size(); ++i) {
      removed[i] = !patch_listener(listeners[i]);
    }
    std::vector<Listener> out;
    out.reserve(listeners.size());
    for (std::size_t i = 0; i < listeners.size(); ++i) {
      if (!removed[i]) {
        out.push_back(std::move(listeners[i]));
      }
    }
    if (!skip_adds) {
      for (const ConfigPatch& p : patches_.of(EnvoyFilterApplyTo::Listener)) {
        if (p.operation != Op::Add || value_of(p) == nullptr) {
          continue;
        }
        // A listener ADD without a context is only for sidecar outbound and gateways.
        if (p.context == EnvoyFilterPatchContext::Any &&
            context_ != EnvoyFilterPatchContext::SidecarOutbound &&
            context_ != EnvoyFilterPatchContext::Gateway) {
          continue;
        }
        if (!context_matches(context_, p)) {
          continue;
        }
        Listener added = listener_from(*value_of(p));
        added.patched_by.push_back(p.applied());
        note(p, added.name, "listener");
        out.push_back(std::move(added));
      }
    }
    listeners = std::move(out);
  }

 private:
  void note(const ConfigPatch& p, const std::string& listener, std::string object,
            const std::string& chain = "", std::string skipped = "") {
    if (log_ != nullptr) {
      log_->push_back(
          PatchEffect{p.applied(), listener, chain, std::move(object), std::move(skipped)});
    }
  }

  // False when a patch removed the listener.
  bool patch_listener(Listener& l) {
    for (const ConfigPatch& p : patches_.of(EnvoyFilterApplyTo::Listener)) {
      if (!context_matches(context_, p) || !listener_matches(l, p)) {
        continue;
      }
      if (p.operation == Op::Remove) {
        note(p, l.name, "listener");
        return false;
      }
      if (p.operation == Op::Merge) {
        l.patched_by.push_back(p.applied());
        note(p, l.name, "listener");
      }
    }
    patch_listener_filters(l);
    patch_filter_chains(l);
    return true;
  }

  void patch_listener_filters(Listener& l) {
    for (const ConfigPatch& p : patches_.of(EnvoyFilterApplyTo::ListenerFilter)) {
      if (!context_matches(context_, p) || !listener_matches(l, p) || !has_value_or_removes(p)) {
        continue;
      }
      const auto* lm = listener_match_of(p);
      const std::string wanted = lm != nullptr ? lm->listener_filter.value : "";
      const std::string name = string_member(value_of(p), "name");
      const bool changed = list_operation(
          l.listener_filters, p.operation, !wanted.empty(),
          [&](const std::string& f) { return f == wanted; }, [&] { return name; });
      if (changed) {
        l.patched_by.push_back(p.applied());
        note(p, l.name, "listener filter " + (name.empty() ? wanted : name));
      }
    }
  }

  void patch_filter_chains(Listener& l) {
    std::vector<bool> removed(l.filter_chains.size(), false);
    for (std::size_t i = 0; i < l.filter_chains.size(); ++i) {
      removed[i] = !patch_filter_chain(l, l.filter_chains[i]);
    }
    if (l.default_filter_chain && !patch_filter_chain(l, *l.default_filter_chain)) {
      l.default_filter_chain.reset();
    }
    for (const ConfigPatch& p : patches_.of(EnvoyFilterApplyTo::FilterChain)) {
      if (p.operation != Op::Add || value_of(p) == nullptr || !context_matches(context_, p) ||
          !listener_matches(l, p)) {
        continue;
      }
      FilterChain added = filter_chain_from(*value_of(p));
      added.patched_by.push_back(p.applied());
      note(p, l.name, added.describe());
      l.filter_chains.push_back(std::move(added));
      removed.push_back(false);
    }
    std::vector<FilterChain> kept;
    kept.reserve(l.filter_chains.size());
    for (std::size_t i = 0; i < l.filter_chains.size(); ++i) {
      if (!removed[i]) {
        kept.push_back(std::move(l.filter_chains[i]));
      }
    }
    l.filter_chains = std::move(kept);
  }

  // False when a patch removed the chain.
  bool patch_filter_chain(const Listener& l, FilterChain& fc) {
    for (const ConfigPatch& p : patches_.of(EnvoyFilterApplyTo::FilterChain)) {
      if (!context_matches(context_, p) || !listener_matches(l, p) ||
          !filter_chain_matches(l, fc, p)) {
        continue;
      }
      if (p.operation == Op::Remove) {
        note(p, l.name, fc.describe());
        return false;
      }
      if (p.operation == Op::Merge) {
        fc.patched_by.push_back(p.applied());
        note(p, l.name, fc.describe());
      }
    }
    patch_network_filters(l, fc);
    return true;
  }

  // The list operation of `p` (anything but MERGE) on a chain's network filters or a
  // connection manager's HTTP filters; `removed` names what a REMOVE matched.
  template <class Filter, class Matches, class Make>
  void list_patch(const ConfigPatch& p, std::vector<Filter>& filters, bool has_match,
                  Matches matches, Make make, const std::string& removed, const Listener& l,
                  const FilterChain& fc, const std::string& kind) {
    const bool changed = list_operation(filters, p.operation, has_match, matches, [&] {
      Filter f = make(*value_of(p));
      f.patched_by.push_back(p.applied());
      return f;
    });
    if (changed) {
      const std::string name =
          p.operation == Op::Remove ? removed : string_member(value_of(p), "name");
      note(p, l.name, kind + " " + name, fc.name);
    }
  }

  // A MERGE of `p` into a network or HTTP filter: istiod skips a filter without typed_config
  // (all of its own have one); a merged `name` renames the filter.
  template <class Filter>
  void merge_filter(const ConfigPatch& p, Filter& f, const Listener& l, const FilterChain& fc,
                    const std::string& kind) {
    if (f.patch_value.get() != nullptr && member(f.patch_value.get(), "typed_config") == nullptr) {
      // Matched, but istiod merges only into a typed_config (mergeHTTPFilter / the network
      // filter merge): logged as skipped, so a check can say why nothing changed.
      note(p, l.name, kind + " " + f.name, fc.name,
           "the filter has no typed_config (a patch added it by name only), and istiod merges "
           "only into a filter's typed_config");
      return;
    }
    if (const std::string name = string_member(value_of(p), "name"); !name.empty()) {
      if (f.generated_name.empty() && name != f.name) {
        f.generated_name = f.name;  // istiod renames the filter and keeps its typed_config
      }
      f.name = name;
    }
    f.patched_by.push_back(p.applied());
    note(p, l.name, kind + " " + f.name, fc.name);
  }

  // Whether `p` reaches filters of chain `fc` of listener `l` in this context.
  bool reaches_chain(const ConfigPatch& p, const Listener& l, const FilterChain& fc) const {
    return context_matches(context_, p) && listener_matches(l, p) &&
           filter_chain_matches(l, fc, p);
  }

  void patch_network_filters(const Listener& l, FilterChain& fc) {
    const auto& patches = patches_.of(EnvoyFilterApplyTo::NetworkFilter);
    for (const ConfigPatch& p : patches) {
      if (p.operation == Op::Merge || !reaches_chain(p, l, fc) || !has_value_or_removes(p)) {
        continue;
      }
      list_patch(
          p, fc.filters, filter_match_of(p) != nullptr,
          [&](const NetworkFilter& f) { return network_filter_matches(f, p); },
          network_filter_from, filter_match_of(p) != nullptr ? filter_match_of(p)->name.value : "",
          l, fc, "network filter");
    }
    for (NetworkFilter& f : fc.filters) {
      for (const ConfigPatch& p : patches) {
        if (p.operation == Op::Merge && reaches_chain(p, l, fc) && network_filter_matches(f, p)) {
          merge_filter(p, f, l, fc, "network filter");
        }
      }
      if (f.name == kHcm) {
        patch_http_filters(l, fc, f);
      }
    }
  }

  void patch_http_filters(const Listener& l, const FilterChain& fc, NetworkFilter& hcm) {
    const auto& patches = patches_.of(EnvoyFilterApplyTo::HttpFilter);
    for (const ConfigPatch& p : patches) {
      if (p.operation == Op::Merge || !reaches_chain(p, l, fc) ||
          !network_filter_matches(hcm, p) || !has_value_or_removes(p)) {
        continue;
      }
      list_patch(
          p, hcm.http_filters, has_http_filter_match(p),
          [&](const HttpFilter& f) { return http_filter_matches(f, p); }, http_filter_from,
          has_http_filter_match(p) ? filter_match_of(p)->sub_filter->name.value : "", l, fc,
          "http filter");
    }
    for (HttpFilter& f : hcm.http_filters) {
      for (const ConfigPatch& p : patches) {
        if (p.operation == Op::Merge && reaches_chain(p, l, fc) &&
            network_filter_matches(hcm, p) && http_filter_matches(f, p)) {
          merge_filter(p, f, l, fc, "http filter");
        }
      }
    }
  }

  EnvoyFilterPatchContext context_;
  const ProxyPatches& patches_;
  PatchLog* log_;
};

// ---- Routes (rc_patch.go) --------------------------------------------------------------------

const model::EnvoyFilterRouteConfigurationMatch* rc_match_of(const ConfigPatch& p) {
  const auto& m = p.patch->match;
  return m && m->route_configuration ? &*m->route_configuration : nullptr;
}

const model::EnvoyFilterVirtualHostMatch* vhost_match_of(const ConfigPatch& p) {
  const auto* rc = rc_match_of(p);
  return rc != nullptr && rc->vhost ? &*rc->vhost : nullptr;
}

const model::EnvoyFilterRouteMatch* route_match_of(const ConfigPatch& p) {
  const auto* vh = vhost_match_of(p);
  return vh != nullptr && vh->route ? &*vh->route : nullptr;
}

int leading_number(std::string_view s) {
  int n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  return ec == std::errc() && end == s.data() + s.size() ? n : 0;
}

// routeConfigurationMatch: sidecars match the port of the route name (`9080`, or the
// `inbound|9080||` of an inbound chain) and the name; gateways the port, port name and gateway
// of `http.<port>` / `https.<port>.<portName>.<gateway>.<ns>` (ParseGatewayRDSRouteName). The
// gateway's service-to-target port map is not applied: the port is the route name's.
bool route_configuration_matches(EnvoyFilterPatchContext context, const RouteConfiguration& rc,
                                 const ConfigPatch& p) {
  const auto* m = rc_match_of(p);
  if (m == nullptr) {
    return true;
  }
  const std::string_view name = rc.name;
  if (context != EnvoyFilterPatchContext::Gateway) {
    int port = 0;
    if (name.substr(0, 8) == "inbound|") {
      const std::string_view rest = name.substr(8);
      port = leading_number(rest.substr(0, rest.find('|')));
    } else {
      port = leading_number(name);
    }
    if (m->port_number.value != 0 && static_cast<int>(m->port_number.value) != port) {
      return false;
    }
    return m->name.value.empty() || m->name.value == name;
  }
  int port = 0;
  std::string port_name;
  std::string gateway;
  if (name.substr(0, 5) == "http.") {
    port = leading_number(name.substr(5));
  } else if (name.substr(0, 6) == "https." && std::count(name.begin(), name.end(), '.') == 4) {
    std::string_view rest = name.substr(6);
    const std::size_t a = rest.find('.');
    port = leading_number(rest.substr(0, a));
    rest.remove_prefix(a + 1);
    const std::size_t b = rest.find('.');
    port_name = std::string(rest.substr(0, b));
    rest.remove_prefix(b + 1);
    const std::size_t c = rest.find('.');
    gateway = std::string(rest.substr(c + 1)) + "/" + std::string(rest.substr(0, c));
  }
  if (m->port_number.value != 0 && static_cast<int>(m->port_number.value) != port) {
    return false;
  }
  if (!m->port_name.value.empty() && m->port_name.value != port_name) {
    return false;
  }
  if (!m->gateway.value.empty() && m->gateway.value != gateway) {
    return false;
  }
  return m->name.value.empty() || m->name.value == name;
}

bool virtual_host_matches(const VirtualHost& vh, const ConfigPatch& p) {
  const auto* m = vhost_match_of(p);
  if (m == nullptr) {
    return true;
  }
  if (!m->name.value.empty() && m->name.value != vh.name) {
    return false;
  }
  return m->domain_name.value.empty() ||
         std::find(vh.domains.begin(), vh.domains.end(), m->domain_name.value) != vh.domains.end();
}

bool route_matches(const Route& r, const ConfigPatch& p) {
  const auto* m = route_match_of(p);
  if (m == nullptr) {
    return true;
  }
  if (!m->name.value.empty() && m->name.value != r.name) {
    return false;
  }
  using Action = model::EnvoyFilterRouteAction;
  switch (m->action.present ? m->action.value : Action::Any) {
    case Action::Route:
      return std::holds_alternative<RouteAction>(r.action);
    case Action::Redirect:
      return std::holds_alternative<RedirectAction>(r.action);
    case Action::DirectResponse:
      return std::holds_alternative<DirectResponseAction>(r.action);
    default:
      return true;
  }
}

Route route_from(const json::Value& value) {
  Route r;
  r.name = string_member(&value, "name");
  if (const json::Value* m = member(&value, "match"); m != nullptr) {
    if (member(m, "path") != nullptr) {
      r.match.path_kind = RouteMatch::PathKind::Path;
      r.match.path = string_member(m, "path");
    } else if (member(m, "safe_regex") != nullptr) {
      r.match.path_kind = RouteMatch::PathKind::SafeRegex;
      r.match.path = string_member(member(m, "safe_regex"), "regex");
    } else if (member(m, "prefix") != nullptr) {
      r.match.path = string_member(m, "prefix");
    }
  }
  if (member(&value, "redirect") != nullptr) {
    r.action = RedirectAction{};
  } else if (member(&value, "direct_response") != nullptr) {
    r.action = DirectResponseAction{};
  } else {
    RouteAction a;
    a.cluster = string_member(member(&value, "route"), "cluster");
    r.action = std::move(a);
  }
  r.patch_value = model::detail::copy_raw(value);
  return r;
}

VirtualHost virtual_host_from(const json::Value& value) {
  VirtualHost vh;
  vh.name = string_member(&value, "name");
  vh.domains = string_list(member(&value, "domains"));
  if (const json::Value* routes = member(&value, "routes"); routes != nullptr && routes->IsArray()) {
    for (const auto& r : routes->GetArray()) {
      vh.routes.push_back(route_from(r));
    }
  }
  vh.patch_value = model::detail::copy_raw(value);
  return vh;
}

class RoutePatcher {
 public:
  RoutePatcher(EnvoyFilterPatchContext context, const ProxyPatches& patches, PatchLog* log)
      : context_(context), patches_(patches), log_(log) {}

  void run(RouteConfiguration& rc) {
    // Only MERGE applies to a route configuration.
    for (const ConfigPatch& p : patches_.of(EnvoyFilterApplyTo::RouteConfiguration)) {
      if (p.operation == Op::Merge && reaches(p, rc)) {
        rc.patched_by.push_back(p.applied());
        note(p, rc.name, "", "route configuration");
      }
    }
    patch_virtual_hosts(rc);
  }

 private:
  bool reaches(const ConfigPatch& p, const RouteConfiguration& rc) const {
    return context_matches(context_, p) && route_configuration_matches(context_, rc, p);
  }

  void note(const ConfigPatch& p, const std::string& rc, const std::string& within,
            std::string object) {
    if (log_ != nullptr) {
      log_->push_back(PatchEffect{p.applied(), rc, within, std::move(object), {}});
    }
  }

  void patch_virtual_hosts(RouteConfiguration& rc) {
    const auto& patches = patches_.of(EnvoyFilterApplyTo::VirtualHost);
    std::vector<VirtualHost> kept;
    kept.reserve(rc.virtual_hosts.size());
    for (VirtualHost& vh : rc.virtual_hosts) {
      bool removed = false;
      for (const ConfigPatch& p : patches) {
        if (!reaches(p, rc) || !virtual_host_matches(vh, p)) {
          continue;
        }
        if (p.operation == Op::Remove) {
          note(p, rc.name, "", "virtual host " + vh.name);
          removed = true;
          break;
        }
        if (p.operation == Op::Merge) {
          vh.patched_by.push_back(p.applied());
          note(p, rc.name, "", "virtual host " + vh.name);
        }
      }
      if (!removed) {
        patch_routes(rc, vh);
        kept.push_back(std::move(vh));
      }
    }
    rc.virtual_hosts = std::move(kept);
    for (const ConfigPatch& p : patches) {
      if (p.operation == Op::Add && value_of(p) != nullptr && reaches(p, rc)) {
        VirtualHost added = virtual_host_from(*value_of(p));
        added.patched_by.push_back(p.applied());
        note(p, rc.name, "", "virtual host " + added.name);
        rc.virtual_hosts.push_back(std::move(added));
      }
    }
  }

  void patch_routes(const RouteConfiguration& rc, VirtualHost& vh) {
    const auto& patches = patches_.of(EnvoyFilterApplyTo::HttpRoute);
    // REMOVE and MERGE on the routes built, then the additions in patch order.
    std::vector<Route> kept;
    kept.reserve(vh.routes.size());
    for (Route& r : vh.routes) {
      bool removed = false;
      for (const ConfigPatch& p : patches) {
        if (!reaches(p, rc) || !virtual_host_matches(vh, p) || !route_matches(r, p)) {
          continue;
        }
        if (p.operation == Op::Remove) {
          note(p, rc.name, vh.name, "route " + r.name);
          removed = true;
          break;
        }
        if (p.operation == Op::Merge) {
          r.patched_by.push_back(p.applied());
          note(p, rc.name, vh.name, "route " + r.name);
        }
      }
      if (!removed) {
        kept.push_back(std::move(r));
      }
    }
    vh.routes = std::move(kept);
    for (const ConfigPatch& p : patches) {
      const bool adds = p.operation == Op::Add || p.operation == Op::InsertAfter ||
                        p.operation == Op::InsertBefore || p.operation == Op::InsertFirst;
      if (!adds || value_of(p) == nullptr || !reaches(p, rc) || !virtual_host_matches(vh, p)) {
        continue;
      }
      // ADD appends; INSERT_AFTER without a route match appends, INSERT_BEFORE/FIRST without
      // one prepends; with a match they insert next to the first matching route (INSERT_FIRST:
      // at the top), and nothing when no route matches.
      auto position = vh.routes.end();
      if (p.operation != Op::Add && route_match_of(p) != nullptr) {
        const auto it = std::find_if(vh.routes.begin(), vh.routes.end(),
                                     [&](const Route& r) { return route_matches(r, p); });
        if (it == vh.routes.end()) {
          continue;
        }
        position = p.operation == Op::InsertAfter   ? it + 1
                   : p.operation == Op::InsertFirst ? vh.routes.begin()
                                                    : it;
      } else if (p.operation == Op::InsertBefore || p.operation == Op::InsertFirst) {
        position = vh.routes.begin();
      }
      Route added = route_from(*value_of(p));
      added.patched_by.push_back(p.applied());
      note(p, rc.name, vh.name, "route " + added.name);
      vh.routes.insert(position, std::move(added));
    }
  }

  EnvoyFilterPatchContext context_;
  const ProxyPatches& patches_;
  PatchLog* log_;
};

// ---- Clusters (cluster_patch.go) -------------------------------------------------------------

// clusterMatch: a name match decides alone; else subset, service (host match, wildcards both
// ways; an inbound cluster's hosts are its Services') and port of the parsed cluster name.
bool cluster_matches(const Cluster& c, const ConfigPatch& p,
                     const std::vector<std::string>& inbound_hosts) {
  const auto& m = p.patch->match;
  if (!m || !m->cluster) {
    return true;
  }
  const auto& cm = *m->cluster;
  if (!cm.name.value.empty()) {
    return cm.name.value == c.name;
  }
  if (!cm.subset.value.empty() && cm.subset.value != c.subset) {
    return false;
  }
  if (!cm.service.value.empty()) {
    const std::vector<std::string> own = {c.fqdn};
    const auto& hosts = c.direction == "inbound" && !inbound_hosts.empty() ? inbound_hosts : own;
    const bool any = std::any_of(hosts.begin(), hosts.end(), [&](const std::string& h) {
      return !h.empty() && world::host_matches(cm.service.value, h);
    });
    if (!any) {
      return false;
    }
  }
  return cm.port_number.value == 0 || cm.port_number.value == c.port;
}

Cluster cluster_from(const json::Value& value) {
  Cluster c;
  c.name = string_member(&value, "name");
  const std::string type = string_member(&value, "type");
  c.type = type == "EDS"            ? Cluster::Type::Eds
           : type == "STRICT_DNS"   ? Cluster::Type::StrictDns
           : type == "LOGICAL_DNS"  ? Cluster::Type::LogicalDns
           : type == "ORIGINAL_DST" ? Cluster::Type::OriginalDst
                                    : Cluster::Type::Static;  // Envoy's default.
  c.patch_value = model::detail::copy_raw(value);
  return c;
}

}  // namespace

// ---- Selection -------------------------------------------------------------------------------

std::string release_proxy_version(const Options& options) {
  return to_string(options.version) + ".0";
}

std::string proxy_version(const world::View& view, const Proxy& proxy, const Options& options) {
  if (!proxy.version.empty()) {
    return proxy.version;
  }
  std::vector<const model::Object*> pods = view.selected_by(model::Kind::Pod, proxy.namespace_,
                                                            proxy.labels);
  world::sort_stable(pods);
  for (const model::Object* o : pods) {
    if (const auto* pod = o->as<model::Pod>(); pod != nullptr) {
      if (std::string v = model::istio_proxy_version(*pod); !v.empty()) {
        return v;
      }
    }
  }
  return release_proxy_version(options);
}

std::optional<bool> proxy_version_matches(std::string_view pattern, std::string_view version) {
  // Bounded: a review may hold thousands of distinct patterns; the memo starts over when full.
  constexpr std::size_t kMemoEntries = 4096;
  thread_local std::unordered_map<std::string, std::optional<bool>> memo;
  std::string key(pattern);
  key += '\0';
  key += version;
  if (const auto it = memo.find(key); it != memo.end()) {
    return it->second;
  }
  const Regex re(pattern);
  std::optional<bool> result;
  if (re.ok()) {
    result = !version.empty() && re.search(version);
  }
  if (memo.size() >= kMemoEntries) {
    memo.clear();
  }
  memo.emplace(std::move(key), result);
  return result;
}

bool proxy_matches(const model::EnvoyConfigObjectPatch& patch, const Proxy& proxy,
                   std::string_view version, const Options& options) {
  if (!patch.match || !patch.match->proxy) {
    return true;
  }
  const auto& pm = *patch.match->proxy;
  if (!pm.proxy_version.value.empty()) {
    if (version.empty()) {
      return false;
    }
    if (proxy_version_matches(pm.proxy_version.value, version) != true) {
      return false;  // No match, or a regex that does not compile (matches nothing).
    }
  }
  for (const auto& [key, value] : pm.metadata) {
    std::string actual;
    if (key == "ISTIO_VERSION") {
      actual = std::string(version);
    } else if (key == "NAMESPACE") {
      actual = proxy.namespace_;
    } else if (key == "CLUSTER_ID") {
      actual = options.mesh.cluster_id;
    } else {
      return false;
    }
    if (actual != value.value) {
      return false;
    }
  }
  return true;
}

std::vector<const model::EnvoyFilter*> envoy_filters_for(const world::View& view,
                                                         const Proxy& proxy,
                                                         const Options& options) {
  const std::string& root = options.mesh.root_namespace;
  std::vector<const model::EnvoyFilter*> out;
  auto add_from = [&](const std::string& ns) {
    for (const model::Object* o : view.in_namespace(model::Kind::EnvoyFilter, ns)) {
      const auto* ef = o->as<model::EnvoyFilter>();
      if (ef == nullptr || !ef->spec.target_refs.empty()) {
        continue;  // targetRefs never match a proxy (getMatchedEnvoyFilters).
      }
      bool selected = true;
      if (ef->spec.workload_selector) {
        for (const auto& [key, value] : ef->spec.workload_selector->labels) {
          const auto it = proxy.labels.find(key);
          if (it == proxy.labels.end() || it->second != value.value) {
            selected = false;
            break;
          }
        }
      }
      if (selected) {
        out.push_back(ef);
      }
    }
  };
  if (!root.empty()) {
    add_from(root);
  }
  if (proxy.namespace_ != root) {
    add_from(proxy.namespace_);
  }
  std::vector<std::pair<world::OrderKey, const model::EnvoyFilter*>> keyed;
  keyed.reserve(out.size());
  for (const model::EnvoyFilter* ef : out) {
    keyed.emplace_back(world::order_key(*ef), ef);
  }
  std::sort(keyed.begin(), keyed.end(), [&root](const auto& a, const auto& b) {
    const auto* x = a.second;
    const auto* y = b.second;
    const std::int32_t px = x->spec.priority.value;
    const std::int32_t py = y->spec.priority.value;
    if (px != py) {
      return px < py;
    }
    if (x->meta.namespace_ != y->meta.namespace_ &&
        (x->meta.namespace_ == root || y->meta.namespace_ == root)) {
      return x->meta.namespace_ == root;
    }
    if (a.first.time != b.first.time) {
      return a.first.time < b.first.time;
    }
    // Go compares `name.namespace`; manifests without timestamps keep their reading order.
    if (a.first.sequence != b.first.sequence) {
      return a.first.sequence < b.first.sequence;
    }
    return x->meta.name + "." + x->meta.namespace_ < y->meta.name + "." + y->meta.namespace_;
  });
  out.clear();
  for (const auto& [key, ef] : keyed) {
    out.push_back(ef);
  }
  return out;
}

namespace {

// The names a filter discovers over ECDS: `config_discovery` in the value an EnvoyFilter gave it
// (istiod's own filters in meshward's model carry typed_config).
void add_discovered(const model::RawJson& value, std::set<std::string>& names) {
  if (member(value.get(), "config_discovery") != nullptr) {
    if (const std::string name = string_member(value.get(), "name"); !name.empty()) {
      names.insert(name);
    }
  }
}

void add_discovered(const FilterChain& chain, std::set<std::string>& names) {
  for (const NetworkFilter& f : chain.filters) {
    add_discovered(f.patch_value, names);
    for (const HttpFilter& h : f.http_filters) {
      add_discovered(h.patch_value, names);
    }
  }
}

}  // namespace

std::vector<ExtensionConfig> apply_extension_config_patches(const ProxyPatches& patches,
                                                            const std::vector<Listener>& listeners,
                                                            PatchLog* log) {
  std::vector<ExtensionConfig> out;
  const auto& ecds = patches.of(EnvoyFilterApplyTo::ExtensionConfig);
  if (ecds.empty()) {
    return out;
  }
  std::set<std::string> discovered;
  for (const Listener& l : listeners) {
    for (const FilterChain& fc : l.filter_chains) {
      add_discovered(fc, discovered);
    }
    if (l.default_filter_chain) {
      add_discovered(*l.default_filter_chain, discovered);
    }
  }
  for (const ConfigPatch& p : ecds) {
    const std::string name = string_member(value_of(p), "name");
    if (p.operation != Op::Add || name.empty() || !discovered.contains(name)) {
      continue;
    }
    out.push_back(ExtensionConfig{name, *p.patch->patch->value, {p.applied()}});
    if (log != nullptr) {
      log->push_back(PatchEffect{p.applied(), name, "", "extension config", {}});
    }
  }
  return out;
}

AppliedPatch ConfigPatch::applied() const {
  AppliedPatch out{model::key_of(*envoy_filter), index, std::string(model::enum_name(operation)),
                   {}};
  if (operation == Op::Merge && patch->patch && patch->patch->value) {
    out.merge_value = *patch->patch->value;
  }
  return out;
}

ProxyPatches::ProxyPatches(const world::View& view, const Proxy& proxy, const Options& options) {
  if (view.count(model::Kind::EnvoyFilter) == 0) {
    return;
  }
  const std::string version = proxy_version(view, proxy, options);
  for (const model::EnvoyFilter* ef : envoy_filters_for(view, proxy, options)) {
    for (std::size_t i = 0; i < ef->spec.config_patches.size(); ++i) {
      const EnvoyConfigObjectPatch& cp = ef->spec.config_patches[i];
      if (!cp.patch || !proxy_matches(cp, proxy, version, options)) {
        continue;  // istiod drops a configPatch without a patch.
      }
      const auto apply_to = cp.apply_to.value;
      if (static_cast<std::size_t>(apply_to) >= by_apply_to_.size()) {
        continue;
      }
      ConfigPatch p;
      p.envoy_filter = ef;
      p.index = i;
      p.patch = &cp;
      p.operation = cp.patch->operation.value;
      if ((p.operation == Op::InsertAfter || p.operation == Op::InsertBefore ||
           p.operation == Op::InsertFirst) &&
          apply_to != EnvoyFilterApplyTo::HttpFilter &&
          apply_to != EnvoyFilterApplyTo::NetworkFilter &&
          apply_to != EnvoyFilterApplyTo::HttpRoute) {
        p.operation = Op::Add;
      }
      p.context = cp.match ? cp.match->context.value : EnvoyFilterPatchContext::Any;
      by_apply_to_[static_cast<std::size_t>(apply_to)].push_back(p);
    }
  }
}

bool ProxyPatches::empty() const {
  return std::all_of(by_apply_to_.begin(), by_apply_to_.end(),
                     [](const auto& list) { return list.empty(); });
}

void apply_listener_patches(EnvoyFilterPatchContext context, const ProxyPatches& patches,
                            std::vector<Listener>& listeners, bool skip_adds, PatchLog* log) {
  if (patches.empty()) {
    return;
  }
  ListenerPatcher(context, patches, log).run(listeners, skip_adds);
}

void apply_route_patches(EnvoyFilterPatchContext context, const ProxyPatches& patches,
                         RouteConfiguration& rc, PatchLog* log) {
  if (patches.empty()) {
    return;
  }
  RoutePatcher(context, patches, log).run(rc);
}

void apply_cluster_patches(EnvoyFilterPatchContext context, const ProxyPatches& patches,
                           std::vector<Cluster>& clusters,
                           const std::map<std::uint32_t, std::vector<std::string>>& inbound_hosts,
                           PatchLog* log) {
  if (patches.empty()) {
    return;
  }
  const auto& list = patches.of(EnvoyFilterApplyTo::Cluster);
  static const std::vector<std::string> kNoHosts;
  std::vector<Cluster> kept;
  kept.reserve(clusters.size());
  for (Cluster& c : clusters) {
    const auto hosts_it = inbound_hosts.find(c.port);
    const auto& hosts = hosts_it != inbound_hosts.end() ? hosts_it->second : kNoHosts;
    bool removed = false;
    // ApplyClusterMerge first, then ShouldKeepCluster: a REMOVE wins over any MERGE.
    for (const ConfigPatch& p : list) {
      if (p.operation == Op::Merge && context_matches(context, p) &&
          cluster_matches(c, p, hosts)) {
        c.patched_by.push_back(p.applied());
        if (log != nullptr) {
          log->push_back(PatchEffect{p.applied(), c.name, "", "cluster", {}});
        }
      }
    }
    for (const ConfigPatch& p : list) {
      if (p.operation == Op::Remove && context_matches(context, p) &&
          cluster_matches(c, p, hosts)) {
        if (log != nullptr) {
          log->push_back(PatchEffect{p.applied(), c.name, "", "cluster", {}});
        }
        removed = true;
        break;
      }
    }
    if (!removed) {
      kept.push_back(std::move(c));
    }
  }
  // InsertedClusters: a cluster ADD without a context is for sidecar outbound and gateways.
  for (const ConfigPatch& p : list) {
    if (p.operation != Op::Add || value_of(p) == nullptr || !context_matches(context, p)) {
      continue;
    }
    if (p.context == EnvoyFilterPatchContext::Any && context != EnvoyFilterPatchContext::SidecarOutbound &&
        context != EnvoyFilterPatchContext::Gateway) {
      continue;
    }
    Cluster added = cluster_from(*value_of(p));
    added.patched_by.push_back(p.applied());
    if (log != nullptr) {
      log->push_back(PatchEffect{p.applied(), added.name, "", "cluster", {}});
    }
    kept.push_back(std::move(added));
  }
  clusters = std::move(kept);
}

}  // namespace meshward::translate
