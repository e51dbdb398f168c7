// What one proxy sees: the Sidecar that applies, exportTo visibility, VirtualService
// precedence and the DestinationRule lookup (reference §8; pilot/pkg/model/sidecar.go,
// push_context.go, destination_rule.go, virtualservice.go).
#include "meshward/translate/proxy.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/translate/delegate.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"
#include "meshward/world/order.h"
#include "meshward/world/selector.h"

namespace meshward::translate {

namespace {

constexpr std::string_view kRouteSemanticsAnnotation = "internal.istio.io/route-semantics";

// ---------------------------------------------------------------------------------------------
// Visibility groups (servicesExportedToNamespace, VirtualServicesForGateway): what is private
// to the proxy's namespace comes first, then what is exported to it by name, then the public.

enum class Group : std::uint8_t { Private, Exported, Public };

// The group `object` (Service, ServiceEntry, VirtualService) falls in for namespace `ns`, or
// nullopt when it is not visible there. As initServiceRegistry / initVirtualServices index
// them: `*` makes it public whatever else is listed, `~` hides it whatever else is listed.
std::optional<Group> export_group(const model::Object* object, std::string_view ns,
                                  const world::ExportDefaults& defaults) {
  if (object == nullptr) {
    return Group::Public;
  }
  const std::vector<std::string> entries = world::export_to(*object, defaults);
  if (entries.empty()) {
    return Group::Public;  // no exportTo, and the mesh default is `*`
  }
  const auto has = [&](std::string_view e) {
    return std::find(entries.begin(), entries.end(), e) != entries.end();
  };
  if (has("*")) {
    return Group::Public;
  }
  if (has("~")) {
    return std::nullopt;
  }
  const std::string& own = object->meta.namespace_;
  std::optional<Group> out;
  for (const std::string& e : entries) {
    if ((e == "." || e == own) && ns == own) {
      return Group::Private;
    }
    if (e == ns) {
      out = Group::Exported;
    }
  }
  return out;
}

// Services visible to `ns`, private first, then exported, then public (each in registry order).
std::vector<MeshService> visible_services(std::vector<MeshService> all, std::string_view ns,
                                          const world::ExportDefaults& defaults) {
  std::vector<std::int8_t> group(all.size(), -1);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (const auto g = export_group(all[i].source, ns, defaults)) {
      group[i] = static_cast<std::int8_t>(*g);
    }
  }
  std::vector<MeshService> out;
  out.reserve(all.size());
  for (std::int8_t g = 0; g < 3; ++g) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (group[i] == g) {
        out.push_back(std::move(all[i]));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sidecar egress hosts (convertIstioListenerToWrapper, hostClassification).

EgressListener default_egress_listener() {
  EgressListener out;
  out.hosts.push_back({"*", "*", false});
  return out;
}

EgressListener convert_egress_listener(const model::IstioEgressListener& in,
                                       std::string_view config_namespace) {
  EgressListener out;
  if (in.port) {
    out.port = in.port->number.value;
    out.port_protocol = in.port->protocol.value;
  }
  out.bind = in.bind.value;
  for (const auto& field : in.hosts) {
    const std::string_view h = field.value;
    // pilot skips (and logs) entries that are not exactly `namespace/dnsName`.
    if (std::count(h.begin(), h.end(), '/') != 1) {
      continue;
    }
    const std::size_t slash = h.find('/');
    EgressListener::HostEntry entry;
    entry.namespace_ = std::string(h.substr(0, slash));
    entry.host = std::string(h.substr(slash + 1));
    if (entry.namespace_ == ".") {
      entry.namespace_ = std::string(config_namespace);
    }
    // `~` is "no namespace": pilot keys it like any other namespace, so it imports nothing.
    entry.excluded = entry.namespace_ == "~";
    out.hosts.push_back(std::move(entry));
  }
  return out;
}

// Whether the listener's entries for namespace `ns` (or `*`) import service host `hostname`
// (hostClassification.Matches: SubsetOf). `matched_ns` gets the namespace of the entries that
// matched (`ns` before `*`, as selectServices tries them).
bool imports_service_host(const EgressListener& l, std::string_view ns, std::string_view hostname,
                          std::string* matched_ns = nullptr) {
  for (const std::string_view want : {ns, std::string_view("*")}) {
    for (const auto& e : l.hosts) {
      if (!e.excluded && e.namespace_ == want && world::host_subset_of(hostname, e.host)) {
        if (matched_ns != nullptr) {
          *matched_ns = std::string(want);
        }
        return true;
      }
    }
  }
  return false;
}

bool import_entries_match(const EgressListener& l, std::string_view ns, std::string_view hostname) {
  for (const auto& e : l.hosts) {
    if (!e.excluded && e.namespace_ == ns && world::host_subset_of(hostname, e.host)) {
      return true;
    }
  }
  return false;
}

bool uses_gateway_semantics(const model::Object& vs) {
  static const std::string key(kRouteSemanticsAnnotation);  // looked up without a copy
  const auto it = vs.meta.annotations.find(key);
  return it != vs.meta.annotations.end() && it->second == "gateway";
}

// Whether the listener imports VirtualService `vs` (SelectVirtualServices / VSMatches: the
// legacy bidirectional Matches, SubsetOf for Gateway-API routes).
bool imports_virtual_service(const EgressListener& l, const model::VirtualService& vs) {
  const bool subset = uses_gateway_semantics(vs);
  for (const auto& e : l.hosts) {
    if (e.excluded || (e.namespace_ != "*" && e.namespace_ != vs.meta.namespace_)) {
      continue;
    }
    for (const auto& h : vs.spec.hosts) {
      if (subset ? world::host_subset_of(h.value, e.host) : world::host_matches(h.value, e.host)) {
        return true;
      }
    }
  }
  return false;
}

// needsPortMatch: an egress listener with a port imports only that port of each service,
// except an HTTP_PROXY one (a generic egress proxy).
bool needs_port_match(const EgressListener& l) {
  return l.port && *l.port != 0 && parse_protocol(l.port_protocol) != Protocol::HttpProxy;
}

// Whether the listener imports every visible service whole (`*/*` without a port): then
// VirtualService destinations add nothing to it.
bool imports_everything(const EgressListener& l) {
  if (needs_port_match(l)) {
    return false;
  }
  return std::any_of(l.hosts.begin(), l.hosts.end(), [](const auto& e) {
    return !e.excluded && e.namespace_ == "*" && e.host == "*";
  });
}

// The namespaces the listeners import from, or nullopt when an entry imports from any
// namespace (`*/...`): then only a pass over the mesh finds what they import.
std::optional<std::set<std::string>> import_namespaces(const EgressListener* begin,
                                                       const EgressListener* end) {
  std::set<std::string> out;
  for (const EgressListener* l = begin; l != end; ++l) {
    for (const auto& e : l->hosts) {
      if (e.excluded) {
        continue;
      }
      if (e.namespace_ == "*") {
        return std::nullopt;
      }
      out.insert(e.namespace_);
    }
  }
  return out;
}

// The objects of `kind` in `namespaces`, in the world's stable order.
world::ObjectList in_namespaces(const world::View& view, model::Kind kind,
                                const std::set<std::string>& namespaces) {
  world::ObjectList out;
  for (const std::string& ns : namespaces) {
    const world::ObjectList part = view.in_namespace(kind, ns);
    out.insert(out.end(), part.begin(), part.end());
  }
  world::sort_stable(out);
  return out;
}

// The registry's services (all_services() order) that a listener importing only from
// `namespaces` can import: those of the named namespaces, converted one by one instead of the
// whole mesh. nullopt: take all_services() (every namespace, or ExternalName aliases exist,
// which only all_services() resolves).
std::optional<std::vector<MeshService>> services_in(const Registry& registry,
                                                    const std::set<std::string>& namespaces) {
  const world::View& view = registry.view();
  for (const model::Object* o : view.of_kind(model::Kind::Service)) {
    const auto* svc = o->as<model::Service>();
    if (svc != nullptr && svc->spec.type.value == model::ServiceType::ExternalName) {
      return std::nullopt;
    }
  }
  std::vector<MeshService> out;
  const std::string& suffix = registry.options().mesh.domain_suffix;
  for (const model::Object* o : in_namespaces(view, model::Kind::Service, namespaces)) {
    for (MeshService& s : registry.services_for_host(
             world::service_fqdn(o->meta.name, o->meta.namespace_, suffix))) {
      if (s.source == o) {
        out.push_back(std::move(s));
      }
    }
  }
  for (const model::Object* o : in_namespaces(view, model::Kind::ServiceEntry, namespaces)) {
    const auto* se = o->as<model::ServiceEntry>();
    if (se == nullptr) {
      continue;
    }
    std::set<std::string_view> done;
    for (const auto& h : se->spec.hosts) {
      if (!done.insert(h.value).second) {
        continue;
      }
      for (MeshService& s : registry.services_for_host(h.value)) {
        if (s.source == o) {
          out.push_back(std::move(s));
        }
      }
    }
  }
  return out;
}

// serviceMatchingListenerPort: the service trimmed to the listener's port, or nullopt.
std::optional<MeshService> trim_to_port(const MeshService& s, std::uint32_t port) {
  for (const MeshServicePort& p : s.ports) {
    if (p.port == port) {
      MeshService out = s;
      out.ports = {p};
      return out;
    }
  }
  return std::nullopt;
}

// serviceMatchingVirtualServicePorts: trimmed to the ports a VirtualService routes to
// (0: every port); nullopt when none of them exists.
std::optional<MeshService> trim_to_ports(const MeshService& s,
                                         const std::vector<std::uint32_t>& ports) {
  if (ports.empty() || std::find(ports.begin(), ports.end(), 0u) != ports.end()) {
    return s;
  }
  MeshService out = s;
  out.ports.clear();
  for (const MeshServicePort& p : s.ports) {
    if (std::find(ports.begin(), ports.end(), p.port) != ports.end()) {
      out.ports.push_back(p);
    }
  }
  if (out.ports.empty()) {
    return std::nullopt;
  }
  return out;
}

// matchingService + matchingAliasService for one service and one listener.
std::optional<MeshService> match_service(const EgressListener& l, const MeshService& s) {
  std::string matched_ns;
  if (!imports_service_host(l, s.namespace_, s.hostname, &matched_ns)) {
    return std::nullopt;
  }
  std::optional<MeshService> out = s;
  if (needs_port_match(l)) {
    out = trim_to_port(s, *l.port);
    if (!out) {
      return std::nullopt;
    }
  }
  // Aliases are kept only when the same entries import them.
  std::vector<std::string> aliases;
  for (const std::string& a : out->aliases) {
    if (import_entries_match(l, matched_ns, a)) {
      aliases.push_back(a);
    }
  }
  out->aliases = std::move(aliases);
  return out;
}

// selectServices for one listener (PILOT_UNIFIED_SIDECAR_SCOPE): the imported services, one
// namespace per hostname: the config namespace's, else a Kubernetes Service's, else the first.
std::vector<MeshService> select_services(const EgressListener& l,
                                         const std::vector<MeshService>& visible,
                                         std::string_view config_namespace) {
  std::vector<MeshService> imported;
  for (const MeshService& s : visible) {
    if (auto m = match_service(l, s)) {
      imported.push_back(std::move(*m));
    }
  }
  // Per hostname (runs of equal hostnames, in import order) the namespace that provides it.
  std::vector<std::size_t> order(imported.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return imported[a].hostname < imported[b].hostname;
  });
  std::vector<bool> keep(imported.size());
  for (std::size_t run = 0; run < order.size();) {
    std::size_t end = run + 1;
    while (end < order.size() && imported[order[end]].hostname == imported[order[run]].hostname) {
      ++end;
    }
    std::string_view chosen_ns;
    bool chosen_kube = false;
    for (std::size_t k = run; k < end; ++k) {
      const MeshService& s = imported[order[k]];
      const bool kube = s.registry == MeshService::Registry::Kubernetes;
      if (k == run || s.namespace_ == config_namespace ||
          (!chosen_kube && kube &&
           (s.namespace_ == config_namespace || chosen_ns != config_namespace))) {
        chosen_ns = s.namespace_;
        chosen_kube = kube;
      }
    }
    for (std::size_t k = run; k < end; ++k) {
      keep[order[k]] = imported[order[k]].namespace_ == chosen_ns;
    }
    run = end;
  }
  std::vector<MeshService> out;
  out.reserve(imported.size());
  for (std::size_t i = 0; i < imported.size(); ++i) {
    if (keep[i]) {
      out.push_back(std::move(imported[i]));
    }
  }
  return out;
}

bool same_ports(const std::vector<MeshServicePort>& a, const std::vector<MeshServicePort>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && x.port == y.port && x.protocol == y.protocol;
  });
}

std::set<std::string> export_set(const MeshService& s) {
  if (s.source == nullptr) {
    return {};
  }
  const auto v = world::export_to(*s.source);
  return {v.begin(), v.end()};
}

// canMergeServices: partial copies of one service (same namespace, resolution, registry,
// labels, selector, exportTo).
bool can_merge(const MeshService& a, const MeshService& b) {
  if (a.namespace_ != b.namespace_ || a.resolution != b.resolution || a.registry != b.registry ||
      a.selector != b.selector) {
    return false;
  }
  const model::Labels none;
  const model::Labels& la = a.source != nullptr ? a.source->meta.labels : none;
  const model::Labels& lb = b.source != nullptr ? b.source->meta.labels : none;
  return la == lb && export_set(a) == export_set(b);
}

// The scope's services, one per hostname (appendSidecarServices).
class ServiceSet {
 public:
  void append(MeshService s) {
    const auto it = index_.find(s.hostname);
    if (it == index_.end()) {
      index_.emplace(s.hostname, list_.size());
      list_.push_back(std::move(s));
      return;
    }
    MeshService& existing = list_[it->second];
    const bool existing_kube = existing.registry == MeshService::Registry::Kubernetes;
    const bool kube = s.registry == MeshService::Registry::Kubernetes;
    if (existing_kube && !kube) {
      return;  // A Kubernetes Service is never merged with another registry's.
    }
    if (!existing_kube && kube) {
      existing = std::move(s);  // Kubernetes wins over a ServiceEntry squatting on its name.
      return;
    }
    if (same_ports(existing.ports, s.ports) || !can_merge(existing, s)) {
      return;
    }
    for (const MeshServicePort& p : s.ports) {
      const bool found = std::any_of(existing.ports.begin(), existing.ports.end(),
                                     [&](const auto& q) { return q.port == p.port; });
      if (!found) {
        existing.ports.push_back(p);
      }
    }
  }
  std::vector<MeshService> take() { return std::move(list_); }

 private:
  std::vector<MeshService> list_;
  std::unordered_map<std::string, std::size_t> index_;
};

// The destination hosts (resolved in the VirtualService's namespace) and ports of `vs`, as
// virtualServiceDestinationsFilteredBySourceNamespace gives them: HTTP rules whose matches
// name other source namespaces are skipped. In order of appearance.
void add_destinations(const model::VirtualService& vs, std::string_view config_namespace,
                      std::string_view domain_suffix,
                      std::vector<std::pair<std::string, std::vector<std::uint32_t>>>& out) {
  const auto add = [&](const model::Destination& d) {
    const std::string h =
        world::resolve_short_name(d.host.value, vs.meta.namespace_, domain_suffix);
    const std::uint32_t port = d.port ? d.port->number.value : 0;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == h; });
    if (it == out.end()) {
      out.push_back({h, {port}});
    } else if (std::find(it->second.begin(), it->second.end(), port) == it->second.end()) {
      it->second.push_back(port);
    }
  };
  for (const model::HttpRoute& rule : vs.spec.http) {
    bool namespace_matched = true;
    for (const model::HttpMatchRequest& m : rule.match) {
      if (!m.source_namespace.value.empty()) {
        if (m.source_namespace.value == config_namespace) {
          namespace_matched = true;
          break;
        }
        namespace_matched = false;
      }
    }
    if (!namespace_matched) {
      continue;
    }
    for (const auto& r : rule.route) {
      if (r.destination) {
        add(*r.destination);
      }
    }
    if (rule.mirror) {
      add(*rule.mirror);
    }
    for (const auto& m : rule.mirrors) {
      if (m.destination) {
        add(*m.destination);
      }
    }
  }
  for (const auto& rule : vs.spec.tcp) {
    for (const auto& r : rule.route) {
      if (r.destination) {
        add(*r.destination);
      }
    }
  }
  for (const auto& rule : vs.spec.tls) {
    for (const auto& r : rule.route) {
      if (r.destination) {
        add(*r.destination);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// DestinationRules (setDestinationRules, mergeDestinationRule, destinationRule).

struct DrInfo {
  const model::DestinationRule* rule = nullptr;
  std::string host;                 // Resolved in the rule's namespace.
  std::set<std::string> export_to;  // As written; {"."} for workload-scoped rules.
  bool selector = false;

  const std::string& ns() const { return rule->meta.namespace_; }
  bool has(std::string_view e) const { return export_to.count(std::string(e)) != 0; }
  // namespaceLocal: applies to proxies of its own namespace.
  bool local() const { return export_to.empty() || has("*") || has(".") || has(ns()); }
  // Exported only to its own namespace.
  bool private_only() const { return export_to.size() == 1 && (has(".") || has(ns())); }
};

// One ConsolidatedDestRule: rules of one namespace and host merged into the oldest.
struct Consolidated {
  const DrInfo* base = nullptr;
  std::set<std::string> export_to;
  std::vector<const model::DestinationRule*> from;
  std::vector<const model::Subset*> subsets;
  const model::TrafficPolicy* traffic_policy = nullptr;
};

Consolidated consolidate_one(const DrInfo& d) {
  Consolidated c;
  c.base = &d;
  c.export_to = d.export_to;
  c.from = {d.rule};
  c.subsets.reserve(d.rule->spec.subsets.size());
  for (const auto& s : d.rule->spec.subsets) {
    c.subsets.push_back(&s);
  }
  c.traffic_policy = d.rule->spec.traffic_policy ? &*d.rule->spec.traffic_policy : nullptr;
  return c;
}

const model::StringMap* selector_of(const DrInfo& d) {
  return d.rule->spec.workload_selector ? &d.rule->spec.workload_selector->match_labels : nullptr;
}

bool same_selector(const DrInfo& a, const DrInfo& b) {
  const model::StringMap* x = selector_of(a);
  const model::StringMap* y = selector_of(b);
  const model::StringMap empty;
  return world::to_labels(x != nullptr ? *x : empty) == world::to_labels(y != nullptr ? *y : empty);
}

bool superset(const std::set<std::string>& a, const std::set<std::string>& b) {
  return std::includes(a.begin(), a.end(), b.begin(), b.end());
}

// mergeDestinationRule (with ENABLE_ENHANCED_DESTINATIONRULE_MERGE) over `rules`, all of one
// namespace and host, in setDestinationRules order (workload-scoped first, then oldest first).
std::vector<Consolidated> consolidate(const std::vector<const DrInfo*>& rules) {
  std::vector<Consolidated> out;
  for (const DrInfo* d : rules) {
    if (out.empty()) {
      out.push_back(consolidate_one(*d));
      continue;
    }
    bool append_separately = true;
    for (Consolidated& m : out) {
      if (d->export_to == m.export_to) {
        append_separately = false;
      } else if (!m.export_to.empty() && superset(d->export_to, m.export_to)) {
        append_separately = true;  // Merged and also kept on its own.
      } else {
        append_separately = true;
        continue;
      }
      const bool both_without = !d->selector && !m.base->selector;
      const bool both_with = d->selector && m.base->selector;
      const bool selectors_match = same_selector(*d, *m.base);
      if (both_with && !selectors_match) {
        append_separately = true;
        continue;
      }
      if (both_without || (both_with && selectors_match)) {
        append_separately = false;
      }
      m.from.push_back(d->rule);
      for (const auto& s : d->rule->spec.subsets) {
        const bool dup = std::any_of(m.subsets.begin(), m.subsets.end(),
                                     [&](const auto* e) { return e->name.value == s.name.value; });
        if (!dup) {
          m.subsets.push_back(&s);
        }
      }
      if (m.traffic_policy == nullptr && d->rule->spec.traffic_policy) {
        m.traffic_policy = &*d->rule->spec.traffic_policy;
      }
    }
    if (append_separately) {
      out.push_back(consolidate_one(*d));
    }
  }
  return out;
}

// MostSpecificHostMatch over `candidates` (the rules of one index): the key that applies to
// `host` (exact first, else the longest matching wildcard), or "" when none. Views a
// candidate's host.
std::string_view most_specific_key(std::string_view host,
                                   const std::vector<const DrInfo*>& candidates) {
  const bool wild = world::is_wildcard(host);
  const std::string_view needle = wild ? host.substr(1) : host;
  std::string_view best;
  for (const DrInfo* d : candidates) {
    const bool key_wild = world::is_wildcard(d->host);
    if (d->host == host && key_wild == wild) {
      return d->host;  // Exact key.
    }
    if (key_wild && needle.ends_with(std::string_view(d->host).substr(1)) &&
        d->host.size() > best.size()) {
      best = d->host;
    }
  }
  return best;
}

// The consolidated rules of the index `in_index` selects for `host`, or empty.
template <class Pred>
std::vector<Consolidated> lookup(std::string_view host, const std::vector<DrInfo>& all,
                                 Pred in_index) {
  std::vector<const DrInfo*> candidates;
  for (const DrInfo& d : all) {
    if (in_index(d)) {
      candidates.push_back(&d);
    }
  }
  const std::string_view key = most_specific_key(host, candidates);
  if (key.empty()) {
    return {};
  }
  std::vector<const DrInfo*> rules;
  for (const DrInfo* d : candidates) {
    if (d->host == key) {
      rules.push_back(d);
    }
  }
  return consolidate(rules);
}

// getExportedDestinationRuleFromNamespace.
std::vector<Consolidated> exported_from(std::string_view owning_ns, std::string_view host,
                                        std::string_view client_ns,
                                        const std::vector<DrInfo>& all) {
  std::vector<Consolidated> found =
      lookup(host, all, [&](const DrInfo& d) { return d.ns() == owning_ns && !d.private_only(); });
  std::vector<Consolidated> out;
  for (Consolidated& c : found) {
    if (c.export_to.empty() || c.export_to.count("*") != 0 ||
        c.export_to.count(std::string(client_ns)) != 0) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Proxy

std::string Proxy::dns_domain(std::string_view domain_suffix) const {
  std::string out = namespace_;
  out += ".svc.";
  out += domain_suffix;
  return out;
}

std::optional<Proxy> parse_proxy(std::string_view text, std::string* error) {
  const auto fail = [&](std::string message) -> std::optional<Proxy> {
    if (error != nullptr) {
      *error = std::move(message);
    }
    return std::nullopt;
  };
  const std::string usage =
      " (expected sidecar:<namespace>[,label=value...][,proxy-version=1.17.5]"
      "[,locality=region/zone/subzone] or "
      "gateway:<namespace>,istio=ingressgateway[,label=value...][,proxy-version=...])";
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return fail("proxy `" + std::string(text) + "` has no type" + usage);
  }
  Proxy proxy;
  const std::string_view type = text.substr(0, colon);
  if (type == "sidecar") {
    proxy.type = Proxy::Type::Sidecar;
  } else if (type == "gateway") {
    proxy.type = Proxy::Type::Gateway;
  } else {
    return fail("unknown proxy type `" + std::string(type) + "`" + usage);
  }
  std::string_view rest = text.substr(colon + 1);
  const std::size_t comma = rest.find(',');
  proxy.namespace_ = std::string(rest.substr(0, comma));
  if (proxy.namespace_.empty()) {
    return fail("proxy `" + std::string(text) + "` has no namespace" + usage);
  }
  if (proxy.namespace_.find_first_of("=/ ") != std::string::npos) {
    return fail("proxy namespace `" + proxy.namespace_ + "` is not a namespace name" + usage);
  }
  rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  while (comma != std::string_view::npos) {
    const std::size_t next = rest.find(',');
    const std::string_view item = rest.substr(0, next);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return fail("proxy label `" + std::string(item) + "` is not key=value" + usage);
    }
    const std::string key(item.substr(0, eq));
    if (key == "proxy-version") {
      // The proxy's ISTIO_VERSION (what EnvoyFilter proxyVersion matches), never a label.
      if (!proxy.version.empty()) {
        return fail("proxy-version is given twice");
      }
      proxy.version = std::string(item.substr(eq + 1));
      if (proxy.version.empty()) {
        return fail("proxy-version is empty" + usage);
      }
    } else if (key == "locality") {
      // Where the proxy runs (what locality load balancing ranks endpoints by), never a label.
      if (!proxy.locality.empty()) {
        return fail("locality is given twice");
      }
      proxy.locality = std::string(item.substr(eq + 1));
      if (proxy.locality.empty()) {
        return fail("locality is empty" + usage);
      }
    } else if (!proxy.labels.emplace(key, std::string(item.substr(eq + 1))).second) {
      return fail("proxy label `" + key + "` is given twice");
    }
    if (next == std::string_view::npos) {
      break;
    }
    rest = rest.substr(next + 1);
  }
  if (proxy.type == Proxy::Type::Gateway && proxy.labels.empty()) {
    return fail(
        "a gateway proxy needs its workload labels, e.g. "
        "gateway:istio-system,istio=ingressgateway");
  }
  return proxy;
}

const model::Subset* AppliedDestinationRule::find_subset(std::string_view name) const {
  for (const model::Subset* s : subsets) {
    if (s->name.value == name) {
      return s;
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Scope

// What a Scope has computed (see the class comment). Node-based maps and optionals that are
// filled once: the Scope hands out references into them.
struct Scope::Memo {
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class T>
  using ByString = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

  // Visible services per set of imported namespaces (nullopt: every namespace): listeners that
  // import from the same namespaces share one pass over the registry.
  std::map<std::optional<std::set<std::string>>, std::vector<MeshService>> visible;
  // services(listener) and virtual_services(listener) per egress listener (by index); answers
  // for a listener of another Scope are kept in `other_listener_services`.
  std::vector<std::optional<std::vector<MeshService>>> listener_services;
  std::deque<std::vector<MeshService>> other_listener_services;
  std::vector<std::optional<std::vector<const model::VirtualService*>>> listener_virtual_services;
  // scope_services(): `services` when it had to be assembled, else the one listener's.
  const std::vector<MeshService>* scope_services = nullptr;
  std::optional<std::vector<MeshService>> services;
  std::optional<ImpliedDestinations> implied;
  // service_for_host() per host (nullopt: not visible).
  ByString<std::optional<MeshService>> by_host;
  // destination_rule(service) per hostname, then per service namespace.
  ByString<std::map<std::string, std::optional<AppliedDestinationRule>, std::less<>>> rules;
  // with_delegates(): the merged copy of each root VirtualService.
  std::map<const model::VirtualService*, std::shared_ptr<const model::VirtualService>> delegated;
  // locality() and topology_labels().
  std::optional<std::string> locality;
  std::optional<model::Labels> topology_labels;
};

Scope::Scope(const Registry& registry, const Proxy& proxy)
    : registry_(registry), proxy_(proxy), memo_(std::make_shared<Memo>()) {
  if (proxy_.type == Proxy::Type::Sidecar) {
    const world::View& view = registry_.view();
    const auto pick = [&](std::string_view ns, bool with_selector) -> const model::Sidecar* {
      for (const model::Object* o : view.in_namespace(model::Kind::Sidecar, ns)) {
        const auto* sc = o->as<model::Sidecar>();
        if (sc == nullptr || sc->spec.workload_selector.has_value() != with_selector) {
          continue;
        }
        if (!with_selector ||
            world::selector_matches(sc->spec.workload_selector->labels, proxy_.labels)) {
          return sc;
        }
      }
      return nullptr;
    };
    // getSidecarScope: a workload-scoped Sidecar of the namespace (oldest first), else the
    // namespace-wide one, else the root namespace's.
    sidecar_ = pick(proxy_.namespace_, true);
    if (sidecar_ == nullptr) {
      sidecar_ = pick(proxy_.namespace_, false);
    }
    if (sidecar_ == nullptr && proxy_.namespace_ != options().mesh.root_namespace) {
      sidecar_ = pick(options().mesh.root_namespace, false);
    }
  }
  if (sidecar_ != nullptr) {
    for (const auto& e : sidecar_->spec.egress) {
      egress_.push_back(convert_egress_listener(e, proxy_.namespace_));
    }
  }
  if (egress_.empty()) {
    egress_.push_back(default_egress_listener());
  }
  memo_->listener_services.resize(egress_.size());
  memo_->listener_virtual_services.resize(egress_.size());
}

std::size_t Scope::listener_index(const EgressListener& listener) const {
  for (std::size_t i = 0; i < egress_.size(); ++i) {
    if (&egress_[i] == &listener) {
      return i;
    }
  }
  return egress_.size();
}

const std::vector<MeshService>& Scope::visible_in(
    const std::optional<std::set<std::string>>& namespaces) const {
  auto it = memo_->visible.find(namespaces);
  if (it == memo_->visible.end()) {
    std::optional<std::vector<MeshService>> some;
    if (namespaces) {
      some = services_in(registry_, *namespaces);
    }
    it = memo_->visible
             .emplace(namespaces,
                      visible_services(some ? std::move(*some) : registry_.all_services(),
                                       proxy_.namespace_, options().mesh.exports))
             .first;
  }
  return it->second;
}

OutboundPolicy Scope::outbound_policy() const {
  if (sidecar_ != nullptr && sidecar_->spec.outbound_traffic_policy) {
    // The proto default (absent mode) is REGISTRY_ONLY.
    return sidecar_->spec.outbound_traffic_policy->mode.value ==
                   model::OutboundTrafficPolicyMode::AllowAny
               ? OutboundPolicy::AllowAny
               : OutboundPolicy::RegistryOnly;
  }
  return options().mesh.outbound;
}

const std::vector<MeshService>& Scope::listener_services(const EgressListener& listener) const {
  const std::size_t index = listener_index(listener);
  if (index < egress_.size() && memo_->listener_services[index]) {
    return *memo_->listener_services[index];
  }
  std::optional<std::set<std::string>> namespaces;
  if (proxy_.type == Proxy::Type::Sidecar) {
    namespaces = import_namespaces(&listener, &listener + 1);
  }
  const std::vector<MeshService>& visible = visible_in(namespaces);
  std::vector<MeshService> out;
  if (proxy_.type == Proxy::Type::Gateway) {
    // DefaultSidecarScopeForGateway: every visible service, one per hostname.
    ServiceSet set;
    for (const MeshService& s : visible) {
      set.append(s);
    }
    out = set.take();
  } else {
    out = select_services(listener, visible, proxy_.namespace_);
  }
  if (index < egress_.size()) {
    return memo_->listener_services[index].emplace(std::move(out));
  }
  return memo_->other_listener_services.emplace_back(std::move(out));
}

const Scope::ImpliedDestinations& Scope::implied_destinations() const {
  if (memo_->implied) {
    return *memo_->implied;
  }
  ImpliedDestinations* table = &memo_->implied.emplace();
  if (proxy_.type == Proxy::Type::Sidecar) {
    for (std::size_t i = 0; i < egress_.size(); ++i) {
      if (imports_everything(egress_[i])) {
        continue;
      }
      std::vector<std::pair<std::string, std::vector<std::uint32_t>>> dests;
      for (const model::VirtualService* vs : virtual_services(egress_[i])) {
        add_destinations(*vs, proxy_.namespace_, options().mesh.domain_suffix, dests);
      }
      for (auto& [host, ports] : dests) {
        (*table)[host].push_back({i, std::move(ports)});
      }
    }
  }
  return *table;
}

namespace {

// The service `host` means for a VirtualService destination seen from `config_ns`
// (ServiceIndex.HostnameAndNamespace + pickFirstVisibleNamespace): the one in the config
// namespace, else the first visible namespace alphabetically; per namespace the first service
// (Kubernetes first).
std::optional<MeshService> destination_service(const Registry& registry, std::string_view host,
                                               std::string_view config_ns,
                                               const world::ExportDefaults& defaults) {
  std::map<std::string, MeshService> by_namespace;
  for (MeshService& s : registry.services_for_host(host)) {
    by_namespace.emplace(s.namespace_, std::move(s));
  }
  if (const auto it = by_namespace.find(std::string(config_ns)); it != by_namespace.end()) {
    return it->second;
  }
  for (auto& [ns, s] : by_namespace) {
    if (export_group(s.source, config_ns, defaults)) {
      return s;
    }
  }
  return std::nullopt;
}

}  // namespace

const std::vector<MeshService>& Scope::scope_services() const {
  if (memo_->scope_services != nullptr) {
    return *memo_->scope_services;
  }
  if (proxy_.type == Proxy::Type::Gateway) {
    // DefaultSidecarScopeForGateway: the one (default) listener's services are the scope's.
    memo_->scope_services = &listener_services(egress_.front());
    return *memo_->scope_services;
  }
  if (egress_.size() == 1 && imports_everything(egress_.front())) {
    // One listener and no VirtualService destinations to add: when its services have distinct
    // hostnames, merging them one per hostname changes nothing (the default Sidecar's case).
    const std::vector<MeshService>& only = listener_services(egress_.front());
    std::unordered_set<std::string_view> hostnames;
    hostnames.reserve(only.size());
    const bool distinct = std::all_of(only.begin(), only.end(), [&](const MeshService& s) {
      return hostnames.insert(s.hostname).second;
    });
    if (distinct) {
      memo_->scope_services = &only;
      return only;
    }
  }
  std::optional<std::set<std::string>> namespaces =
      import_namespaces(egress_.data(), egress_.data() + egress_.size());
  const std::vector<MeshService>& visible = visible_in(namespaces);
  ServiceSet set;
  // collectImportedServices: per listener, its services, then the destinations of its
  // VirtualServices (which never displace what the hosts imported).
  for (const EgressListener& l : egress_) {
    if (import_namespaces(&l, &l + 1) == namespaces) {
      // The listener selects from these same visible services: its memoized selection.
      for (const MeshService& s : listener_services(l)) {
        set.append(s);
      }
    } else {
      for (MeshService& s : select_services(l, visible, proxy_.namespace_)) {
        set.append(std::move(s));
      }
    }
    if (imports_everything(l)) {
      continue;
    }
    std::vector<std::pair<std::string, std::vector<std::uint32_t>>> dests;
    for (const model::VirtualService* vs : virtual_services(l)) {
      add_destinations(*vs, proxy_.namespace_, options().mesh.domain_suffix, dests);
    }
    for (const auto& [host, ports] : dests) {
      auto s = destination_service(registry_, host, proxy_.namespace_, options().mesh.exports);
      if (!s) {
        continue;
      }
      s = needs_port_match(l) ? trim_to_port(*s, *l.port) : trim_to_ports(*s, ports);
      if (s) {
        set.append(std::move(*s));
      }
    }
  }
  memo_->scope_services = &memo_->services.emplace(set.take());
  return *memo_->scope_services;
}

namespace {

// Defined with the VirtualService ordering helpers below.
std::optional<std::vector<std::uint32_t>> implied_ports_for_host(const world::ObjectList& routing,
                                                                 const EgressListener& listener,
                                                                 std::string_view proxy_namespace,
                                                                 std::string_view domain_suffix,
                                                                 const world::ExportDefaults& exports,
                                                                 std::string_view host);

}  // namespace

const MeshService* Scope::find_service(std::string_view host) const {
  if (const auto it = memo_->by_host.find(host); it != memo_->by_host.end()) {
    return it->second ? &*it->second : nullptr;
  }
  std::vector<MeshService> visible =
      visible_services(registry_.services_for_host(host), proxy_.namespace_, options().mesh.exports);
  ServiceSet set;
  if (proxy_.type == Proxy::Type::Gateway) {
    for (MeshService& s : visible) {
      set.append(std::move(s));
    }
  } else {
    // The same steps as services(), for one hostname: what the hosts import, then what the
    // listener's VirtualServices route to.
    //
    // What the listener's VirtualServices route to is implied_destinations()' entry for the
    // host. With the world's domain suffix (which its routing_to() index resolves short names
    // with) it is computed from the VirtualServices routing to the host alone, the same ones in
    // the same order, so one host costs what routes to it rather than every VirtualService the
    // Sidecar imports (a namespace-wide Sidecar imports the whole namespace's).
    const bool by_index = options().mesh.domain_suffix == world::kDefaultDomainSuffix;
    const ImpliedDestinations* implied = nullptr;
    std::optional<world::ObjectList> routing;
    for (std::size_t i = 0; i < egress_.size(); ++i) {
      const EgressListener& l = egress_[i];
      for (MeshService& s : select_services(l, visible, proxy_.namespace_)) {
        set.append(std::move(s));
      }
      if (imports_everything(l)) {
        continue;
      }
      std::optional<std::vector<std::uint32_t>> ports;
      if (by_index) {
        if (!routing) {
          routing = registry_.view().routing_to(host);
        }
        ports = implied_ports_for_host(*routing, l, proxy_.namespace_,
                                       options().mesh.domain_suffix, options().mesh.exports, host);
      } else {
        if (implied == nullptr) {
          implied = &implied_destinations();
        }
        if (const auto it = implied->find(host); it != implied->end()) {
          for (const ImpliedDestination& d : it->second) {
            if (d.listener == i) {
              ports = d.ports;  // One entry per listener and host.
              break;
            }
          }
        }
      }
      if (!ports) {
        continue;
      }
      auto s = destination_service(registry_, host, proxy_.namespace_, options().mesh.exports);
      if (s) {
        s = needs_port_match(l) ? trim_to_port(*s, *l.port) : trim_to_ports(*s, *ports);
      }
      if (s) {
        set.append(std::move(*s));
      }
    }
  }
  std::optional<MeshService> found;
  for (MeshService& s : set.take()) {
    if (s.hostname == host) {
      found = std::move(s);  // ServiceSet holds one entry per hostname.
      break;
    }
  }
  const auto& slot = memo_->by_host.emplace(std::string(host), std::move(found)).first->second;
  return slot ? &*slot : nullptr;
}

namespace {

// VirtualServicesForGateway order over `candidates` (stable order, bound to the gateway):
// private to `ns`, exported to it, then public; Gateway-API routes of `ns` lead the public.
std::vector<const model::VirtualService*> by_precedence(const world::ObjectList& candidates,
                                                        std::string_view ns,
                                                        const world::ExportDefaults& defaults) {
  std::vector<const model::VirtualService*> groups[4];
  for (const model::Object* o : candidates) {
    const auto* vs = o->as<model::VirtualService>();
    if (vs == nullptr || vs->spec.hosts.empty()) {
      continue;  // Delegates (no hosts) are only reached through their root.
    }
    const auto g = export_group(vs, ns, defaults);
    if (!g) {
      continue;
    }
    int i = static_cast<int>(*g);
    if (*g == Group::Public) {
      i = uses_gateway_semantics(*vs) && vs->meta.namespace_ == ns ? 2 : 3;
    }
    groups[i].push_back(vs);
  }
  std::vector<const model::VirtualService*> out;
  for (auto& g : groups) {
    out.insert(out.end(), g.begin(), g.end());
  }
  return out;
}

// SelectVirtualServices ordering for sidecars (PILOT_UNIFIED_SIDECAR_SCOPE): within each
// group, the proxy namespace's Gateway-API routes first.
std::vector<const model::VirtualService*> sidecar_order(
    const std::vector<const model::VirtualService*>& ordered, std::string_view ns,
    const world::ExportDefaults& defaults) {
  std::vector<const model::VirtualService*> out;
  out.reserve(ordered.size());
  // `ordered` is grouped private, exported, public; regroup each by Gateway-API-first.
  std::vector<const model::VirtualService*> first, rest;
  std::optional<Group> current;
  const auto flush = [&] {
    out.insert(out.end(), first.begin(), first.end());
    out.insert(out.end(), rest.begin(), rest.end());
    first.clear();
    rest.clear();
  };
  for (const model::VirtualService* vs : ordered) {
    const auto g = export_group(vs, ns, defaults);
    if (g != current) {
      flush();
      current = g;
    }
    (uses_gateway_semantics(*vs) && vs->meta.namespace_ == ns ? first : rest).push_back(vs);
  }
  flush();
  return out;
}

bool binds(const model::Object& vs, std::string_view gateway) {
  const auto refs = world::bound_gateways(vs);
  return std::find(refs.begin(), refs.end(), gateway) != refs.end();
}

// The VirtualServices bound to `mesh` that listeners importing from `namespaces` (nullopt:
// from anywhere) can import, in stable order: only those namespaces' when they are named.
world::ObjectList mesh_bound(const world::View& view,
                             const std::optional<std::set<std::string>>& namespaces) {
  if (!namespaces) {
    return view.binding_gateway(world::kMeshGateway);
  }
  world::ObjectList out;
  for (const model::Object* o : in_namespaces(view, model::Kind::VirtualService, *namespaces)) {
    if (binds(*o, world::kMeshGateway)) {
      out.push_back(o);
    }
  }
  return out;
}

// implied_destinations()' ports for `host` and `listener` (nullopt: it holds none) from
// `routing`, the VirtualServices whose destinations match `host` (View::routing_to(host), a
// superset of those routing to exactly `host`): virtual_services(listener) restricted to them
// (the ordering above is per VirtualService, so it orders a subset as it orders the whole),
// read by add_destinations() in that order, gives the same ports in the same order.
std::optional<std::vector<std::uint32_t>> implied_ports_for_host(const world::ObjectList& routing,
                                                                 const EgressListener& listener,
                                                                 std::string_view proxy_namespace,
                                                                 std::string_view domain_suffix,
                                                                 const world::ExportDefaults& exports,
                                                                 std::string_view host) {
  // mesh_bound() over `routing`: bound to `mesh`, in a namespace the listener imports from.
  const auto namespaces = import_namespaces(&listener, &listener + 1);
  world::ObjectList candidates;
  for (const model::Object* o : routing) {
    if (binds(*o, world::kMeshGateway) &&
        (!namespaces || namespaces->count(o->meta.namespace_) > 0)) {
      candidates.push_back(o);
    }
  }
  if (candidates.empty()) {
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::vector<std::uint32_t>>> dests;
  for (const model::VirtualService* vs :
       sidecar_order(by_precedence(candidates, proxy_namespace, exports), proxy_namespace,
                     exports)) {
    if (imports_virtual_service(listener, *vs)) {
      add_destinations(*vs, proxy_namespace, domain_suffix, dests);
    }
  }
  for (auto& [h, ports] : dests) {
    if (h == host) {
      return std::move(ports);
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<const model::VirtualService*> Scope::with_delegates(
    std::vector<const model::VirtualService*> list) const {
  for (const model::VirtualService*& vs : list) {
    if (!delegates(*vs)) {
      continue;
    }
    auto [it, added] = memo_->delegated.try_emplace(vs);
    if (added) {
      it->second = merge_delegates(*vs, registry_.view(), options().mesh.exports).merged;
    }
    if (it->second) {
      vs = it->second.get();
    }
  }
  return list;
}

std::vector<const model::VirtualService*> Scope::virtual_services(std::string_view gateway) const {
  if (proxy_.type == Proxy::Type::Gateway || gateway != world::kMeshGateway) {
    return with_delegates(by_precedence(registry_.view().binding_gateway(gateway),
                                        proxy_.namespace_, options().mesh.exports));
  }
  const auto namespaces = import_namespaces(egress_.data(), egress_.data() + egress_.size());
  const auto ordered = sidecar_order(
      by_precedence(mesh_bound(registry_.view(), namespaces), proxy_.namespace_,
                    options().mesh.exports),
      proxy_.namespace_, options().mesh.exports);
  std::vector<const model::VirtualService*> out;
  for (const model::VirtualService* vs : ordered) {
    if (std::any_of(egress_.begin(), egress_.end(),
                    [&](const EgressListener& l) { return imports_virtual_service(l, *vs); })) {
      out.push_back(vs);
    }
  }
  return with_delegates(std::move(out));
}

std::vector<const model::VirtualService*> Scope::virtual_services(
    const EgressListener& listener) const {
  const std::size_t index = listener_index(listener);
  if (index < egress_.size() && memo_->listener_virtual_services[index]) {
    return *memo_->listener_virtual_services[index];
  }
  const auto ordered = sidecar_order(
      by_precedence(mesh_bound(registry_.view(), import_namespaces(&listener, &listener + 1)),
                    proxy_.namespace_, options().mesh.exports),
      proxy_.namespace_, options().mesh.exports);
  std::vector<const model::VirtualService*> out;
  for (const model::VirtualService* vs : ordered) {
    if (imports_virtual_service(listener, *vs)) {
      out.push_back(vs);
    }
  }
  out = with_delegates(std::move(out));
  if (index < egress_.size()) {
    memo_->listener_virtual_services[index] = out;
  }
  return out;
}

std::vector<const model::VirtualService*> Scope::virtual_services_for_host(
    std::string_view gateway, std::string_view host) const {
  world::ObjectList candidates;
  for (const model::Object* o : registry_.view().by_host(model::Kind::VirtualService, host)) {
    if (binds(*o, gateway)) {
      candidates.push_back(o);
    }
  }
  auto ordered = by_precedence(candidates, proxy_.namespace_, options().mesh.exports);
  if (proxy_.type == Proxy::Type::Gateway || gateway != world::kMeshGateway) {
    return with_delegates(std::move(ordered));
  }
  ordered = sidecar_order(ordered, proxy_.namespace_, options().mesh.exports);
  std::vector<const model::VirtualService*> out;
  for (const model::VirtualService* vs : ordered) {
    if (std::any_of(egress_.begin(), egress_.end(),
                    [&](const EgressListener& l) { return imports_virtual_service(l, *vs); })) {
      out.push_back(vs);
    }
  }
  return with_delegates(std::move(out));
}

namespace {

// Scope::destination_rule: the rule chosen for `service` seen from `proxy` (§8.4).
std::optional<AppliedDestinationRule> applied_destination_rule(const Registry& registry,
                                                               const Proxy& proxy,
                                                               const MeshService& service) {
  const std::string_view host = service.hostname;
  const Options& opts = registry.options();
  const std::string& root = opts.mesh.root_namespace;
  const std::string& client = proxy.namespace_;

  std::vector<DrInfo> all;
  for (const model::Object* o : registry.view().by_host(model::Kind::DestinationRule, host)) {
    const auto* dr = o->as<model::DestinationRule>();
    if (dr == nullptr) {
      continue;
    }
    DrInfo d;
    d.rule = dr;
    d.host = world::resolve_short_name(dr->spec.host.value, dr->meta.namespace_,
                                       opts.mesh.domain_suffix);
    d.selector = dr->spec.workload_selector.has_value();
    if (d.selector) {
      d.export_to = {"."};  // Workload-scoped rules are forced private.
    } else {
      for (const auto& e : dr->spec.export_to) {
        d.export_to.insert(e.value);
      }
    }
    all.push_back(std::move(d));
  }
  // setDestinationRules order: workload-scoped rules first, each part oldest first.
  const auto scoped = [](const DrInfo& d) { return d.selector; };
  if (!std::is_partitioned(all.begin(), all.end(), scoped)) {
    std::stable_partition(all.begin(), all.end(), scoped);
  }

  std::vector<Consolidated> found;
  if (client != root) {
    // 1. The client namespace: every rule it can see of its own.
    found = lookup(host, all, [&](const DrInfo& d) { return d.ns() == client && d.local(); });
  } else {
    // 1'. A root-namespace client: the root namespace's private rules.
    found = lookup(host, all, [&](const DrInfo& d) { return d.ns() == root && d.private_only(); });
  }
  if (found.empty()) {
    // 2. The service's namespace, 3. the root namespace: rules exported to the client.
    found = exported_from(service.namespace_, host, client, all);
    if (found.empty()) {
      found = exported_from(root, host, client, all);
    }
  }
  // SidecarScope.DestinationRule: a workload-scoped rule of the proxy's namespace that selects
  // it wins; else the last selector-less one.
  const Consolidated* chosen = nullptr;
  for (const Consolidated& c : found) {
    if (!c.base->selector) {
      chosen = &c;
      continue;
    }
    if (c.base->ns() == client &&
        world::selector_matches(c.base->rule->spec.workload_selector->match_labels,
                                proxy.labels)) {
      chosen = &c;
      break;
    }
  }
  if (chosen == nullptr) {
    return std::nullopt;
  }
  AppliedDestinationRule out;
  out.rule = chosen->from.front();
  out.merged = chosen->from;
  out.subsets = chosen->subsets;
  out.traffic_policy = chosen->traffic_policy;
  return out;
}

}  // namespace

const AppliedDestinationRule* Scope::find_destination_rule(std::string_view host) const {
  // The SidecarScope holds rules only for the services it sees.
  const MeshService* service = find_service(host);
  return service != nullptr ? find_destination_rule(*service) : nullptr;
}

const AppliedDestinationRule* Scope::find_destination_rule(const MeshService& service) const {
  auto& by_namespace = memo_->rules[service.hostname];
  auto it = by_namespace.find(service.namespace_);
  if (it == by_namespace.end()) {
    it = by_namespace
             .emplace(service.namespace_, applied_destination_rule(registry_, proxy_, service))
             .first;
  }
  return it->second ? &*it->second : nullptr;
}

std::vector<MeshService> Scope::services(const EgressListener& listener) const {
  return listener_services(listener);
}

const std::string& Scope::locality() const {
  if (!memo_->locality) {
    std::string found = proxy_.locality;
    // A proxy of no particular workload (no labels, as checks build them) selects every Pod
    // of its namespace: none of them says where it runs.
    if (found.empty() && !proxy_.labels.empty()) {
      std::vector<const model::Object*> pods =
          registry_.view().selected_by(model::Kind::Pod, proxy_.namespace_, proxy_.labels);
      world::sort_stable(pods);
      for (const model::Object* o : pods) {
        if (!(found = workload_locality(o->meta.labels)).empty()) {
          break;
        }
      }
    }
    if (found.empty()) {
      found = workload_locality(proxy_.labels);
    }
    memo_->locality = std::move(found);
  }
  return *memo_->locality;
}

const model::Labels& Scope::topology_labels() const {
  if (!memo_->topology_labels) {
    model::Labels labels = proxy_.labels;
    augment_topology_labels(labels, locality(), registry_.options().mesh.cluster_id, {}, {});
    memo_->topology_labels = std::move(labels);
  }
  return *memo_->topology_labels;
}

std::vector<MeshService> Scope::services() const { return scope_services(); }

std::optional<MeshService> Scope::service_for_host(std::string_view host) const {
  const MeshService* s = find_service(host);
  return s != nullptr ? std::optional<MeshService>(*s) : std::nullopt;
}

std::optional<AppliedDestinationRule> Scope::destination_rule(std::string_view host) const {
  const AppliedDestinationRule* d = find_destination_rule(host);
  return d != nullptr ? std::optional<AppliedDestinationRule>(*d) : std::nullopt;
}

std::optional<AppliedDestinationRule> Scope::destination_rule(const MeshService& service) const {
  const AppliedDestinationRule* d = find_destination_rule(service);
  return d != nullptr ? std::optional<AppliedDestinationRule>(*d) : std::nullopt;
}

}  // namespace meshward::translate
