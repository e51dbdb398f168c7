#include "meshward/model/kinds/authorization_policy.h"

namespace meshward::model {

void decode(ObjectReader& r, AuthorizationSource& out) {
  r.optional("principals", out.principals);
  r.optional("notPrincipals", out.not_principals);
  r.optional("requestPrincipals", out.request_principals);
  r.optional("notRequestPrincipals", out.not_request_principals);
  r.optional("namespaces", out.namespaces);
  r.optional("notNamespaces", out.not_namespaces);
  r.optional("ipBlocks", out.ip_blocks);
  r.optional("notIpBlocks", out.not_ip_blocks);
  r.optional("remoteIpBlocks", out.remote_ip_blocks);
  r.optional("notRemoteIpBlocks", out.not_remote_ip_blocks);
  r.optional("serviceAccounts", out.service_accounts);
  r.optional("notServiceAccounts", out.not_service_accounts);
}

void decode(ObjectReader& r, AuthorizationOperation& out) {
  r.optional("hosts", out.hosts);
  r.optional("notHosts", out.not_hosts);
  r.optional("ports", out.ports);
  r.optional("notPorts", out.not_ports);
  r.optional("methods", out.methods);
  r.optional("notMethods", out.not_methods);
  r.optional("paths", out.paths);
  r.optional("notPaths", out.not_paths);
}

void decode(ObjectReader& r, AuthorizationCondition& out) {
  r.required("key", out.key);
  r.optional("values", out.values);
  r.optional("notValues", out.not_values);
}

void decode(ObjectReader& r, RuleFrom& out) { r.optional("source", out.source); }

void decode(ObjectReader& r, RuleTo& out) { r.optional("operation", out.operation); }

void decode(ObjectReader& r, AuthorizationRule& out) {
  r.optional("from", out.from);
  r.optional("to", out.to);
  r.optional("when", out.when);
}

void decode(ObjectReader& r, ExtensionProvider& out) { r.optional("name", out.name); }

void decode(ObjectReader& r, AuthorizationPolicySpec& out) {
  r.optional("selector", out.selector);
  r.optional("targetRef", out.target_ref);
  r.optional("targetRefs", out.target_refs);
  r.optional("rules", out.rules);
  r.optional("action", out.action);
  r.optional("provider", out.provider);
}

std::shared_ptr<Object> decode_authorization_policy(ObjectReader& r) {
  auto obj = std::make_shared<AuthorizationPolicy>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
