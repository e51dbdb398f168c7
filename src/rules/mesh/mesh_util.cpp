// Shared helpers of the mesh checks; see mesh_util.h.
#include "mesh_util.h"

#include <algorithm>

#include "meshward/translate/names.h"
#include "meshward/world/host.h"
#include "meshward/world/order.h"
#include "meshward/world/peer_authentication.h"
#include "meshward/world/selector.h"

namespace meshward::rules::mesh {

using model::Kind;

void for_each_destination(
    const model::VirtualService& vs,
    const std::function<void(const model::Destination&, const DestinationSite&)>& fn) {
  for (const model::HttpRoute& http : vs.spec.http) {
    DestinationSite site{DestinationSite::Block::Http, false, &http};
    for (const model::HttpRouteDestination& route : http.route) {
      if (route.destination) {
        fn(*route.destination, site);
      }
    }
    site.mirror = true;
    if (http.mirror) {
      fn(*http.mirror, site);
    }
    for (const model::HttpMirrorPolicy& mirror : http.mirrors) {
      if (mirror.destination) {
        fn(*mirror.destination, site);
      }
    }
  }
  for (const model::TlsRoute& tls : vs.spec.tls) {
    for (const model::RouteDestination& route : tls.route) {
      if (route.destination) {
        fn(*route.destination, DestinationSite{DestinationSite::Block::Tls, false, nullptr});
      }
    }
  }
  for (const model::TcpRoute& tcp : vs.spec.tcp) {
    for (const model::RouteDestination& route : tcp.route) {
      if (route.destination) {
        fn(*route.destination, DestinationSite{DestinationSite::Block::Tcp, false, nullptr});
      }
    }
  }
}

std::vector<const model::Object*> registry_entries(const Context& ctx, std::string_view host,
                                                   std::string_view ns) {
  std::vector<const model::Object*> out;
  for (const model::Object* o : ctx.by_host(Kind::Service, host)) {
    const model::Service* svc = o->as<model::Service>();
    if (svc != nullptr && world::service_fqdn(svc->meta.name, svc->meta.namespace_) == host &&
        (ns.empty() || ctx.visible_to(*o, ns))) {
      out.push_back(o);
    }
  }
  for (const model::Object* o : ctx.by_host(Kind::ServiceEntry, host)) {
    const model::ServiceEntry* se = o->as<model::ServiceEntry>();
    if (se == nullptr || (!ns.empty() && !ctx.visible_to(*o, ns))) {
      continue;
    }
    for (const auto& h : se->spec.hosts) {
      if (h.present && world::host_subset_of(host, *h)) {
        out.push_back(o);
        break;
      }
    }
  }
  return out;
}

const model::Gateway* find_gateway(const Context& ctx, std::string_view ref) {
  const auto slash = ref.find('/');
  if (ref == world::kMeshGateway || slash == std::string_view::npos) {
    return nullptr;
  }
  return ctx.find_as<model::Gateway>(ref.substr(0, slash), ref.substr(slash + 1));
}

std::string destination_cluster(const model::Destination& dest, std::string_view host) {
  if (dest.port && dest.port->number.present) {
    return translate::outbound_cluster_name(*dest.port->number, dest.subset.value, host);
  }
  return "outbound|<port>|" + dest.subset.value + "|" + std::string(host);
}

std::string missing_cluster_effect(const DestinationSite& site, std::string_view host,
                                   std::string_view via) {
  const std::string target = std::string(host) + std::string(via);
  if (site.block != DestinationSite::Block::Http) {
    return std::string(site.block == DestinationSite::Block::Tls ? "TLS" : "TCP") +
           " connections routed to " + target + " are closed";
  }
  if (site.mirror) {
    return "mirrored requests to " + target + " are never sent";
  }
  return "requests routed to " + std::string(host) + describe_match(*site.http) +
         std::string(via) + " get 503 NC";
}

const model::Service* gateway_workload_service(const Context& ctx, const model::Gateway& gw) {
  if (gw.spec.selector.empty()) {
    return nullptr;
  }
  const model::Labels labels = world::to_labels(gw.spec.selector);
  const world::ObjectList narrower = ctx.selecting(Kind::Service, "", labels);
  const world::ObjectList wider = ctx.selectors_including(Kind::Service, "", labels);
  const model::Object* first = narrower.empty() ? nullptr : narrower.front();
  if (!wider.empty() && (first == nullptr || world::stable_less(*wider.front(), *first))) {
    first = wider.front();
  }
  return first != nullptr ? first->as<model::Service>() : nullptr;
}

const std::string& gateway_proxy_namespace(const Context& ctx, const model::Gateway& gw) {
  const model::Service* svc = gateway_workload_service(ctx, gw);
  return svc != nullptr ? svc->meta.namespace_ : gw.meta.namespace_;
}

std::vector<std::uint32_t> service_ports(const model::Object& entry) {
  std::vector<std::uint32_t> ports;
  if (const auto* svc = entry.as<model::Service>()) {
    for (const model::ServicePort& p : svc->spec.ports) {
      if (p.port.present && p.port.value > 0) {
        ports.push_back(static_cast<std::uint32_t>(p.port.value));
      }
    }
  } else if (const auto* se = entry.as<model::ServiceEntry>()) {
    for (const model::ServiceEntryPort& p : se->spec.ports) {
      if (p.number.present) {
        ports.push_back(p.number.value);
      }
    }
  }
  return ports;
}

std::string dr_host(const model::DestinationRule& dr) {
  return world::resolve_short_name(dr.spec.host.value, dr.meta.namespace_);
}

namespace {

// pilot's exportTo filter for steps 2 and 3 of the lookup: exported beyond the own namespace
// and visible to the client.
bool exported_to_client(const Context& ctx, const model::DestinationRule& dr,
                        std::string_view client_ns) {
  return ctx.visible_to(dr, client_ns);
}

// The DRs of `ns` (visible to `client_ns`) with the most specific host covering `host`.
// `candidates` are the DRs by_host(host), in stable order: every DR whose host covers `host`
// is among them.
DrLookup best_in_namespace(const Context& ctx, const world::ObjectList& candidates,
                           std::string_view host, std::string_view ns,
                           std::string_view client_ns) {
  DrLookup best;
  for (const model::Object* o : candidates) {
    const auto* dr = o->as<model::DestinationRule>();
    if (dr == nullptr || dr->meta.namespace_ != ns || !dr->spec.host.present ||
        !exported_to_client(ctx, *dr, client_ns)) {
      continue;
    }
    const std::string h = dr_host(*dr);
    if (!world::host_subset_of(host, h)) {
      continue;
    }
    if (best.rules.empty()) {
      best.host = h;
      best.rules.push_back(dr);
      continue;
    }
    if (h == best.host) {
      best.rules.push_back(dr);
      continue;
    }
    // More specific (MostSpecificHostMatch): exact beats wildcard; a longer wildcard beats
    // a shorter one. Two different exact hosts cannot both cover `host`.
    const bool h_wild = world::is_wildcard(h);
    const bool best_wild = world::is_wildcard(best.host);
    if ((!h_wild && best_wild) || (h_wild && best_wild && h.size() > best.host.size())) {
      best.host = h;
      best.rules.assign(1, dr);
    }
  }
  return best;
}

}  // namespace

DrLookup lookup_destination_rules(const Context& ctx, std::string_view host,
                                  std::string_view client_ns,
                                  const std::vector<std::string>& service_namespaces) {
  std::vector<std::string> order{std::string(client_ns)};
  for (const std::string& ns : service_namespaces) {
    order.push_back(ns);
  }
  order.push_back(root_namespace(ctx));
  // One host lookup instead of a scan of each namespace's rules.
  const world::ObjectList candidates = ctx.by_host(Kind::DestinationRule, host);
  if (candidates.empty()) {
    return {};
  }
  std::vector<std::string> seen;
  for (const std::string& ns : order) {
    if (std::find(seen.begin(), seen.end(), ns) != seen.end()) {
      continue;
    }
    seen.push_back(ns);
    DrLookup found = best_in_namespace(ctx, candidates, host, ns, client_ns);
    if (!found.rules.empty()) {
      return found;
    }
  }
  return {};
}

std::string sanitize_server_host(std::string_view host, std::string_view gateway_ns) {
  if (host.starts_with("./")) {
    return std::string(gateway_ns) + "/" + std::string(host.substr(2));
  }
  if (host.starts_with("*/")) {
    return std::string(host.substr(2));
  }
  return std::string(host);
}

std::pair<std::string, std::string> split_server_host(std::string_view sanitized) {
  const auto slash = sanitized.find('/');
  if (slash == std::string_view::npos) {
    return {"", std::string(sanitized)};
  }
  return {std::string(sanitized.substr(0, slash)), std::string(sanitized.substr(slash + 1))};
}

bool server_host_for_namespace(std::string_view server_host, std::string_view vs_ns,
                               std::string& out) {
  auto [ns, h] = split_server_host(server_host);
  if (!ns.empty() && ns != "*" && ns != vs_ns) {
    return false;
  }
  out = h;
  return true;
}

std::string full_name(const model::Object& object) {
  return object.meta.namespace_ + "/" + object.meta.name;
}

namespace {

std::string describe_string_match(const model::StringMatch& m) {
  if (m.exact.present) {
    return *m.exact;
  }
  if (m.prefix.present) {
    return *m.prefix + "*";
  }
  if (m.regex.present) {
    return "~" + *m.regex;
  }
  return "*";
}

}  // namespace

std::string describe_match(const model::HttpRoute& route) {
  if (route.match.empty()) {
    return "";
  }
  const model::HttpMatchRequest& m = route.match.front();
  std::vector<std::string> parts;
  if (m.uri) {
    parts.push_back("path " + describe_string_match(*m.uri));
  }
  if (m.method) {
    parts.push_back("method " + describe_string_match(*m.method));
  }
  for (const auto& [name, value] : m.headers) {
    parts.push_back(name + ": " + describe_string_match(value));
  }
  if (m.port.present) {
    parts.push_back("port " + std::to_string(*m.port));
  }
  std::string out;
  if (!parts.empty()) {
    out = " with " + join(parts, " and ");
  }
  if (route.match.size() > 1) {
    out += " (or " + std::to_string(route.match.size() - 1) + " other match" +
           (route.match.size() > 2 ? "es" : "") + ")";
  }
  return out;
}

const model::PeerAuthentication* mtls_policy_for(const Context& ctx, std::string_view ns,
                                                 const model::Labels& labels) {
  const world::View& view = ctx.translator_view(KindSet{Kind::PeerAuthentication});
  return world::effective_peer_authentication(view, root_namespace(ctx), ns, labels).mode_source;
}

std::string render_selector(const model::StringMap& selector) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : selector) {
    parts.push_back(k + ": " + v.value);
  }
  return join(parts, ", ");
}

bool workloads_known(const Context& ctx) {
  return ctx.count(Kind::Pod) > 0 || ctx.count(Kind::WorkloadEntry) > 0;
}

std::vector<const model::Object*> selected_workloads(const Context& ctx, std::string_view ns,
                                                     const model::Labels& selector) {
  auto out = ctx.selected_by(Kind::Pod, ns, selector);
  for (const model::Object* we : ctx.selected_by(Kind::WorkloadEntry, ns, selector)) {
    out.push_back(we);
  }
  return out;
}

std::optional<EmptySelection> selects_no_workload(const Context& ctx,
                                                  const model::Object& object) {
  const world::Selection sel = world::workload_selection(object);
  if (sel.mode != world::SelectionMode::Labels || sel.labels == nullptr || sel.labels->empty()) {
    return std::nullopt;
  }
  const bool root = object.meta.namespace_ == root_namespace(ctx);
  const std::string_view ns = root ? std::string_view() : std::string_view(object.meta.namespace_);
  if (!selected_workloads(ctx, ns, world::to_labels(*sel.labels)).empty()) {
    return std::nullopt;
  }
  return EmptySelection{sel.labels,
                        root ? std::string("in any namespace") : "in " + object.meta.namespace_};
}

}  // namespace meshward::rules::mesh
