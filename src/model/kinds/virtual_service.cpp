#include "meshward/model/kinds/virtual_service.h"

namespace meshward::model {

void decode(ObjectReader& r, PortSelector& out) { r.optional("number", out.number); }

void decode(ObjectReader& r, Percent& out) { r.optional("value", out.value); }

void decode(ObjectReader& r, Destination& out) {
  r.required("host", out.host);
  r.optional("subset", out.subset);
  r.optional("port", out.port);
}

void decode(ObjectReader& r, StringMatch& out) {
  r.optional("exact", out.exact);
  r.optional("prefix", out.prefix);
  r.optional("regex", out.regex);
}

void decode(ObjectReader& r, HttpMatchRequest& out) {
  r.optional("name", out.name);
  r.optional("uri", out.uri);
  r.optional("scheme", out.scheme);
  r.optional("method", out.method);
  r.optional("authority", out.authority);
  r.optional("headers", out.headers);
  r.optional("port", out.port);
  r.optional("sourceLabels", out.source_labels);
  r.optional("gateways", out.gateways);
  r.optional("queryParams", out.query_params);
  r.optional("ignoreUriCase", out.ignore_uri_case);
  r.optional("withoutHeaders", out.without_headers);
  r.optional("sourceNamespace", out.source_namespace);
  r.optional("statPrefix", out.stat_prefix);
}

void decode(ObjectReader& r, HeaderOperations& out) {
  r.optional("set", out.set);
  r.optional("add", out.add);
  r.optional("remove", out.remove);
}

void decode(ObjectReader& r, Headers& out) {
  r.optional("request", out.request);
  r.optional("response", out.response);
}

void decode(ObjectReader& r, HttpRouteDestination& out) {
  r.required("destination", out.destination);
  r.optional("weight", out.weight);
  r.optional("headers", out.headers);
}

void decode(ObjectReader& r, HttpRedirect& out) {
  r.optional("uri", out.uri);
  r.optional("authority", out.authority);
  r.optional("port", out.port);
  r.optional("derivePort", out.derive_port);
  r.optional("scheme", out.scheme);
  r.optional("redirectCode", out.redirect_code);
}

void decode(ObjectReader& r, HttpBody& out) {
  r.optional("string", out.string);
  r.optional("bytes", out.bytes);
}

void decode(ObjectReader& r, HttpDirectResponse& out) {
  r.required("status", out.status);
  r.optional("body", out.body);
}

void decode(ObjectReader& r, Delegate& out) {
  r.optional("name", out.name);
  r.optional("namespace", out.namespace_);
}

void decode(ObjectReader& r, RegexRewrite& out) {
  r.optional("match", out.match);
  r.optional("rewrite", out.rewrite);
}

void decode(ObjectReader& r, HttpRewrite& out) {
  r.optional("uri", out.uri);
  r.optional("authority", out.authority);
  r.optional("uriRegexRewrite", out.uri_regex_rewrite);
}

void decode(ObjectReader& r, HttpRetry& out) {
  r.optional("attempts", out.attempts);
  r.optional("perTryTimeout", out.per_try_timeout);
  r.optional("retryOn", out.retry_on);
  r.optional("retryRemoteLocalities", out.retry_remote_localities);
  r.optional("retryIgnorePreviousHosts", out.retry_ignore_previous_hosts);
  r.optional("backoff", out.backoff);
}

void decode(ObjectReader& r, CorsPolicy& out) {
  r.optional("allowOrigin", out.allow_origin);
  r.optional("allowOrigins", out.allow_origins);
  r.optional("allowMethods", out.allow_methods);
  r.optional("allowHeaders", out.allow_headers);
  r.optional("exposeHeaders", out.expose_headers);
  r.optional("maxAge", out.max_age);
  r.optional("allowCredentials", out.allow_credentials);
  r.optional("unmatchedPreflights", out.unmatched_preflights);
}

void decode(ObjectReader& r, HttpFaultInjectionDelay& out) {
  r.optional("fixedDelay", out.fixed_delay);
  r.optional("exponentialDelay", out.exponential_delay);
  r.optional("percent", out.percent);
  r.optional("percentage", out.percentage);
}

void decode(ObjectReader& r, HttpFaultInjectionAbort& out) {
  r.optional("httpStatus", out.http_status);
  r.optional("grpcStatus", out.grpc_status);
  r.optional("http2Error", out.http2_error);
  r.optional("percentage", out.percentage);
}

void decode(ObjectReader& r, HttpFaultInjection& out) {
  r.optional("delay", out.delay);
  r.optional("abort", out.abort);
}

void decode(ObjectReader& r, HttpMirrorPolicy& out) {
  r.required("destination", out.destination);
  r.optional("percentage", out.percentage);
}

void decode(ObjectReader& r, HttpRoute& out) {
  r.optional("name", out.name);
  r.optional("match", out.match);
  r.optional("route", out.route);
  r.optional("redirect", out.redirect);
  r.optional("directResponse", out.direct_response);
  r.optional("delegate", out.delegate);
  r.optional("rewrite", out.rewrite);
  r.optional("timeout", out.timeout);
  r.optional("retries", out.retries);
  r.optional("fault", out.fault);
  r.optional("mirror", out.mirror);
  r.optional("mirrorPercent", out.mirror_percent);
  r.optional("mirrorPercentage", out.mirror_percentage);
  r.optional("mirrors", out.mirrors);
  r.optional("corsPolicy", out.cors_policy);
  r.optional("headers", out.headers);
}

void decode(ObjectReader& r, RouteDestination& out) {
  r.required("destination", out.destination);
  r.optional("weight", out.weight);
}

void decode(ObjectReader& r, TlsMatchAttributes& out) {
  r.required("sniHosts", out.sni_hosts);
  r.optional("destinationSubnets", out.destination_subnets);
  r.optional("port", out.port);
  r.optional("sourceLabels", out.source_labels);
  r.optional("gateways", out.gateways);
  r.optional("sourceNamespace", out.source_namespace);
}

void decode(ObjectReader& r, L4MatchAttributes& out) {
  r.optional("destinationSubnets", out.destination_subnets);
  r.optional("port", out.port);
  r.optional("sourceLabels", out.source_labels);
  r.optional("gateways", out.gateways);
  r.optional("sourceNamespace", out.source_namespace);
}

void decode(ObjectReader& r, TlsRoute& out) {
  r.required("match", out.match);
  r.optional("route", out.route);
}

void decode(ObjectReader& r, TcpRoute& out) {
  r.optional("match", out.match);
  r.optional("route", out.route);
}

void decode(ObjectReader& r, VirtualServiceSpec& out) {
  r.optional("hosts", out.hosts);
  r.optional("gateways", out.gateways);
  r.optional("http", out.http);
  r.optional("tls", out.tls);
  r.optional("tcp", out.tcp);
  r.optional("exportTo", out.export_to);
}

std::shared_ptr<Object> decode_virtual_service(ObjectReader& r) {
  auto obj = std::make_shared<VirtualService>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
