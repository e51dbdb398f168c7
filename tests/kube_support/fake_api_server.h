#pragma once
// FakeApiServer: an in-test Kubernetes API server on loopback, over TLS, that speaks the
// real list/watch protocol the way kube-apiserver does (client-go's reflector is the client
// it must satisfy), so tests can drive meshward's kube client through every path:
//
//   - discovery: GET /api (APIVersions), /api/v1 and /apis/<g>/<v> (APIResourceList),
//     /apis (APIGroupList with preferredVersion); a resource not served is absent there and
//     answers 404 on its URLs;
//   - LIST /api/v1/<res>, /api/v1/namespaces/<ns>/<res>, /apis/<g>/<v>/[namespaces/<ns>/]<res>
//     with `limit` and `continue` (pages of one consistent snapshot; metadata.resourceVersion
//     of the list = the snapshot's; an expired continue token answers 410 Gone with a
//     Status, reason "Expired"), `resourceVersion` ignored for lists (always current);
//     GET of one object by name (404 Status when absent);
//   - WATCH (?watch=1 or watch=true) from `resourceVersion`: HTTP 200, Transfer-Encoding
//     chunked, one JSON event per line {"type":ADDED|MODIFIED|DELETED|BOOKMARK|ERROR,
//     "object":{...}}; events with resourceVersion > the requested one, in order; a
//     resourceVersion older than the compaction point gets one ERROR event whose object is a
//     Status with code 410 (reason "Expired", "too old resource version") and the stream
//     ends, as the watch cache does; `allowWatchBookmarks=true` enables BOOKMARK events
//     (object: kind/apiVersion of the resource and metadata.resourceVersion only);
//     `timeoutSeconds` ends the stream cleanly after that long;
//   - `Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1` (lists) and
//     `...;as=PartialObjectMetadata;...` (watches; a comma-separated Accept list as client-go
//     sends is honoured) return metadata only: kind PartialObjectMetadata(List), apiVersion
//     meta.k8s.io/v1, each item {apiVersion, kind, metadata};
//   - authentication: when a token is set, every request must carry
//     `Authorization: Bearer <token>`, else 401 with a Status;
//   - faults on demand: compaction (410s), dropped connections (watch streams cut without a
//     final chunk), delays before each response, events split across chunk boundaries.
//
// Objects are JSON text; the server owns resourceVersion (one global counter, like etcd):
// put() and remove() stamp metadata.resourceVersion and return it. Thread safety: every
// method may be called from any thread while the server runs.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace meshward::testing {

/// One served resource type, e.g. {"networking.istio.io", "v1", "virtualservices",
/// "VirtualService", true}. group "" = the core API (/api/v1).
struct FakeResource {
  std::string group;
  std::string version;
  std::string resource;  ///< Plural, as in URLs.
  std::string kind;
  bool namespaced = true;
};

/// Counters a test can assert on (all since start).
struct FakeApiStats {
  std::uint64_t lists = 0;          ///< LIST requests answered 200 (each page counts).
  std::uint64_t watches = 0;        ///< WATCH streams opened (200).
  std::uint64_t gone = 0;           ///< 410 answers and 410 ERROR events sent.
  std::uint64_t unauthorized = 0;   ///< 401 answers.
  std::uint64_t metadata_only = 0;  ///< Requests answered as PartialObjectMetadata(List).
  std::uint64_t open_watches = 0;   ///< Watch streams open now.
};

class FakeApiServer {
 public:
  /// Generates a CA and a serving certificate for 127.0.0.1/localhost (certs/gen-dev-certs.sh,
  /// run once per process: the servers of one process share that CA; each copies it into its
  /// own temporary directory), binds 127.0.0.1:0 and starts serving on its own threads.
  /// Serves the 15 kinds meshward models at their first version by default (see
  /// default_resources()); serve() adds or replaces the set.
  FakeApiServer();
  explicit FakeApiServer(std::vector<FakeResource> resources);
  ~FakeApiServer();  ///< Stops and closes every connection.
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  /// The kinds meshward models: Namespace, Service, Endpoints, Pod (v1); EndpointSlice
  /// (discovery.k8s.io/v1); Gateway, VirtualService, DestinationRule, ServiceEntry, Sidecar,
  /// WorkloadEntry (networking.istio.io/v1), EnvoyFilter (networking.istio.io/v1alpha3);
  /// PeerAuthentication, RequestAuthentication, AuthorizationPolicy (security.istio.io/v1).
  static std::vector<FakeResource> default_resources();

  /// Serves these resources too: each one is added, or replaces the served resource of the
  /// same group and plural (another version, as after a CRD upgrade; its objects stay).
  void serve(std::vector<FakeResource> resources);

  std::uint16_t port() const;
  std::string url() const;             ///< "https://127.0.0.1:<port>".
  const std::string& ca_pem() const;   ///< PEM of the CA that signed the serving certificate.
  std::string ca_file() const;         ///< Path of that PEM (ca.crt in the temp directory).

  /// Requires `Authorization: Bearer <token>` from now on ("" = no authentication).
  void set_token(std::string token);

  /// Creates or replaces the object (its apiVersion/kind pick the resource; namespace and
  /// name from metadata; a namespaced object without a namespace goes to "default").
  /// Stamps a new metadata.resourceVersion (and uid/creationTimestamp on create), emits
  /// ADDED or MODIFIED to matching watches, returns the new resourceVersion.
  std::uint64_t put(std::string_view object_json);
  /// Deletes the object; emits DELETED (with the last state and a new resourceVersion).
  /// Returns the new resourceVersion, or 0 when there was no such object.
  std::uint64_t remove(std::string_view api_version, std::string_view kind, std::string_view ns,
                       std::string_view name);
  /// Every stored object of a resource, as JSON text with its current resourceVersion,
  /// sorted by namespace/name (what a correct client's view must equal).
  std::vector<std::string> objects(std::string_view group, std::string_view resource) const;
  /// The current (last stamped) resourceVersion.
  std::uint64_t resource_version() const;

  /// Forgets event history up to now: watches from an older resourceVersion and continue
  /// tokens of older lists get 410; open watch streams get the ERROR 410 event and end.
  void compact();
  /// Cuts every open watch stream and pending response abruptly (TCP close, no final chunk);
  /// idle keep-alive connections are closed too, as when the API server restarts.
  void drop_connections();
  /// Sends a BOOKMARK with the current resourceVersion on every open watch that allowed them.
  void bookmark();
  /// Waits this long before answering each request (0 = none). Watches already open are not
  /// affected; slow clients see timeouts.
  void set_delay(std::chrono::milliseconds delay);
  /// Splits each watch event across several chunks (and coalesces some into one) from now
  /// on, to prove the client reassembles lines.
  void set_split_events(bool split);
  /// Caps `limit` of lists (0 = honour the client's limit as is; the real server may return
  /// fewer items than asked).
  void set_max_page(std::size_t items);

  FakeApiStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meshward::testing
