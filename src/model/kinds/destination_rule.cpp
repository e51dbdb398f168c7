#include "meshward/model/kinds/destination_rule.h"

namespace meshward::model {

void decode(ObjectReader& r, HttpCookieAttribute& out) {
  r.required("name", out.name);
  r.optional("value", out.value);
}

void decode(ObjectReader& r, HttpCookie& out) {
  r.required("name", out.name);
  r.optional("path", out.path);
  r.optional("ttl", out.ttl);
  r.optional("attributes", out.attributes);
}

void decode(ObjectReader& r, RingHash& out) {
  r.optional("minimumRingSize", out.minimum_ring_size);
}

void decode(ObjectReader& r, MagLev& out) { r.optional("tableSize", out.table_size); }

void decode(ObjectReader& r, ConsistentHashLb& out) {
  r.optional("httpHeaderName", out.http_header_name);
  r.optional("httpCookie", out.http_cookie);
  r.optional("useSourceIp", out.use_source_ip);
  r.optional("httpQueryParameterName", out.http_query_parameter_name);
  r.optional("ringHash", out.ring_hash);
  r.optional("maglev", out.maglev);
  r.optional("minimumRingSize", out.minimum_ring_size);
}

void decode(ObjectReader& r, LocalityLbDistribute& out) {
  r.optional("from", out.from);
  r.optional("to", out.to);
}

void decode(ObjectReader& r, LocalityLbFailover& out) {
  r.optional("from", out.from);
  r.optional("to", out.to);
}

void decode(ObjectReader& r, LocalityLoadBalancerSetting& out) {
  r.optional("distribute", out.distribute);
  r.optional("failover", out.failover);
  r.optional("failoverPriority", out.failover_priority);
  r.optional("enabled", out.enabled);
}

void decode(ObjectReader& r, WarmupConfiguration& out) {
  r.required("duration", out.duration);
  r.optional("minimumPercent", out.minimum_percent);
  r.optional("aggression", out.aggression);
}

void decode(ObjectReader& r, LoadBalancerSettings& out) {
  r.optional("simple", out.simple);
  r.optional("consistentHash", out.consistent_hash);
  r.optional("localityLbSetting", out.locality_lb_setting);
  r.optional("warmupDurationSecs", out.warmup_duration_secs);
  r.optional("warmup", out.warmup);
}

void decode(ObjectReader& r, TcpKeepalive& out) {
  r.optional("probes", out.probes);
  r.optional("time", out.time);
  r.optional("interval", out.interval);
}

void decode(ObjectReader& r, TcpSettings& out) {
  r.optional("maxConnections", out.max_connections);
  r.optional("connectTimeout", out.connect_timeout);
  r.optional("tcpKeepalive", out.tcp_keepalive);
  r.optional("maxConnectionDuration", out.max_connection_duration);
  r.optional("idleTimeout", out.idle_timeout);
}

void decode(ObjectReader& r, HttpSettings& out) {
  r.optional("http1MaxPendingRequests", out.http1_max_pending_requests);
  r.optional("http2MaxRequests", out.http2_max_requests);
  r.optional("maxRequestsPerConnection", out.max_requests_per_connection);
  r.optional("maxRetries", out.max_retries);
  r.optional("idleTimeout", out.idle_timeout);
  r.optional("h2UpgradePolicy", out.h2_upgrade_policy);
  r.optional("useClientProtocol", out.use_client_protocol);
  r.optional("maxConcurrentStreams", out.max_concurrent_streams);
}

void decode(ObjectReader& r, ConnectionPoolSettings& out) {
  r.optional("tcp", out.tcp);
  r.optional("http", out.http);
}

void decode(ObjectReader& r, OutlierDetection& out) {
  r.optional("splitExternalLocalOriginErrors", out.split_external_local_origin_errors);
  r.optional("consecutiveLocalOriginFailures", out.consecutive_local_origin_failures);
  r.optional("consecutiveGatewayErrors", out.consecutive_gateway_errors);
  r.optional("consecutive5xxErrors", out.consecutive_5xx_errors);
  r.optional("consecutiveErrors", out.consecutive_errors);
  r.optional("interval", out.interval);
  r.optional("baseEjectionTime", out.base_ejection_time);
  r.optional("maxEjectionPercent", out.max_ejection_percent);
  r.optional("minHealthPercent", out.min_health_percent);
}

void decode(ObjectReader& r, ClientTlsSettings& out) {
  r.optional("mode", out.mode);
  r.optional("clientCertificate", out.client_certificate);
  r.optional("privateKey", out.private_key);
  r.optional("caCertificates", out.ca_certificates);
  r.optional("credentialName", out.credential_name);
  r.optional("subjectAltNames", out.subject_alt_names);
  r.optional("sni", out.sni);
  r.optional("insecureSkipVerify", out.insecure_skip_verify);
  r.optional("caCrl", out.ca_crl);
}

void decode(ObjectReader& r, PortTrafficPolicy& out) {
  r.optional("port", out.port);
  r.optional("loadBalancer", out.load_balancer);
  r.optional("connectionPool", out.connection_pool);
  r.optional("outlierDetection", out.outlier_detection);
  r.optional("tls", out.tls);
}

void decode(ObjectReader& r, TunnelSettings& out) {
  r.optional("protocol", out.protocol);
  r.required("targetHost", out.target_host);
  r.required("targetPort", out.target_port);
}

void decode(ObjectReader& r, ProxyProtocol& out) { r.optional("version", out.version); }

void decode(ObjectReader& r, RetryBudget& out) {
  r.optional("percent", out.percent);
  r.optional("minRetryConcurrency", out.min_retry_concurrency);
  r.optional("budgetInterval", out.budget_interval);
}

void decode(ObjectReader& r, TrafficPolicy& out) {
  r.optional("loadBalancer", out.load_balancer);
  r.optional("connectionPool", out.connection_pool);
  r.optional("outlierDetection", out.outlier_detection);
  r.optional("tls", out.tls);
  r.optional("portLevelSettings", out.port_level_settings);
  r.optional("tunnel", out.tunnel);
  r.optional("proxyProtocol", out.proxy_protocol);
  r.optional("retryBudget", out.retry_budget);
}

void decode(ObjectReader& r, Subset& out) {
  r.required("name", out.name);
  r.optional("labels", out.labels);
  r.optional("trafficPolicy", out.traffic_policy);
}

void decode(ObjectReader& r, DestinationRuleSpec& out) {
  r.required("host", out.host);
  r.optional("trafficPolicy", out.traffic_policy);
  r.optional("subsets", out.subsets);
  r.optional("exportTo", out.export_to);
  r.optional("workloadSelector", out.workload_selector);
}

std::shared_ptr<Object> decode_destination_rule(ObjectReader& r) {
  auto obj = std::make_shared<DestinationRule>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
