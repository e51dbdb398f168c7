// Hostile input to the decode path every manifest and admission body takes (issue #9,
// docs/hardening.md "Input limits"): each case ends in one clear finding naming the limit it
// broke, never a crash, a hang or memory that grows past the input. Big inputs are generated
// here. No test asserts a duration: bounded work shows in where the parser stopped (the
// column of the bracket past the depth limit, a limit named in the message).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/model/document.h"
#include "meshward/model/kinds/gateway.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/virtual_service.h"
#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::find_finding;
using testing::has_finding;

constexpr std::size_t kDepth = ParseLimits{}.max_depth;

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// The one finding of `parsed` (fails otherwise).
Finding only_finding(const ParsedStream& parsed) {
  EXPECT_EQ(parsed.findings.size(), 1u) << describe(parsed.findings);
  EXPECT_TRUE(parsed.documents.empty());
  return parsed.findings.empty() ? Finding{} : parsed.findings.front();
}

std::string service(std::string_view name_yaml) {
  return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + std::string(name_yaml) +
         "\n  namespace: default\nspec:\n  ports: [{port: 80}]\n";
}

// ---------------------------------------------------------------------------------------
// Text yaml-cpp 0.7 loops on

// A ',' outside a flow collection where a token starts: yaml-cpp 0.7's LoadAll() collects
// empty documents forever (yaml-cpp issue 1040; found by fuzz_policy: "!!ma,a" held the
// policy parser until memory ran out). Each is one finding; commas inside plain scalars and
// flow collections are untouched.
TEST(HostileYaml, AStrayCommaIsAFindingNotAnEndlessLoop) {
  const std::vector<std::string> loops = {",", "!!a,b", "&a,b", "\"x\",", "!!ma,a\xc3\x97meer", "\"\"\"\"\"\",\"\"\"\"\"",
                                          "\"\"\"\"\"tokenFile: \",\"\"\"",
                                          service("a") + "---\n,\n"};
  for (const std::string& text : loops) {
    const ParsedStream parsed = parse_stream(text, "comma.yaml");
    ASSERT_FALSE(parsed.findings.empty()) << text;
    const Finding& f = parsed.findings.back();
    EXPECT_EQ(f.code, "MW1001") << text;
    EXPECT_TRUE(contains(f.message, "unexpected ','")) << f.message;
  }
  const std::vector<std::string> fine = {service("a") + "  annotations: {a: \"b, c\"}\n",
                                         service("a") + "  labels:\n    note: one, two\n",
                                         service("a") + "  finalizers: [a, b]\n"};
  for (const std::string& text : fine) {
    const ParsedStream parsed = parse_stream(text, "fine.yaml");
    EXPECT_TRUE(parsed.findings.empty()) << text << "\n" << describe(parsed.findings);
    EXPECT_EQ(parsed.documents.size(), 1u);
  }
  EXPECT_TRUE(yaml_guard("!!a,b"));
  EXPECT_FALSE(yaml_guard("a: b, c\nd: [1, 2]\n"));
}

// Text right after a closing quote, then a `? ` line: yaml-cpp 0.7 loops forever, allocating,
// without any comma (found by fuzz_policy in session 8; `meshward check` hung on it too).
TEST(HostileYaml, TextGluedToAQuoteIsAFindingNotAnEndlessLoop) {
  // The whole input fuzz_policy found is fuzz/regressions/policy/glued-quotes-then-complex-key.
  for (const std::string text : {"\"\"\"\"e\n? ", "\"\"\"\"e\n? \n"}) {
    const ParsedStream parsed = parse_stream(text, "glued.yaml");
    ASSERT_FALSE(parsed.findings.empty()) << text;
    EXPECT_EQ(parsed.findings.back().code, "MW1001") << text;
    EXPECT_TRUE(yaml_guard(text)) << text;
  }
  // Valid YAML with quotes followed by `:`, `,`, `]` or a space is not replayed for it.
  EXPECT_FALSE(yaml_guard("\"a\": \"b\"\nc: [\"d\", \"e\"]\n"));
}

// The same loop behind a key: to this pass `r:""""` is plain text, to yaml-cpp quoted
// scalars glued together (found by fuzz_policy in session 9, minimised by hand; the whole
// input is fuzz/regressions/policy/glued-quotes-after-a-colon).
TEST(HostileYaml, QuotesGluedAfterAKeyAreAFindingNotAnEndlessLoop) {
  const std::string text = "\"\" r:\"\"\"\"\n\n?\n\nby: x\n";
  const ParsedStream parsed = parse_stream(text, "glued.yaml");
  ASSERT_FALSE(parsed.findings.empty()) << text;
  EXPECT_EQ(parsed.findings.back().code, "MW1001") << text;
  EXPECT_TRUE(yaml_guard(text)) << text;
  // Empty strings are not replayed for it.
  EXPECT_FALSE(yaml_guard("a: \"\"\nb: ''\nc: [\"\", '']\n"));
  // An unclosed quote after a key, then a `?` line: the same loop (the whole input is
  // fuzz/regressions/policy/unclosed-quote-after-a-colon-then-complex-key).
  const std::string unclosed = "\"\" r:\"nam\n\n?\nby x\n";
  EXPECT_TRUE(yaml_guard(unclosed)) << unclosed;
}

// ---------------------------------------------------------------------------------------
// YAML aliases

TEST(HostileYaml, BillionLaughsIsRefusedWithTheLimit) {
  std::string bomb = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    bomb += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) {
      bomb += (k ? ", *l" : "*l") + std::to_string(i - 1);
    }
    bomb += "]\n";
  }
  const Finding f = only_finding(parse_stream(bomb, "bomb.yaml"));
  EXPECT_EQ(f.code, "MW1008");
  EXPECT_TRUE(contains(f.message, "expands to more than the limit of")) << f.message;
}

TEST(HostileYaml, AnchorOnAHugeScalarAliasedOftenIsRefused) {
  // 1 MiB once, expanded 64 times by aliases: 64 MiB of text from a 1 MiB file.
  std::string text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    a: &big " +
                     std::string(1 << 20, 'x') + "\n";
  for (int i = 0; i < 64; ++i) {
    text += "    b" + std::to_string(i) + ": *big\n";
  }
  const Finding f = only_finding(parse_stream(text, "anchor.yaml"));
  EXPECT_EQ(f.code, "MW1008");
  EXPECT_TRUE(contains(f.message, "bytes of text (YAML aliases?)")) << f.message;
}

TEST(HostileYaml, AnchorOnAHugeListAliasedOftenIsRefused) {
  std::string list = "x: &L [";
  for (int i = 0; i < 100000; ++i) {
    list += i ? ",1" : "1";
  }
  list += "]\ny: [";
  for (int i = 0; i < 100; ++i) {
    list += i ? ",*L" : "*L";
  }
  list += "]\n";
  const Finding f = only_finding(parse_stream(list, "list.yaml"));
  EXPECT_EQ(f.code, "MW1008");
  EXPECT_TRUE(contains(f.message, "values (YAML aliases?)")) << f.message;
}

TEST(HostileYaml, AnAliasInsideItsOwnAnchorIsBounded) {
  // yaml-cpp links the alias back to the node being defined: a cycle the converter must not
  // follow for ever.
  for (const char* text : {"a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a {<<: *a}\n"}) {
    SCOPED_TRACE(text);
    ParsedStream parsed = parse_stream(text, "cycle.yaml");
    ASSERT_EQ(parsed.findings.size(), 1u) << describe(parsed.findings);
    EXPECT_TRUE(parsed.documents.empty());
  }
}

// ---------------------------------------------------------------------------------------
// Nesting

TEST(HostileNesting, HundredThousandDeepJsonStopsAtTheLimit) {
  const std::size_t n = 100000;
  for (const std::string& text :
       {std::string(n, '[') + std::string(n, ']'),
        [&] {
          std::string s;
          for (std::size_t i = 0; i < n; ++i) {
            s += "{\"a\":";
          }
          return s + "1" + std::string(n, '}');
        }()}) {
    const Finding f = only_finding(parse_stream(text, "deep.json"));
    EXPECT_EQ(f.code, "MW1008");
    EXPECT_EQ(f.message, depth_limit_message(kDepth));
  }
}

TEST(HostileNesting, JsonAtTheLimitParsesOneDeeperDoesNot) {
  EXPECT_TRUE(parse_stream(std::string(kDepth, '[') + std::string(kDepth, ']'), "ok.json").findings.empty());
  const Finding f = only_finding(
      parse_stream(std::string(kDepth + 1, '[') + std::string(kDepth + 1, ']'), "deep.json"));
  EXPECT_EQ(f.code, "MW1008");
}

TEST(HostileNesting, HundredThousandDeepYamlFlowStopsBeforeYamlCppReadsIt) {
  const std::size_t n = 100000;
  std::string seq = "x: " + std::string(n, '[') + std::string(n, ']') + "\n";
  std::string map = "x: ";  // (a text starting with '{' is read as JSON)
  for (std::size_t i = 0; i < n; ++i) {
    map += "{a: ";
  }
  map += "1" + std::string(n, '}') + "\n";
  // The prescan stops at the first bracket past the limit: the column shows how far it read.
  const Finding f1 = only_finding(parse_stream(seq, "deep.yaml"));
  EXPECT_EQ(f1.code, "MW1008");
  EXPECT_EQ(f1.message, depth_limit_message(kDepth) + " (at line 1, column " + std::to_string(kDepth + 4) + ")");
  const Finding f2 = only_finding(parse_stream(map, "deep.yaml"));
  EXPECT_EQ(f2.code, "MW1008");
  EXPECT_EQ(f2.message, depth_limit_message(kDepth) + " (at line 1, column " + std::to_string(4 * kDepth + 4) + ")");
}

TEST(HostileNesting, YamlFlowAtTheLimitParsesOneDeeperDoesNot) {
  // A scalar inside kDepth - 2 sequences in a mapping is kDepth levels deep.
  // (The root mapping is level 1; a text starting with '[' would be read as JSON.)
  EXPECT_TRUE(parse_stream("a: " + std::string(kDepth - 2, '[') + "x" + std::string(kDepth - 2, ']'), "ok.yaml")
                  .findings.empty());
  EXPECT_EQ(only_finding(parse_stream("a: " + std::string(kDepth - 1, '[') + "x" + std::string(kDepth - 1, ']'), "deep.yaml")).code,
            "MW1008");
  // Brackets inside quotes and comments are text, not nesting.
  const std::string quoted = "a: '" + std::string(1000, '[') + "'\nb: \"" + std::string(1000, '{') +
                             "\"\n# " + std::string(1000, '[') + "\nc: x[" + std::string(1000, '[') + "\n";
  ParsedStream parsed = parse_stream(quoted, "quoted.yaml");
  EXPECT_TRUE(parsed.findings.empty()) << describe(parsed.findings);
  ASSERT_EQ(parsed.documents.size(), 1u);
}

TEST(HostileNesting, HundredThousandDeepYamlBlockNestingIsTheSameLimit) {
  // "- - - x": block sequences nested on one line, which yaml-cpp's own guard (499) stops;
  // 300 levels, which the converter stops. Both report the one limit.
  for (std::size_t n : {std::size_t{100000}, std::size_t{300}}) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
      text += "- ";
    }
    text += "x\n";
    const Finding f = only_finding(parse_stream(text, "block.yaml"));
    EXPECT_EQ(f.code, "MW1008") << n;
    EXPECT_EQ(f.message, depth_limit_message(kDepth)) << n;
  }
}

// ---------------------------------------------------------------------------------------
// Sizes

TEST(HostileSize, YamlDocumentOverTheLimitIsRefusedUnread) {
  const std::size_t limit = ParseLimits{}.max_yaml_document_bytes;
  const std::string text = service(std::string(limit, 'a'));
  ParsedStream parsed = parse_stream(text + "---\n" + service("ok"), "big.yaml");
  ASSERT_EQ(parsed.findings.size(), 1u) << describe(parsed.findings);
  EXPECT_EQ(parsed.findings[0].code, "MW1008");
  EXPECT_EQ(parsed.findings[0].message,
            "YAML document of " + std::to_string(text.size()) + " bytes is larger than the limit of " +
                std::to_string(limit) +
                " bytes for one YAML document: split it at --- lines, or give it as JSON (kubectl get "
                "-o json), which has no per-document limit");
  EXPECT_EQ(parsed.documents.size(), 1u);  // the next document is still read
}

TEST(HostileSize, JsonStringAndKeyOverTheLimitAreRefused) {
  const std::size_t limit = ParseLimits{}.max_string_bytes;
  const std::string big(limit + 1, 'a');
  for (const std::string& text :
       {R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + big + R"("}})",
        R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},")" + big + R"(":1})"}) {
    const Finding f = only_finding(parse_stream(text, "big.json"));
    EXPECT_EQ(f.code, "MW1008");
    EXPECT_EQ(f.message, string_limit_message(limit + 1, limit));
  }
  // At the limit: read (the name is then judged by the checks).
  const std::string at(limit, 'a');
  EXPECT_TRUE(parse_stream(R"({"a":")" + at + R"("})", "ok.json").findings.empty());
}

TEST(HostileSize, YamlStringOverTheLimitIsRefused) {
  ParseLimits limits;
  limits.max_string_bytes = 100;
  const Finding f = only_finding(parse_stream(service(std::string(101, 'a')), "s.yaml", InputFormat::Auto, true, limits));
  EXPECT_EQ(f.code, "MW1008");
  EXPECT_EQ(f.message, string_limit_message(101, 100));
  EXPECT_TRUE(parse_stream(service(std::string(100, 'a')), "s.yaml", InputFormat::Auto, true, limits).findings.empty());
}

// ---------------------------------------------------------------------------------------
// Bytes YAML and JSON do not allow

TEST(HostileBytes, InvalidUtf8InYamlAndJsonKeysAndValues) {
  using namespace std::string_literals;
  const std::pair<std::string, std::string> cases[] = {
      {service("a\xff\xfe" "b"), "invalid UTF-8 at line 4, column 10"},
      {"a: 1\n\xc3\x28: v\n", "invalid UTF-8 at line 2, column 1"},
      {"a: \xed\xa0\x80\n", "invalid UTF-8 at line 1, column 4"},  // a surrogate
      {"a: \xc2\x80\n", "control character U+0080 at line 1, column 4"},
  };
  for (const auto& [text, where] : cases) {
    const Finding f = only_finding(parse_stream(text, "bad.yaml"));
    EXPECT_EQ(f.code, "MW1001");
    EXPECT_TRUE(contains(f.message, where)) << f.message;
  }
  for (const char* text : {R"({"metadata":{"name":"a)" "\xff\xfe" R"(b"}})",
                                  R"({"metadata":{")" "\xc3\x28" R"(":"v"}})"}) {
    const Finding f = only_finding(parse_stream(text, "bad.json"));
    EXPECT_EQ(f.code, "MW1001");
    EXPECT_TRUE(contains(f.message, "Invalid encoding in string")) << f.message;
  }
  // Valid multi-byte text is fine.
  EXPECT_TRUE(parse_stream("a: b\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80\n", "ok.yaml").findings.empty());
}

TEST(HostileBytes, ControlCharactersInYamlAreRefusedNotTruncated) {
  using namespace std::string_literals;
  // 0x04 is yaml-cpp's end of text: before the prescan, everything after it vanished
  // silently (here the second label and the spec).
  for (const auto& [byte, hex] : {std::pair{'\x00', "0x00"}, std::pair{'\x04', "0x04"},
                                  std::pair{'\x1b', "0x1B"}, std::pair{'\x7f', "0x7F"}}) {
    const std::string text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a" + std::string(1, byte) +
                             "b\n  labels: {k: v}\nspec: {ports: [{port: 80}]}\n";
    const Finding f = only_finding(parse_stream(text, "ctl.yaml"));
    EXPECT_EQ(f.code, "MW1001");
    EXPECT_TRUE(contains(f.message, "control character "s + hex + " at line 4, column 10")) << f.message;
    ASSERT_TRUE(f.source.has_value());
    EXPECT_EQ(f.source->line, 4u);
  }
  // Keys too; tabs and CRLF line ends are allowed.
  EXPECT_EQ(only_finding(parse_stream("a:\n  k\0: v\n"s, "k.yaml")).code, "MW1001");
  EXPECT_TRUE(parse_stream("a:\r\n  b: \"x\ty\"\r\n", "ok.yaml").findings.empty());
}

TEST(HostileBytes, NulInJsonIsAFindingNotTheEndOfTheFile) {
  using namespace std::string_literals;
  const std::string ok = R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"ok"}})";
  // Between documents: RapidJSON stops at a NUL as at the end, and the second object used to
  // be dropped without a word.
  ParsedStream between = parse_stream(ok + "\0"s + ok, "nul.json");
  ASSERT_EQ(between.findings.size(), 1u) << describe(between.findings);
  EXPECT_EQ(between.findings[0].code, "MW1001");
  EXPECT_EQ(between.findings[0].message, "JSON does not parse: " + nul_byte_message(ok.size()));
  EXPECT_EQ(between.documents.size(), 1u);
  // Inside a value.
  const std::string inside = R"({"metadata":{"name":"a)" "\0"s R"(b"}})";
  const Finding f = only_finding(parse_stream(inside, "nul.json"));
  EXPECT_EQ(f.message, "JSON does not parse: " + nul_byte_message(inside.find('\0')));
  // Escaped, NUL is an ordinary character of keys and values.
  ParsedStream escaped = parse_stream(R"({"a\u0000":"b\u0000c"})", "esc.json");
  ASSERT_TRUE(escaped.findings.empty()) << describe(escaped.findings);
  const json::Value& root = *escaped.documents.at(0).json;
  EXPECT_EQ(std::string(root.MemberBegin()->name.GetString(), root.MemberBegin()->name.GetStringLength()),
            "a\0"s);
  EXPECT_EQ(root.MemberBegin()->value.GetStringLength(), 3u);
}

TEST(HostileBytes, EscapedNulInNamesAndLabelsDecodes) {
  auto result = decode_text(
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a\u0000b","labels":{"k\u0000":"v"}},)"
      R"("spec":{"ports":[{"port":80}]}})",
      "esc.json");
  ASSERT_EQ(result.objects.size(), 1u) << describe(result.findings);
  EXPECT_EQ(result.objects[0]->meta.name, std::string("a\0b", 3));
}

// ---------------------------------------------------------------------------------------
// Duplicate keys

TEST(HostileKeys, DuplicateKeysWarnAndTheLastWinsEverywhere) {
  for (const char* file : {"dup.yaml", "dup.json"}) {
    const std::string text =
        std::string(file) == "dup.yaml"
            ? "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\nspec:\n  ports: [{port: 80}]\n  ports: [{port: 81}]\n"
            : R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a","name":"b"},"spec":{"ports":[{"port":80}],"ports":[{"port":81}]}})";
    auto result = decode_text(text, file);
    const Service* svc = testing::only<Service>(result);
    ASSERT_NE(svc, nullptr);
    EXPECT_EQ(svc->meta.name, "b");
    EXPECT_EQ(svc->spec.ports.at(0).port.value, 81);
    EXPECT_TRUE(has_finding(result.findings, "MW1006", "metadata.name")) << describe(result.findings);
    EXPECT_TRUE(has_finding(result.findings, "MW1006", "spec.ports")) << describe(result.findings);
  }
}

TEST(HostileKeys, ARepeatedKindIsReadAsTheLastOneLikeTheApiServer) {
  // apiVersion and kind were read from their first occurrence and every other field from its
  // last: `kind: Service ... kind: Gateway` decoded as a Service that Kubernetes stores as a
  // Gateway.
  auto result = decode_text(R"(apiVersion: v1
kind: Service
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
)");
  const Gateway* gw = testing::only<Gateway>(result);
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(gw->api_version, "networking.istio.io/v1");
  EXPECT_TRUE(has_finding(result.findings, "MW1006", "kind")) << describe(result.findings);
}

// ---------------------------------------------------------------------------------------
// Numbers

// RapidJSON 1.1's full-precision strtod read "-0e-40" as -1.99e-59 (found by fuzz_admission);
// numbers are parsed on its default path, which reads it as zero.
TEST(HostileNumbers, ZeroDigitsWithAnyExponentAreZero) {
  const ParsedStream parsed =
      parse_stream(R"({"a": 0e-40, "b": -0e-400, "c": 0.000e+99, "d": 0.1, "e": 2.5e-3})", "n.json");
  ASSERT_TRUE(parsed.findings.empty()) << describe(parsed.findings);
  ASSERT_EQ(parsed.documents.size(), 1u);
  const json::Value& v = *parsed.documents.front().json;
  EXPECT_EQ(v["a"].GetDouble(), 0.0);
  EXPECT_EQ(v["b"].GetDouble(), 0.0);
  EXPECT_EQ(v["c"].GetDouble(), 0.0);
  EXPECT_EQ(v["d"].GetDouble(), 0.1);
  EXPECT_EQ(v["e"].GetDouble(), 0.0025);
}

TEST(HostileNumbers, OutOfRangeValuesAreFindingsInYamlAndJson) {
  // Gateway port number is uint32; an HTTP route weight int32.
  auto gateway = [](const std::string& number, const std::string& weight, bool json) {
    if (json) {
      return R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"gw","namespace":"d"},)"
             R"("spec":{"servers":[{"port":{"number":)" + number + R"(,"name":"http","protocol":"HTTP"},"hosts":["*"]}]}})"
             "\n"
             R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"vs","namespace":"d"},)"
             R"("spec":{"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"},"weight":)" + weight + "}]}]}}";
    }
    return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: d}\nspec:\n"
           "  servers:\n  - port: {number: " + number + ", name: http, protocol: HTTP}\n    hosts: ['*']\n---\n"
           "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs, namespace: d}\nspec:\n"
           "  hosts: [a]\n  http:\n  - route:\n    - destination: {host: a}\n      weight: " + weight + "\n";
  };
  const char* const kPort = "spec.servers[0].port.number";
  const char* const kWeight = "spec.http[0].route[0].weight";
  for (bool json : {false, true}) {
    SCOPED_TRACE(json ? "json" : "yaml");
    const std::string file = json ? "n.json" : "n.yaml";
    // 2^64 and beyond: out of range for the field's type.
    auto big = decode_text(gateway("18446744073709551616", "18446744073709551616", json), file);
    EXPECT_TRUE(contains(find_finding(big.findings, "MW1002", kPort) ? find_finding(big.findings, "MW1002", kPort)->message : "",
                         "out of range for uint32")) << describe(big.findings);
    EXPECT_TRUE(has_finding(big.findings, "MW1002", kWeight)) << describe(big.findings);
    // 2^64 - 1 fits uint64 but not uint32; -1 is no uint32.
    auto edge = decode_text(gateway("18446744073709551615", "-2147483649", json), file);
    EXPECT_TRUE(has_finding(edge.findings, "MW1002", kPort)) << describe(edge.findings);
    EXPECT_TRUE(has_finding(edge.findings, "MW1002", kWeight)) << describe(edge.findings);
    auto negative = decode_text(gateway("-1", "-1", json), file);
    EXPECT_TRUE(has_finding(negative.findings, "MW1002", kPort)) << describe(negative.findings);
    // In range for the type (the checks judge 70000 and -1 as a port and a weight).
    auto typed = decode_text(gateway("70000", "-1", json), file);
    EXPECT_FALSE(has_finding(typed.findings, "MW1002")) << describe(typed.findings);
    EXPECT_EQ(typed.objects.size(), 2u);
  }
  // 1e309 is no double: YAML keeps it a string (as go-yaml does), JSON does not parse.
  auto yaml = decode_text(gateway("1e309", "1e309", false), "n.yaml");
  EXPECT_TRUE(has_finding(yaml.findings, "MW1002", kPort)) << describe(yaml.findings);
  auto json = decode_text(gateway("1e309", "1", true), "n.json");
  ASSERT_TRUE(has_finding(json.findings, "MW1001")) << describe(json.findings);
  EXPECT_TRUE(contains(json.findings[0].message, "Number too big")) << json.findings[0].message;
  auto digits = decode_text(gateway("1" + std::string(400, '0'), "1", true), "n.json");
  EXPECT_TRUE(has_finding(digits.findings, "MW1001")) << describe(digits.findings);
}

// ---------------------------------------------------------------------------------------
// Empty documents, confused kinds

TEST(HostileShape, EmptyAndWhitespaceOnlyInputsHoldNothing) {
  for (const char* text : {"", "   \n\t\n  \n", "\n\r\n", "---\n---\n...\n---\n", "# only\n# comments\n"}) {
    for (const char* file : {"e.yaml", "e.json"}) {
      if (std::string_view(file) == "e.json" && std::string_view(text).find_first_of("-#.") != std::string_view::npos) {
        continue;  // not JSON
      }
      ParsedStream parsed = parse_stream(text, file);
      EXPECT_TRUE(parsed.findings.empty()) << file << ": " << describe(parsed.findings);
      EXPECT_TRUE(parsed.documents.empty()) << file;
    }
  }
}

TEST(HostileShape, AKindWithAnotherKindsFieldsIsReported) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  hosts: [a.example.com]
  http:
  - route:
    - destination: {host: a.example.com}
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.hosts")) << describe(result.findings);
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.http")) << describe(result.findings);
  // A VirtualService's field where a Gateway has one of another type.
  auto typed = decode_text(R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  servers: {hosts: [a]}
  selector: [1, 2]
)");
  EXPECT_TRUE(has_finding(typed.findings, "MW1002", "spec.servers")) << describe(typed.findings);
  EXPECT_TRUE(has_finding(typed.findings, "MW1002", "spec.selector")) << describe(typed.findings);
}

}  // namespace
}  // namespace meshward::model
