// Hostile input through the real binary, `meshward check` (issue #9, docs/hardening.md
// "Input limits"): alias bombs, 100 000-deep nesting, 100 MB strings, invalid UTF-8 and NUL
// bytes, duplicate keys, numbers out of range, empty documents, confused kinds, regexes built
// to backtrack. Each gives a finding or an error with a message and the exit status the CLI
// defines (1 findings, 2 unreadable input), never a crash. Inputs are generated here.
//
// No duration is asserted. Memory is: the child's peak RSS (wait4) must stay under a generous
// bound, 2 GiB, for the 100 MB inputs (before the limits a 100 MB YAML scalar went through
// yaml-cpp for minutes); bounded work shows in the limit each message names.

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/core/json.h"

namespace {

namespace fs = std::filesystem;
namespace json = meshward::json;

const std::string kBinary = MESHWARD_BINARY;

struct Outcome {
  int status = -1;         // exit status; -1 when killed by a signal
  int signal = 0;
  std::string out;         // stdout
  std::string err;         // stderr
  long peak_rss_kb = 0;    // the child's own peak resident set
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class HostileCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "meshward-hostile-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path write(const std::string& name, const std::string& content) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

  // `meshward check -f file args...`, stdout and stderr to files, peak RSS from wait4().
  Outcome check(const fs::path& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {kBinary, "check", "-f", file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const fs::path out = dir_ / "stdout";
    const fs::path err = dir_ / "stderr";
    Outcome r;
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(o, 1);
      ::dup2(e, 2);
      std::vector<char*> argv;
      for (auto& a : args) {
        argv.push_back(a.data());
      }
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    int st = 0;
    struct rusage usage {};
    if (::wait4(pid, &st, 0, &usage) != pid) {
      ADD_FAILURE() << "wait4 failed";
      return r;
    }
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    r.peak_rss_kb = usage.ru_maxrss;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  // check -o json; the findings' "code message" lines, and the status.
  Outcome check_json(const fs::path& file, std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), {"-o", "json"});
    Outcome r = check(file, extra);
    EXPECT_EQ(r.signal, 0) << "killed by signal " << r.signal;
    json::Document d;
    d.Parse(r.out.c_str(), r.out.size());
    EXPECT_FALSE(d.HasParseError()) << r.out.substr(0, 500) << r.err;
    if (!d.HasParseError() && d.IsObject() && d.HasMember("findings")) {
      std::string lines;
      for (const auto& f : d["findings"].GetArray()) {
        lines += std::string(f["code"].GetString()) + " " + f["message"].GetString() + "\n";
      }
      r.out = lines;
    }
    return r;
  }

  fs::path dir_;
};

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

std::string service_yaml(const std::string& name) {
  return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: default\nspec:\n  ports: [{port: 80}]\n";
}

constexpr long kMaxRssKb = 2L << 20;  // 2 GiB

TEST_F(HostileCheck, BillionLaughsAndAnchorsOnHugeNodes) {
  std::string bomb = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    bomb += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) {
      bomb += (k ? ", *l" : "*l") + std::to_string(i - 1);
    }
    bomb += "]\n";
  }
  bomb += "apiVersion: v1\nkind: Service\nmetadata: {name: x, labels: *l9}\n";
  Outcome r = check_json(write("bomb.yaml", bomb));
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.out, "MW1008 document expands to more than the limit of")) << r.out;

  std::string anchor = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    a: &big " +
                       std::string(1 << 20, 'x') + "\n";
  for (int i = 0; i < 200; ++i) {
    anchor += "    b" + std::to_string(i) + ": *big\n";
  }
  r = check_json(write("anchor.yaml", anchor));
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.out, "MW1008 document expands to more than the limit of")) << r.out;
  EXPECT_LT(r.peak_rss_kb, kMaxRssKb);
}

TEST_F(HostileCheck, HundredThousandDeepJsonAndYaml) {
  const std::size_t n = 100000;
  std::string obj;
  for (std::size_t i = 0; i < n; ++i) {
    obj += "{\"a\":";
  }
  obj += "1" + std::string(n, '}');
  std::string flow_map = "x: ";  // (a text starting with '{' is read as JSON)
  for (std::size_t i = 0; i < n; ++i) {
    flow_map += "{a: ";
  }
  flow_map += "1" + std::string(n, '}') + "\n";
  std::string block;
  for (std::size_t i = 0; i < n; ++i) {
    block += "- ";
  }
  block += "x\n";
  const std::pair<std::string, std::string> cases[] = {
      {"arrays.json", std::string(n, '[') + std::string(n, ']')},
      {"objects.json", obj},
      {"in-a-service.json", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":)" + obj + "}"},
      {"flow.yaml", "x: " + std::string(n, '[') + std::string(n, ']') + "\n"},
      {"flow-map.yaml", flow_map},
      {"block.yaml", block},
  };
  for (const auto& [name, text] : cases) {
    Outcome r = check_json(write(name, text));
    EXPECT_EQ(r.status, 1) << name;
    EXPECT_TRUE(contains(r.out, "MW1008 document nests deeper than the limit of 256 levels")) << name << ": " << r.out;
  }
}

TEST_F(HostileCheck, HundredMegabyteStrings) {
  const std::size_t big = 100u * 1000 * 1000;
  const std::pair<std::string, std::string> cases[] = {
      {"plain.yaml", service_yaml(std::string(big, 'a'))},
      {"quoted.yaml", service_yaml("\"" + std::string(big, 'a') + "\"")},
      {"value.json", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + std::string(big, 'a') + R"("}})"},
      {"key.json", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},")" + std::string(big, 'k') + R"(":1})"},
  };
  for (const auto& [name, text] : cases) {
    Outcome r = check_json(write(name, text));
    EXPECT_EQ(r.status, 1) << name;
    const bool yaml = name.ends_with(".yaml");
    EXPECT_TRUE(contains(r.out, yaml ? "MW1008 YAML document of 1000000" : "MW1008 a string of 100000000 bytes is longer than the limit of 3145728 bytes"))
        << name << ": " << r.out.substr(0, 300);
    EXPECT_LT(r.peak_rss_kb, kMaxRssKb) << name;
    fs::remove(dir_ / name);
  }
  // A block scalar of 100 MB in short lines: the same document limit.
  std::string block = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  annotations:\n    x: |\n";
  const std::string line = "      " + std::string(94, 'a') + "\n";
  block.reserve(big + 200);
  while (block.size() < big) {
    block += line;
  }
  Outcome r = check_json(write("block.yaml", block));
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.out, "MW1008 YAML document of")) << r.out.substr(0, 300);
  EXPECT_LT(r.peak_rss_kb, kMaxRssKb);
}

TEST_F(HostileCheck, InvalidUtf8AndNulBytes) {
  using namespace std::string_literals;
  const std::pair<std::string, std::string> cases[] = {
      {"utf8-value.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\xff\xfe" "b\n"},
      {"utf8-key.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    \xc3\x28: v\n"},
      {"utf8.json", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a)" "\xff\xfe" R"(b"}})"},
      {"nul-value.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\0b\n"s},
      {"nul-key.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels:\n    k\0: v\n"s},
      {"eot.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\x04" "b\n"},
      {"nul.json", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a)" "\0"s R"(b"}})"},
  };
  for (const auto& [name, text] : cases) {
    Outcome r = check_json(write(name, text));
    EXPECT_EQ(r.status, 1) << name;
    EXPECT_TRUE(contains(r.out, "MW1001 ")) << name << ": " << r.out;
    const bool named = contains(r.out, "invalid UTF-8") || contains(r.out, "Invalid encoding") ||
                       contains(r.out, "control character 0x") || contains(r.out, "NUL byte at offset");
    EXPECT_TRUE(named) << name << ": " << r.out;
  }
  // A NUL between two JSON objects: the first is read, the NUL reported, nothing dropped
  // silently.
  const std::string ok = R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"ok","namespace":"d"},"spec":{"ports":[{"port":80,"name":"http"}]}})";
  Outcome r = check(write("nul-between.json", ok + "\0"s + ok), {"-o", "text"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.out, "MW1001")) << r.out;
  EXPECT_TRUE(contains(r.out, "in 1 objects")) << r.out;
  // Escaped NUL in names and keys decodes, and the output stays valid JSON.
  Outcome esc = check_json(write("escaped.json",
                             R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a\u0000b","namespace":"d","labels":{"k\u0000":"v"}},"spec":{"ports":[{"port":80,"name":"http"}]}})"));
  EXPECT_NE(esc.status, 2);
  EXPECT_EQ(esc.signal, 0);
}

TEST_F(HostileCheck, DuplicateKeys) {
  const fs::path yaml = write("dup.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n  namespace: d\nspec:\n  ports: [{port: 80, name: http}]\n  ports: [{port: 81, name: http}]\n");
  Outcome r = check_json(yaml);
  EXPECT_EQ(r.status, 0);  // warnings only
  EXPECT_TRUE(contains(r.out, "MW1006 key \"name\" appears more than once; the last one is used")) << r.out;
  EXPECT_TRUE(contains(r.out, "MW1006 key \"ports\" appears more than once")) << r.out;
  EXPECT_EQ(check_json(yaml, {"--fail-on", "warning"}).status, 1);
  Outcome j = check_json(write("dup.json", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"a","name":"b","namespace":"d"},"spec":{"ports":[{"port":80,"name":"http"}]}})"));
  EXPECT_TRUE(contains(j.out, "MW1006 key \"name\"")) << j.out;
}

TEST_F(HostileCheck, NumbersOutOfRange) {
  auto yaml = [](const std::string& port, const std::string& weight) {
    return "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: d}\nspec:\n"
           "  selector: {istio: ingressgateway}\n  servers:\n  - port: {number: " + port +
           ", name: http, protocol: HTTP}\n    hosts: ['*']\n---\n"
           "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs, namespace: d}\nspec:\n"
           "  hosts: [a.example.com]\n  http:\n  - route:\n    - destination: {host: a.example.com}\n      weight: " + weight + "\n";
  };
  auto json_text = [](const std::string& port, const std::string& weight) {
    return R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"gw","namespace":"d"},)"
           R"("spec":{"selector":{"istio":"ingressgateway"},"servers":[{"port":{"number":)" + port +
           R"(,"name":"http","protocol":"HTTP"},"hosts":["*"]}]}})"
           "\n"
           R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"vs","namespace":"d"},)"
           R"("spec":{"hosts":["a.example.com"],"http":[{"route":[{"destination":{"host":"a.example.com"},"weight":)" + weight + "}]}]}}";
  };
  struct Case {
    std::string port, weight;
    std::vector<std::string> yaml_expect, json_expect;
  };
  const Case cases[] = {
      {"70000", "-1",
       {"MW1104 port number 70000 must be in the range 1..65535", "MW1210 weight -1 is negative"},
       {"MW1104 port number 70000 must be in the range 1..65535", "MW1210 weight -1 is negative"}},
      {"18446744073709551616", "18446744073709551616",
       {"is out of range for uint32", "is out of range for int32"},
       {"is out of range for uint32", "is out of range for int32"}},
      {"1e309", "1e309", {"MW1002 expected an integer (uint32), got string \"1e309\""},
       {"MW1001 JSON does not parse: Number too big to be stored in double"}},
  };
  for (const Case& c : cases) {
    for (bool is_json : {false, true}) {
      const std::string name = "n-" + c.port.substr(0, 8) + (is_json ? ".json" : ".yaml");
      Outcome r = check_json(write(name, is_json ? json_text(c.port, c.weight) : yaml(c.port, c.weight)));
      EXPECT_EQ(r.status, 1) << name << ": " << r.out;
      for (const std::string& expect : is_json ? c.json_expect : c.yaml_expect) {
        EXPECT_TRUE(contains(r.out, expect)) << name << " lacks " << expect << ":\n" << r.out;
      }
    }
  }
}

TEST_F(HostileCheck, EmptyAndWhitespaceOnlyDocuments) {
  for (const auto& [name, text] : {std::pair{"empty.yaml", ""}, std::pair{"ws.yaml", "  \n\t\n"},
                                   std::pair{"empty.json", ""}, std::pair{"ws.json", " \r\n\t "},
                                   std::pair{"seps.yaml", "---\n---\n...\n"}}) {
    Outcome r = check(write(name, text));
    EXPECT_EQ(r.status, 0) << name;
    EXPECT_TRUE(contains(r.out, "0 errors, 0 warnings, 0 infos in 0 objects from 1 file")) << name << ": " << r.out;
    EXPECT_TRUE(contains(r.err, "the input holds no Kubernetes objects")) << name << ": " << r.err;
  }
}

TEST_F(HostileCheck, AKindWithFieldsOfAnother) {
  Outcome r = check_json(write("gateway-as-vs.yaml", R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  hosts: [a.example.com]
  http:
  - route:
    - destination: {host: a.example.com}
)"));
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_TRUE(contains(r.out, "MW1005 unknown field \"hosts\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "MW1005 unknown field \"http\"")) << r.out;
  // A repeated kind is the last one, as the API server reads it.
  Outcome twice = check_json(write("two-kinds.yaml", "apiVersion: v1\nkind: Service\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: default}\nspec:\n  hosts: [a]\n"));
  EXPECT_TRUE(contains(twice.out, "MW1005 unknown field \"hosts\"")) << twice.out;
  EXPECT_TRUE(contains(twice.out, "MW1006 key \"kind\" appears more than once")) << twice.out;
}

TEST_F(HostileCheck, RegexesBuiltToBacktrackAreOnlyCompiledByRe2) {
  auto vs = [](const std::string& name, const std::string& regex) {
    return "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + name +
           ", namespace: d}\nspec:\n  hosts: [a.example.com]\n  http:\n  - match:\n    - uri: {regex: '" + regex +
           "'}\n    route:\n    - destination: {host: a.example.com}\n";
  };
  // Classic catastrophic-backtracking patterns are valid RE2 (linear time) and never matched
  // against input here; patterns whose program is too large, or repetition too deep, are
  // refused by RE2 with its reason.
  const std::string text = vs("a", "(a+)+$") + vs("b", "(a|aa)*b") + vs("c", "^(([a-z])+.)+[A-Z]([a-z])+$") +
                           vs("d", "((a{1000}){1000}){1000}") + vs("e", "\\pL{1000}") +
                           vs("f", "(.{500}){2}(.{500}){2}");
  Outcome r = check_json(write("regex.yaml", text));
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.out, "invalid repetition size")) << r.out;
  EXPECT_TRUE(contains(r.out, "pattern too large")) << r.out;
  for (const char* valid : {"(a+)+$", "(a|aa)*b", "^(([a-z])+.)+[A-Z]([a-z])+$"}) {
    EXPECT_FALSE(contains(r.out, "\"" + std::string(valid) + "\" does not compile")) << r.out;
  }
}

}  // namespace
