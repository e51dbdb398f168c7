// Istio's service registry over a world (reference §1): Kubernetes Services
// (kube/conversion.go ConvertService), ServiceEntries (serviceentry/conversion.go
// convertServices, convertServiceEntryToInstances), EndpointSlices
// (kube/controller/endpointslice.go) and the legacy Endpoints istiod no longer reads, Pods and
// WorkloadEntries as endpoints, and the ServiceTargets of a workload.

#include "meshward/translate/registry.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "meshward/model/kinds/endpoint_slice.h"
#include "meshward/model/kinds/endpoints.h"
#include "meshward/model/kinds/pod.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/model/kinds/workload_entry.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"
#include "meshward/world/selector.h"

namespace meshward::translate {

namespace {

constexpr std::string_view kUnspecifiedIp = "0.0.0.0";
constexpr std::string_view kUnixPrefix = "unix://";

// Labels and annotations istiod reads (istio.io/api label and annotation packages). Strings,
// so that looking one up in a Labels map allocates nothing.
const std::string kTlsModeLabel = "security.istio.io/tlsMode";
const std::string kLocalityLabel = "istio-locality";
const std::string kWorkloadNameLabel = "service.istio.io/workload-name";
const std::string kRegionLabel = "topology.kubernetes.io/region";
const std::string kZoneLabel = "topology.kubernetes.io/zone";
const std::string kLegacyRegionLabel = "failure-domain.beta.kubernetes.io/region";
const std::string kLegacyZoneLabel = "failure-domain.beta.kubernetes.io/zone";
const std::string kSubzoneLabel = "topology.istio.io/subzone";
const std::string kClusterLabel = "topology.istio.io/cluster";
const std::string kNetworkLabel = "topology.istio.io/network";
const std::string kHostnameLabel = "kubernetes.io/hostname";
const std::string kPodTemplateHashLabel = "pod-template-hash";
const std::string kStatefulSetPodLabel = "statefulset.kubernetes.io/pod-name";
const std::string kControllerRevisionLabel = "controller-revision-hash";
const std::string kAutoRegistrationGroup = "istio.io/autoRegistrationGroup";
const std::string kCanonicalServiceAccounts = "alpha.istio.io/canonical-serviceaccounts";
const std::string kKubernetesServiceAccounts = "alpha.istio.io/kubernetes-serviceaccounts";

const std::string* find_label(const model::Labels& labels, const std::string& key) {
  const auto it = labels.find(key);
  return it != labels.end() ? &it->second : nullptr;
}

std::string_view label_or_empty(const model::Labels& labels, const std::string& key) {
  const std::string* v = find_label(labels, key);
  return v != nullptr ? std::string_view(*v) : std::string_view();
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) {
      return out;
    }
    start = end + 1;
  }
}

std::string spiffe_id(std::string_view trust_domain, std::string_view ns, std::string_view sa) {
  std::string out = "spiffe://";
  out.append(trust_domain).append("/ns/").append(ns).append("/sa/").append(sa);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Services.

MeshService from_kubernetes(const model::Service& svc, const Options& options) {
  MeshService out;
  const std::string& ns = svc.meta.namespace_;
  out.hostname = world::service_fqdn(svc.meta.name, ns, options.mesh.domain_suffix);
  out.namespace_ = ns;
  out.name = svc.meta.name;
  out.object_name = svc.meta.name;
  out.registry = MeshService::Registry::Kubernetes;
  out.source = &svc;
  const model::ServiceSpec& spec = svc.spec;

  if (spec.type.present && spec.type.value == model::ServiceType::ExternalName &&
      !spec.external_name.value.empty()) {
    out.external_name = spec.external_name.value;
    out.mesh_external = true;
    // ≥1.21 an alias of its target; before, a DNS service resolving the external name.
    out.resolution = options.external_name_alias() ? Resolution::Alias : Resolution::DnsLb;
  }
  const std::string& cluster_ip = spec.cluster_ip.value;
  if (cluster_ip == "None") {
    out.resolution = Resolution::Passthrough;
  } else if (!cluster_ip.empty()) {
    out.address = cluster_ip;
    for (const auto& ip : spec.cluster_ips) {
      if (ip.value != cluster_ip) {
        out.extra_addresses.push_back(ip.value);
      }
    }
  }

  out.ports.reserve(spec.ports.size());
  for (const model::ServicePort& p : spec.ports) {
    MeshServicePort port;
    port.name = p.name.value;
    port.port = static_cast<std::uint32_t>(p.port.value);
    const bool udp = p.protocol.present && p.protocol.value == model::TransportProtocol::UDP;
    port.protocol = kubernetes_port_protocol(p.name.value, p.app_protocol.value, udp, port.port);
    out.ports.push_back(std::move(port));
  }
  out.selector = world::to_labels(spec.selector);

  const model::Labels& annotations = svc.meta.annotations;
  if (const std::string* v = find_label(annotations, kCanonicalServiceAccounts);
      v != nullptr && !v->empty()) {
    for (const std::string_view sa : split(*v, ',')) {
      out.service_accounts.emplace_back(sa);
    }
  }
  if (const std::string* v = find_label(annotations, kKubernetesServiceAccounts);
      v != nullptr && !v->empty()) {
    for (const std::string_view sa : split(*v, ',')) {
      out.service_accounts.push_back(spiffe_id(options.mesh.trust_domain, ns, sa));
    }
  }
  return out;
}

// A ServiceEntry address as convertServices keeps it: an IP, a CIDR (a full-length prefix
// becomes the bare IP), or nullopt for anything else (dropped).
std::optional<std::string> service_entry_address(std::string_view address) {
  if (world::is_ip_address(address)) {
    return std::string(address);
  }
  const std::size_t slash = address.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view ip = address.substr(0, slash);
  const std::string_view bits_text = address.substr(slash + 1);
  if (!world::is_ip_address(ip) || ip.find('%') != std::string_view::npos || bits_text.empty()) {
    return std::nullopt;
  }
  unsigned bits = 0;
  const auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  const unsigned max_bits = ip.find(':') != std::string_view::npos ? 128 : 32;
  if (ec != std::errc() || end != bits_text.data() + bits_text.size() || bits > max_bits) {
    return std::nullopt;
  }
  return bits == max_bits ? std::string(ip) : std::string(address);
}

Resolution service_entry_resolution(const model::ServiceEntrySpec& spec) {
  switch (spec.resolution.value) {
    case model::ServiceEntryResolution::None:
      return Resolution::Passthrough;
    case model::ServiceEntryResolution::Static:
      return Resolution::ClientSideLb;
    case model::ServiceEntryResolution::Dns:
      return Resolution::DnsLb;
    case model::ServiceEntryResolution::DnsRoundRobin:
      return Resolution::DnsRoundRobinLb;
    case model::ServiceEntryResolution::DynamicDns:
      return Resolution::DynamicDns;
  }
  return Resolution::Passthrough;
}

bool is_dns_resolution(const model::ServiceEntrySpec& spec) {
  return spec.resolution.value == model::ServiceEntryResolution::Dns ||
         spec.resolution.value == model::ServiceEntryResolution::DnsRoundRobin;
}

std::vector<MeshService> from_service_entry(const model::ServiceEntry& se) {
  const model::ServiceEntrySpec& spec = se.spec;
  MeshService base;
  base.namespace_ = se.meta.namespace_;
  base.object_name = se.meta.name;
  base.registry = MeshService::Registry::External;
  base.source = &se;
  base.resolution = service_entry_resolution(spec);
  base.mesh_external = !spec.location.present ||
                       spec.location.value == model::ServiceEntryLocation::MeshExternal;
  base.ports.reserve(spec.ports.size());
  for (const model::ServiceEntryPort& p : spec.ports) {
    MeshServicePort port;
    port.name = p.name.value;
    port.port = p.number.value;
    port.protocol = parse_protocol(p.protocol.value);
    port.target_port = p.target_port.value;
    base.ports.push_back(std::move(port));
  }
  if (spec.workload_selector) {
    base.selector = world::to_labels(spec.workload_selector->labels);
  }
  for (const auto& san : spec.subject_alt_names) {
    base.service_accounts.push_back(san.value);
  }

  std::vector<std::string> addresses;
  for (const auto& a : spec.addresses) {
    if (auto address = service_entry_address(a.value)) {
      addresses.push_back(std::move(*address));
    }
  }
  std::vector<MeshService> out;
  for (const auto& host : spec.hosts) {
    base.hostname = host.value;
    base.name = host.value;
    if (spec.addresses.empty()) {
      base.address = std::string(kUnspecifiedIp);
      out.push_back(base);
      continue;
    }
    for (const std::string& address : addresses) {
      base.address = address;
      out.push_back(base);
    }
  }
  return out;
}

// resolveServiceAliases: each concrete service learns the hostnames of the Alias (ExternalName)
// services that point at it, following alias chains.
void resolve_aliases(std::vector<MeshService>& services) {
  std::map<std::string_view, std::vector<std::string_view>> aliases_of;
  for (const MeshService& s : services) {
    if (s.resolution == Resolution::Alias) {
      aliases_of[s.external_name].push_back(s.hostname);
    }
  }
  if (aliases_of.empty()) {
    return;
  }
  for (MeshService& s : services) {
    if (s.resolution == Resolution::Alias) {
      continue;
    }
    std::set<std::string_view> found;
    std::vector<std::string_view> pending{s.hostname};
    while (!pending.empty()) {
      const std::string_view target = pending.back();
      pending.pop_back();
      const auto it = aliases_of.find(target);
      if (it == aliases_of.end()) {
        continue;
      }
      for (const std::string_view alias : it->second) {
        if (alias != s.hostname && found.insert(alias).second) {
          pending.push_back(alias);
        }
      }
    }
    for (const std::string_view alias : found) {
      s.aliases.emplace_back(alias);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Endpoints.

std::string sanitize_locality(std::string_view label) {
  std::string out(label);
  std::replace(out.begin(), out.end(), '.', '/');
  return out;
}


// The characters Kubernetes uses in generated name suffixes (rand.SafeEncodeString).
bool is_generated_suffix(std::string_view s, std::size_t min_len, std::size_t max_len) {
  constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  return s.size() >= min_len && s.size() <= max_len &&
         std::all_of(s.begin(), s.end(),
                     [&](char c) { return kAlphabet.find(c) != std::string_view::npos; });
}

// GetWorkloadMetaFromPod without ownerReferences (the Pod model keeps none): the
// service.istio.io/workload-name label; for a Deployment's pod (`<deployment>-<rs-hash>-<id>`)
// the name before `-<pod-template-hash>-`; for a StatefulSet's pod the name without its
// ordinal; for a DaemonSet's pod the name without its generated suffix; otherwise the name
// without the two generated suffixes a ReplicaSet-made pod has, if it has them; else the pod
// name (a bare pod is its own workload).
std::string pod_workload_name(const model::Pod& pod) {
  const model::Labels& labels = pod.meta.labels;
  if (const std::string* w = find_label(labels, kWorkloadNameLabel); w != nullptr && !w->empty()) {
    return *w;
  }
  const std::string& name = pod.meta.name;
  if (const std::string* hash = find_label(labels, kPodTemplateHashLabel);
      hash != nullptr && !hash->empty()) {
    const std::string needle = "-" + *hash + "-";
    if (const std::size_t pos = name.rfind(needle); pos != std::string::npos && pos > 0) {
      return name.substr(0, pos);
    }
  }
  const std::size_t last = name.rfind('-');
  if (last == std::string::npos || last == 0) {
    return name;
  }
  const std::string_view tail = std::string_view(name).substr(last + 1);
  if (find_label(labels, kStatefulSetPodLabel) != nullptr && !tail.empty() &&
      std::all_of(tail.begin(), tail.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return name.substr(0, last);
  }
  if (find_label(labels, kControllerRevisionLabel) != nullptr && is_generated_suffix(tail, 5, 5)) {
    return name.substr(0, last);
  }
  const std::size_t before = name.rfind('-', last - 1);
  if (before != std::string::npos && before > 0 && is_generated_suffix(tail, 5, 5) &&
      is_generated_suffix(std::string_view(name).substr(before + 1, last - before - 1), 6, 10)) {
    return name.substr(0, before);
  }
  return name;
}

// NewEndpointBuilder: what an endpoint takes from its Pod (nullptr when none is known).
MeshEndpoint endpoint_for_pod(const model::Pod* pod, std::string_view node_name,
                              std::string_view slice_zone, const Options& options) {
  MeshEndpoint ep;
  ep.cluster_id = options.mesh.cluster_id;
  if (pod != nullptr) {
    ep.labels = pod->meta.labels;
    ep.locality = workload_locality(pod->meta.labels, slice_zone);
    ep.tls_mode_istio = label_or_empty(pod->meta.labels, kTlsModeLabel) == "istio";
    ep.workload_name = pod_workload_name(*pod);
    ep.workload_namespace = pod->meta.namespace_;
  }
  augment_topology_labels(ep.labels, ep.locality, ep.cluster_id, ep.network,
                          pod != nullptr ? node_name : std::string_view());
  return ep;
}

const model::Pod* target_pod(const world::View& view, const model::Optional<model::ObjectReference>& ref,
                             std::string_view default_ns) {
  if (!ref || (ref->kind.present && ref->kind.value != "Pod")) {
    return nullptr;
  }
  const std::string& ns = ref->namespace_.value.empty() ? std::string(default_ns)
                                                        : ref->namespace_.value;
  return view.find_as<model::Pod>(ns, ref->name.value);
}

// endpointHealthStatus. Before 1.31 a not-ready endpoint is unhealthy unless it says it is
// terminating; 1.31 (which sends unhealthy endpoints) treats a not-ready endpoint as
// terminating unless `terminating: false` is written.
std::uint32_t slice_endpoint_health(const model::Endpoint& e, const Options& options) {
  if (!e.conditions) {
    return 1;
  }
  const model::EndpointConditions& c = *e.conditions;
  if (!c.ready.present || c.ready.value) {
    return 1;
  }
  const bool terminating = options.send_unhealthy_endpoints()
                               ? (!c.terminating.present || c.terminating.value)
                               : (c.terminating.present && c.terminating.value);
  return terminating ? 4 : 2;
}

// WorkloadEntry (or ServiceEntry `endpoints[i]`) fields shared by every port.
MeshEndpoint endpoint_for_workload_entry(const model::WorkloadEntrySpec& we,
                                         std::string_view sa_namespace, const Options& options) {
  MeshEndpoint ep;
  ep.address = we.address.value;
  ep.labels = world::to_labels(we.labels);
  ep.network = we.network.value;
  ep.weight = we.weight.value;
  ep.cluster_id = options.mesh.cluster_id;
  ep.health = 0;
  ep.locality = we.locality.value;
  if (ep.locality.empty()) {
    if (const std::string* l = find_label(ep.labels, kLocalityLabel); l != nullptr) {
      ep.locality = sanitize_locality(*l);
    }
  }
  if (const std::string* mode = find_label(ep.labels, kTlsModeLabel)) {
    ep.tls_mode_istio = *mode == "istio";
  } else {
    ep.tls_mode_istio = !we.service_account.value.empty();
  }
  if (!we.service_account.value.empty()) {
    ep.service_account = spiffe_id(options.mesh.trust_domain, sa_namespace, we.service_account.value);
  }
  augment_topology_labels(ep.labels, ep.locality, ep.cluster_id, ep.network, {});
  return ep;
}

// convertEndpoint's port: unix socket > ports[name] > targetPort > number.
std::uint32_t service_entry_endpoint_port(const model::WorkloadEntrySpec& we,
                                          const MeshServicePort& port) {
  if (std::string_view(we.address.value).substr(0, kUnixPrefix.size()) == kUnixPrefix) {
    return 0;
  }
  if (const auto it = we.ports.find(port.name); it != we.ports.end() && it->second.value > 0) {
    return it->second.value;
  }
  return port.target_port > 0 ? port.target_port : port.port;
}

std::string workload_entry_name(const model::Object& we) {
  if (const std::string* w = find_label(we.meta.labels, kWorkloadNameLabel)) {
    return *w;
  }
  if (const std::string* g = find_label(we.meta.annotations, kAutoRegistrationGroup)) {
    return *g;
  }
  return we.meta.name;
}

// Collects one service's endpoints, keeping only those for `port` when given.
class EndpointCollector {
 public:
  // `identities_only`: only the endpoints that can carry a service account (WorkloadEntries and
  // ServiceEntry endpoints); a Service's EndpointSlices and Endpoints (Pods) carry none.
  EndpointCollector(const world::View& view, const Options& options, const MeshService& service,
                    const MeshServicePort* port, bool identities_only = false)
      : view_(view),
        options_(options),
        service_(service),
        port_(port),
        identities_only_(identities_only) {}

  std::vector<MeshEndpoint> collect() {
    if (service_.source == nullptr) {
      return {};
    }
    if (const auto* svc = service_.source->as<model::Service>()) {
      kubernetes(*svc);
    } else if (service_.source->as<model::ServiceEntry>() != nullptr) {
      service_entries();
    }
    sort();
    return std::move(out_);
  }

 private:
  bool wants(std::string_view port_name) const { return port_ == nullptr || port_->name == port_name; }

  void kubernetes(const model::Service& svc) {
    if (service_.resolution == Resolution::Alias) {
      return;  // An alias has no endpoints of its own.
    }
    if (!service_.external_name.empty()) {
      // Before 1.21 (ExternalNameServiceInstances): the external name on every service port.
      for (const MeshServicePort& p : service_.ports) {
        if (!wants(p.name)) {
          continue;
        }
        MeshEndpoint ep;
        ep.address = service_.external_name;
        ep.port = p.port;
        ep.service_port_name = p.name;
        ep.labels = svc.meta.labels;
        ep.health = 0;
        ep.source = &svc;
        ep.source_path = "spec.externalName";
        out_.push_back(std::move(ep));
      }
      return;
    }
    const std::string& ns = svc.meta.namespace_;
    if (!identities_only_) {
      // The world indexes slices under their Service's cluster.local FQDN.
      world::ObjectList slices =
          view_.by_host(model::Kind::EndpointSlice, world::service_fqdn(svc.meta.name, ns));
      if (!slices.empty()) {
        from_slices(std::move(slices), svc);
      } else if (const auto* eps = view_.find_as<model::Endpoints>(ns, svc.meta.name)) {
        from_endpoints(*eps);
      }
    }
    if (!svc.spec.selector.empty()) {
      kubernetes_workload_entries(svc);
    }
  }

  void from_slices(world::ObjectList slices, const model::Service& svc) {
    // istiod keys slices by name; merge them in name order, first (address, port name) wins.
    std::sort(slices.begin(), slices.end(),
              [](const model::Object* a, const model::Object* b) { return a->meta.name < b->meta.name; });
    // Duplicates only arise across slices.
    const bool dedupe = slices.size() > 1;
    std::set<std::pair<std::string, std::string>> seen;
    std::vector<const model::EndpointPort*> ports;
    for (const model::Object* o : slices) {
      const auto* slice = o->as<model::EndpointSlice>();
      if (slice == nullptr || o->meta.namespace_ != svc.meta.namespace_ ||
          world::endpoint_slice_service(*o) != svc.meta.name) {
        continue;
      }
      if (slice->address_type.present && slice->address_type.value == model::AddressType::FQDN) {
        continue;  // istiod ignores FQDN slices.
      }
      ports.clear();
      for (const model::EndpointPort& p : slice->ports) {
        if (wants(p.name.value)) {
          ports.push_back(&p);
        }
      }
      if (ports.empty()) {
        continue;
      }
      out_.reserve(out_.size() + slice->endpoints.size() * ports.size());
      for (std::size_t i = 0; i < slice->endpoints.size(); ++i) {
        const model::Endpoint& e = slice->endpoints[i];
        if (e.addresses.empty()) {
          continue;
        }
        const model::Pod* pod = target_pod(view_, e.target_ref, slice->meta.namespace_);
        MeshEndpoint base = endpoint_for_pod(pod, e.node_name.value, e.zone.value, options_);
        base.address = e.addresses.front().value;
        base.health = slice_endpoint_health(e, options_);
        base.source = slice;
        base.source_path = "endpoints[" + std::to_string(i) + "]";
        for (std::size_t k = 0; k < ports.size(); ++k) {
          const std::string& name = ports[k]->name.value;
          if (dedupe && !seen.emplace(base.address, name).second) {
            continue;
          }
          MeshEndpoint ep = k + 1 == ports.size() ? std::move(base) : base;
          ep.port = static_cast<std::uint32_t>(ports[k]->port.value);
          ep.service_port_name = name;
          out_.push_back(std::move(ep));
        }
      }
    }
  }

  // Legacy core/v1 Endpoints, read only when the Service has no EndpointSlice: `addresses`
  // are healthy, `notReadyAddresses` unhealthy.
  void from_endpoints(const model::Endpoints& eps) {
    for (std::size_t i = 0; i < eps.subsets.size(); ++i) {
      const model::EndpointSubset& subset = eps.subsets[i];
      const auto add = [&](const std::vector<model::EndpointAddress>& addresses,
                           std::string_view field, std::uint32_t health) {
        for (std::size_t j = 0; j < addresses.size(); ++j) {
          const model::EndpointAddress& a = addresses[j];
          const model::Pod* pod = target_pod(view_, a.target_ref, eps.meta.namespace_);
          MeshEndpoint base = endpoint_for_pod(pod, a.node_name.value, {}, options_);
          base.address = a.ip.value;
          base.health = health;
          base.source = &eps;
          base.source_path = "subsets[" + std::to_string(i) + "]." + std::string(field) + "[" +
                             std::to_string(j) + "]";
          for (const model::EndpointPort& p : subset.ports) {
            if (!wants(p.name.value)) {
              continue;
            }
            MeshEndpoint ep = base;
            ep.port = static_cast<std::uint32_t>(p.port.value);
            ep.service_port_name = p.name.value;
            out_.push_back(std::move(ep));
          }
        }
      };
      add(subset.addresses, "addresses", 1);
      add(subset.not_ready_addresses, "notReadyAddresses", 2);
    }
  }

  // A Kubernetes Service also selects the WorkloadEntries of its namespace
  // (collectWorkloadInstanceEndpoints); only IP-addressed ones. A named targetPort maps
  // through the entry's `ports`.
  void kubernetes_workload_entries(const model::Service& svc) {
    if (view_.count(model::Kind::WorkloadEntry) == 0) {
      return;  // The usual mesh: no selector to convert, no lookup per Service.
    }
    const model::Labels selector = world::to_labels(svc.spec.selector);
    for (const model::Object* o :
         view_.selected_by(model::Kind::WorkloadEntry, svc.meta.namespace_, selector)) {
      const auto* we = o->as<model::WorkloadEntry>();
      if (we == nullptr || !world::is_ip_address(we->spec.address.value)) {
        continue;
      }
      MeshEndpoint base = endpoint_for_workload_entry(we->spec, we->meta.namespace_, options_);
      base.workload_name = workload_entry_name(*we);
      base.workload_namespace = we->meta.namespace_;
      base.source = we;
      base.source_path = "spec";
      for (const model::ServicePort& sp : svc.spec.ports) {
        if (!wants(sp.name.value)) {
          continue;
        }
        std::uint32_t target = static_cast<std::uint32_t>(sp.port.value);
        if (sp.target_port.present) {
          const model::IntOrString& t = sp.target_port.value;
          if (!t.is_int) {
            const auto it = we->spec.ports.find(t.name);
            if (it == we->spec.ports.end()) {
              continue;
            }
            target = it->second.value;
          } else if (t.number > 0) {
            target = static_cast<std::uint32_t>(t.number);
          }
        }
        MeshEndpoint ep = base;
        ep.port = target;
        ep.service_port_name = sp.name.value;
        out_.push_back(std::move(ep));
      }
    }
  }

  // Every ServiceEntry of the service's namespace declaring its host contributes (istiod
  // merges their instances); DNS_ROUND_ROBIN keeps only the first endpoint per port.
  void service_entries() {
    for (const model::Object* o : view_.by_host(model::Kind::ServiceEntry, service_.hostname)) {
      const auto* se = o->as<model::ServiceEntry>();
      if (se == nullptr || o->meta.namespace_ != service_.namespace_) {
        continue;
      }
      const auto& hosts = se->spec.hosts;
      if (std::none_of(hosts.begin(), hosts.end(),
                       [&](const auto& h) { return h.value == service_.hostname; })) {
        continue;
      }
      service_entry(*se);
    }
    if (service_.resolution == Resolution::DnsRoundRobinLb) {
      std::set<std::string> ports;
      std::vector<MeshEndpoint> first;
      for (MeshEndpoint& ep : out_) {
        if (ports.insert(ep.service_port_name).second) {
          first.push_back(std::move(ep));
        }
      }
      out_ = std::move(first);
    }
  }

  void service_entry(const model::ServiceEntry& se) {
    const model::ServiceEntrySpec& spec = se.spec;
    const bool dns = is_dns_resolution(spec);
    std::vector<MeshServicePort> ports;
    for (const model::ServiceEntryPort& p : spec.ports) {
      ports.push_back(MeshServicePort{p.name.value, p.number.value, parse_protocol(p.protocol.value),
                                      p.target_port.value});
    }
    if (spec.endpoints.empty() && !spec.workload_selector && dns) {
      // The host itself, resolved by Envoy.
      for (const MeshServicePort& p : ports) {
        if (!wants(p.name)) {
          continue;
        }
        MeshEndpoint ep;
        ep.address = service_.hostname;
        ep.port = p.target_port > 0 ? p.target_port : p.port;
        ep.service_port_name = p.name;
        ep.health = 0;
        ep.cluster_id = options_.mesh.cluster_id;
        ep.source = &se;
        ep.source_path = "spec.hosts";
        out_.push_back(std::move(ep));
      }
      return;
    }
    for (std::size_t i = 0; i < spec.endpoints.size(); ++i) {
      const model::WorkloadEntrySpec& we = spec.endpoints[i];
      MeshEndpoint base = endpoint_for_workload_entry(we, se.meta.namespace_, options_);
      base.source = &se;
      base.source_path = "spec.endpoints[" + std::to_string(i) + "]";
      for (const MeshServicePort& p : ports) {
        if (!wants(p.name)) {
          continue;
        }
        MeshEndpoint ep = base;
        ep.port = service_entry_endpoint_port(we, p);
        ep.service_port_name = p.name;
        out_.push_back(std::move(ep));
      }
    }
    if (spec.workload_selector) {
      selected_workloads(se, ports, dns);
    }
  }

  // workloadSelector: Pods and WorkloadEntries of the ServiceEntry's namespace.
  void selected_workloads(const model::ServiceEntry& se, const std::vector<MeshServicePort>& ports,
                          bool dns) {
    const model::Labels selector = world::to_labels(se.spec.workload_selector->labels);
    const std::string& ns = se.meta.namespace_;
    for (const model::Object* o : view_.selected_by(model::Kind::Pod, ns, selector)) {
      const auto* pod = o->as<model::Pod>();
      if (pod == nullptr || pod->status.pod_ip.value.empty()) {
        continue;
      }
      MeshEndpoint base = endpoint_for_pod(pod, {}, {}, options_);
      base.address = pod->status.pod_ip.value;
      base.source = pod;
      base.source_path = "status.podIP";
      for (const MeshServicePort& p : ports) {
        if (!wants(p.name)) {
          continue;
        }
        MeshEndpoint ep = base;
        ep.port = p.target_port > 0 ? p.target_port : p.port;
        ep.service_port_name = p.name;
        out_.push_back(std::move(ep));
      }
    }
    for (const model::Object* o : view_.selected_by(model::Kind::WorkloadEntry, ns, selector)) {
      const auto* we = o->as<model::WorkloadEntry>();
      if (we == nullptr) {
        continue;
      }
      // Hostname and unix-socket entries only make sense to a DNS ServiceEntry.
      if (!dns && !world::is_ip_address(we->spec.address.value)) {
        continue;
      }
      MeshEndpoint base = endpoint_for_workload_entry(we->spec, ns, options_);
      base.workload_name = workload_entry_name(*we);
      base.workload_namespace = ns;
      base.source = we;
      base.source_path = "spec";
      for (const MeshServicePort& p : ports) {
        if (!wants(p.name)) {
          continue;
        }
        MeshEndpoint ep = base;
        ep.port = service_entry_endpoint_port(we->spec, p);
        ep.service_port_name = p.name;
        out_.push_back(std::move(ep));
      }
    }
  }

  // By source kind, namespace and name, then address; stable otherwise.
  void sort() {
    const auto less = [](const MeshEndpoint& a, const MeshEndpoint& b) {
      const auto key = [](const MeshEndpoint& e) {
        return std::make_tuple(e.source != nullptr ? static_cast<int>(e.source->kind()) : -1,
                               e.source != nullptr ? std::string_view(e.source->meta.namespace_)
                                                   : std::string_view(),
                               e.source != nullptr ? std::string_view(e.source->meta.name)
                                                   : std::string_view(),
                               std::string_view(e.address));
      };
      return key(a) < key(b);
    };
    // Often already in order (one slice, listed by address): then sorting would only allocate.
    if (!std::is_sorted(out_.begin(), out_.end(), less)) {
      std::stable_sort(out_.begin(), out_.end(), less);
    }
  }

  const world::View& view_;
  const Options& options_;
  const MeshService& service_;
  const MeshServicePort* port_;
  bool identities_only_ = false;
  std::vector<MeshEndpoint> out_;
};

// The container port a Kubernetes Service port's named targetPort resolves to: the number the
// EndpointSlice (or Endpoints) controller wrote for the service port, since the Pod model keeps
// no container ports. 0 when unknown.
std::uint32_t named_target_port(const world::View& view, const model::Service& svc,
                                std::string_view service_port_name) {
  for (const model::Object* o :
       view.by_host(model::Kind::EndpointSlice, world::service_fqdn(svc.meta.name, svc.meta.namespace_))) {
    const auto* slice = o->as<model::EndpointSlice>();
    if (slice == nullptr || o->meta.namespace_ != svc.meta.namespace_) {
      continue;
    }
    for (const model::EndpointPort& p : slice->ports) {
      if (p.name.value == service_port_name && p.port.present) {
        return static_cast<std::uint32_t>(p.port.value);
      }
    }
  }
  if (const auto* eps = view.find_as<model::Endpoints>(svc.meta.namespace_, svc.meta.name)) {
    for (const model::EndpointSubset& s : eps->subsets) {
      for (const model::EndpointPort& p : s.ports) {
        if (p.name.value == service_port_name && p.port.present) {
          return static_cast<std::uint32_t>(p.port.value);
        }
      }
    }
  }
  return 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

const MeshServicePort* MeshService::find_port(std::uint32_t number) const {
  for (const MeshServicePort& p : ports) {
    if (p.port == number) {
      return &p;
    }
  }
  return nullptr;
}

const MeshServicePort* MeshService::find_port_named(std::string_view port_name) const {
  for (const MeshServicePort& p : ports) {
    if (p.name == port_name) {
      return &p;
    }
  }
  return nullptr;
}

bool MeshService::headless() const {
  return resolution == Resolution::Passthrough && address == kUnspecifiedIp;
}

std::string istio_workload_metadata(const MeshEndpoint& endpoint) {
  static const std::string kNameLabels[] = {"service.istio.io/canonical-name",
                                            "app.kubernetes.io/name", "app"};
  static const std::string kRevisionLabels[] = {"service.istio.io/canonical-revision",
                                                "app.kubernetes.io/version", "version"};
  const auto first_label = [&](const std::string(&keys)[3]) -> const std::string* {
    for (const std::string& key : keys) {
      if (const std::string* v = find_label(endpoint.labels, key)) {
        return v;
      }
    }
    return nullptr;
  };
  const std::string* name = first_label(kNameLabels);
  const std::string* revision = first_label(kRevisionLabels);
  std::string out = endpoint.workload_name;
  out.append(";").append(endpoint.workload_namespace).append(";");
  out.append(name != nullptr ? *name : endpoint.workload_name).append(";");
  if (revision != nullptr && *revision != "latest") {
    out.append(*revision);
  }
  out.append(";").append(endpoint.cluster_id);
  return out;
}

Registry::Registry(const world::View& view, const Options& options, EndpointCache* cache)
    : view_(view),
      options_(options),
      cache_(cache != nullptr && cache->options() == options_ ? cache : nullptr) {}

std::vector<MeshService> Registry::all_services() const {
  std::vector<MeshService> out;
  for (const model::Object* o : view_.of_kind(model::Kind::Service)) {
    if (const auto* svc = o->as<model::Service>()) {
      out.push_back(from_kubernetes(*svc, options_));
    }
  }
  for (const model::Object* o : view_.of_kind(model::Kind::ServiceEntry)) {
    if (const auto* se = o->as<model::ServiceEntry>()) {
      for (MeshService& s : from_service_entry(*se)) {
        out.push_back(std::move(s));
      }
    }
  }
  resolve_aliases(out);
  return out;
}

std::vector<MeshService> Registry::services_for_host(std::string_view host) const {
  std::vector<MeshService> out;
  // `<name>.<ns>.svc.<suffix>`: at most one Kubernetes Service, found by key.
  const std::string suffix = ".svc." + options_.mesh.domain_suffix;
  if (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix) {
    const std::string_view name_ns = host.substr(0, host.size() - suffix.size());
    const std::size_t dot = name_ns.find('.');
    if (dot != std::string_view::npos && name_ns.find('.', dot + 1) == std::string_view::npos) {
      if (const auto* svc =
              view_.find_as<model::Service>(name_ns.substr(dot + 1), name_ns.substr(0, dot))) {
        out.push_back(from_kubernetes(*svc, options_));
      }
    }
  }
  for (const model::Object* o : view_.by_host(model::Kind::ServiceEntry, host)) {
    if (const auto* se = o->as<model::ServiceEntry>()) {
      for (MeshService& s : from_service_entry(*se)) {
        if (s.hostname == host) {
          out.push_back(std::move(s));
        }
      }
    }
  }
  return out;
}

std::vector<MeshService> Registry::services_matching(std::string_view host) const {
  std::vector<MeshService> out;
  for (const model::Object* o : view_.by_host(model::Kind::Service, host)) {
    if (const auto* svc = o->as<model::Service>()) {
      MeshService s = from_kubernetes(*svc, options_);
      if (world::host_matches(s.hostname, host)) {
        out.push_back(std::move(s));
      }
    }
  }
  for (const model::Object* o : view_.by_host(model::Kind::ServiceEntry, host)) {
    if (const auto* se = o->as<model::ServiceEntry>()) {
      for (MeshService& s : from_service_entry(*se)) {
        if (world::host_matches(s.hostname, host)) {
          out.push_back(std::move(s));
        }
      }
    }
  }
  return out;
}

std::vector<MeshEndpoint> Registry::endpoints(const MeshService& service,
                                              const MeshServicePort* port) const {
  return EndpointCollector(view_, options_, service, port).collect();
}

std::shared_ptr<const std::vector<MeshEndpoint>> Registry::shared_endpoints(
    const MeshService& service, const MeshServicePort& port) const {
  // An ExternalName service's endpoints (before 1.21) are written per port of `service` as
  // given, which a Scope may have trimmed: not keyed by its object alone, so not shared.
  if (cache_ == nullptr || service.source == nullptr || !service.external_name.empty()) {
    return std::make_shared<const std::vector<MeshEndpoint>>(endpoints(service, &port));
  }
  EndpointCache::Key key{service.source, service.hostname, port.name};
  {
    std::lock_guard lock(cache_->mutex_);
    if (const auto it = cache_->entries_.find(key); it != cache_->entries_.end()) {
      return it->second;
    }
  }
  // Collected outside the lock; should another thread have stored the same answer meanwhile,
  // either copy will do (they are equal).
  auto computed = std::make_shared<const std::vector<MeshEndpoint>>(endpoints(service, &port));
  std::lock_guard lock(cache_->mutex_);
  return cache_->entries_.try_emplace(std::move(key), std::move(computed)).first->second;
}

std::vector<std::string> Registry::endpoint_service_accounts(const MeshService& service) const {
  std::set<std::string> all;
  for (MeshEndpoint& ep :
       EndpointCollector(view_, options_, service, nullptr, /*identities_only=*/true).collect()) {
    if (!ep.service_account.empty()) {
      all.insert(std::move(ep.service_account));
    }
  }
  return {all.begin(), all.end()};
}

std::vector<Registry::ServiceTarget> Registry::service_targets(std::string_view ns,
                                                               const model::Labels& labels) const {
  std::vector<ServiceTarget> out;
  for (const model::Object* o : view_.selecting(model::Kind::Service, ns, labels)) {
    const auto* svc = o->as<model::Service>();
    if (svc == nullptr) {
      continue;
    }
    const MeshService service = from_kubernetes(*svc, options_);
    for (std::size_t i = 0; i < svc->spec.ports.size() && i < service.ports.size(); ++i) {
      const model::ServicePort& sp = svc->spec.ports[i];
      std::uint32_t target = service.ports[i].port;
      if (sp.target_port.present) {
        const model::IntOrString& t = sp.target_port.value;
        if (!t.is_int) {
          target = named_target_port(view_, *svc, sp.name.value);
          if (target == 0) {
            continue;  // istiod's FindPort fails: no inbound for this port.
          }
        } else if (t.number > 0) {
          target = static_cast<std::uint32_t>(t.number);
        }
      }
      out.push_back(ServiceTarget{service, service.ports[i], target});
    }
  }
  for (const model::Object* o : view_.selecting(model::Kind::ServiceEntry, ns, labels)) {
    const auto* se = o->as<model::ServiceEntry>();
    if (se == nullptr) {
      continue;
    }
    for (const MeshService& service : from_service_entry(*se)) {
      for (const MeshServicePort& p : service.ports) {
        out.push_back(ServiceTarget{service, p, p.target_port > 0 ? p.target_port : p.port});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ServiceTarget& a, const ServiceTarget& b) {
    return a.port.port < b.port.port;
  });
  return out;
}

// getPodLocality with the workload standing in for its Node (the world has no Nodes): label
// istio-locality, else the topology labels, the zone falling back to `fallback_zone` (an
// EndpointSlice endpoint's `zone`, which the slice controller copies from the node).
std::string workload_locality(const model::Labels& labels, std::string_view fallback_zone) {
  if (const std::string* l = find_label(labels, kLocalityLabel); l != nullptr && !l->empty()) {
    return sanitize_locality(*l);
  }
  std::string_view region = label_or_empty(labels, kRegionLabel);
  if (region.empty()) {
    region = label_or_empty(labels, kLegacyRegionLabel);
  }
  std::string_view zone = label_or_empty(labels, kZoneLabel);
  if (zone.empty()) {
    zone = label_or_empty(labels, kLegacyZoneLabel);
  }
  if (zone.empty()) {
    zone = fallback_zone;
  }
  const std::string_view subzone = label_or_empty(labels, kSubzoneLabel);
  if (region.empty() && zone.empty() && subzone.empty()) {
    return {};
  }
  std::string out(region);
  out.append("/").append(zone).append("/").append(subzone);
  return out;
}

void augment_topology_labels(model::Labels& labels, std::string_view locality,
                             std::string_view cluster_id, std::string_view network,
                             std::string_view node_name) {
  if (!locality.empty()) {
    const std::string* keys[] = {&kRegionLabel, &kZoneLabel, &kSubzoneLabel};
    std::string_view rest = locality;
    for (const std::string* key : keys) {
      const std::size_t slash = rest.find('/');
      const std::string_view part = rest.substr(0, slash);
      if (!part.empty()) {
        labels[*key] = std::string(part);
      }
      if (slash == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(slash + 1);
    }
  }
  if (!cluster_id.empty()) {
    labels[kClusterLabel] = std::string(cluster_id);
  }
  if (!node_name.empty()) {
    labels[kHostnameLabel] = std::string(node_name);
  }
  if (!network.empty()) {
    labels[kNetworkLabel] = std::string(network);
  }
}

}  // namespace meshward::translate
