// DestinationRule `connectionPool` settings Istio's webhook rejects (validateConnectionPool in
// pkg/config/validation/validation.go): a pool with neither tcp nor http, negative limits,
// durations under 1ms or not whole milliseconds, and h2UpgradePolicy UPGRADE together with
// useClientProtocol. Envoy's circuit breakers and timeouts would be meaningless or refused.

#include <cstdint>
#include <string>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1307", "destinationrule-connection-pool-invalid", Family::Resource,
                         Severity::Error, "A DestinationRule connectionPool setting is invalid",
                         ""};

void non_negative(const model::DestinationRule& dr, const model::Field<std::int32_t>& f,
                  const char* name, Sink& out) {
  if (f.present && *f < 0) {
    out.report(kInfo, dr, f.loc,
               std::string(name) + " is " + std::to_string(*f) +
                   ": it must not be negative (omit it for Envoy's default)");
  }
}

void duration(const model::DestinationRule& dr, const model::Field<model::Duration>& f,
              const char* name, Sink& out, bool zero_disables = false) {
  if (!f.present || (zero_disables && f->nanos > -1000000 && f->nanos < 1000000)) {
    return;
  }
  if (auto why = validate::duration(*f)) {
    out.report(kInfo, dr, f.loc,
               std::string(name) + " " + validate::quote(f->text) + " is invalid (" + *why +
                   "): use a whole number of milliseconds, at least 1ms (e.g. 100ms, 30s)");
  }
}

void check_pool(const model::DestinationRule& dr, const model::ConnectionPoolSettings& pool,
                Sink& out) {
  if (!pool.tcp && !pool.http) {
    out.report(kInfo, dr, pool.loc,
               "connectionPool sets neither tcp nor http: add limits or remove the block");
    return;
  }
  if (pool.http) {
    const model::HttpSettings& h = *pool.http;
    non_negative(dr, h.http1_max_pending_requests, "http1MaxPendingRequests", out);
    non_negative(dr, h.http2_max_requests, "http2MaxRequests", out);
    non_negative(dr, h.max_requests_per_connection, "maxRequestsPerConnection", out);
    non_negative(dr, h.max_retries, "maxRetries", out);
    non_negative(dr, h.max_concurrent_streams, "maxConcurrentStreams", out);
    duration(dr, h.idle_timeout, "http.idleTimeout", out);
    if (h.h2_upgrade_policy.present && *h.h2_upgrade_policy == model::H2UpgradePolicy::Upgrade &&
        h.use_client_protocol.value_or(false)) {
      out.report(kInfo, dr, h.use_client_protocol.loc,
                 "useClientProtocol must not be true when h2UpgradePolicy is UPGRADE: drop one "
                 "of them");
    }
  }
  if (pool.tcp) {
    const model::TcpSettings& t = *pool.tcp;
    non_negative(dr, t.max_connections, "maxConnections", out);
    duration(dr, t.connect_timeout, "connectTimeout", out);
    duration(dr, t.max_connection_duration, "maxConnectionDuration", out);
    duration(dr, t.idle_timeout, "tcp.idleTimeout", out, /*zero_disables=*/true);
    if (t.tcp_keepalive) {
      duration(dr, t.tcp_keepalive->time, "tcpKeepalive.time", out);
      duration(dr, t.tcp_keepalive->interval, "tcpKeepalive.interval", out);
    }
  }
}

void check_policy(const model::DestinationRule& dr, const model::TrafficPolicy& tp, Sink& out) {
  if (tp.connection_pool) {
    check_pool(dr, *tp.connection_pool, out);
  }
  for (const model::PortTrafficPolicy& pl : tp.port_level_settings) {
    if (pl.connection_pool) {
      check_pool(dr, *pl.connection_pool, out);
    }
  }
}

void check(const model::DestinationRule& dr, Sink& out) {
  if (dr.spec.traffic_policy) {
    check_policy(dr, *dr.spec.traffic_policy, out);
  }
  for (const model::Subset& subset : dr.spec.subsets) {
    if (subset.traffic_policy) {
      check_policy(dr, *subset.traffic_policy, out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
