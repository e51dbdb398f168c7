// The real `meshward` binary: colour on a real terminal (through script(1)'s pseudo-terminal),
// NO_COLOR, SARIF from the command line, and `serve --policy` loading, reloading and
// refusing policy files. No test asserts a duration; waits poll for a state with a generous
// upper bound.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kube_support/fake_api_server.h"
#include "meshward/core/json.h"

namespace {

namespace fs = std::filesystem;
namespace json = meshward::json;

const std::string kBinary = MESHWARD_BINARY;
const std::string kSource = MESHWARD_SOURCE_DIR;
const std::string kTypoCase = kSource + "/tests/golden/check/typo-hides-tls/input";

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path make_temp_dir() {
  std::string templ = (fs::temp_directory_path() / "meshward-cli-test-XXXXXX").string();
  const char* dir = ::mkdtemp(templ.data());
  if (dir == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  return dir;
}

struct Ran {
  int status = -1;
  std::string out;
};

// Runs a shell command; stdout (and stderr when the command redirects it) captured.
Ran shell(const std::string& command) {
  Ran r;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
      r.out.append(buf, n);
    }
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  return r;
}

// `meshward args...` with `env` assignments in front; stderr to /dev/null unless merged.
Ran meshward(const std::string& args, const std::string& env = "", bool merge_stderr = false) {
  return shell(env + " " + quote(kBinary) + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null"));
}

// The same on a pseudo-terminal: script(1) runs the command with stdout a terminal.
Ran meshward_on_terminal(const std::string& args, const std::string& env = "") {
  const std::string inner = env + " " + quote(kBinary) + " " + args + " 2>/dev/null";
  return shell("script -qec " + quote(inner) + " /dev/null </dev/null");
}

constexpr const char* kRed = "\033[31m";

TEST(BinaryCheck, ColourOnlyOnATerminalUnlessAskedFor) {
  const std::string args = "check -f " + quote(kTypoCase);
  const Ran piped = meshward(args);
  EXPECT_EQ(piped.status, 1);
  EXPECT_NE(piped.out.find("MW1107 error"), std::string::npos) << piped.out;
  EXPECT_EQ(piped.out.find('\033'), std::string::npos) << "a pipe gets no colour";

  const Ran terminal = meshward_on_terminal(args);
  EXPECT_EQ(terminal.status, 1);
  EXPECT_NE(terminal.out.find(std::string(kRed) + "error"), std::string::npos) << terminal.out;

  const Ran no_color = meshward_on_terminal(args, "NO_COLOR=1");
  EXPECT_EQ(no_color.out.find('\033'), std::string::npos) << "NO_COLOR is honoured";
  const Ran empty_no_color = meshward_on_terminal(args, "NO_COLOR=");
  EXPECT_NE(empty_no_color.out.find(kRed), std::string::npos) << "an empty NO_COLOR does not count";

  const Ran always = meshward(args + " --color=always", "NO_COLOR=1");
  EXPECT_NE(always.out.find(kRed), std::string::npos) << "--color=always wins over NO_COLOR";
  const Ran never = meshward_on_terminal(args + " --color never");
  EXPECT_EQ(never.out.find('\033'), std::string::npos);
  EXPECT_EQ(meshward(args + " --color sometimes", "", true).status, 2);
}

TEST(BinaryCheck, SarifCarriesTheBinaryVersion) {
  const Ran version = meshward("version -o json");
  json::Document v;
  v.Parse(version.out.c_str());
  ASSERT_FALSE(v.HasParseError()) << version.out;

  const Ran sarif = meshward("check -o sarif -f " + quote(kTypoCase));
  EXPECT_EQ(sarif.status, 1);
  json::Document doc;
  doc.Parse(sarif.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << sarif.out;
  EXPECT_STREQ(doc["runs"][0]["tool"]["driver"]["version"].GetString(), v["version"].GetString());
  ASSERT_EQ(doc["runs"][0]["results"].Size(), 2u);
  const json::Value& first = doc["runs"][0]["results"][0];
  EXPECT_STREQ(first["ruleId"].GetString(), "MW1107");
  EXPECT_STREQ(first["level"].GetString(), "error");
  // An absolute -f path gives a file:// URI.
  const std::string uri = first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].GetString();
  EXPECT_EQ(uri, "file://" + kTypoCase + "/gateway.yaml");
}

TEST(BinaryCheck, HelpNamesEveryFlag) {
  const Ran help = meshward("check --help");
  EXPECT_EQ(help.status, 0);
  for (const char* flag : {"--filename", "--output", "sarif", "--fail-on", "none", "--policy",
                           "--color", "--namespace"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag << " missing from:\n" << help.out;
  }
  const Ran serve_help = meshward("serve --help");
  EXPECT_NE(serve_help.out.find("--policy"), std::string::npos) << serve_help.out;
  EXPECT_NE(serve_help.out.find("--mesh-config"), std::string::npos) << serve_help.out;
  EXPECT_NE(meshward("check --help").out.find("--mesh-config"), std::string::npos);
  EXPECT_NE(meshward("translate --help").out.find("--mesh-config"), std::string::npos);
}

// One Service per namespace the reviews use.
constexpr const char* kWorld = R"(apiVersion: v1
kind: Service
metadata: {name: web, namespace: bookinfo}
spec:
  ports: [{port: 9080, name: http}]
  selector: {app: web}
)";

// A VirtualService bookinfo/web whose route has no action: MW1201, an error.
constexpr const char* kReview =
    R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
    R"("kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
    R"("resource":{"group":"networking.istio.io","version":"v1","resource":"virtualservices"},)"
    R"("namespace":"bookinfo","name":"web","operation":"CREATE","object":{)"
    R"("apiVersion":"networking.istio.io/v1","kind":"VirtualService",)"
    R"("metadata":{"name":"web","namespace":"bookinfo"},)"
    R"("spec":{"hosts":["web"],"http":[{"name":"no-action"}]}}}})";

// `meshward serve` as a child process, stopped with SIGTERM.
class ServeProcess {
 public:
  ServeProcess(const std::vector<std::string>& args, const fs::path& out, const fs::path& err)
      : out_(out), err_(err) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::FILE* o = std::freopen(out.c_str(), "w", stdout);
      std::FILE* e = std::freopen(err.c_str(), "w", stderr);
      if (o == nullptr || e == nullptr) {
        ::_exit(127);
      }
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(kBinary.c_str()));
      for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
      }
      argv.push_back(nullptr);
      ::execv(kBinary.c_str(), argv.data());
      ::_exit(127);
    }
  }
  ~ServeProcess() { stop(); }

  // Waits for the ready line or the exit; returns the port, 0 when it exited instead.
  unsigned short wait_ready() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string out = slurp(out_);
      const auto at = out.find("serving on https://127.0.0.1:");
      if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
        return static_cast<unsigned short>(std::atoi(out.c_str() + at + 29));
      }
      if (exited()) {
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }

  bool exited() {
    if (pid_ <= 0) {
      return true;
    }
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      pid_ = -1;
      return true;
    }
    return false;
  }

  // SIGTERM, then the exit status.
  int stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      pid_ = -1;
    }
    return status_;
  }

  int status() const { return status_; }

 private:
  fs::path out_;
  fs::path err_;
  pid_t pid_ = -1;
  int status_ = -1;
};

template <class Pred>
bool eventually(Pred pred, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

class BinaryServe : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    const Ran certs = shell("bash " + quote(kSource + "/certs/gen-dev-certs.sh") + " " +
                            quote((dir_ / "certs").string()) + " --force >/dev/null 2>&1");
    ASSERT_EQ(certs.status, 0) << "certs/gen-dev-certs.sh failed";
    std::ofstream(dir_ / "world.yaml") << kWorld;
    std::ofstream(dir_ / "review.json") << kReview;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::vector<std::string> serve_args(const fs::path& policy) const {
    return {"serve",      "--listen",   "127.0.0.1:0", "--world",
            (dir_ / "world.yaml").string(), "--tls-cert", (dir_ / "certs" / "tls.crt").string(),
            "--tls-key",  (dir_ / "certs" / "tls.key").string(), "--threads", "1",
            "--policy",   policy.string()};
  }

  void write_policy(const std::string& text) const {
    // Write aside and rename, as a ConfigMap update swaps the file at once.
    std::ofstream(dir_ / "policy.yaml.new", std::ios::binary) << text;
    fs::rename(dir_ / "policy.yaml.new", dir_ / "policy.yaml");
  }

  std::string curl(unsigned short port, const std::string& path, bool post) const {
    std::string cmd = "curl -sS --max-time 60 --cacert " + quote((dir_ / "certs" / "ca.crt").string());
    if (post) {
      cmd += " -H 'Content-Type: application/json' --data-binary @" + quote((dir_ / "review.json").string());
    }
    return shell(cmd + " https://127.0.0.1:" + std::to_string(port) + path + " 2>&1").out;
  }

  // Whether the webhook allows kReview now.
  bool allowed(unsigned short port) const {
    json::Document d;
    const std::string body = curl(port, "/validate", true);
    d.Parse(body.c_str());
    EXPECT_FALSE(d.HasParseError()) << body;
    return !d.HasParseError() && d["response"]["allowed"].GetBool();
  }

  fs::path dir_;
};

TEST_F(BinaryServe, PolicyFileIsReloadedAndABadOneKeepsThePrevious) {
  write_policy("# nothing: the defaults, errors deny\n");
  ServeProcess serve(serve_args(dir_ / "policy.yaml"), dir_ / "out.txt", dir_ / "err.txt");
  const unsigned short port = serve.wait_ready();
  ASSERT_NE(port, 0) << slurp(dir_ / "err.txt");
  EXPECT_FALSE(allowed(port));

  write_policy("namespaces:\n  bookinfo: warn\n");
  EXPECT_TRUE(eventually([&] { return allowed(port); })) << slurp(dir_ / "err.txt");

  write_policy("namespaces:\n  bookinfo: maybe\n");
  EXPECT_TRUE(eventually([&] {
    return curl(port, "/metrics", false).find("meshward_policy_reloads_total{result=\"error\"} 1") !=
           std::string::npos;
  }));
  EXPECT_TRUE(allowed(port)) << "the previous policy (warn) stays in use";
  EXPECT_NE(curl(port, "/metrics", false).find("meshward_policy_reloads_total{result=\"ok\"} 1"),
            std::string::npos);
  EXPECT_EQ(serve.stop(), 0);
  const std::string log = slurp(dir_ / "err.txt");
  EXPECT_NE(log.find("policy reload failed; keeping the previous policy"), std::string::npos) << log;
  EXPECT_NE(log.find("policy.yaml:2: namespaces.bookinfo: unknown enforcement"), std::string::npos)
      << log;
}

TEST_F(BinaryServe, UnusablePolicyFileStopsTheStart) {
  write_policy("rules:\n  MW9999: warn\n");
  ServeProcess bad(serve_args(dir_ / "policy.yaml"), dir_ / "out.txt", dir_ / "err.txt");
  EXPECT_EQ(bad.wait_ready(), 0);
  EXPECT_EQ(bad.status(), 2);
  const std::string err = slurp(dir_ / "err.txt");
  EXPECT_NE(err.find("meshward serve: --policy: " + (dir_ / "policy.yaml").string() +
                     ":2: rules: unknown rule \"MW9999\""),
            std::string::npos)
      << err;

  ServeProcess missing(serve_args(dir_ / "absent.yaml"), dir_ / "out2.txt", dir_ / "err2.txt");
  EXPECT_EQ(missing.wait_ready(), 0);
  EXPECT_EQ(missing.status(), 2);
  EXPECT_NE(slurp(dir_ / "err2.txt").find("absent.yaml: cannot read"), std::string::npos);
}

// `serve --mesh-config`: a VirtualService routing to subset v1 of web, which only a
// DestinationRule in istio-config defines, is a missing subset (MW2101, denied by this policy)
// unless istio-config is the mesh's root namespace, whose DestinationRules every client uses.
TEST_F(BinaryServe, MeshConfigDecidesWhichDestinationRulesApply) {
  std::ofstream(dir_ / "world.yaml") << kWorld << R"(---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: istio-config}
spec:
  host: web.bookinfo.svc.cluster.local
  subsets: [{name: v1, labels: {version: v1}}]
)";
  std::ofstream(dir_ / "review.json")
      << R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u2",)"
         R"("kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
         R"("resource":{"group":"networking.istio.io","version":"v1","resource":"virtualservices"},)"
         R"("namespace":"bookinfo","name":"web","operation":"CREATE","object":{)"
         R"("apiVersion":"networking.istio.io/v1","kind":"VirtualService",)"
         R"("metadata":{"name":"web","namespace":"bookinfo"},"spec":{"hosts":["web"],)"
         R"("http":[{"route":[{"destination":{"host":"web","subset":"v1"}}]}]}}}})";
  write_policy("missingReferences: deny\n");
  {
    ServeProcess serve(serve_args(dir_ / "policy.yaml"), dir_ / "out.txt", dir_ / "err.txt");
    const unsigned short port = serve.wait_ready();
    ASSERT_NE(port, 0) << slurp(dir_ / "err.txt");
    EXPECT_FALSE(allowed(port)) << "istio-system is the root namespace by default";
  }
  std::ofstream(dir_ / "mesh.yaml") << "rootNamespace: istio-config\n";
  std::vector<std::string> args = serve_args(dir_ / "policy.yaml");
  args.insert(args.end(), {"--mesh-config", (dir_ / "mesh.yaml").string()});
  {
    ServeProcess serve(args, dir_ / "out2.txt", dir_ / "err2.txt");
    const unsigned short port = serve.wait_ready();
    ASSERT_NE(port, 0) << slurp(dir_ / "err2.txt");
    EXPECT_TRUE(allowed(port)) << curl(port, "/validate", true);
  }
  std::ofstream(dir_ / "mesh.yaml") << "outboundTrafficPolicy: {mode: OPEN}\n";
  ServeProcess bad(args, dir_ / "out3.txt", dir_ / "err3.txt");
  EXPECT_EQ(bad.wait_ready(), 0);
  EXPECT_EQ(bad.status(), 2);
  EXPECT_NE(slurp(dir_ / "err3.txt").find("meshward serve: mesh config " + (dir_ / "mesh.yaml").string() +
                                         ": outboundTrafficPolicy.mode is not ALLOW_ANY or REGISTRY_ONLY"),
            std::string::npos)
      << slurp(dir_ / "err3.txt");
}

// `meshward serve --kubeconfig`: the world is the (in-test) cluster. /readyz waits for the
// sync; a change made in the cluster changes the next decision.
TEST_F(BinaryServe, LiveClusterThroughKubeconfig) {
  meshward::testing::FakeApiServer cluster;
  cluster.set_token("laptop-token");
  cluster.put(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"bookinfo"},)"
              R"("spec":{"ports":[{"name":"http","port":80}],"selector":{"app":"web"}}})");
  std::ofstream(dir_ / "kubeconfig") << "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
                                     << "clusters:\n- name: fake\n  cluster:\n    server: " << cluster.url()
                                     << "\n    certificate-authority: " << cluster.ca_file() << "\n"
                                     << "users:\n- name: me\n  user:\n    token: laptop-token\n"
                                     << "contexts:\n- name: test\n  context: {cluster: fake, user: me}\n";
  // A VirtualService routing to subset v2, which no DestinationRule defines yet.
  std::ofstream(dir_ / "review.json")
      << R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"k1",)"
         R"("kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
         R"("resource":{"group":"networking.istio.io","version":"v1","resource":"virtualservices"},)"
         R"("namespace":"bookinfo","name":"web","operation":"CREATE","object":{)"
         R"("apiVersion":"networking.istio.io/v1","kind":"VirtualService",)"
         R"("metadata":{"name":"web","namespace":"bookinfo"},)"
         R"("spec":{"hosts":["web"],"http":[{"route":[{"destination":{"host":"web","subset":"v2"}}]}]}}}})";

  // A missing subset on the object under review only warns by default (it may be applied
  // next); this cluster's policy makes it deny.
  std::ofstream(dir_ / "policy.yaml") << "missingReferences: deny\n";
  cluster.set_delay(std::chrono::milliseconds(1500));  // Hold the sync back to see /readyz wait.
  ServeProcess serve({"serve", "--listen", "127.0.0.1:0", "--kubeconfig", (dir_ / "kubeconfig").string(),
                      "--policy", (dir_ / "policy.yaml").string(),
                      "--tls-cert", (dir_ / "certs" / "tls.crt").string(), "--tls-key",
                      (dir_ / "certs" / "tls.key").string(), "--threads", "1"},
                     dir_ / "out.txt", dir_ / "err.txt");
  const unsigned short port = serve.wait_ready();
  ASSERT_NE(port, 0) << slurp(dir_ / "err.txt");
  EXPECT_NE(slurp(dir_ / "out.txt").find("watching 127.0.0.1:"), std::string::npos) << slurp(dir_ / "out.txt");
  const std::string early = shell("curl -sS --max-time 60 -o /dev/null -w '%{http_code}' --cacert " +
                                  quote((dir_ / "certs" / "ca.crt").string()) + " https://127.0.0.1:" +
                                  std::to_string(port) + "/readyz").out;
  EXPECT_EQ(early, "503") << "not ready before the world has synced";
  cluster.set_delay(std::chrono::milliseconds(0));
  ASSERT_TRUE(eventually([&] { return curl(port, "/readyz", false) == "ready\n"; }))
      << curl(port, "/readyz", false) << slurp(dir_ / "err.txt");

  EXPECT_FALSE(allowed(port)) << "subset v2 is not defined in the cluster";
  cluster.put(R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule",)"
              R"("metadata":{"name":"web","namespace":"bookinfo"},)"
              R"("spec":{"host":"web","subsets":[{"name":"v2","labels":{"version":"v2"}}]}})");
  EXPECT_TRUE(eventually([&] { return allowed(port); })) << slurp(dir_ / "err.txt");
  const std::string metrics = curl(port, "/metrics", false);
  EXPECT_NE(metrics.find("meshward_watch_objects{kind=\"DestinationRule\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("meshward_watch_synced{kind=\"VirtualService\"} 1"), std::string::npos);
  EXPECT_EQ(serve.stop(), 0);
  const std::string log = slurp(dir_ / "err.txt");
  EXPECT_NE(log.find("world synced from the API server"), std::string::npos) << log;
}

// Without --world and without any cluster configuration, serve says how to give one.
TEST(BinaryServeUsage, NoWorldAndNoClusterIsAUsageError) {
  const Ran ran = shell("env -u KUBERNETES_SERVICE_HOST KUBECONFIG=/nonexistent/kubeconfig " + quote(kBinary) +
                        " serve --listen 127.0.0.1:0 2>&1");
  EXPECT_EQ(ran.status, 2) << ran.out;
  EXPECT_NE(ran.out.find("--world"), std::string::npos) << ran.out;
  // A namespace that is not a name would end up inside the watch URLs.
  const Ran bad_ns = shell(quote(kBinary) + " serve --watch-namespace 'a/../b' 2>&1");
  EXPECT_EQ(bad_ns.status, 2) << bad_ns.out;
  EXPECT_NE(bad_ns.out.find("is not a namespace name"), std::string::npos) << bad_ns.out;
  const Ran bad_kind = shell(quote(kBinary) + " serve --watch-kind Deployment 2>&1");
  EXPECT_EQ(bad_kind.status, 2) << bad_kind.out;
  EXPECT_NE(bad_kind.out.find("not a kind meshward reads"), std::string::npos) << bad_kind.out;
}

}  // namespace
