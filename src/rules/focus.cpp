// Focused runs: Context::subjects() and the neighbourhood of a change (focus.h).

#include "meshward/rules/focus.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>

#include "mesh/mesh_util.h"

#include "meshward/translate/delegate.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"
#include "meshward/world/order.h"
#include "meshward/world/selector.h"

namespace meshward::rules {

world::ObjectList Context::subjects(Kind kind) const {
  touch(kind);
  if (focus_ == nullptr || focus_->whole(kind)) {
    return view_.of_kind(kind);
  }
  world::ObjectList out;
  for (const model::ObjectKey& key : focus_->keys(kind)) {
    if (const model::Object* o = view_.find(key)) {
      out.push_back(o);
    }
  }
  // Keys repeat (one per relation that reached the object): drop the copies, then sort.
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  world::sort_stable(out);
  return out;
}

namespace {

using model::Kind;

void add_all(Focus& focus, const world::ObjectList& objects) {
  for (const model::Object* o : objects) {
    focus.add(model::key_of(*o));
  }
}

// The object's label selector, when it selects by labels.
std::optional<model::Labels> label_selector(const model::Object& object) {
  const world::Selection sel = world::workload_selection(object);
  if (sel.mode != world::SelectionMode::Labels || sel.labels == nullptr) {
    return std::nullopt;
  }
  return world::to_labels(*sel.labels);
}

// Whether a Service or Gateway selects the egress gateway workload (MW2112 reads those).
bool selects_egress_gateway(const model::Object& object) {
  const auto labels = label_selector(object);
  if (!labels) {
    return false;
  }
  const auto it = labels->find("istio");
  return it != labels->end() && it->second == "egressgateway";
}

// MW2116 judges a VirtualService by the endpoints of the services it routes to: adds the
// VirtualServices routing to each host of `services` (Services, ServiceEntries).
// The objects of `kind` in `ns` and in the root namespace: those that apply to (or read about)
// a workload of `ns`.
void add_in_namespace_and_root(const world::View& world, std::string_view root, Kind kind,
                               std::string_view ns, Focus& focus) {
  add_all(focus, world.in_namespace(kind, ns));
  if (ns != root) {
    add_all(focus, world.in_namespace(kind, root));
  }
}

// The objects of `kind` that read a policy of `ns`: every one when `ns` is the root namespace
// (its policies reach every namespace), else those of `ns` and of the root namespace.
void add_policy_readers(const world::View& world, std::string_view root, Kind kind,
                        std::string_view ns, Focus& focus) {
  if (ns == root) {
    focus.add_kind(kind);
  } else {
    add_in_namespace_and_root(world, root, kind, ns, focus);
  }
}

void add_routing_to_hosts_of(const world::View& world, const world::ObjectList& services,
                             Focus& focus) {
  for (const model::Object* s : services) {
    for (const std::string& host : world::indexed_hosts(*s)) {
      add_all(focus, world.routing_to(host));
      add_all(focus, world.by_host(Kind::DestinationRule, host));  // MW2119 endpoints' localities
    }
  }
}

// MW2117: the root VirtualServices whose routes delegate to `vs` by name. No index holds
// delegations, so a change to a delegate (a VirtualService without hosts; rare) walks every
// VirtualService once; any other VirtualService is nobody's delegate.
void add_delegating(const world::View& world, const model::Object& vs, Focus& focus) {
  const auto* delegate = vs.as<model::VirtualService>();
  if (delegate == nullptr || !delegate->spec.hosts.empty()) {
    return;
  }
  for (const model::Object* o : world.of_kind(Kind::VirtualService)) {
    const auto* root = o->as<model::VirtualService>();
    for (const model::HttpRoute& http : root->spec.http) {
      if (http.delegate && http.delegate->name.value == vs.meta.name &&
          translate::delegate_namespace(*http.delegate, *root) == vs.meta.namespace_) {
        focus.add(model::key_of(*o));
        break;
      }
    }
  }
}

// Adds `object` and its readers in `world`: the subjects whose lookups can return it. Each
// relation names the checks that read it.
// MW3120: whether `object` (a Service or ServiceEntry) is the service of one of the mesh's
// extension providers, which every CUSTOM AuthorizationPolicy may name.
bool serves_extension_provider(const model::Object& object, const translate::MeshConfig& mesh) {
  if (!mesh.extension_providers) {
    return false;
  }
  const std::vector<std::string> hosts = world::indexed_hosts(object);
  for (const translate::MeshExtensionProvider& p : *mesh.extension_providers) {
    const std::string_view host = std::string_view(p.service).substr(p.service.find('/') + 1);
    if (std::find(hosts.begin(), hosts.end(), host) != hosts.end()) {
      return true;
    }
  }
  return false;
}

void add_readers(const world::View& world, const translate::MeshConfig& mesh,
                 const model::Object& object, Focus& focus) {
  const std::string& root = mesh.root_namespace;
  focus.add(model::key_of(object));
  const std::string& ns = object.meta.namespace_;
  switch (object.kind()) {
    case Kind::VirtualService:
      for (const std::string& host : world::indexed_hosts(object)) {
        add_all(focus, world.by_host(Kind::VirtualService, host));  // MW2107 same host
        add_all(focus, world.by_host(Kind::ServiceEntry, host));    // MW2112 route for the host
      }
      for (const std::string& ref : world::bound_gateways(object)) {
        const auto slash = ref.find('/');
        if (slash != std::string::npos) {  // MW2106: the Gateway reads what binds it
          focus.add({Kind::Gateway, ref.substr(0, slash), ref.substr(slash + 1)});
        }
      }
      // MW2116: a Sidecar that imports this VirtualService also imports the services it routes
      // to (the Scope's implied destinations), which can make them visible to other routes.
      for (const std::string& host : world::destination_hosts(object)) {
        add_all(focus, world.routing_to(host));
      }
      add_delegating(world, object, focus);  // MW2117
      break;
    case Kind::Gateway:
      // MW2104, MW2105, MW2118 (the Gateway decides where its proxies run)
      add_all(focus, world.binding_gateway(ns + "/" + object.meta.name));
      for (const std::string& host : world::indexed_hosts(object)) {
        add_all(focus, world.by_host(Kind::Gateway, host));  // MW2108 overlapping servers
      }
      if (selects_egress_gateway(object)) {
        focus.add_kind(Kind::ServiceEntry);  // MW2112 judges every host by the egress gateways
      }
      break;
    case Kind::DestinationRule:
      for (const std::string& host : world::indexed_hosts(object)) {
        add_all(focus, world.routing_to(host));                      // MW2101, MW2116 subsets
        add_all(focus, world.by_host(Kind::DestinationRule, host));  // MW2109 merged rules
        add_all(focus, world.by_host(Kind::Service, host));          // MW2114 tls vs mTLS
      }
      break;
    case Kind::Service:
      for (const std::string& host : world::indexed_hosts(object)) {
        add_all(focus, world.routing_to(host));  // MW2101, MW2102, MW2103, MW2116, MW2118 registry
        add_all(focus, world.by_host(Kind::DestinationRule, host));  // MW2119 its endpoints
      }
      if (serves_extension_provider(object, mesh)) {
        focus.add_kind(Kind::AuthorizationPolicy);  // MW3120: an authorizer's service
      }
      if (const auto labels = label_selector(object)) {
        // MW2106: the gateway workload's Service, a selector overlapping the Gateway's; MW2118:
        // its namespace is where the gateway's proxies run, which the VirtualServices bound
        // to the Gateway are judged from.
        for (const world::ObjectList& gateways :
             {world.selecting(Kind::Gateway, "", *labels),
              world.selectors_including(Kind::Gateway, "", *labels)}) {
          add_all(focus, gateways);
          for (const model::Object* gw : gateways) {
            add_all(focus, world.binding_gateway(gw->meta.namespace_ + "/" + gw->meta.name));
          }
        }
        // MW2115: the Services in front of the pods a Gateway selects.
        for (const model::Object* pod : world.selected_by(Kind::Pod, ns, *labels)) {
          add_all(focus, world.selecting(Kind::Gateway, "", pod->meta.labels));
        }
      }
      // MW3117: a namespace's port-level PeerAuthentications read its Services' ports.
      add_all(focus, world.in_namespace(Kind::PeerAuthentication, ns));
      // MW3118: the ALLOW policies of the workloads read their Services' TCP ports.
      add_in_namespace_and_root(world, root, Kind::AuthorizationPolicy, ns, focus);
      if (selects_egress_gateway(object)) {
        focus.add_kind(Kind::ServiceEntry);  // MW2112 routes through egress Services
      }
      break;
    case Kind::ServiceEntry:
      for (const std::string& host : world::indexed_hosts(object)) {
        add_all(focus, world.routing_to(host));  // MW2101, MW2102, MW2103, MW2116, MW2118 registry
        add_all(focus, world.by_host(Kind::DestinationRule, host));  // MW2119 its endpoints
      }
      if (serves_extension_provider(object, mesh)) {
        focus.add_kind(Kind::AuthorizationPolicy);  // MW3120: an authorizer's service
      }
      // MW3118: a workloadSelector ServiceEntry gives the workloads it selects ports.
      add_in_namespace_and_root(world, root, Kind::AuthorizationPolicy, ns, focus);
      break;
    case Kind::EndpointSlice:
      // MW2116, MW2119: a slice is indexed under its Service's FQDN (kubernetes.io/service-name).
      for (const std::string& host : world::indexed_hosts(object)) {
        add_all(focus, world.routing_to(host));
        add_all(focus, world.by_host(Kind::DestinationRule, host));
      }
      break;
    case Kind::Endpoints: {
      // MW2116, MW2119: legacy Endpoints are named after their Service (read when it has no
      // slice).
      const std::string host = world::service_fqdn(object.meta.name, ns);
      add_all(focus, world.routing_to(host));
      add_all(focus, world.by_host(Kind::DestinationRule, host));
      break;
    }
    case Kind::Sidecar:
      // MW2116 translates for a sidecar of the VirtualService's namespace: that namespace's
      // Sidecar decides which services it sees; the root namespace's selector-less one applies
      // to every namespace without its own.
      // MW2119 translates for a sidecar of the DestinationRule's namespace the same way.
      if (ns == root) {
        focus.add_kind(Kind::VirtualService);
        focus.add_kind(Kind::DestinationRule);
      } else {
        add_all(focus, world.in_namespace(Kind::VirtualService, ns));
        add_all(focus, world.in_namespace(Kind::DestinationRule, ns));
      }
      break;
    case Kind::PeerAuthentication:
      // MW2114 (a Service's mode), MW3116 (an AuthorizationPolicy's workloads' mode): the mode
      // comes from the namespace's policies, then the root's.
      if (ns == root) {
        focus.add_kind(Kind::Service);
      } else {
        add_all(focus, world.in_namespace(Kind::Service, ns));
      }
      add_policy_readers(world, root, Kind::AuthorizationPolicy, ns, focus);
      break;
    case Kind::Pod:
    case Kind::WorkloadEntry:
      if (const auto labels = world::workload_labels(object)) {
        // MW2116: a workload's labels are its endpoints' labels (MW2119: and its locality). Its
        // endpoints belong to the Services of its namespace that select it (EndpointSlice
        // targetRefs; a Service selects WorkloadEntries too) and to ServiceEntries whose
        // workloadSelector picks it. A slice written by hand for a selector-less Service and
        // pointing at the Pod is not found this way (the Kubernetes controller writes
        // targetRefs only for selector Services).
        add_routing_to_hosts_of(world, world.selecting(Kind::Service, ns, *labels), focus);
        add_routing_to_hosts_of(world, world.selecting(Kind::ServiceEntry, ns, *labels), focus);
        add_all(focus, world.selecting(Kind::Gateway, "", *labels));  // MW2108, MW2110, MW2115
        add_all(focus, world.selecting(Kind::Sidecar, ns, *labels));  // MW2111
        for (Kind policy : {Kind::PeerAuthentication, Kind::RequestAuthentication,
                            Kind::AuthorizationPolicy, Kind::EnvoyFilter}) {
          add_all(focus, world.selecting(policy, ns, *labels));  // MW2111, MW4115
          add_all(focus, world.selecting(policy, root, *labels));  // mesh-wide
        }
      }
      break;
    case Kind::EnvoyFilter:
      focus.add_kind(Kind::EnvoyFilter);  // MW4111, MW4112 compare patches across filters
      break;
    case Kind::AuthorizationPolicy:
      // MW3115: a RequestAuthentication reads the policies of its workloads' namespace and of
      // the root namespace; MW3118: an ALLOW policy reads the other ALLOW policies there.
      add_policy_readers(world, root, Kind::RequestAuthentication, ns, focus);
      add_policy_readers(world, root, Kind::AuthorizationPolicy, ns, focus);
      break;
    default:
      break;  // RequestAuthentication: read by itself only
  }
}

}  // namespace

Focus change_focus(const world::View& before, const world::View& after,
                   const model::Object* old_version, const model::Object* new_version,
                   const translate::MeshConfig& mesh) {
  Focus focus;
  if (old_version != nullptr) {
    add_readers(before, mesh, *old_version, focus);
  }
  if (new_version != nullptr) {
    add_readers(after, mesh, *new_version, focus);
  }
  // World-wide facts: some checks judge only when the world holds Pods (MW2108; the
  // EnvoyFilter checks MW4118-MW4120, which judge a hypothetical sidecar per namespace when
  // there is no Pod) or any workload (MW2110, MW2111, MW4115); the first one in, or the last
  // one out, changes every subject.
  const auto holds = [](const world::View& w, std::initializer_list<Kind> kinds) {
    return std::any_of(kinds.begin(), kinds.end(), [&](Kind k) { return w.count(k) > 0; });
  };
  if (holds(before, {Kind::Pod}) != holds(after, {Kind::Pod})) {
    focus.add_kind(Kind::Gateway);
    focus.add_kind(Kind::EnvoyFilter);
  }
  if (holds(before, {Kind::Pod, Kind::WorkloadEntry}) !=
      holds(after, {Kind::Pod, Kind::WorkloadEntry})) {
    for (Kind k : {Kind::Gateway, Kind::Sidecar, Kind::PeerAuthentication,
                   Kind::RequestAuthentication, Kind::AuthorizationPolicy, Kind::EnvoyFilter}) {
      focus.add_kind(k);
    }
  }
  return focus;
}

}  // namespace meshward::rules
