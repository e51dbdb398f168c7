// Shared validation primitives; see include/meshward/rules/validate.h. Each function cites the
// Istio function it mirrors.

#include "meshward/rules/validate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <unordered_map>

namespace meshward::rules::validate {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

// [a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])? without the length limit.
bool matches_label_format(std::string_view v) {
  if (v.empty() || !is_alnum(v.front()) || !is_alnum(v.back())) {
    return false;
  }
  return std::all_of(v.begin(), v.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

// (?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool is_qualified_name(std::string_view v) {
  if (v.empty() || !is_alnum(v.front()) || !is_alnum(v.back())) {
    return false;
  }
  return std::all_of(v.begin(), v.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// strconv.Atoi succeeding on a DNS label: all digits and fits in int64.
bool atoi_ok(std::string_view v) {
  if (v.empty()) {
    return false;
  }
  std::size_t i = (v[0] == '+' || v[0] == '-') ? 1 : 0;
  if (i == v.size()) {
    return false;
  }
  for (std::size_t j = i; j < v.size(); ++j) {
    if (!is_digit(v[j])) {
      return false;
    }
  }
  std::string_view digits = v.substr(i);
  while (digits.size() > 1 && digits.front() == '0') {
    digits.remove_prefix(1);
  }
  return digits.size() < 19 || (digits.size() == 19 && digits <= "9223372036854775807");
}

Result join(std::vector<std::string> problems) {
  if (problems.empty()) {
    return std::nullopt;
  }
  std::string out = problems.front();
  for (std::size_t i = 1; i < problems.size(); ++i) {
    out += "; ";
    out += problems[i];
  }
  return out;
}

// Decimal 0..255 without leading zeros (netip).
bool parse_ipv4_octet(std::string_view s) {
  if (s.empty() || s.size() > 3 || !std::all_of(s.begin(), s.end(), is_digit)) {
    return false;
  }
  if (s.size() > 1 && s[0] == '0') {
    return false;
  }
  int v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
  }
  return v <= 255;
}

bool is_ipv6_no_zone(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  int groups = 0;  // 16-bit groups written
  bool ellipsis = false;
  std::size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = true;
    i = 2;
    if (i == s.size()) {
      return true;
    }
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    // One group, or an IPv4 tail.
    std::size_t j = i;
    while (j < s.size() && is_hex(s[j])) {
      ++j;
    }
    if (j < s.size() && s[j] == '.') {
      // IPv4 tail: must be the rest and fill 2 groups.
      if (!is_ipv4(s.substr(i))) {
        return false;
      }
      groups += 2;
      i = s.size();
      break;
    }
    if (j == i || j - i > 4) {
      return false;
    }
    ++groups;
    i = j;
    if (i == s.size()) {
      break;
    }
    if (s[i] != ':') {
      return false;
    }
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (ellipsis) {
        return false;
      }
      ellipsis = true;
      ++i;
      if (i == s.size()) {
        break;
      }
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
    if (groups > 8) {
      return false;
    }
  }
  return ellipsis ? groups < 8 : groups == 8;
}

std::string format_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string quote(std::string_view value) {
  constexpr std::size_t kMax = 80;
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : value) {
    if (n++ == kMax) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// ---------------------------------------------------------------------------------------------

bool is_dns1123_label(std::string_view value) {
  return value.size() <= 63 && matches_label_format(value);
}

bool is_wildcard_dns1123_label(std::string_view value) {
  if (value.size() > 63 || value.empty()) {
    return false;
  }
  if (value == "*") {
    return true;
  }
  if (value.substr(0, 2) == "*-") {
    value.remove_prefix(2);
  } else if (value.front() == '*') {
    value.remove_prefix(1);
  }
  return matches_label_format(value);
}

Result dns1123_labels(std::string_view domain) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = domain.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(domain.substr(start));
      break;
    }
    parts.push_back(domain.substr(start, dot - start));
    start = dot + 1;
  }
  if (atoi_ok(parts.back())) {
    return "domain name " + quote(domain) + " invalid (top level domain " + quote(parts.back()) +
           " cannot be all-numeric)";
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i == parts.size() - 1 && parts[i].empty()) {
      return std::nullopt;
    }
    if (!is_dns1123_label(parts[i])) {
      return "domain name " + quote(domain) + " invalid (label " + quote(parts[i]) + " invalid)";
    }
  }
  return std::nullopt;
}

static Result dns1123_preconditions(std::string_view name) {
  if (name.size() > 255) {
    return "domain name " + quote(name) + " too long (max 255)";
  }
  if (name.empty()) {
    return std::string("empty domain name not allowed");
  }
  return std::nullopt;
}

Result wildcard_domain(std::string_view domain) {
  if (auto r = dns1123_preconditions(domain)) {
    return r;
  }
  const std::size_t dot = domain.find('.');
  const std::string_view first = domain.substr(0, dot);
  if (!is_wildcard_dns1123_label(first)) {
    return "domain name " + quote(domain) + " invalid (label " + quote(first) + " invalid)";
  }
  if (dot != std::string_view::npos) {
    return dns1123_labels(domain.substr(dot + 1));
  }
  return std::nullopt;
}

Result fqdn(std::string_view domain) {
  if (auto r = dns1123_preconditions(domain)) {
    return r;
  }
  return dns1123_labels(domain);
}

Result partial_wildcard(std::string_view host) {
  if (host.find('*') != std::string_view::npos && host.size() != 1 &&
      host.substr(0, 2) != "*.") {
    return "partial wildcard " + quote(host) + " not allowed";
  }
  return std::nullopt;
}

Result wildcard_domain_for_gateway_bound_vs(bool sni, std::string_view domain) {
  if (auto r = dns1123_preconditions(domain)) {
    return r;
  }
  const std::size_t dot = domain.find('.');
  const std::string_view first = domain.substr(0, dot);
  if (sni && first == "outbound_") {
    // Go: regexp.MatchString("outbound_.([0-8].*).*", domain), unanchored.
    for (std::size_t i = domain.find("outbound_"); i != std::string_view::npos;
         i = domain.find("outbound_", i + 1)) {
      if (i + 10 < domain.size() && domain[i + 9] != '\n' && domain[i + 10] >= '0' &&
          domain[i + 10] <= '8') {
        return std::nullopt;
      }
    }
    return "domain name " + quote(domain) + " invalid (label " + quote(first) + " invalid)";
  }
  if (!is_wildcard_dns1123_label(first)) {
    return "domain name " + quote(domain) + " invalid (label " + quote(first) + " invalid)";
  }
  if (dot != std::string_view::npos) {
    return dns1123_labels(domain.substr(dot + 1));
  }
  return std::nullopt;
}

static void hostname_part(std::string_view host, bool is_gateway,
                          std::vector<std::string>& problems) {
  if (host != "*" && host.find('.') == std::string_view::npos) {
    problems.push_back("short name " + quote(host) + " is not allowed: use an FQDN");
  }
  if (auto err = wildcard_domain(host)) {
    if (!is_gateway) {
      problems.push_back(*err);
    }
    if (!is_ip(host)) {
      problems.push_back(*err);
    }
  }
  if (auto err = partial_wildcard(host)) {
    problems.push_back(*err);
  }
  // Istio reports the wildcard-domain error twice for sidecars; keep it once.
  problems.erase(std::unique(problems.begin(), problems.end()), problems.end());
}

Result namespace_slash_host(std::string_view host, HostFlavour flavour, bool gateway_semantics) {
  const bool is_gateway = flavour == HostFlavour::Gateway;
  std::vector<std::string> problems;
  const std::size_t slash = host.find('/');
  if (slash == std::string_view::npos) {
    if (is_gateway) {
      hostname_part(host, true, problems);
      return join(std::move(problems));
    }
    return "host " + quote(host) + " must be of the form namespace/dnsName";
  }
  const std::string_view ns = host.substr(0, slash);
  const std::string_view name = host.substr(slash + 1);
  if (ns.empty() || name.empty()) {
    problems.push_back("namespace and dnsName in host " + quote(host) + " cannot be empty");
  }
  if (ns != "*" && ns != ".") {
    const bool tilde_ok = !is_gateway || gateway_semantics;
    if (!(ns == "~" && tilde_ok) && !is_dns1123_label(ns)) {
      problems.push_back("invalid namespace " + quote(ns) + " in host " + quote(host));
    }
  }
  hostname_part(name, is_gateway, problems);
  return join(std::move(problems));
}

// ---------------------------------------------------------------------------------------------

bool is_ipv4(std::string_view value) {
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = value.find('.', start);
    const std::string_view octet =
        value.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!parse_ipv4_octet(octet)) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) {
      break;
    }
    if (parts == 4) {
      return false;
    }
    start = dot + 1;
  }
  return parts == 4;
}

bool is_ipv6(std::string_view value) {
  const std::size_t pct = value.find('%');
  if (pct != std::string_view::npos) {
    if (pct + 1 == value.size()) {
      return false;  // empty zone
    }
    value = value.substr(0, pct);
  }
  return value.find(':') != std::string_view::npos && is_ipv6_no_zone(value);
}

bool is_ip(std::string_view value) { return is_ipv4(value) || is_ipv6(value); }

Result ip_address(std::string_view value) {
  if (is_ip(value)) {
    return std::nullopt;
  }
  return quote(value) + " is not a valid IP address";
}

Result cidr(std::string_view value) {
  const std::size_t slash = value.find('/');
  const auto bad = [&] { return quote(value) + " is not a valid CIDR block"; };
  if (slash == std::string_view::npos) {
    return bad();
  }
  const std::string_view addr = value.substr(0, slash);
  const std::string_view bits = value.substr(slash + 1);
  int max_bits = 0;
  if (is_ipv4(addr)) {
    max_bits = 32;
  } else if (addr.find('%') == std::string_view::npos && is_ipv6(addr)) {
    max_bits = 128;
  } else {
    return bad();
  }
  if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), is_digit) ||
      (bits.size() > 1 && bits[0] == '0')) {
    return bad();
  }
  int n = 0;
  for (char c : bits) {
    n = n * 10 + (c - '0');
  }
  if (n > max_bits) {
    return bad();
  }
  return std::nullopt;
}

Result ip_or_cidr(std::string_view value) {
  if (std::count(value.begin(), value.end(), '/') == 1) {
    return cidr(value);
  }
  return ip_address(value);
}

Result unix_address(std::string_view path) {
  if (path.empty()) {
    return std::string("unix address must not be empty");
  }
  if (path.front() == '@') {
    return std::nullopt;
  }
  if (path.front() != '/' || path.back() == '/') {
    return quote(path) + " is not an absolute path to a file";
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------

Result port(std::int64_t number) {
  if (number >= 1 && number <= 65535) {
    return std::nullopt;
  }
  return "port number " + std::to_string(number) + " must be in the range 1..65535";
}

Result percent(std::int64_t value) {
  if (value >= 0 && value <= 100) {
    return std::nullopt;
  }
  return "percentage " + std::to_string(value) + " is not in range 0..100";
}

Result fractional_percent(double value) {
  if (std::isnan(value) || value < 0.0 || value > 100.0 || (value > 0.0 && value < 0.0001)) {
    return "percentage " + format_double(value) + " is neither 0 nor in range [0.0001, 100]";
  }
  return std::nullopt;
}

Result duration(std::int64_t nanos) {
  constexpr std::int64_t kMs = 1'000'000;
  if (nanos < kMs) {
    return std::string("duration must be at least 1ms");
  }
  if (nanos % kMs != 0) {
    return std::string("duration must be a whole number of milliseconds");
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------

std::optional<Protocol> parse_protocol(std::string_view name) {
  struct Entry {
    std::string_view name;
    Protocol p;
  };
  static constexpr Entry kTable[] = {
      {"tcp", Protocol::Tcp},         {"udp", Protocol::Udp},
      {"grpc", Protocol::Grpc},       {"grpc-web", Protocol::GrpcWeb},
      {"http", Protocol::Http},       {"http_proxy", Protocol::HttpProxy},
      {"http2", Protocol::Http2},     {"https", Protocol::Https},
      {"tls", Protocol::Tls},         {"mongo", Protocol::Mongo},
      {"redis", Protocol::Redis},     {"mysql", Protocol::Mysql},
  };
  for (const Entry& e : kTable) {
    if (iequals(e.name, name)) {
      return e.p;
    }
  }
  return std::nullopt;
}

bool is_http(Protocol p) {
  return p == Protocol::Http || p == Protocol::Http2 || p == Protocol::Grpc ||
         p == Protocol::GrpcWeb || p == Protocol::HttpProxy;
}
bool is_tls(Protocol p) { return p == Protocol::Https || p == Protocol::Tls; }
bool is_tcp(Protocol p) {
  return p == Protocol::Tcp || p == Protocol::Https || p == Protocol::Tls ||
         p == Protocol::Mongo || p == Protocol::Redis || p == Protocol::Mysql;
}

Result protocol(std::string_view name, bool allow_empty) {
  if (name.empty() && allow_empty) {
    return std::nullopt;
  }
  if (parse_protocol(name)) {
    return std::nullopt;
  }
  return "unsupported protocol " + quote(name) +
         " (use one of HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, HTTP_PROXY, TCP, TLS, UDP, MONGO, "
         "REDIS, MYSQL)";
}

Result port_name(std::string_view name) {
  if (is_dns1123_label(name)) {
    return std::nullopt;
  }
  return "invalid port name " + quote(name) + " (must be a DNS-1123 label)";
}

// ---------------------------------------------------------------------------------------------

Result label_key(std::string_view key) {
  const auto bad = [&](std::string_view why) {
    return "invalid label key " + quote(key) + std::string(why);
  };
  std::string_view name = key;
  const std::size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    // dns1123Label(\.dns1123Label)* (format only; prefix ≤253).
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = prefix.find('.', start);
      const std::string_view part = prefix.substr(
          start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
      if (!matches_label_format(part)) {
        return bad("");
      }
      if (dot == std::string_view::npos) {
        break;
      }
      start = dot + 1;
    }
    if (prefix.size() > 253) {
      return bad(" (DNS prefix is too long)");
    }
  }
  if (!is_qualified_name(name)) {
    return bad("");
  }
  if (name.size() > 63) {
    return bad(" (name is too long)");
  }
  return std::nullopt;
}

Result label_value(std::string_view value) {
  if (value.empty() || is_qualified_name(value)) {
    return std::nullopt;
  }
  return "invalid label value " + quote(value);
}

// ---------------------------------------------------------------------------------------------

namespace {

// Per-thread regex state: the budget of the innermost RegexBudget, and recent results.
struct RegexState {
  static constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);
  static constexpr std::size_t kMemoEntries = 1024;  // <= 1 MiB of patterns per thread
  std::size_t left = kUnbounded;
  std::size_t total = kUnbounded;
  std::unordered_map<std::string, Result> memo;
};

RegexState& regex_state() {
  thread_local RegexState state;
  return state;
}

Result compile_regex(std::string_view pattern, RegexState& state);

}  // namespace

RegexBudget::RegexBudget(std::size_t instructions)
    : saved_left_(regex_state().left), saved_total_(regex_state().total) {
  regex_state().left = instructions;
  regex_state().total = instructions;
}

RegexBudget::~RegexBudget() {
  regex_state().left = saved_left_;
  regex_state().total = saved_total_;
}

Result regex(std::string_view pattern) {
  RegexState& state = regex_state();
  const std::string key(pattern.size() <= kMaxRegexLength ? pattern : std::string_view());
  if (pattern.size() <= kMaxRegexLength) {
    if (auto it = state.memo.find(key); it != state.memo.end()) {
      return it->second;
    }
  }
  if (pattern.size() <= kMaxRegexLength && state.left < kRegexMaxInstructions) {
    // Not cached: the budget may allow it again in another scope.
    return "regex " + quote(pattern) + " was not compiled: the regexes checked together here " +
           "need more than " + std::to_string(state.total) +
           " RE2 instructions in all, meshward's limit per admission review";
  }
  Result result = compile_regex(pattern, state);
  if (pattern.size() <= kMaxRegexLength) {
    if (state.memo.size() >= RegexState::kMemoEntries) {
      state.memo.clear();
    }
    state.memo.emplace(key, result);
  }
  return result;
}

namespace {

Result compile_regex(std::string_view pattern, RegexState& state) {
  if (pattern.size() > kMaxRegexLength) {
    return "regex is too large (" + std::to_string(pattern.size()) +
           " bytes), max length allowed is 1024";
  }
  // Go rejects `\C` (any byte), which RE2 accepts.
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (pattern[i + 1] == 'C') {
        return "regex " + quote(pattern) +
               " does not compile: invalid escape sequence \\C (Istio uses RE2 syntax as Go "
               "accepts it)";
      }
      ++i;
    }
  }
  const Regex re(pattern);  // Go's syntax, compile memory bounded (core/regex.h)
  if (state.left != RegexState::kUnbounded) {
    const std::size_t cost =
        re.ok() ? re.program_size() : (re.too_large() ? kRegexMaxInstructions : pattern.size() + 1);
    state.left -= std::min(state.left, cost);
  }
  if (re.ok()) {
    return std::nullopt;
  }
  return "regex " + quote(pattern) + " does not compile: " + re.error() +
         " (Istio uses RE2 syntax, https://github.com/google/re2/wiki/Syntax)";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

bool is_token(std::string_view value) {
  if (value.empty()) {
    return false;
  }
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return std::all_of(value.begin(), value.end(), [](char c) {
    return is_alnum(c) || kExtra.find(c) != std::string_view::npos;
  });
}

bool is_jwt_claim_header(std::string_view name) {
  // jwt.ToRoutingClaim: "@request.auth.claims.a.b" or "@request.auth.claims[a][b]".
  constexpr std::string_view kPrefix = "@request.auth.claims";
  if (name.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  std::string_view rest = name.substr(kPrefix.size());
  if (rest.size() >= 2 && rest.front() == '.') {
    rest.remove_prefix(1);
    // Dot-separated non-empty claim names.
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = rest.find('.', start);
      const std::string_view part =
          rest.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
      if (part.empty()) {
        return false;
      }
      if (dot == std::string_view::npos) {
        return true;
      }
      start = dot + 1;
    }
  }
  if (rest.size() >= 3 && rest.front() == '[') {
    while (!rest.empty()) {
      if (rest.front() != '[') {
        return false;
      }
      const std::size_t close = rest.find(']');
      if (close == std::string_view::npos || close == 1) {
        return false;
      }
      rest.remove_prefix(close + 1);
    }
    return true;
  }
  return false;
}

Result match_header_name(std::string_view name) {
  if (name.empty()) {
    return std::string("header name cannot be empty");
  }
  if (name == ":method" || name == ":scheme" || name == ":authority" || name == ":path" ||
      name == ":status") {
    return std::nullopt;
  }
  if (is_jwt_claim_header(name)) {
    return std::nullopt;
  }
  if (!is_token(name)) {
    return "header name " + quote(name) + " is not a valid header name";
  }
  return std::nullopt;
}

bool is_authority_header(std::string_view name) {
  return iequals(name, ":authority") || iequals(name, "host");
}

Result request_header_set_name(std::string_view name) {
  if (name.empty()) {
    return std::string("header name cannot be empty");
  }
  const bool internal = name.front() == ':' || iequals(name, "host");
  if (internal && !is_authority_header(name)) {
    return "invalid header " + quote(name) + ": header cannot have \":\" prefix";
  }
  return std::nullopt;
}

Result header_operation_name(std::string_view name) {
  if (name.empty()) {
    return std::string("header name cannot be empty");
  }
  if (iequals(name, "host")) {
    return "invalid header " + quote(name) + ": cannot set Host header";
  }
  if (name.front() == ':') {
    return "invalid header " + quote(name) + ": header cannot have \":\" prefix";
  }
  return std::nullopt;
}

Result cors_header_name(std::string_view name) {
  if (name.empty()) {
    return std::string("header name cannot be empty");
  }
  if (name == "*" || is_token(name)) {
    return std::nullopt;
  }
  return "header name " + quote(name) + " is not a valid header name";
}

Result strict_header_name(std::string_view name) {
  if (name.empty()) {
    return std::string("header name cannot be empty");
  }
  if (std::all_of(name.begin(), name.end(),
                  [](char c) { return is_alnum(c) || c == '-' || c == '_'; })) {
    return std::nullopt;
  }
  return "header name " + quote(name) + " is not a valid header name";
}

Result header_value(std::string_view value) {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u <= 0x08) || (u >= 0x0a && u <= 0x1f) || u == 0x7f) {
      return "header value " + quote(value) + " contains a control character";
    }
  }
  // Port of Envoy's header_parser.cc (Istio header_value_validator.go).
  enum State {
    Literal,
    VariableName,
    ExpectArray,
    ExpectString,
    String,
    ExpectArrayDelimiterOrEnd,
    ExpectArgsEnd,
    ExpectVariableEnd
  };
  State state = Literal;
  const auto err = [&](std::string_view why) {
    return "header value " + quote(value) + ": " + std::string(why);
  };
  for (std::size_t pos = 0; pos < value.size(); ++pos) {
    const char ch = value[pos];
    const bool has_next = pos + 1 < value.size();
    switch (state) {
      case Literal:
        if (ch != '%') {
          break;
        }
        if (!has_next) {
          return err("un-escaped % (write %% for a literal %)");
        }
        if (value[pos + 1] == '%') {
          ++pos;
          break;
        }
        state = VariableName;
        break;
      case VariableName:
        if (ch == '%') {
          state = Literal;
        } else if (ch == '(') {
          state = ExpectArray;
        }
        break;
      case ExpectArray:
        if (ch == '[') {
          state = ExpectString;
        } else if (ch != ' ') {
          state = String;
        }
        break;
      case ExpectArrayDelimiterOrEnd:
        if (ch == ',') {
          state = ExpectString;
        } else if (ch == ']') {
          state = ExpectArgsEnd;
        } else if (ch != ' ') {
          return err("expecting ',', ']', or whitespace");
        }
        break;
      case ExpectString:
        if (ch == '"') {
          state = String;
        } else if (ch != ' ') {
          return err("expecting '\"'");
        }
        break;
      case String:
        if (ch == '\\') {
          if (!has_next) {
            return err("un-terminated backslash in JSON string");
          }
          ++pos;
        } else if (ch == ')') {
          state = ExpectVariableEnd;
        } else if (ch == '"') {
          state = ExpectArrayDelimiterOrEnd;
        }
        break;
      case ExpectArgsEnd:
        if (ch == ')') {
          state = ExpectVariableEnd;
        } else if (ch != ' ') {
          return err("expecting ')' or whitespace");
        }
        break;
      case ExpectVariableEnd:
        if (ch == '%') {
          state = Literal;
        } else if (ch != ' ') {
          return err("expecting '%' or whitespace");
        }
        break;
    }
  }
  if (state != Literal) {
    return err("un-terminated %VARIABLE% expression (write %% for a literal %)");
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------

std::vector<ExportToProblem> export_to(std::string_view namespace_,
                                       const std::vector<model::Field<std::string>>& entries,
                                       ExportToKind kind) {
  std::vector<ExportToProblem> problems;
  if (entries.empty()) {
    return problems;
  }
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& e = entries[i].value;
    std::string key = (e == "." && !namespace_.empty()) ? std::string(namespace_) : e;
    if (seen.count(key) != 0) {
      if (key != e) {
        problems.push_back({i, "duplicate exportTo entries: \".\" and the object's namespace " +
                                   quote(namespace_)});
      } else {
        problems.push_back({i, "duplicate exportTo entry " + quote(e)});
      }
      continue;
    }
    if (kind == ExportToKind::ServiceEntry && e == "~") {
      seen.insert(key);
      continue;
    }
    if (key == "." || key == "*") {
      seen.insert(key);
    } else if (key == "~") {
      problems.push_back({i, "exportTo \"~\" (none) is only allowed on ServiceEntry"});
    } else if (!is_dns1123_label(key)) {
      problems.push_back(
          {i, "exportTo entry " + quote(e) + " must be \".\", \"*\" or a namespace name"});
    } else {
      seen.insert(key);
    }
  }
  if (kind == ExportToKind::DestinationRuleSelector && !seen.empty()) {
    if (seen.count(std::string(namespace_)) != 0) {
      if (seen.size() > 1) {
        problems.push_back(
            {0, "a DestinationRule with workloadSelector cannot have multiple exportTo entries"});
      }
    } else {
      problems.push_back({0,
                          "a DestinationRule with workloadSelector cannot be exported beyond its "
                          "own namespace"});
    }
  }
  if (seen.count("*") != 0 && entries.size() > 1) {
    problems.push_back({0, "exportTo cannot mix \"*\" (public) with other entries"});
  }
  if (seen.count("~") != 0 && entries.size() > 1) {
    problems.push_back({0, "exportTo \"~\" (no one) cannot be combined with other entries"});
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

Result selector_label(std::string_view key, std::string_view value) {
  if (key.empty()) {
    return "empty key is not supported in a selector (" + quote(std::string(key) + "=" +
                                                             std::string(value)) + ")";
  }
  if (key.find('*') != std::string_view::npos || value.find('*') != std::string_view::npos) {
    return "wildcard is not supported in a selector (" + quote(std::string(key) + "=" +
                                                               std::string(value)) + ")";
  }
  return std::nullopt;
}

}  // namespace meshward::rules::validate

// ---------------------------------------------------------------------------------------------
// Security kinds.

#include "meshward/core/json.h"

namespace meshward::rules::validate {
namespace {

bool sec_is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool sec_is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 3986 pchar*: unreserved / pct-encoded / sub-delims / ":" / "@".
bool is_pchars(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (sec_is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' ||
        c == '@') {
      continue;
    }
    if (c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' ||
        c == '+' || c == ',' || c == ';' || c == '=') {
      continue;
    }
    if (c == '%' && i + 2 < s.size() && sec_is_hex(s[i + 1]) && sec_is_hex(s[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

bool has_string_member(const json::Value& v, const char* name) {
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0;
}

Result jwk_key(const json::Value& key, std::size_t index) {
  const std::string where = "key " + std::to_string(index);
  if (!key.IsObject()) {
    return where + " is not a JSON object";
  }
  auto kty = key.FindMember("kty");
  if (kty == key.MemberEnd() || !kty->value.IsString()) {
    return where + " has no \"kty\"";
  }
  const std::string_view type(kty->value.GetString(), kty->value.GetStringLength());
  std::vector<const char*> required;
  if (type == "RSA") {
    required = {"n", "e"};
  } else if (type == "EC") {
    required = {"crv", "x", "y"};
  } else if (type == "OKP") {
    required = {"crv", "x"};
  } else if (type == "oct") {
    required = {"k"};
  } else {
    return where + " has unsupported kty " + quote(type) + " (want RSA, EC, OKP or oct)";
  }
  for (const char* field : required) {
    if (!has_string_member(key, field)) {
      return where + " (kty " + std::string(type) + ") has no \"" + field + "\"";
    }
  }
  return std::nullopt;
}

bool parse_json(std::string_view text, json::Document& doc) {
  // Iteratively: an inline jwks is user input up to the body limit, and RapidJSON's default
  // recursive parser takes a stack frame per nesting level (3 MiB of '[' overflows any stack).
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

}  // namespace

Result jwks_uri(std::string_view uri) {
  for (char c : uri) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "jwksUri " + quote(uri) + " contains a control character";
    }
  }
  const auto colon = uri.find(':');
  std::string scheme(colon == std::string_view::npos ? std::string_view() : uri.substr(0, colon));
  for (char& c : scheme) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (scheme != "http" && scheme != "https") {
    return "jwksUri " + quote(uri) + " has scheme " + quote(scheme) +
           ", only http and https are supported";
  }
  std::string_view rest = uri.substr(colon + 1);
  if (rest.substr(0, 2) != "//") {
    return std::nullopt;  // opaque URL: no host to check (istiod then fails to fetch)
  }
  rest.remove_prefix(2);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  if (authority.find(' ') != std::string_view::npos) {
    return "jwksUri " + quote(uri) + " has a space in its host";
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return "jwksUri " + quote(uri) + " has an unterminated IPv6 host";
    }
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return "jwksUri " + quote(uri) + " has text after its IPv6 host";
      }
      port = after.substr(1);
    }
  } else if (const auto c = authority.rfind(':'); c != std::string_view::npos) {
    port = authority.substr(c + 1);
  }
  if (!port.empty()) {  // "host:" (empty port) is the default port in Go's url.Parse
    std::int64_t n = 0;
    for (char c : port) {
      if (c < '0' || c > '9') {
        return "jwksUri " + quote(uri) + " has a non-numeric port " + quote(port);
      }
      n = n * 10 + (c - '0');
      if (n > 65535) {
        break;
      }
    }
    if (n < 1 || n > 65535) {
      return "jwksUri " + quote(uri) + " has port " + quote(port) + " outside 1..65535";
    }
  }
  return std::nullopt;
}

Result jwks(std::string_view text) {
  json::Document doc;
  if (!parse_json(text, doc)) {
    return std::string("jwks is not valid JSON (") +
           rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
           std::to_string(doc.GetErrorOffset()) + ")";
  }
  if (!doc.IsObject()) {
    return std::string("jwks must be a JSON object (a JWK set or a single JWK), found ") +
           json::type_name(doc);
  }
  auto keys = doc.FindMember("keys");
  if (keys == doc.MemberEnd()) {
    return jwk_key(doc, 0);
  }
  if (!keys->value.IsArray()) {
    return std::string("jwks \"keys\" must be an array");
  }
  std::size_t i = 0;
  for (const json::Value& key : keys->value.GetArray()) {
    if (Result bad = jwk_key(key, i++)) {
      return bad;
    }
  }
  return std::nullopt;
}

bool jwks_has_private_key(std::string_view text) {
  json::Document doc;
  if (!parse_json(text, doc) || !doc.IsObject()) {
    return false;
  }
  auto is_private = [](const json::Value& key) {
    if (!key.IsObject()) {
      return false;
    }
    for (const char* field : {"d", "p", "q", "dp", "dq", "qi"}) {
      if (key.HasMember(field)) {
        return true;
      }
    }
    return false;
  };
  auto keys = doc.FindMember("keys");
  if (keys == doc.MemberEnd()) {
    return is_private(doc);
  }
  if (!keys->value.IsArray()) {
    return false;
  }
  for (const json::Value& key : keys->value.GetArray()) {
    if (is_private(key)) {
      return true;
    }
  }
  return false;
}

Result authz_path(std::string_view path) {
  if (path.find("{*}") == std::string_view::npos && path.find("{**}") == std::string_view::npos) {
    return std::nullopt;
  }
  if (path.empty() || path.front() != '/') {
    return "path template " + quote(path) + " must start with \"/\"";
  }
  bool seen_any = false;  // a {**} was seen
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const std::string_view seg =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                           : slash - start);
    if (seg == "{*}" || seg == "{**}") {
      if (seen_any) {
        return "path template " + quote(path) + " has an operator after {**}: {**} must be the "
                                                "last operator";
      }
      seen_any = seg == "{**}";
    } else if (seg.find('{') != std::string_view::npos ||
               seg.find('}') != std::string_view::npos) {
      return "path template " + quote(path) + " has segment " + quote(seg) +
             ": only {*} and {**} are supported, as whole segments (no named variables)";
    } else if (seg == "*" || seg == "**") {
      return "path template " + quote(path) + " has a bare " + quote(seg) +
             " segment: write {*} or {**}";
    } else if (!is_pchars(seg)) {
      return "path template " + quote(path) + " has segment " + quote(seg) +
             " with characters not allowed in a URL path segment";
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return std::nullopt;
}

Result authz_service_account(std::string_view value) {
  if (value.size() > 320) {
    return "service account " + quote(value) + " is longer than 320 characters";
  }
  if (value.find('*') != std::string_view::npos) {
    return "service account " + quote(value) + " has a wildcard, which is not supported";
  }
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) {
    return value.empty() ? Result("service account is empty") : std::nullopt;
  }
  if (value.find('/', slash + 1) != std::string_view::npos || slash == 0 ||
      slash + 1 == value.size()) {
    return "service account " + quote(value) + " must be \"<name>\" or \"<namespace>/<name>\"";
  }
  return std::nullopt;
}

}  // namespace meshward::rules::validate
