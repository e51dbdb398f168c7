#include "meshward/model/kinds/pod.h"

#include <string>
#include <string_view>

namespace meshward::model {

// Kubernetes objects carry many fields checks never read and the API server already
// validated, so unknown fields are accepted silently here (unlike Istio kinds).

void decode(ObjectReader& r, PodIp& out) {
  r.ignore_unknown();
  r.optional("ip", out.ip);
}

void decode(ObjectReader& r, PodStatus& out) {
  r.ignore_unknown();
  r.optional("podIP", out.pod_ip);
  r.optional("podIPs", out.pod_ips);
}

void decode(ObjectReader& r, Container& out) {
  r.ignore_unknown();
  r.optional("name", out.name);
  r.optional("image", out.image);
}

void decode(ObjectReader& r, PodSpec& out) {
  r.ignore_unknown();
  r.optional("containers", out.containers);
}

std::shared_ptr<Object> decode_pod(ObjectReader& r) {
  // Pods are read for their labels (metadata), addresses and container images only; the rest
  // of the spec is large and irrelevant to mesh configuration.
  auto obj = std::make_shared<Pod>();
  r.ignore_unknown();
  r.optional("spec", obj->spec);
  r.optional("status", obj->status);
  return obj;
}

std::string istio_proxy_version(const Pod& pod) {
  for (const Container& c : pod.spec.containers) {
    if (c.name.value != "istio-proxy") {
      continue;
    }
    std::string_view image = c.image.value;
    image = image.substr(0, image.find('@'));
    // The tag follows the last ':' after the last '/' (a registry host may carry a port).
    const std::size_t slash = image.rfind('/');
    const std::size_t colon = image.rfind(':');
    if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) {
      return "";
    }
    return std::string(image.substr(colon + 1));
  }
  return "";
}

}  // namespace meshward::model
