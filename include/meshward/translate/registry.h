#pragma once
// Istio's service registry view of a world (reference §1): Kubernetes Services and
// ServiceEntries become MeshServices with protocol-classified ports and a resolution;
// EndpointSlices (or Endpoints when a Service has no slice), Pods, ServiceEntry endpoints and
// WorkloadEntries become MeshEndpoints. Lookups go through the world's host index, so asking
// about one host costs what that host has, not what the mesh has.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "meshward/model/object.h"
#include "meshward/translate/options.h"
#include "meshward/world/view.h"

namespace meshward::translate {

/// pkg/config/protocol Instance. `Unsupported` is "auto-detect" (sniffed).
enum class Protocol : std::uint8_t {
  Http,
  Http2,
  HttpProxy,
  Grpc,
  GrpcWeb,
  Https,
  Tls,
  Tcp,
  Udp,
  Mongo,
  Redis,
  MySql,
  Unsupported,
};

/// Istio's spelling: "HTTP", "GRPC-Web", "UnsupportedProtocol".
std::string_view protocol_name(Protocol p);
/// protocol.Parse (case-insensitive); Unsupported when unknown.
Protocol parse_protocol(std::string_view text);
/// ConvertProtocol for a Kubernetes Service port (reference §1.2): UDP, appProtocol, name
/// prefix, well-known ports.
Protocol kubernetes_port_protocol(std::string_view name, std::string_view app_protocol,
                                  bool udp, std::uint32_t port);
bool is_http(Protocol p);   ///< HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-Web.
bool is_http2(Protocol p);  ///< HTTP2, GRPC, GRPC-Web.
bool is_tcp(Protocol p);    ///< TCP, HTTPS, TLS, Mongo, Redis, MySQL.
bool is_tls(Protocol p);    ///< HTTPS, TLS.

/// model.Resolution.
enum class Resolution : std::uint8_t {
  ClientSideLb,
  DnsLb,
  DnsRoundRobinLb,
  Passthrough,
  Alias,
  DynamicDns
};

/// model.Port.
struct MeshServicePort {
  std::string name;
  std::uint32_t port = 0;
  Protocol protocol = Protocol::Unsupported;
  /// ServiceEntry `targetPort` (0: none). Kubernetes target ports are per endpoint.
  std::uint32_t target_port = 0;
};

/// One model.Service: a Kubernetes Service, or one (host × address) of a ServiceEntry.
struct MeshService {
  enum class Registry : std::uint8_t { Kubernetes, External };
  std::string hostname;        ///< FQDN, or a ServiceEntry host verbatim (may be `*.x`).
  std::string namespace_;
  std::string name;            ///< Attributes.Name (the Service name, or the SE host).
  std::string object_name;     ///< The Service / ServiceEntry metadata.name.
  std::string address = "0.0.0.0";  ///< VIP, `0.0.0.0`, or a CIDR for SE addresses.
  std::vector<std::string> extra_addresses;  ///< Dual-stack VIPs.
  Resolution resolution = Resolution::ClientSideLb;
  bool mesh_external = false;
  Registry registry = Registry::Kubernetes;
  std::vector<MeshServicePort> ports;
  model::Labels selector;       ///< Service spec.selector / SE workloadSelector.labels.
  std::string external_name;    ///< ExternalName target (Alias).
  std::vector<std::string> service_accounts;
  std::vector<std::string> aliases;  ///< Alias hostnames that resolve to this service.
  const model::Object* source = nullptr;  ///< The Service or ServiceEntry.

  const MeshServicePort* find_port(std::uint32_t port) const;
  const MeshServicePort* find_port_named(std::string_view name) const;
  /// Headless Kubernetes service (Passthrough with no VIP).
  bool headless() const;
};

/// model.IstioEndpoint (the parts EDS and checks read).
struct MeshEndpoint {
  std::string address;             ///< IP, hostname (DNS SE) or `unix://` path.
  std::uint32_t port = 0;          ///< EndpointPort (container / target port).
  std::string service_port_name;   ///< The service port it serves (EDS keys on the name).
  model::Labels labels;            ///< Workload labels (+ topology labels).
  std::string locality;            ///< `region/zone/subzone`, empty when unknown.
  bool tls_mode_istio = false;     ///< security.istio.io/tlsMode=istio (or SE serviceAccount).
  /// 0 unknown (SE/WE), 1 healthy, 2 unhealthy, 3 draining, 4 terminating.
  std::uint32_t health = 1;
  std::uint32_t weight = 0;        ///< 0: unset (rendered as 1).
  std::string workload_name;
  std::string workload_namespace;
  std::string service_account;
  std::string network;
  std::string cluster_id;          ///< Locality.ClusterID (mesh cluster id; empty for none).
  const model::Object* source = nullptr;  ///< EndpointSlice, Endpoints, WorkloadEntry or SE.
  std::string source_path;                ///< Field path inside `source`.
};

/// The `istio.workload` endpoint metadata istiod attaches (util.AppendLbEndpointMetadata):
/// `<workload>;<namespace>;<canonical-name>;<canonical-revision>;<cluster>`, the canonical name
/// from labels service.istio.io/canonical-name > app.kubernetes.io/name > app > the workload
/// name, the revision from service.istio.io/canonical-revision > app.kubernetes.io/version >
/// version, `latest` written as empty.
std::string istio_workload_metadata(const MeshEndpoint& endpoint);

/// The locality istiod gives a workload with `labels` (getPodLocality, the workload standing in
/// for its Node, which the world does not hold): label `istio-locality` (`.` read as `/`), else
/// the topology labels (region, zone — falling back to `fallback_zone` — and subzone).
/// `region/zone/subzone`; empty when none is known.
std::string workload_locality(const model::Labels& labels, std::string_view fallback_zone = {});

/// labelutil.AugmentLabels: adds to `labels` the topology labels of a locality
/// (`topology.kubernetes.io/region`, `.../zone`, `topology.istio.io/subzone`), a cluster
/// (`topology.istio.io/cluster`), a network and a node (`kubernetes.io/hostname`); empty
/// arguments add nothing. istiod gives endpoints and proxies these labels, which
/// `failoverPriority` compares.
void augment_topology_labels(model::Labels& labels, std::string_view locality,
                             std::string_view cluster_id, std::string_view network,
                             std::string_view node_name);

/// Endpoints of services, kept across Registries over views of one world. Admission decides
/// many reviews against one snapshot, each on an overlay that changes one object; a change of a
/// kind endpoints() does not read (reads()) leaves every answer of the snapshot as it was, so
/// the Registries of those overlays can share them instead of collecting them per review.
/// Entries are computed on first use and never change; thread-safe. Belongs to one world and
/// the Options it was made for: a Registry uses it only with equal Options, and must be given
/// it only over a view that agrees with that world on every kind reads() names (the world
/// itself, or an overlay of it whose change is of another kind). The endpoints point into that
/// world's objects: keep it alive as long as the cache.
class EndpointCache {
 public:
  explicit EndpointCache(const Options& options) : options_(options) {}
  EndpointCache(const EndpointCache&) = delete;
  EndpointCache& operator=(const EndpointCache&) = delete;

  /// Whether Registry::endpoints() reads objects of `kind` (Services and ServiceEntries,
  /// EndpointSlices and Endpoints, Pods and WorkloadEntries).
  static constexpr bool reads(model::Kind kind) {
    return kind == model::Kind::Service || kind == model::Kind::ServiceEntry ||
           kind == model::Kind::EndpointSlice || kind == model::Kind::Endpoints ||
           kind == model::Kind::Pod || kind == model::Kind::WorkloadEntry;
  }
  const Options& options() const { return options_; }

 private:
  friend class Registry;
  // A service's endpoints on one port depend on its Service or ServiceEntry object, its
  // hostname (one ServiceEntry declares several) and the port's name.
  using Key = std::tuple<const model::Object*, std::string, std::string>;
  Options options_;
  std::mutex mutex_;
  std::map<Key, std::shared_ptr<const std::vector<MeshEndpoint>>, std::less<>> entries_;
};

/// The registry answers on one world View; it borrows the View (keep it alive), keeps its own
/// copy of the Options (so `Registry r(view, Options{})` is safe) and caches nothing across
/// calls, so it may be built per request. Given an EndpointCache (see there for when that is
/// right), shared_endpoints() answers from it.
class Registry {
 public:
  Registry(const world::View& view, const Options& options, EndpointCache* cache = nullptr);

  /// Every service, Kubernetes first then ServiceEntries, each in the world's stable order
  /// (oldest first). O(world).
  std::vector<MeshService> all_services() const;
  /// The services whose hostname equals `host` exactly (a Kubernetes Service and/or the
  /// ServiceEntries declaring it), in the same order. O(objects with that host).
  std::vector<MeshService> services_for_host(std::string_view host) const;
  /// Services whose hostname host_matches() `host` (wildcards both ways).
  std::vector<MeshService> services_matching(std::string_view host) const;

  /// Endpoints of `service` serving its port `port` (all ports when `port` is nullptr), in
  /// istiod's order (by source kind, namespace, name, then address). Health as the source
  /// says; filtering unhealthy/terminating ones is EDS's business.
  std::vector<MeshEndpoint> endpoints(const MeshService& service,
                                      const MeshServicePort* port = nullptr) const;
  /// endpoints(service, &port), shared: from the EndpointCache when the Registry has one (for
  /// its Options), computed once there and kept; computed afresh otherwise.
  std::shared_ptr<const std::vector<MeshEndpoint>> shared_endpoints(
      const MeshService& service, const MeshServicePort& port) const;
  /// The service accounts of endpoints(service), sorted, without duplicates and without
  /// collecting the endpoints that never carry one (a Service's EndpointSlices and Endpoints:
  /// Pods have no service account in the model).
  std::vector<std::string> endpoint_service_accounts(const MeshService& service) const;

  /// Services (Kubernetes Services and ServiceEntries with a workloadSelector) that select a
  /// workload with `labels` in namespace `ns`: the proxy's ServiceTargets, sorted by port.
  struct ServiceTarget {
    MeshService service;
    MeshServicePort port;
    std::uint32_t target_port = 0;  ///< Resolved (named container ports via the Pod, else number).
  };
  std::vector<ServiceTarget> service_targets(std::string_view ns,
                                             const model::Labels& labels) const;

  const world::View& view() const { return view_; }
  const Options& options() const { return options_; }

 private:
  const world::View& view_;
  Options options_;
  EndpointCache* cache_ = nullptr;  ///< Null unless given one made for options_.
};

}  // namespace meshward::translate
