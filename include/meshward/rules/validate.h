#pragma once
// Shared validation primitives for checks: the building blocks Istio's webhook uses across
// kinds (pkg/config/validation/agent/validation.go, validation.go, header_value_validator.go,
// pkg/config/labels/instance.go, pkg/config/visibility, pkg/config/protocol).
//
// Conventions: a function returning `Result` gives nullopt when the value is valid and a short
// reason otherwise ("label \"Foo_\" is not a DNS-1123 label"); the reason names the value and
// is meant to be embedded in a finding message. Predicates (`is_*`) return bool where a reason
// would add nothing. Every function is linear in its input (RE2 included) and safe on
// arbitrary bytes (NUL, invalid UTF-8, megabyte strings).
//
// Other engineers append to this header: keep additions at the end, grouped by topic.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/regex.h"
#include "meshward/model/field.h"

namespace meshward::rules::validate {

/// nullopt = valid; otherwise a short reason naming the value.
using Result = std::optional<std::string>;

// ---------------------------------------------------------------------------------------------
// Quoting for messages.

/// `"value"` with control bytes escaped and long values cut to ~80 chars (for messages).
std::string quote(std::string_view value);

// ---------------------------------------------------------------------------------------------
// DNS names and hosts (agent/validation.go, labels/instance.go).

/// DNS-1123 label as Istio checks it: ≤63 chars, [a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?
/// (upper case accepted).
bool is_dns1123_label(std::string_view value);
/// A DNS-1123 label, or `*`, or a label prefixed by `*` / `*-` (`*foo`, `*-foo`); ≤63 chars.
bool is_wildcard_dns1123_label(std::string_view value);
/// ValidateDNS1123Labels: dot-separated DNS-1123 labels, TLD not all-numeric, trailing dot ok.
Result dns1123_labels(std::string_view domain);
/// ValidateWildcardDomain: non-empty, ≤255, `*` only in the first label, labels DNS-1123.
Result wildcard_domain(std::string_view domain);
/// ValidateFQDN: as wildcard_domain without any wildcard.
Result fqdn(std::string_view domain);
/// ValidatePartialWildCard: a `*` is only allowed as `*` alone or as a `*.` prefix.
Result partial_wildcard(std::string_view host);
/// ValidateWildcardDomainForVirtualServiceBoundToGateway: wildcard_domain, plus (when `sni`)
/// the auto-generated `outbound_.<port>_._.<host>` form.
Result wildcard_domain_for_gateway_bound_vs(bool sni, std::string_view domain);

/// Which kind a `namespace/host` entry belongs to.
enum class HostFlavour : std::uint8_t {
  Gateway,  ///< Gateway server hosts: `ns/` optional; ns is `*`, `.` or a DNS label; IPs ok.
  Sidecar,  ///< Sidecar egress hosts: `ns/` required; ns may also be `~`.
};
/// ValidateNamespaceSlashWildcardHostname. `gateway_semantics`: the object was generated from
/// a Gateway API resource (then `~/` is allowed for gateways). All problems in one reason,
/// joined with "; ".
Result namespace_slash_host(std::string_view host, HostFlavour flavour,
                            bool gateway_semantics = false);

// ---------------------------------------------------------------------------------------------
// IP addresses (Go net/netip semantics: no leading zeros in IPv4 octets, IPv6 zones allowed
// in addresses but not in prefixes, IPv4-in-IPv6 tails).

bool is_ipv4(std::string_view value);
/// IPv6 address, optionally with a `%zone`.
bool is_ipv6(std::string_view value);
/// netip.ParseAddr: IPv4 or IPv6.
bool is_ip(std::string_view value);
/// ValidateIPAddress.
Result ip_address(std::string_view value);
/// netip.ParsePrefix: `addr/bits`, bits in range for the family, no zone.
Result cidr(std::string_view value);
/// ValidateIPSubnet: a CIDR when the value has exactly one `/`, else an IP address.
Result ip_or_cidr(std::string_view value);
/// ValidateUnixAddress (the part after `unix://`): `@abstract` or an absolute file path.
Result unix_address(std::string_view path);

// ---------------------------------------------------------------------------------------------
// Numbers.

/// ValidatePort: 1..65535.
Result port(std::int64_t number);
/// ValidatePercent: integer 0..100.
Result percent(std::int64_t value);
/// validatePercentage: 0, or in [0.0001, 100]. NaN is rejected.
Result fractional_percent(double value);
/// ValidateDuration: ≥1ms and a whole number of milliseconds.
Result duration(std::int64_t nanos);
inline Result duration(const model::Duration& d) { return duration(d.nanos); }

// ---------------------------------------------------------------------------------------------
// Protocols and ports (pkg/config/protocol).

enum class Protocol : std::uint8_t {
  Tcp,
  Udp,
  Grpc,
  GrpcWeb,
  Http,
  HttpProxy,
  Http2,
  Https,
  Tls,
  Mongo,
  Redis,
  Mysql,
};
/// protocol.Parse (case-insensitive); nullopt for unsupported names and for "".
std::optional<Protocol> parse_protocol(std::string_view name);
/// HTTP, HTTP2, GRPC, GRPC-WEB, HTTP_PROXY.
bool is_http(Protocol p);
/// HTTPS, TLS.
bool is_tls(Protocol p);
/// TCP, HTTPS, TLS, MONGO, REDIS, MYSQL.
bool is_tcp(Protocol p);
/// ValidateProtocol: a known protocol; "" (sniffing) is accepted when `allow_empty`.
Result protocol(std::string_view name, bool allow_empty);
/// ValidatePortName: a DNS-1123 label.
Result port_name(std::string_view name);

// ---------------------------------------------------------------------------------------------
// Labels (labels.Instance.Validate).

/// Key: optional DNS prefix (≤253) and `/`, then a qualified name (≤63).
Result label_key(std::string_view key);
/// Value: empty or a qualified name ([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?).
Result label_value(std::string_view value);

// ---------------------------------------------------------------------------------------------
// Regular expressions (RE2, as Go's regexp accepts them).

inline constexpr std::size_t kMaxRegexLength = 1024;
/// Memory RE2 may use to compile one regex (core/regex.h): a pattern whose program needs more
/// is reported as not compiling ("pattern too large"). Compile time grows with it: a few ms
/// per regex at most.
inline constexpr std::int64_t kRegexMaxMem = meshward::kRegexMaxMem;
/// What one compile is charged against a RegexBudget when RE2 gives up at kRegexMaxMem.
inline constexpr std::size_t kRegexMaxInstructions = 65536;

/// Bounds the total work of regex() on this thread while it lives (docs/hardening.md, "Input
/// limits"): one object may hold thousands of distinct regexes that each compile to a large
/// program, so a cap per regex alone does not bound a review. Compiles are charged by program
/// size (kRegexMaxInstructions for one RE2 gave up on); once `instructions` are spent,
/// regex() reports the regex as not compiled, naming the limit, without compiling it.
/// Results are memoised per thread either way, so a repeated pattern costs nothing.
/// Scopes nest; without one, regex() is unbounded (offline checks).
class RegexBudget {
 public:
  explicit RegexBudget(std::size_t instructions);
  ~RegexBudget();
  RegexBudget(const RegexBudget&) = delete;
  RegexBudget& operator=(const RegexBudget&) = delete;

 private:
  std::size_t saved_left_;
  std::size_t saved_total_;
};
/// validateStringRegexp: ≤1024 bytes and compiles with RE2 (options mirroring Go's regexp:
/// Perl classes and word boundaries, UTF-8, leftmost-first). Empty is accepted here; callers
/// that forbid an empty regex say so (string_match_regex does).
Result regex(std::string_view pattern);

// ---------------------------------------------------------------------------------------------
// HTTP header names and values.

/// RFC 7230 token: non-empty, all tchar (`!#$%&'*+-.^_\`|~`, digits, letters).
bool is_token(std::string_view value);
/// Header name used as a match key (headers / withoutHeaders): a token, a pseudo-header
/// (`:method`, `:scheme`, `:authority`, `:path`, `:status`) or a JWT claim route
/// (`@request.auth.claims.<claim>` / `@request.auth.claims[<claim>]...`).
Result match_header_name(std::string_view name);
/// Whether `name` is the JWT claim routing form `@request.auth.claims...`.
bool is_jwt_claim_header(std::string_view name);
/// Request add/set header names: non-empty, no `:` prefix except `:authority` (`host` ok).
Result request_header_set_name(std::string_view name);
/// Request remove and every response operation: non-empty, not `host`, no `:` prefix.
Result header_operation_name(std::string_view name);
/// CORS allow/expose header names: a token or `*`.
Result cors_header_name(std::string_view name);
/// Strict header names (JWT outputClaimToHeaders, probes): [-_A-Za-z0-9]+.
Result strict_header_name(std::string_view name);
/// Whether `name` names the authority (`:authority` or `host`, case-insensitive).
bool is_authority_header(std::string_view name);
/// ValidateHTTPHeaderValue: no control characters but TAB, and Envoy's `%VAR%` /
/// `%VAR(args)%` syntax parses (a lone `%` must be written `%%`).
Result header_value(std::string_view value);

// ---------------------------------------------------------------------------------------------
// exportTo (validateExportTo, pkg/config/visibility).

enum class ExportToKind : std::uint8_t {
  Default,                  ///< VirtualService, DestinationRule without workloadSelector.
  ServiceEntry,             ///< `~` allowed, but alone.
  DestinationRuleSelector,  ///< DR with workloadSelector: only its own namespace.
};
/// One problem of an exportTo list. `index` is the offending entry (or the first entry for
/// list-level problems such as `*` mixed with others).
struct ExportToProblem {
  std::size_t index = 0;
  std::string reason;
};
/// All problems of `entries` for an object in `namespace_`.
std::vector<ExportToProblem> export_to(std::string_view namespace_,
                                       const std::vector<model::Field<std::string>>& entries,
                                       ExportToKind kind = ExportToKind::Default);

// ---------------------------------------------------------------------------------------------
// Workload selectors (validateWorkloadSelector, ValidateAlphaWorkloadSelector).

/// One `key: value` of a workload selector (matchLabels / labels): the key must be non-empty
/// and neither key nor value may contain `*`. A selector without labels is a warning callers
/// report themselves ("applied to all workloads in the namespace").
Result selector_label(std::string_view key, std::string_view value);

}  // namespace meshward::rules::validate

// ---------------------------------------------------------------------------------------------
// Security kinds (pkg/config/security/security.go, validateJwtRule, AuthorizationPolicy).

namespace meshward::rules::validate {

/// security.ParseJwksURI: scheme http or https (case-insensitive), a numeric port in 1..65535
/// when one is written, no control characters, no spaces in the host.
Result jwks_uri(std::string_view uri);
/// Inline `jwks` as jwk.Parse accepts it: a JSON object that is a JWK set (`keys`: array of
/// keys) or a single key; every key has a known `kty` (RSA, EC, oct, OKP) and its public
/// parameters (RSA n+e, EC crv+x+y, OKP crv+x, oct k).
Result jwks(std::string_view text);
/// Whether a JWKS (valid or not) holds asymmetric private key material: `d`, `p`, `q`, `dp`,
/// `dq` or `qi` (an oct key's `k` is a shared secret by nature and is not counted).
bool jwks_has_private_key(std::string_view text);
/// AuthorizationPolicy operation paths (CheckValidPathTemplate): a path that uses `{*}` or
/// `{**}` must start with `/`, use them only as whole segments, with `{**}` as the last
/// operator, no named variables, `{}`, bare `*`/`**` segments, and literal segments of RFC 3986
/// pchars. Paths without a template are free-form (exact, `*` prefix/suffix).
Result authz_path(std::string_view path);
/// AuthorizationPolicy source serviceAccounts entry: `sa` or `ns/sa` (each part a non-empty
/// name), no `*`, ≤320 characters.
Result authz_service_account(std::string_view value);
/// Most serviceAccounts (and notServiceAccounts) entries one source may list.
inline constexpr std::size_t kMaxServiceAccounts = 16;

}  // namespace meshward::rules::validate
