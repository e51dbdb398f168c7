#include "traffic_policy_util.h"

#include <cstdint>
#include <string>

#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

void non_negative(const RuleInfo& info, const model::Object& object,
                  const model::Field<std::int32_t>& f, const char* name, Sink& out) {
  if (f.present && *f < 0) {
    out.report(info, object, f.loc,
               std::string(name) + " is " + std::to_string(*f) +
                   ": it must not be negative (omit it for Envoy's default)");
  }
}

void duration(const RuleInfo& info, const model::Object& object,
              const model::Field<model::Duration>& f, const char* name, Sink& out,
              bool zero_disables = false) {
  if (!f.present || (zero_disables && f->nanos > -1000000 && f->nanos < 1000000)) {
    return;
  }
  if (auto why = validate::duration(*f)) {
    out.report(info, object, f.loc,
               std::string(name) + " " + validate::quote(f->text) + " is invalid (" + *why +
                   "): use a whole number of milliseconds, at least 1ms (e.g. 100ms, 30s)");
  }
}

}  // namespace

void check_connection_pool(const RuleInfo& info, const model::Object& object,
                           const model::ConnectionPoolSettings& pool, Sink& out) {
  if (!pool.tcp && !pool.http) {
    out.report(info, object, pool.loc,
               "connectionPool sets neither tcp nor http: add limits or remove the block");
    return;
  }
  if (pool.http) {
    const model::HttpSettings& h = *pool.http;
    non_negative(info, object, h.http1_max_pending_requests, "http1MaxPendingRequests", out);
    non_negative(info, object, h.http2_max_requests, "http2MaxRequests", out);
    non_negative(info, object, h.max_requests_per_connection, "maxRequestsPerConnection", out);
    non_negative(info, object, h.max_retries, "maxRetries", out);
    non_negative(info, object, h.max_concurrent_streams, "maxConcurrentStreams", out);
    duration(info, object, h.idle_timeout, "http.idleTimeout", out);
    if (h.h2_upgrade_policy.present && *h.h2_upgrade_policy == model::H2UpgradePolicy::Upgrade &&
        h.use_client_protocol.value_or(false)) {
      out.report(info, object, h.use_client_protocol.loc,
                 "useClientProtocol must not be true when h2UpgradePolicy is UPGRADE: drop one "
                 "of them");
    }
  }
  if (pool.tcp) {
    const model::TcpSettings& t = *pool.tcp;
    non_negative(info, object, t.max_connections, "maxConnections", out);
    duration(info, object, t.connect_timeout, "connectTimeout", out);
    duration(info, object, t.max_connection_duration, "maxConnectionDuration", out);
    duration(info, object, t.idle_timeout, "tcp.idleTimeout", out, /*zero_disables=*/true);
    if (t.tcp_keepalive) {
      duration(info, object, t.tcp_keepalive->time, "tcpKeepalive.time", out);
      duration(info, object, t.tcp_keepalive->interval, "tcpKeepalive.interval", out);
    }
  }
}

}  // namespace meshward::rules
