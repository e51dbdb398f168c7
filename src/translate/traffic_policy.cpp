#include "traffic_policy.h"

namespace meshward::translate {

namespace {

template <class T>
const T* get(const model::Optional<T>& o) {
  return o ? &*o : nullptr;
}

}  // namespace

Policy port_policy(const model::TrafficPolicy* tp, std::uint32_t port, bool* port_level) {
  *port_level = false;
  if (tp == nullptr) {
    return {};
  }
  for (const auto& p : tp->port_level_settings) {
    if (p.port && p.port->number.value == port) {
      *port_level = true;
      return {get(p.load_balancer), get(p.connection_pool), get(p.outlier_detection), get(p.tls)};
    }
  }
  return {get(tp->load_balancer), get(tp->connection_pool), get(tp->outlier_detection),
          get(tp->tls)};
}

Policy port_policy(const model::TrafficPolicy* tp, std::uint32_t port) {
  bool port_level = false;
  return port_policy(tp, port, &port_level);
}

Policy merge_subset(const Policy& base, const model::TrafficPolicy* subset, std::uint32_t port) {
  if (subset == nullptr) {
    return base;
  }
  bool port_level = false;
  const Policy sub = port_policy(subset, port, &port_level);
  Policy out = base;
  if (sub.pool != nullptr || port_level) {
    out.pool = sub.pool;
  }
  if (sub.outlier != nullptr || port_level) {
    out.outlier = sub.outlier;
  }
  if (sub.lb != nullptr || port_level) {
    out.lb = sub.lb;
  }
  if (sub.tls != nullptr || port_level) {
    out.tls = sub.tls;
  }
  return out;
}

Policy cluster_policy(const model::TrafficPolicy* top, const model::Subset* subset,
                      std::uint32_t port) {
  return merge_subset(port_policy(top, port),
                      subset != nullptr ? get(subset->traffic_policy) : nullptr, port);
}

}  // namespace meshward::translate
