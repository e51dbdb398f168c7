// Sidecar inbound connection pools (`inboundConnectionPool` and per-listener
// `ingress[].connectionPool`) Istio's webhook rejects or warns about (ValidateSidecar,
// validateConnectionPool in pkg/config/validation/validation.go): a pool with neither tcp nor
// http, negative limits, durations under 1ms or not whole milliseconds, UPGRADE with
// useClientProtocol, and (warning) HTTP settings on a non-HTTP port, where only tcp applies.

#include <cstdint>
#include <string>

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1508", "sidecar-connection-pool-invalid", Family::Resource,
                         Severity::Error, "A Sidecar inbound connection pool setting is invalid",
                         ""};

void non_negative(const model::Sidecar& sc, const model::Field<std::int32_t>& f,
                  const char* name, Sink& out) {
  if (f.present && *f < 0) {
    out.report(kInfo, sc, f.loc,
               std::string(name) + " is " + std::to_string(*f) +
                   ": it must not be negative (omit it for Envoy's default)");
  }
}

void duration(const model::Sidecar& sc, const model::Field<model::Duration>& f, const char* name,
              Sink& out, bool zero_disables = false) {
  if (!f.present || (zero_disables && f->nanos > -1000000 && f->nanos < 1000000)) {
    return;
  }
  if (auto why = validate::duration(*f)) {
    out.report(kInfo, sc, f.loc,
               std::string(name) + " " + validate::quote(f->text) + " is invalid (" + *why +
                   "): use a whole number of milliseconds, at least 1ms (e.g. 100ms, 30s)");
  }
}

void check_pool(const model::Sidecar& sc, const model::ConnectionPoolSettings& pool, Sink& out) {
  if (!pool.tcp && !pool.http) {
    out.report(kInfo, sc, pool.loc,
               "connectionPool sets neither tcp nor http: add limits or remove the block");
    return;
  }
  if (pool.http) {
    const model::HttpSettings& h = *pool.http;
    non_negative(sc, h.http1_max_pending_requests, "http1MaxPendingRequests", out);
    non_negative(sc, h.http2_max_requests, "http2MaxRequests", out);
    non_negative(sc, h.max_requests_per_connection, "maxRequestsPerConnection", out);
    non_negative(sc, h.max_retries, "maxRetries", out);
    non_negative(sc, h.max_concurrent_streams, "maxConcurrentStreams", out);
    duration(sc, h.idle_timeout, "http.idleTimeout", out);
    if (h.h2_upgrade_policy.present && *h.h2_upgrade_policy == model::H2UpgradePolicy::Upgrade &&
        h.use_client_protocol.value_or(false)) {
      out.report(kInfo, sc, h.use_client_protocol.loc,
                 "useClientProtocol must not be true when h2UpgradePolicy is UPGRADE: drop one "
                 "of them");
    }
  }
  if (pool.tcp) {
    const model::TcpSettings& t = *pool.tcp;
    non_negative(sc, t.max_connections, "maxConnections", out);
    duration(sc, t.connect_timeout, "connectTimeout", out);
    duration(sc, t.max_connection_duration, "maxConnectionDuration", out);
    duration(sc, t.idle_timeout, "tcp.idleTimeout", out, /*zero_disables=*/true);
    if (t.tcp_keepalive) {
      duration(sc, t.tcp_keepalive->time, "tcpKeepalive.time", out);
      duration(sc, t.tcp_keepalive->interval, "tcpKeepalive.interval", out);
    }
  }
}

void check(const model::Sidecar& sc, Sink& out) {
  for (const model::IstioIngressListener& in : sc.spec.ingress) {
    if (!in.connection_pool) {
      continue;
    }
    check_pool(sc, *in.connection_pool, out);
    if (in.connection_pool->http && in.port) {
      auto p = validate::parse_protocol(in.port->protocol.value);
      if (!p || !validate::is_http(*p)) {
        out.report(kInfo, sc, in.connection_pool->http->loc,
                   "HTTP connection pool settings are configured for port " +
                       std::to_string(in.port->number.value) + " (" +
                       validate::quote(in.port->name.value) + ") whose protocol " +
                       validate::quote(in.port->protocol.value) +
                       " is not HTTP; only the tcp settings apply",
                   Severity::Warning, "Istio accepts it with a warning");
      }
    }
  }
  if (sc.spec.inbound_connection_pool) {
    check_pool(sc, *sc.spec.inbound_connection_pool, out);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
