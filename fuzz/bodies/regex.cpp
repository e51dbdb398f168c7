// (f) A regular expression through the RE2 validator (validate::regex: Go's syntax, 1 KiB
// cap), and the same bytes through the other string validators the checks apply to user
// input (hosts, IPs, labels, headers, JWKS, paths): all are promised linear and safe on any
// bytes.

#include <string>

#include "common.h"
#include "meshward/rules/validate.h"

using namespace meshward;
namespace v = meshward::rules::validate;

int meshward_fuzz_regex(const std::uint8_t* data, std::size_t size) {
  const std::string_view s = fuzz::as_text(data, size);
  (void)v::regex(s);

  (void)v::quote(s);
  (void)v::is_dns1123_label(s);
  (void)v::is_wildcard_dns1123_label(s);
  (void)v::dns1123_labels(s);
  (void)v::wildcard_domain(s);
  (void)v::fqdn(s);
  (void)v::partial_wildcard(s);
  (void)v::wildcard_domain_for_gateway_bound_vs(true, s);
  (void)v::namespace_slash_host(s, v::HostFlavour::Gateway);
  (void)v::namespace_slash_host(s, v::HostFlavour::Sidecar, true);
  (void)v::ip_address(s);
  (void)v::cidr(s);
  (void)v::ip_or_cidr(s);
  (void)v::unix_address(s);
  (void)v::protocol(s, true);
  (void)v::port_name(s);
  (void)v::label_key(s);
  (void)v::label_value(s);
  (void)v::match_header_name(s);
  (void)v::request_header_set_name(s);
  (void)v::header_operation_name(s);
  (void)v::cors_header_name(s);
  (void)v::strict_header_name(s);
  (void)v::header_value(s);
  (void)v::jwks_uri(s);
  (void)v::jwks(s);
  (void)v::jwks_has_private_key(s);
  (void)v::authz_path(s);
  (void)v::authz_service_account(s);
  const auto slash = s.find('/');
  (void)v::selector_label(s.substr(0, slash), slash == std::string_view::npos ? "" : s.substr(slash + 1));
  return 0;
}
