#include "meshward/model/kinds/gateway.h"

namespace meshward::model {

void decode(ObjectReader& r, Port& out) {
  r.optional("number", out.number);
  r.optional("protocol", out.protocol);
  r.optional("name", out.name);
  r.optional("targetPort", out.target_port);
}

void decode(ObjectReader& r, TlsCertificate& out) {
  r.optional("serverCertificate", out.server_certificate);
  r.optional("privateKey", out.private_key);
  r.optional("caCertificates", out.ca_certificates);
}

void decode(ObjectReader& r, ServerTlsSettings& out) {
  r.optional("httpsRedirect", out.https_redirect);
  r.optional("mode", out.mode);
  r.optional("serverCertificate", out.server_certificate);
  r.optional("privateKey", out.private_key);
  r.optional("caCertificates", out.ca_certificates);
  r.optional("caCrl", out.ca_crl);
  r.optional("credentialName", out.credential_name);
  r.optional("credentialNames", out.credential_names);
  r.optional("tlsCertificates", out.tls_certificates);
  r.optional("subjectAltNames", out.subject_alt_names);
  r.optional("verifyCertificateSpki", out.verify_certificate_spki);
  r.optional("verifyCertificateHash", out.verify_certificate_hash);
  r.optional("minProtocolVersion", out.min_protocol_version);
  r.optional("maxProtocolVersion", out.max_protocol_version);
  r.optional("cipherSuites", out.cipher_suites);
}

void decode(ObjectReader& r, Server& out) {
  r.required("port", out.port);
  r.optional("bind", out.bind);
  r.required("hosts", out.hosts);
  r.optional("tls", out.tls);
  r.optional("defaultEndpoint", out.default_endpoint);
  r.optional("name", out.name);
}

void decode(ObjectReader& r, GatewaySpec& out) {
  r.optional("servers", out.servers);
  r.optional("selector", out.selector);
}

std::shared_ptr<Object> decode_gateway(ObjectReader& r) {
  auto obj = std::make_shared<Gateway>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
