// Namespace, Pod, Endpoints and EndpointSlice as `kubectl get -o yaml` prints them: every
// field meshward does not model (managedFields, spec, status, ownerReferences, ...) must be
// accepted without findings.

#include <gtest/gtest.h>

#include "meshward/model/kinds/endpoint_slice.h"
#include "meshward/model/kinds/endpoints.h"
#include "meshward/model/kinds/namespace.h"
#include "meshward/model/kinds/pod.h"
#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::find_finding;
using testing::has_finding;
using testing::only;

TEST(NamespaceDecode, KubectlOutputWithManagedFieldsAndStatus) {
  auto result = decode_text(R"(apiVersion: v1
kind: Namespace
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bookinfo"}}
  creationTimestamp: "2024-05-02T09:14:31Z"
  labels:
    istio-injection: enabled
    kubernetes.io/metadata.name: bookinfo
  managedFields:
  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata:
        f:labels:
          .: {}
          f:istio-injection: {}
          f:kubernetes.io/metadata.name: {}
    manager: kubectl-client-side-apply
    operation: Update
    time: "2024-05-02T09:14:31Z"
  name: bookinfo
  resourceVersion: "1187"
  uid: 3f0e1d8a-6c1b-4f4e-9d0a-2b9e1d6c7a10
spec:
  finalizers:
  - kubernetes
status:
  phase: Active
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const Namespace* ns = only<Namespace>(result);
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->meta.name, "bookinfo");
  // Cluster-scoped: no default namespace is filled in.
  EXPECT_EQ(ns->meta.namespace_, "");
  EXPECT_EQ(ns->meta.labels.at("istio-injection"), "enabled");
  EXPECT_EQ(ns->meta.labels.at("kubernetes.io/metadata.name"), "bookinfo");
  EXPECT_EQ(ns->meta.resource_version, "1187");
  EXPECT_EQ(ns->meta.uid, "3f0e1d8a-6c1b-4f4e-9d0a-2b9e1d6c7a10");
  EXPECT_EQ(ns->meta.creation_timestamp, "2024-05-02T09:14:31Z");
  ASSERT_TRUE(ns->source.has_value());
  EXPECT_EQ(ns->source->line, 1u);
}

TEST(PodDecode, KubectlOutputKeepsMetadataAndAddressesOnly) {
  auto result = decode_text(R"(apiVersion: v1
kind: Pod
metadata:
  annotations:
    istio.io/rev: default
    kubectl.kubernetes.io/default-container: reviews
    sidecar.istio.io/status: '{"initContainers":["istio-init"],"containers":["istio-proxy"]}'
  creationTimestamp: "2024-05-02T09:20:11Z"
  generateName: reviews-v2-5b667bcbf8-
  labels:
    app: reviews
    pod-template-hash: 5b667bcbf8
    security.istio.io/tlsMode: istio
    service.istio.io/canonical-name: reviews
    version: v2
  name: reviews-v2-5b667bcbf8-xk7pq
  namespace: bookinfo
  ownerReferences:
  - apiVersion: apps/v1
    blockOwnerDeletion: true
    controller: true
    kind: ReplicaSet
    name: reviews-v2-5b667bcbf8
    uid: 7d5c2a1e-0f3b-4c8e-a1d2-9b8c7d6e5f40
  resourceVersion: "2291"
  uid: 5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c10
  managedFields:
  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1:
      f:status:
        f:podIP: {}
    manager: kubelet
    operation: Update
    subresource: status
spec:
  containers:
  - image: docker.io/istio/examples-bookinfo-reviews-v2:1.20.2
    name: reviews
    ports:
    - containerPort: 9080
      protocol: TCP
    resources: {}
  serviceAccountName: bookinfo-reviews
  nodeName: kind-worker
status:
  conditions:
  - lastProbeTime: null
    lastTransitionTime: "2024-05-02T09:20:15Z"
    status: "True"
    type: Ready
  hostIP: 172.18.0.3
  phase: Running
  podIP: 10.244.1.7
  podIPs:
  - ip: 10.244.1.7
  - ip: fd00:10:244:1::7
  qosClass: BestEffort
  startTime: "2024-05-02T09:20:11Z"
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const Pod* pod = only<Pod>(result);
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->meta.name, "reviews-v2-5b667bcbf8-xk7pq");
  EXPECT_EQ(pod->meta.namespace_, "bookinfo");
  EXPECT_EQ(pod->meta.labels.at("app"), "reviews");
  EXPECT_EQ(pod->meta.labels.at("version"), "v2");
  EXPECT_EQ(pod->meta.annotations.at("istio.io/rev"), "default");
  EXPECT_TRUE(pod->status.pod_ip.present);
  EXPECT_EQ(pod->status.pod_ip.value, "10.244.1.7");
  EXPECT_EQ(pod->status.pod_ip.loc.path, "status.podIP");
  EXPECT_EQ(pod->status.pod_ip.loc.line, 54u);
  ASSERT_EQ(pod->status.pod_ips.size(), 2u);
  EXPECT_EQ(pod->status.pod_ips[1].ip.value, "fd00:10:244:1::7");
  EXPECT_EQ(pod->status.pod_ips[1].ip.loc.path, "status.podIPs[1].ip");
  EXPECT_EQ(pod->status.pod_ips[1].ip.loc.line, 57u);
}

TEST(PodDecode, ManifestWithoutStatusAndBadPodIp) {
  auto result = decode_text(R"(apiVersion: v1
kind: Pod
metadata:
  name: curl
  labels:
    app: curl
spec:
  containers:
  - name: curl
    image: curlimages/curl
---
apiVersion: v1
kind: Pod
metadata:
  name: odd
  namespace: foo
status:
  podIP: 10
  podIPs: 10.0.0.1
)",
                            "pods.yaml");
  ASSERT_EQ(result.objects.size(), 2u);
  const auto* curl = result.objects[0]->as<Pod>();
  ASSERT_NE(curl, nullptr);
  EXPECT_EQ(curl->meta.namespace_, "default");
  EXPECT_EQ(curl->meta.labels.at("app"), "curl");
  EXPECT_FALSE(curl->status.pod_ip.present);
  EXPECT_TRUE(curl->status.pod_ips.empty());

  // Hand-written status with wrong shapes: reported like any other field.
  const Finding* ip = find_finding(result.findings, "MW1002", "status.podIP");
  ASSERT_NE(ip, nullptr) << describe(result.findings);
  ASSERT_TRUE(ip->source.has_value());
  EXPECT_EQ(ip->source->file, "pods.yaml");
  EXPECT_EQ(ip->source->line, 18u);
  EXPECT_EQ(ip->resource.name, "odd");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "status.podIPs"));
  EXPECT_EQ(result.findings.size(), 2u) << describe(result.findings);
}

TEST(EndpointsDecode, KubectlOutputWithSubsets) {
  auto result = decode_text(R"(apiVersion: v1
kind: Endpoints
metadata:
  annotations:
    endpoints.kubernetes.io/last-change-trigger-time: "2024-05-02T09:20:16Z"
  creationTimestamp: "2024-05-02T09:14:40Z"
  labels:
    app: reviews
    service: reviews
  managedFields:
  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1:
      f:subsets: {}
    manager: kube-controller-manager
    operation: Update
    time: "2024-05-02T09:20:16Z"
  name: reviews
  namespace: bookinfo
  resourceVersion: "2301"
  uid: 0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e50
subsets:
- addresses:
  - ip: 10.244.1.7
    nodeName: kind-worker
    targetRef:
      kind: Pod
      name: reviews-v2-5b667bcbf8-xk7pq
      namespace: bookinfo
      resourceVersion: "2290"
      uid: 5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c10
  - ip: 10.244.2.9
    hostname: reviews-0
    nodeName: kind-worker2
  notReadyAddresses:
  - ip: 10.244.1.8
    nodeName: kind-worker
    targetRef:
      kind: Pod
      name: reviews-v3-7f6d5c4b3a-abcde
      namespace: bookinfo
  ports:
  - name: http
    port: 9080
    protocol: TCP
    appProtocol: http
- addresses:
  - ip: 10.244.3.4
  ports:
  - port: 9443
    protocol: UDP
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const Endpoints* ep = only<Endpoints>(result);
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->meta.name, "reviews");
  EXPECT_EQ(ep->meta.labels.at("service"), "reviews");
  ASSERT_EQ(ep->subsets.size(), 2u);

  const EndpointSubset& s0 = ep->subsets[0];
  EXPECT_EQ(s0.loc.path, "subsets[0]");
  ASSERT_EQ(s0.addresses.size(), 2u);
  const EndpointAddress& a0 = s0.addresses[0];
  EXPECT_EQ(a0.ip.value, "10.244.1.7");
  EXPECT_EQ(a0.ip.loc.path, "subsets[0].addresses[0].ip");
  EXPECT_EQ(a0.ip.loc.line, 24u);
  EXPECT_EQ(a0.node_name.value, "kind-worker");
  EXPECT_FALSE(a0.hostname.present);
  ASSERT_TRUE(a0.target_ref.has_value());
  EXPECT_EQ(a0.target_ref->kind.value, "Pod");
  EXPECT_EQ(a0.target_ref->name.value, "reviews-v2-5b667bcbf8-xk7pq");
  EXPECT_EQ(a0.target_ref->namespace_.value, "bookinfo");
  EXPECT_EQ(a0.target_ref->uid.value, "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c10");
  EXPECT_EQ(s0.addresses[1].hostname.value, "reviews-0");
  EXPECT_FALSE(s0.addresses[1].target_ref.has_value());
  ASSERT_EQ(s0.not_ready_addresses.size(), 1u);
  EXPECT_EQ(s0.not_ready_addresses[0].ip.value, "10.244.1.8");
  EXPECT_EQ(s0.not_ready_addresses[0].target_ref->name.value, "reviews-v3-7f6d5c4b3a-abcde");
  ASSERT_EQ(s0.ports.size(), 1u);
  EXPECT_EQ(s0.ports[0].name.value, "http");
  EXPECT_EQ(s0.ports[0].port.value, 9080);
  EXPECT_EQ(s0.ports[0].port.loc.path, "subsets[0].ports[0].port");
  EXPECT_EQ(s0.ports[0].port.loc.line, 44u);
  EXPECT_EQ(s0.ports[0].protocol.value, TransportProtocol::TCP);
  EXPECT_EQ(s0.ports[0].app_protocol.value, "http");

  const EndpointSubset& s1 = ep->subsets[1];
  ASSERT_EQ(s1.addresses.size(), 1u);
  EXPECT_EQ(s1.addresses[0].ip.value, "10.244.3.4");
  EXPECT_TRUE(s1.not_ready_addresses.empty());
  EXPECT_FALSE(s1.ports[0].name.present);
  EXPECT_EQ(s1.ports[0].port.value, 9443);
  EXPECT_EQ(s1.ports[0].protocol.value, TransportProtocol::UDP);
}

TEST(EndpointsDecode, NoSubsetsAndWrongShapes) {
  auto result = decode_text(R"(apiVersion: v1
kind: Endpoints
metadata:
  name: empty
  namespace: foo
---
apiVersion: v1
kind: Endpoints
metadata:
  name: bad
  namespace: foo
subsets:
- addresses:
  - hostname: no-ip
  ports:
  - port: http
    protocol: ICMP
---
apiVersion: v1
kind: Endpoints
metadata:
  name: bad2
  namespace: foo
subsets: {}
)");
  ASSERT_EQ(result.objects.size(), 3u) << describe(result.findings);
  const auto* empty = result.objects[0]->as<Endpoints>();
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(empty->subsets.empty());
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "subsets[0].addresses[0].ip"))
      << describe(result.findings);
  const Finding* port = find_finding(result.findings, "MW1002", "subsets[0].ports[0].port");
  ASSERT_NE(port, nullptr);
  ASSERT_TRUE(port->source.has_value());
  EXPECT_EQ(port->source->line, 16u);
  EXPECT_TRUE(has_finding(result.findings, "MW1003", "subsets[0].ports[0].protocol"));
  const Finding* subsets = find_finding(result.findings, "MW1002", "subsets");
  ASSERT_NE(subsets, nullptr);
  EXPECT_EQ(subsets->resource.name, "bad2");
  EXPECT_EQ(result.findings.size(), 4u) << describe(result.findings);
}

TEST(EndpointSliceDecode, V1KubectlOutput) {
  auto result = decode_text(R"(addressType: IPv4
apiVersion: discovery.k8s.io/v1
endpoints:
- addresses:
  - 10.244.1.7
  conditions:
    ready: true
    serving: true
    terminating: false
  hints:
    forZones:
    - name: us-east-1a
    forNodes:
    - name: kind-worker
  nodeName: kind-worker
  targetRef:
    kind: Pod
    name: reviews-v2-5b667bcbf8-xk7pq
    namespace: bookinfo
    uid: 5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c10
  zone: us-east-1a
- addresses:
  - 10.244.1.8
  conditions:
    ready: false
    serving: true
    terminating: true
  nodeName: kind-worker2
  deprecatedTopology:
    kubernetes.io/hostname: kind-worker2
kind: EndpointSlice
metadata:
  annotations:
    endpoints.kubernetes.io/last-change-trigger-time: "2024-05-02T09:20:16Z"
  creationTimestamp: "2024-05-02T09:14:40Z"
  generateName: reviews-
  generation: 7
  labels:
    app: reviews
    endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io
    kubernetes.io/service-name: reviews
  managedFields:
  - apiVersion: discovery.k8s.io/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:addressType: {}
    manager: kube-controller-manager
    operation: Update
  name: reviews-8vx2k
  namespace: bookinfo
  ownerReferences:
  - apiVersion: v1
    blockOwnerDeletion: true
    controller: true
    kind: Service
    name: reviews
    uid: 1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d50
  resourceVersion: "2302"
  uid: 9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c50
ports:
- appProtocol: http
  name: http
  port: 9080
  protocol: TCP
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const EndpointSlice* slice = only<EndpointSlice>(result);
  ASSERT_NE(slice, nullptr);
  EXPECT_EQ(slice->api_version, "discovery.k8s.io/v1");
  EXPECT_EQ(slice->meta.name, "reviews-8vx2k");
  EXPECT_EQ(slice->meta.generation, 7);
  EXPECT_EQ(slice->meta.labels.at("kubernetes.io/service-name"), "reviews");
  EXPECT_EQ(slice->address_type.value, AddressType::IPv4);
  EXPECT_EQ(slice->address_type.loc.path, "addressType");
  EXPECT_EQ(slice->address_type.loc.line, 1u);
  ASSERT_EQ(slice->endpoints.size(), 2u);

  const Endpoint& e0 = slice->endpoints[0];
  ASSERT_EQ(e0.addresses.size(), 1u);
  EXPECT_EQ(e0.addresses[0].value, "10.244.1.7");
  EXPECT_EQ(e0.addresses[0].loc.path, "endpoints[0].addresses[0]");
  EXPECT_EQ(e0.addresses[0].loc.line, 5u);
  ASSERT_TRUE(e0.conditions.has_value());
  EXPECT_TRUE(e0.conditions->ready.value);
  EXPECT_TRUE(e0.conditions->serving.value);
  EXPECT_TRUE(e0.conditions->terminating.present);
  EXPECT_FALSE(e0.conditions->terminating.value);
  ASSERT_TRUE(e0.hints.has_value());
  ASSERT_EQ(e0.hints->for_zones.size(), 1u);
  EXPECT_EQ(e0.hints->for_zones[0].name.value, "us-east-1a");
  ASSERT_EQ(e0.hints->for_nodes.size(), 1u);
  EXPECT_EQ(e0.hints->for_nodes[0].name.value, "kind-worker");
  EXPECT_EQ(e0.node_name.value, "kind-worker");
  ASSERT_TRUE(e0.target_ref.has_value());
  EXPECT_EQ(e0.target_ref->kind.value, "Pod");
  EXPECT_EQ(e0.target_ref->name.value, "reviews-v2-5b667bcbf8-xk7pq");
  EXPECT_EQ(e0.zone.value, "us-east-1a");
  EXPECT_EQ(e0.zone.loc.path, "endpoints[0].zone");
  EXPECT_EQ(e0.zone.loc.line, 21u);
  EXPECT_FALSE(e0.hostname.present);
  EXPECT_TRUE(e0.topology.empty());

  const Endpoint& e1 = slice->endpoints[1];
  EXPECT_FALSE(e1.conditions->ready.value);
  EXPECT_TRUE(e1.conditions->terminating.value);
  EXPECT_FALSE(e1.zone.present);  // deprecatedTopology has no zone entry here.
  EXPECT_EQ(e1.topology.at("kubernetes.io/hostname").value, "kind-worker2");
  EXPECT_FALSE(e1.hints.has_value());

  ASSERT_EQ(slice->ports.size(), 1u);
  EXPECT_EQ(slice->ports[0].name.value, "http");
  EXPECT_EQ(slice->ports[0].port.value, 9080);
  EXPECT_EQ(slice->ports[0].protocol.value, TransportProtocol::TCP);
  EXPECT_EQ(slice->ports[0].app_protocol.value, "http");
  EXPECT_EQ(slice->ports[0].loc.path, "ports[0]");
}

TEST(EndpointSliceDecode, V1beta1TopologyFillsZone) {
  auto result = decode_text(R"(apiVersion: discovery.k8s.io/v1beta1
kind: EndpointSlice
metadata:
  name: ratings-abc12
  namespace: bookinfo
  labels:
    kubernetes.io/service-name: ratings
addressType: IPv6
endpoints:
- addresses:
  - "fd00:10:244:1::9"
  conditions:
    ready: true
  hostname: ratings-0
  topology:
    kubernetes.io/hostname: kind-worker
    topology.kubernetes.io/region: us-east-1
    topology.kubernetes.io/zone: us-east-1b
- addresses:
  - "fd00:10:244:2::3"
  topology:
    failure-domain.beta.kubernetes.io/zone: us-east-1c
ports:
- name: http
  port: 9080
- name: all-ports
  port: null
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const EndpointSlice* slice = only<EndpointSlice>(result);
  ASSERT_NE(slice, nullptr);
  EXPECT_EQ(slice->api_version, "discovery.k8s.io/v1beta1");
  EXPECT_EQ(slice->address_type.value, AddressType::IPv6);
  ASSERT_EQ(slice->endpoints.size(), 2u);
  const Endpoint& e0 = slice->endpoints[0];
  EXPECT_EQ(e0.addresses[0].value, "fd00:10:244:1::9");
  EXPECT_EQ(e0.hostname.value, "ratings-0");
  EXPECT_TRUE(e0.conditions->ready.value);
  EXPECT_FALSE(e0.conditions->serving.present);
  EXPECT_EQ(e0.topology.size(), 3u);
  // One model for both versions: the v1beta1 zone label surfaces as `zone`, located at the
  // topology entry it came from.
  EXPECT_TRUE(e0.zone.present);
  EXPECT_EQ(e0.zone.value, "us-east-1b");
  EXPECT_EQ(e0.zone.loc.path, "endpoints[0].topology[topology.kubernetes.io/zone]");
  EXPECT_EQ(e0.zone.loc.line, 18u);
  EXPECT_EQ(slice->endpoints[1].zone.value, "us-east-1c");
  EXPECT_FALSE(slice->endpoints[1].conditions.has_value());

  ASSERT_EQ(slice->ports.size(), 2u);
  EXPECT_FALSE(slice->ports[0].protocol.present);  // TCP by default.
  EXPECT_EQ(slice->ports[1].name.value, "all-ports");
  EXPECT_FALSE(slice->ports[1].port.present);  // null: the slice covers all ports.
}

TEST(EndpointSliceDecode, BadAddressTypeMissingAddressTypeAndWrongTypes) {
  auto result = decode_text(R"(apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bad-type
  namespace: foo
addressType: IPv5
endpoints:
- addresses: 10.0.0.1
  conditions:
    ready: "yes"
ports:
- port: "http"
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: no-type
  namespace: foo
endpoints: []
)");
  ASSERT_EQ(result.objects.size(), 2u) << describe(result.findings);
  const Finding* type = find_finding(result.findings, "MW1003", "addressType");
  ASSERT_NE(type, nullptr) << describe(result.findings);
  ASSERT_TRUE(type->source.has_value());
  EXPECT_EQ(type->source->line, 6u);
  EXPECT_EQ(type->resource.name, "bad-type");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "endpoints[0].addresses"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "endpoints[0].conditions.ready"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "ports[0].port"));
  const Finding* missing = find_finding(result.findings, "MW1004", "addressType");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->resource.name, "no-type");
  EXPECT_EQ(result.findings.size(), 5u) << describe(result.findings);

  const auto* bad = result.objects[0]->as<EndpointSlice>();
  ASSERT_NE(bad, nullptr);
  EXPECT_FALSE(bad->address_type.present);
  ASSERT_EQ(bad->endpoints.size(), 1u);
  EXPECT_TRUE(bad->endpoints[0].addresses.empty());
  EXPECT_FALSE(bad->endpoints[0].conditions->ready.present);
}

TEST(KubernetesKindsDecode, ListOfMixedKindsFromKubectl) {
  // `kubectl get ns,pods,endpoints,endpointslices -o yaml` wraps everything in a v1 List.
  auto result = decode_text(R"(apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: foo
    labels:
      istio.io/dataplane-mode: ambient
  spec:
    finalizers: [kubernetes]
  status:
    phase: Active
- apiVersion: v1
  kind: Pod
  metadata:
    name: httpbin-1
    namespace: foo
    labels:
      app: httpbin
  spec:
    containers: [{name: httpbin, image: kennethreitz/httpbin}]
  status:
    podIP: 10.244.0.12
- apiVersion: v1
  kind: Endpoints
  metadata:
    name: httpbin
    namespace: foo
  subsets:
  - addresses: [{ip: 10.244.0.12}]
    ports: [{name: http, port: 8000, protocol: TCP}]
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata:
    name: httpbin-x1
    namespace: foo
  addressType: IPv4
  endpoints: [{addresses: [10.244.0.12], conditions: {ready: true}}]
  ports: [{name: http, port: 8000, protocol: TCP}]
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  ASSERT_EQ(result.objects.size(), 4u);
  const auto* ns = result.objects[0]->as<Namespace>();
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->meta.labels.at("istio.io/dataplane-mode"), "ambient");
  const auto* pod = result.objects[1]->as<Pod>();
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->status.pod_ip.value, "10.244.0.12");
  EXPECT_EQ(pod->status.pod_ip.loc.line, 26u);
  const auto* ep = result.objects[2]->as<Endpoints>();
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ(ep->subsets[0].addresses[0].ip.value, "10.244.0.12");
  EXPECT_EQ(ep->subsets[0].ports[0].port.value, 8000);
  const auto* slice = result.objects[3]->as<EndpointSlice>();
  ASSERT_NE(slice, nullptr);
  EXPECT_EQ(slice->endpoints[0].addresses[0].value, "10.244.0.12");
  EXPECT_TRUE(slice->endpoints[0].conditions->ready.value);
  EXPECT_EQ(slice->ports[0].port.value, 8000);
}

}  // namespace
}  // namespace meshward::model
