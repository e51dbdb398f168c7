// Table tests for the shared validation primitives (rules/validate.h), including hostile
// inputs: huge strings, NUL bytes, invalid UTF-8, catastrophic-backtracking regexes.

#include "meshward/rules/validate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

namespace meshward::rules::validate {
namespace {

using namespace std::string_literals;

struct Case {
  std::string input;
  bool valid;
};

template <class Fn>
void expect_table(const char* what, Fn fn, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const Result r = fn(c.input);
    EXPECT_EQ(!r.has_value(), c.valid)
        << what << "(" << quote(c.input) << ") -> " << (r ? *r : std::string("valid"));
  }
}

template <class Pred>
void expect_pred(const char* what, Pred pred, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(pred(c.input), c.valid) << what << "(" << quote(c.input) << ")";
  }
}

TEST(Validate, Dns1123Label) {
  expect_pred("is_dns1123_label", is_dns1123_label,
              {{"a", true},
               {"reviews", true},
               {"Reviews-V1", true},
               {"1abc", true},
               {std::string(63, 'a'), true},
               {std::string(64, 'a'), false},
               {"", false},
               {"-a", false},
               {"a-", false},
               {"a.b", false},
               {"a_b", false},
               {"*", false},
               {"a\0b"s, false}});
}

TEST(Validate, WildcardLabel) {
  expect_pred("is_wildcard_dns1123_label", is_wildcard_dns1123_label,
              {{"*", true},
               {"*foo", true},
               {"*-foo", true},
               {"foo", true},
               {"f*o", false},
               {"foo*", false},
               {"**", false},
               {"*-", false},
               {"", false}});
}

TEST(Validate, WildcardDomain) {
  expect_table("wildcard_domain", wildcard_domain,
               {{"*", true},
                {"reviews", true},
                {"reviews.bookinfo.svc.cluster.local", true},
                {"*.example.com", true},
                {"*foo.example.com", true},
                {"*-foo.example.com", true},
                {"istio.io.", true},
                {"Example.COM", true},
                {"123", true},  // single label: only the wildcard-label check applies
                {"", false},
                {"foo.*.com", false},
                {"foo.bar*", false},
                {"a..b", false},
                {"foo.123", false},
                {"1.2.3.4", false},
                {"foo_bar.com", false},
                {"foo.com..", false},
                {std::string(256, 'a'), false},
                {std::string(1 << 20, 'a'), false},
                {"a\0.com"s, false},
                {"\xff\xfe.com", false}});
}

TEST(Validate, Fqdn) {
  expect_table("fqdn", fqdn,
               {{"example.com", true},
                {"a", true},
                {"example.com.", true},
                {"*.example.com", false},
                {"*", false},
                {"", false},
                {"a.99999999999999999999", true}});  // Go's Atoi overflows: not "numeric"
}

TEST(Validate, PartialWildcard) {
  expect_table("partial_wildcard", partial_wildcard,
               {{"*", true},
                {"*.example.com", true},
                {"example.com", true},
                {"*example.com", false},
                {"*-foo.com", false},
                {"foo.*", false}});
}

TEST(Validate, GatewayBoundSni) {
  auto fn = [](const std::string& s) { return wildcard_domain_for_gateway_bound_vs(true, s); };
  expect_table("wildcard_domain_for_gateway_bound_vs", fn,
               {{"outbound_.80_._.e2e.foobar.mesh", true},
                {"outbound_.9_._.x", false},
                {"outbound_", false},
                {"*.foo.com", true},
                {"foo.*", false}});
  EXPECT_TRUE(wildcard_domain_for_gateway_bound_vs(false, "outbound_.80_._.x.com").has_value());
}

TEST(Validate, NamespaceSlashHostGateway) {
  auto fn = [](const std::string& s) { return namespace_slash_host(s, HostFlavour::Gateway); };
  expect_table("namespace_slash_host(gateway)", fn,
               {{"*", true},
                {"*/*", true},
                {"./*", true},
                {"bookinfo/reviews.example.com", true},
                {"*/*.example.com", true},
                {"reviews.example.com", true},
                {"*.example.com", true},
                {"1.2.3.4", true},
                {"ns/1.2.3.4", true},
                {"reviews", false},  // short name
                {"ns/reviews", false},
                {"ns/*.example.*", false},
                {"ns/*foo.example.com", false},  // partial wildcard
                {"*foo.example.com", false},
                {"Bad_NS/foo.com", false},
                {"~/foo.com", false},
                {"/foo.com", false},
                {"ns/", false},
                {"a/b/c.com", false}});
  EXPECT_FALSE(namespace_slash_host("~/foo.com", HostFlavour::Gateway, true).has_value());
}

TEST(Validate, NamespaceSlashHostSidecar) {
  auto fn = [](const std::string& s) { return namespace_slash_host(s, HostFlavour::Sidecar); };
  expect_table("namespace_slash_host(sidecar)", fn,
               {{"*/*", true},
                {"./*", true},
                {"~/*", true},
                {"istio-system/*.example.com", true},
                {"ns/foo.example.com", true},
                {"foo.example.com", false},  // ns/ required
                {"ns/1.2.3.4", false},       // no IP for sidecars
                {"ns/foo", false},
                {"ns/*foo.com", false}});
}

TEST(Validate, IpAddresses) {
  expect_pred("is_ip", is_ip,
              {{"1.2.3.4", true},
               {"0.0.0.0", true},
               {"255.255.255.255", true},
               {"256.1.1.1", false},
               {"01.2.3.4", false},
               {"1.2.3", false},
               {"1.2.3.4.5", false},
               {"1.2.3.", false},
               {"::", true},
               {"::1", true},
               {"2001:db8::1", true},
               {"2001:db8:0:0:0:0:0:1", true},
               {"2001:db8:0:0:0:0:0:0:1", false},
               {"::ffff:1.2.3.4", true},
               {"fe80::1%eth0", true},
               {"fe80::1%", false},
               {"1::2::3", false},
               {":1", false},
               {"1:", false},
               {"12345::", false},
               {"g::1", false},
               {"", false},
               {"1.2.3.4\0"s, false},
               {std::string(100000, ':'), false}});
}

TEST(Validate, Cidr) {
  expect_table("ip_or_cidr", ip_or_cidr,
               {{"10.0.0.0/8", true},
                {"10.1.2.3/24", true},  // host bits allowed (netip.ParsePrefix)
                {"0.0.0.0/0", true},
                {"1.2.3.4/32", true},
                {"1.2.3.4/33", false},
                {"1.2.3.4/08", false},
                {"1.2.3.4/", false},
                {"1.2.3.4/-1", false},
                {"2001:db8::/32", true},
                {"::/128", true},
                {"::/129", false},
                {"fe80::1%eth0/64", false},
                {"1.2.3.4", true},
                {"1.2.3.4/8/9", false},
                {"foo/8", false}});
}

TEST(Validate, UnixAddress) {
  expect_table("unix_address", unix_address,
               {{"/var/run/sock", true},
                {"@abstract", true},
                {"", false},
                {"relative/sock", false},
                {"/var/run/", false}});
}

TEST(Validate, Numbers) {
  EXPECT_FALSE(port(1));
  EXPECT_FALSE(port(65535));
  EXPECT_TRUE(port(0));
  EXPECT_TRUE(port(65536));
  EXPECT_TRUE(port(-1));
  EXPECT_FALSE(percent(0));
  EXPECT_FALSE(percent(100));
  EXPECT_TRUE(percent(101));
  EXPECT_TRUE(percent(-1));
  EXPECT_FALSE(fractional_percent(0.0));
  EXPECT_FALSE(fractional_percent(0.0001));
  EXPECT_FALSE(fractional_percent(100.0));
  EXPECT_TRUE(fractional_percent(0.00001));
  EXPECT_TRUE(fractional_percent(100.5));
  EXPECT_TRUE(fractional_percent(-1));
  EXPECT_TRUE(fractional_percent(std::nan("")));
}

TEST(Validate, Durations) {
  EXPECT_FALSE(duration(1'000'000));
  EXPECT_FALSE(duration(1'500'000'000));
  EXPECT_TRUE(duration(0));
  EXPECT_TRUE(duration(999'999));
  EXPECT_TRUE(duration(1'500'000));  // 1.5ms: sub-ms precision
  EXPECT_TRUE(duration(-1'000'000));
  EXPECT_FALSE(duration(model::Duration{2'000'000'000, "2s"}));
}

TEST(Validate, Protocols) {
  for (const char* name : {"tcp", "UDP", "grpc", "GRPC-WEB", "http", "HTTP_PROXY", "Http2",
                           "https", "TLS", "mongo", "redis", "MySQL"}) {
    EXPECT_TRUE(parse_protocol(name).has_value()) << name;
  }
  for (const char* name : {"", "sctp", "h2c", "http3", "grpc_web", "tcp "}) {
    EXPECT_FALSE(parse_protocol(name).has_value()) << name;
  }
  EXPECT_TRUE(is_http(*parse_protocol("grpc-web")));
  EXPECT_TRUE(is_tls(*parse_protocol("HTTPS")));
  EXPECT_FALSE(is_tls(*parse_protocol("HTTP")));
  EXPECT_TRUE(is_tcp(*parse_protocol("mysql")));
  EXPECT_FALSE(is_tcp(*parse_protocol("http")));
  EXPECT_FALSE(protocol("", true));
  EXPECT_TRUE(protocol("", false));
  EXPECT_TRUE(protocol("quic", true));
  EXPECT_FALSE(port_name("http-web"));
  EXPECT_TRUE(port_name("http_web"));
  EXPECT_TRUE(port_name(""));
}

TEST(Validate, Labels) {
  expect_table("label_key", label_key,
               {{"app", true},
                {"app.kubernetes.io/name", true},
                {"example.com/My_Key.v1", true},
                {"version", true},
                {"", false},
                {"/app", false},
                {"a/b/c", false},
                {"-app", false},
                {"app-", false},
                {"ex ample/app", false},
                {std::string(64, 'a'), false},
                {std::string(254, 'a') + "/x", false},
                {"*", false}});
  expect_table("label_value", label_value,
               {{"", true},
                {"v1", true},
                {"1.2.3_rc-1", true},
                {"-v1", false},
                {"v1 ", false},
                {"a/b", false},
                {"*", false}});
}

TEST(Validate, Regex) {
  expect_table("regex", regex,
               {{"", true},
                {"^/api/v[0-9]+/.*$", true},
                {"\\d+\\s\\w\\b", true},
                {"(?i)foo", true},
                {"(?P<name>x)", true},
                {"a*?", true},
                {"(a+)+$", true},  // backtracking-catastrophic elsewhere; linear in RE2
                {"[", false},
                {"(", false},
                {"a**", false},
                {"(?<=x)y", false},  // lookbehind: not RE2 / Go
                {"\\1", false},       // backreference
                {"a{1001}", false},
                {"\\C", false},  // Go's regexp rejects \C
                {"a\0b"s, true},
                {"\xff", false},  // invalid UTF-8
                {std::string(1024, 'a'), true},
                {std::string(1025, 'a'), false},
                {std::string(10 << 20, '('), false}});
}

TEST(Validate, RegexIsFastOnHostileInput) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    EXPECT_FALSE(regex("(a+)+$"));
    EXPECT_FALSE(regex("(x+x+)+y"));
    EXPECT_FALSE(regex("((a|aa)*)*b"));
  }
  EXPECT_TRUE(regex(std::string(50 << 20, 'a')));  // rejected by length before compiling
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(Validate, HeaderNames) {
  expect_table("match_header_name", match_header_name,
               {{"end-user", true},
                {"X-Custom_Header", true},
                {"x!#$%&'*+.^_`|~1", true},
                {":authority", true},
                {":path", true},
                {":foo", false},
                {"@request.auth.claims.group", true},
                {"@request.auth.claims.nested.key", true},
                {"@request.auth.claims[group]", true},
                {"@request.auth.claims[a][b.c]", true},
                {"@request.auth.claims.", false},
                {"@request.auth.claims", false},
                {"@request.auth.claims..x", false},
                {"", false},
                {"bad header", false},
                {"bad:header", false},
                {"x\0y"s, false},
                {"h\xc3\xa9", false}});
  expect_table("request_header_set_name", request_header_set_name,
               {{"x-foo", true},
                {"host", true},
                {"Host", true},
                {":authority", true},
                {":path", false},
                {"", false}});
  expect_table("header_operation_name", header_operation_name,
               {{"x-foo", true},
                {"host", false},
                {"HOST", false},
                {":authority", false},
                {"", false}});
  expect_table("cors_header_name", cors_header_name,
               {{"*", true}, {"X-Foo", true}, {"", false}, {"a b", false}});
  expect_table("strict_header_name", strict_header_name,
               {{"x-jwt_claim1", true}, {"x.jwt", false}, {"", false}});
  EXPECT_TRUE(is_authority_header("HOST"));
  EXPECT_TRUE(is_authority_header(":Authority"));
  EXPECT_FALSE(is_authority_header("x-host"));
}

TEST(Validate, HeaderValues) {
  expect_table("header_value", header_value,
               {{"", true},
                {"foo", true},
                {"tab\there", true},
                {"%HOSTNAME%", true},
                {"100%%", true},
                {"prefix %HOSTNAME% suffix", true},
                {"%REQ(x-foo)%", true},
                {"%PER_REQUEST_STATE([\"a\", \"b\"])%", true},
                {"%UPSTREAM_METADATA([\"ns\",\"key\"])%", true},
                {"abc%123", false},
                {"%START_TIME%%", false},
                {"%", false},
                {"50%", false},
                {"%VAR([\"a\" x])%", false},
                {"%VAR([x])%", false},
                {"%VAR(a) x%", false},
                {"%VAR(\"a\\", false},
                {"line\nbreak", false},
                {"nul\0"s, false},
                {"del\x7f", false},
                {std::string(1 << 20, '%'), true},  // 2^19 escaped `%%`
                {std::string((1 << 20) + 1, '%'), false}});
}

std::vector<model::Field<std::string>> fields(std::vector<std::string> values) {
  std::vector<model::Field<std::string>> out;
  for (auto& v : values) {
    model::Field<std::string> f;
    f.value = std::move(v);
    f.present = true;
    out.push_back(std::move(f));
  }
  return out;
}

TEST(Validate, ExportTo) {
  struct ExportCase {
    std::vector<std::string> entries;
    ExportToKind kind;
    std::size_t problems;
  };
  const std::vector<ExportCase> cases = {
      {{}, ExportToKind::Default, 0},
      {{"."}, ExportToKind::Default, 0},
      {{"*"}, ExportToKind::Default, 0},
      {{".", "other"}, ExportToKind::Default, 0},
      {{".", "bookinfo"}, ExportToKind::Default, 1},  // `.` is the own namespace
      {{"a", "a"}, ExportToKind::Default, 1},
      {{"*", "a"}, ExportToKind::Default, 1},
      {{"~"}, ExportToKind::Default, 1},
      {{"~"}, ExportToKind::ServiceEntry, 0},
      {{"~", "a"}, ExportToKind::ServiceEntry, 1},
      {{"Bad_NS"}, ExportToKind::Default, 1},
      {{""}, ExportToKind::Default, 1},
      {{"."}, ExportToKind::DestinationRuleSelector, 0},
      {{"bookinfo"}, ExportToKind::DestinationRuleSelector, 0},
      {{".", "other"}, ExportToKind::DestinationRuleSelector, 1},
      {{"*"}, ExportToKind::DestinationRuleSelector, 1},
  };
  for (const auto& c : cases) {
    const auto problems = export_to("bookinfo", fields(c.entries), c.kind);
    std::string joined;
    for (const auto& p : problems) {
      joined += "[" + std::to_string(p.index) + "] " + p.reason + "\n";
    }
    EXPECT_EQ(problems.size(), c.problems) << "entries: " << c.entries.size() << "\n" << joined;
  }
}

TEST(Validate, QuoteEscapesAndTruncates) {
  EXPECT_EQ(quote("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(quote("a\nb"), "\"a\\x0ab\"");
  EXPECT_EQ(quote(std::string(1000, 'x')).size(), 80u + 2u + 3u);
}

TEST(Validate, SelectorLabel) {
  struct SelectorCase {
    std::string key;
    std::string value;
    bool valid;
  };
  const std::vector<SelectorCase> cases = {
      {"app", "reviews", true},
      {"app", "", true},
      {"", "reviews", false},
      {"app*", "reviews", false},
      {"app", "rev*", false},
      {"*", "*", false},
      {"app", std::string(100000, 'x') + "*", false},
      {"a\0b"s, "v", true},
  };
  for (const auto& c : cases) {
    const Result r = selector_label(c.key, c.value);
    EXPECT_EQ(!r.has_value(), c.valid) << quote(c.key) << "=" << quote(c.value);
  }
}

}  // namespace
}  // namespace meshward::rules::validate

// ---------------------------------------------------------------------------------------------
// Security kinds.

namespace meshward::rules::validate {
namespace {

TEST(Validate, JwksUri) {
  expect_table("jwks_uri", jwks_uri,
               {{"https://example.com/.well-known/jwks.json", true},
                {"http://example.com:8080/keys", true},
                {"HTTPS://example.com/keys", true},
                {"https://[::1]:8443/keys", true},
                {"https://example.com:/keys", true},
                {"ftp://example.com/keys", false},
                {"example.com/keys", false},
                {"", false},
                {"https://example.com:https/keys", false},
                {"https://example.com:0/keys", false},
                {"https://example.com:99999/keys", false},
                {"https://exa mple.com/keys", false},
                {"https://example.com/ke\nys", false},
                {"https://[::1/keys", false},
                {"https://" + std::string(100000, 'a') + ":" + std::string(100000, '9'), false}});
}

TEST(Validate, Jwks) {
  const std::string rsa = R"({"kty":"RSA","e":"AQAB","n":"xGOr-H7A"})";
  expect_table("jwks", jwks,
               {{R"({"keys":[)" + rsa + "]}", true},
                {rsa, true},
                {R"({"keys":[]})", true},
                {R"({"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b"}]})", true},
                {R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"a"}]})", true},
                {R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})", true},
                {"", false},
                {"not json", false},
                {"[]", false},
                {R"({"keys":{}})", false},
                {R"({"keys":[{"e":"AQAB","n":"x"}]})", false},
                {R"({"keys":[{"kty":"RSA","e":"AQAB"}]})", false},
                {R"({"keys":[{"kty":"DSA","y":"x"}]})", false},
                {R"({"keys":[1]})", false},
                {std::string(100000, '['), false},
                {"{\"keys\":[\0]}"s, false}});
}

TEST(Validate, JwksHasPrivateKey) {
  expect_pred("jwks_has_private_key", jwks_has_private_key,
              {{R"({"keys":[{"kty":"RSA","e":"AQAB","n":"x"}]})", false},
               {R"({"keys":[{"kty":"RSA","e":"AQAB","n":"x","d":"y"}]})", true},
               {R"({"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"})", true},
               {R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})", false},
               {"not json", false},
               {"[]", false}});
}

TEST(Validate, AuthzPath) {
  expect_table("authz_path", authz_path,
               {{"/foo", true},
                {"*", true},
                {"/api/*", true},
                {"foo{bar}", true},  // no {*}/{**}: not a template
                {"/{*}", true},
                {"/{**}", true},
                {"/foo/{*}/bar/{**}", true},
                {"/foo/{**}/bar", true},
                {"/foo/{*}/a%20b", true},
                {"/", true},
                {"{*}/foo", false},
                {"/foo{*}", false},
                {"/{**}/{*}", false},
                {"/{**}/{**}", false},
                {"/{*}/{name}", false},
                {"/{*}/{x=*}", false},
                {"/{*}/{}", false},
                {"/{*}/*", false},
                {"/{*}/**/x", false},
                {"/{*}/a b", false},
                {"/{*}/a%2", false},
                {"/{*}/" + std::string(100000, 'a'), true},
                {"/{*}/a\0b"s, false}});
}

TEST(Validate, AuthzServiceAccount) {
  expect_table("authz_service_account", authz_service_account,
               {{"bookinfo-productpage", true},
                {"default/bookinfo-productpage", true},
                {"", false},
                {"*", false},
                {"default/*", false},
                {"a/b/c", false},
                {"/sa", false},
                {"ns/", false},
                {std::string(320, 'a'), true},
                {std::string(321, 'a'), false}});
}

}  // namespace
}  // namespace meshward::rules::validate
