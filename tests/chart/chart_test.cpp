// The Helm chart (charts/meshward), rendered by the real helm (scripts/helm-tools.sh installs
// it) and checked by parsing what it renders, never by matching strings: the webhook covers
// every kind and version the decoder accepts, RBAC grants get/list/watch on exactly what the
// watcher reads, names and selectors line up across objects, the pod matches the image the
// Dockerfile builds, and each certificate mode gives a pair the server loads and the API
// server would trust.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <yaml-cpp/yaml.h>

#include "meshward/admission/policy.h"
#include "meshward/model/decode.h"
#include "meshward/server/tls.h"
#include "meshward/translate/mesh_config.h"

namespace meshward {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = MESHWARD_SOURCE_DIR;
const fs::path kChart = kSource / "charts" / "meshward";
constexpr const char* kRelease = "mw";
constexpr const char* kNamespace = "mesh";
constexpr const char* kFullname = "mw-meshward";  // release name + chart name

// ---------------------------------------------------------------------------------------
// Running helm

struct Command {
  int status = -1;  ///< Exit status, or -1 when the command could not run.
  std::string out;
  std::string err;
};

std::string quote(std::string_view word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A directory for this test's files, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "meshward-chart-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    }
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs `command` with /bin/sh; stdout through a pipe, stderr through a file.
Command run(const std::string& command) {
  TempDir tmp;
  const fs::path err_file = tmp.path() / "stderr";
  Command result;
  FILE* pipe = ::popen((command + " 2>" + quote(err_file.string())).c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    result.out.append(buf, n);
  }
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = read_file(err_file);
  return result;
}

// The directory holding helm, installed once per machine by scripts/helm-tools.sh.
const std::string& tools_dir() {
  static const std::string dir = [] {
    const Command c = run(quote((kSource / "scripts" / "helm-tools.sh").string()));
    std::string last;
    std::istringstream lines(c.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) {
        last = line;
      }
    }
    if (c.status != 0 || last.empty() || !fs::exists(fs::path(last) / "helm")) {
      ADD_FAILURE() << "scripts/helm-tools.sh failed (" << c.status << "): " << c.err;
      return std::string();
    }
    return last;
  }();
  return dir;
}

std::string helm() { return quote(tools_dir() + "/helm"); }

// ---------------------------------------------------------------------------------------
// Reading rendered YAML

// The node at `keys` under `node`, or an undefined node when any key is missing. (Walks with
// copies: assigning one yaml-cpp node to another would rewrite the document.)
YAML::Node get(const YAML::Node& node, std::initializer_list<std::string_view> keys) {
  YAML::Node current = node;
  for (std::string_view key : keys) {
    if (!current.IsMap()) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    const YAML::Node& parent = current;
    YAML::Node child = parent[std::string(key)];
    if (!child.IsDefined()) {
      return YAML::Node(YAML::NodeType::Undefined);
    }
    current.reset(child);
  }
  return current;
}

// The scalar at `keys`, or "" when it is missing or not a scalar.
std::string str(const YAML::Node& node, std::initializer_list<std::string_view> keys) {
  const YAML::Node found = get(node, keys);
  return found.IsScalar() ? found.Scalar() : std::string();
}

std::vector<std::string> strings(const YAML::Node& sequence) {
  std::vector<std::string> out;
  if (sequence.IsSequence()) {
    for (const auto& item : sequence) {
      out.push_back(item.IsScalar() ? item.Scalar() : std::string("<not a scalar>"));
    }
  }
  return out;
}

std::map<std::string, std::string> string_map(const YAML::Node& map) {
  std::map<std::string, std::string> out;
  if (map.IsMap()) {
    for (const auto& entry : map) {
      out[entry.first.Scalar()] = entry.second.IsScalar() ? entry.second.Scalar() : "<not a scalar>";
    }
  }
  return out;
}

// Whether every label `selector` asks for is among `labels`, and it asks for at least one.
bool selects(const YAML::Node& selector, const YAML::Node& labels) {
  const auto wanted = string_map(selector);
  const auto have = string_map(labels);
  if (wanted.empty()) {
    return false;
  }
  for (const auto& [key, value] : wanted) {
    auto it = have.find(key);
    if (it == have.end() || it->second != value) {
      return false;
    }
  }
  return true;
}

struct Rendered {
  Command command;
  std::vector<YAML::Node> objects;

  bool ok() const { return command.status == 0; }

  std::vector<YAML::Node> all(std::string_view kind) const {
    std::vector<YAML::Node> out;
    for (const auto& object : objects) {
      if (str(object, {"kind"}) == kind) {
        out.push_back(object);
      }
    }
    return out;
  }

  // The one object of `kind` (named `name` when given); fails the test when there is not
  // exactly one.
  YAML::Node one(std::string_view kind, std::string_view name = "") const {
    std::vector<YAML::Node> found;
    for (const auto& object : all(kind)) {
      if (name.empty() || str(object, {"metadata", "name"}) == name) {
        found.push_back(object);
      }
    }
    if (found.size() != 1) {
      ADD_FAILURE() << "expected one " << kind << (name.empty() ? "" : " ") << name << ", found "
                    << found.size();
      return YAML::Node(YAML::NodeType::Undefined);
    }
    return found.front();
  }
};

Rendered render(const std::vector<std::string>& args, const std::string& release = kRelease,
                const std::string& ns = kNamespace) {
  std::string command = helm() + " template " + quote(release) + " " + quote(kChart.string()) +
                        " --namespace " + quote(ns);
  for (const auto& arg : args) {
    command += " " + quote(arg);
  }
  Rendered rendered;
  rendered.command = run(command);
  if (!rendered.ok()) {
    return rendered;
  }
  try {
    for (const auto& document : YAML::LoadAll(rendered.command.out)) {
      if (document.IsMap()) {
        rendered.objects.push_back(document);
      }
    }
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << "helm rendered YAML that does not parse: " << e.what();
  }
  return rendered;
}

// Renders, failing the test with helm's error when helm fails.
Rendered render_ok(const std::vector<std::string>& args, const std::string& release = kRelease,
                   const std::string& ns = kNamespace) {
  Rendered rendered = render(args, release, ns);
  EXPECT_TRUE(rendered.ok()) << "helm template failed: " << rendered.command.err;
  return rendered;
}

// ---------------------------------------------------------------------------------------
// Certificates

std::string base64_decode(const std::string& text) {
  std::string clean;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ') {
      clean += c;
    }
  }
  if (clean.empty() || clean.size() % 4 != 0) {
    return {};
  }
  std::string out(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) {
    return {};
  }
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = clean.size(); i > 0 && clean[i - 1] == '='; --i) {
    --size;  // EVP_DecodeBlock counts padding as zero bytes
  }
  out.resize(size);
  return out;
}

std::string base64_encode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr read_certificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Whether `cert_pem` is signed by `ca_pem`, valid now for TLS servers under `host`, and the
// certificate of `key_pem`. Returns "" when it is, else what is wrong.
std::string verify_serving_pair(const std::string& ca_pem, const std::string& cert_pem,
                                const std::string& key_pem, const std::string& host) {
  X509Ptr ca = read_certificate(ca_pem);
  X509Ptr cert = read_certificate(cert_pem);
  if (!ca || !cert) {
    return "a certificate is not PEM";
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, KeyFree> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return "the key is not PEM";
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return "the key does not match the certificate";
  }
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) != 1) {
    return std::string("verification failed: ") +
           X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// A fake API server for `helm template --dry-run=server`, which is how `lookup` sees a
// cluster: plain HTTP on loopback, discovery for the kinds the chart renders, and GET of the
// objects it is given (everything else is 404). Helm only reads in a dry run.

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

class FakeApiServer {
 public:
  /// `objects`: API path ("/api/v1/namespaces/mesh/secrets/x") → JSON body.
  explicit FakeApiServer(std::map<std::string, std::string> objects)
      : objects_(std::move(objects)), acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accepting_ = std::thread([this] { accept_loop(); });
  }
  ~FakeApiServer() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket wake(io_);
    wake.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    accepting_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : connections_) {
      t.join();
    }
  }
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  /// A kubeconfig for this server, written into `dir`.
  fs::path kubeconfig(const fs::path& dir) const {
    const fs::path path = dir / "kubeconfig";
    std::ofstream(path) << "apiVersion: v1\nkind: Config\n"
                        << "clusters: [{name: fake, cluster: {server: 'http://127.0.0.1:" << port_ << "'}}]\n"
                        << "users: [{name: fake, user: {}}]\n"
                        << "contexts: [{name: fake, context: {cluster: fake, user: fake}}]\n"
                        << "current-context: fake\n";
    return path;
  }

 private:
  void accept_loop() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (stopping_ || ec) {
        return;
      }
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  // One request per connection (Connection: close), so no connection waits on another.
  void serve(tcp::socket socket) {
    boost::system::error_code ec;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) {
      return;
    }
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(false);
    response.set(http::field::content_type, "application/json");
    if (auto body = answer(path, request.method())) {
      response.result(http::status::ok);
      response.body() = *body;
    } else {
      response.result(http::status::not_found);
      response.body() = R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404})";
    }
    response.prepare_payload();
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }

  std::optional<std::string> answer(const std::string& path, http::verb method) const {
    if (method != http::verb::get) {
      return std::nullopt;  // a dry run only reads; anything else is a surprise
    }
    // group/version → resources as {name, kind, namespaced}.
    static const std::map<std::string, std::vector<std::tuple<std::string, std::string, bool>>> kResources = {
        {"v1", {{"secrets", "Secret", true}, {"configmaps", "ConfigMap", true}, {"services", "Service", true},
                {"serviceaccounts", "ServiceAccount", true}}},
        {"apps/v1", {{"deployments", "Deployment", true}}},
        {"policy/v1", {{"poddisruptionbudgets", "PodDisruptionBudget", true}}},
        {"rbac.authorization.k8s.io/v1",
         {{"clusterroles", "ClusterRole", false}, {"clusterrolebindings", "ClusterRoleBinding", false}}},
        {"admissionregistration.k8s.io/v1",
         {{"validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false}}},
    };
    if (path == "/version") {
      return R"({"major":"1","minor":"30","gitVersion":"v1.30.0"})";
    }
    if (path == "/api") {
      return R"({"kind":"APIVersions","versions":["v1"]})";
    }
    if (path == "/apis") {
      std::string groups;
      for (const auto& [group_version, resources] : kResources) {
        const auto slash = group_version.find('/');
        if (slash == std::string::npos) {
          continue;
        }
        const std::string gv = R"({"groupVersion":")" + group_version + R"(","version":")" +
                               group_version.substr(slash + 1) + R"("})";
        groups += std::string(groups.empty() ? "" : ",") + R"({"name":")" + group_version.substr(0, slash) +
                  R"(","versions":[)" + gv + R"(],"preferredVersion":)" + gv + "}";
      }
      return R"({"kind":"APIGroupList","apiVersion":"v1","groups":[)" + groups + "]}";
    }
    for (const auto& [group_version, resources] : kResources) {
      if (path == (group_version == "v1" ? "/api/v1" : "/apis/" + group_version)) {
        std::string list;
        for (const auto& [name, kind, namespaced] : resources) {
          list += std::string(list.empty() ? "" : ",") + R"({"name":")" + name + R"(","singularName":"","namespaced":)" +
                  (namespaced ? "true" : "false") + R"(,"kind":")" + kind + R"(","verbs":["get","list"]})";
        }
        return R"({"kind":"APIResourceList","groupVersion":")" + group_version + R"(","resources":[)" + list + "]}";
      }
    }
    auto it = objects_.find(path);
    if (it != objects_.end()) {
      return it->second;
    }
    return std::nullopt;
  }

  const std::map<std::string, std::string> objects_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accepting_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

// A TLS Secret as the API server returns it, owned by release mw in namespace mesh (Helm
// refuses to adopt objects another release or no release owns).
std::string secret_json(const std::string& name, const std::map<std::string, std::string>& data) {
  std::string fields;
  for (const auto& [key, value] : data) {
    fields += std::string(fields.empty() ? "" : ",") + "\"" + key + "\":\"" + value + "\"";
  }
  return R"({"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/tls","metadata":{"name":")" + name +
         R"(","namespace":")" + kNamespace + R"(","labels":{"app.kubernetes.io/managed-by":"Helm"},)" +
         R"("annotations":{"meta.helm.sh/release-name":")" + kRelease + R"(","meta.helm.sh/release-namespace":")" +
         kNamespace + R"("}},"data":{)" + fields + "}}";
}

// Renders against `server`, as `helm upgrade` would see the cluster.
Rendered render_against(const FakeApiServer& server) {
  TempDir tmp;
  const std::string command = "KUBECONFIG=" + quote(server.kubeconfig(tmp.path()).string()) + " " + helm() +
                              " template " + kRelease + " " + quote(kChart.string()) + " --namespace " +
                              kNamespace + " --dry-run=server --disable-openapi-validation";
  Rendered rendered;
  rendered.command = run(command);
  EXPECT_TRUE(rendered.ok()) << "helm template --dry-run=server failed: " << rendered.command.err;
  if (rendered.ok()) {
    for (const auto& document : YAML::LoadAll(rendered.command.out)) {
      if (document.IsMap()) {
        rendered.objects.push_back(document);
      }
    }
  }
  return rendered;
}

// ---------------------------------------------------------------------------------------
// The pieces every render shares

YAML::Node pod_spec(const Rendered& r) {
  return get(r.one("Deployment"), {"spec", "template", "spec"});
}

YAML::Node container(const Rendered& r) {
  const YAML::Node containers = get(pod_spec(r), {"containers"});
  EXPECT_TRUE(containers.IsSequence() && containers.size() == 1) << "one container expected";
  return containers.IsSequence() && containers.size() > 0 ? containers[0]
                                                          : YAML::Node(YAML::NodeType::Undefined);
}

std::vector<std::string> args(const Rendered& r) { return strings(get(container(r), {"args"})); }

// The value of `--flag=value` in the container's arguments.
std::optional<std::string> flag(const Rendered& r, const std::string& name) {
  const std::string prefix = "--" + name + "=";
  for (const auto& arg : args(r)) {
    if (arg.rfind(prefix, 0) == 0) {
      return arg.substr(prefix.size());
    }
  }
  return std::nullopt;
}

// The volume named `name` in the pod.
YAML::Node volume(const Rendered& r, const std::string& name) {
  for (const auto& v : get(pod_spec(r), {"volumes"})) {
    if (str(v, {"name"}) == name) {
      return v;
    }
  }
  ADD_FAILURE() << "no volume " << name;
  return YAML::Node(YAML::NodeType::Undefined);
}

// The volume mounted at the directory holding `file`.
std::string volume_holding(const Rendered& r, const fs::path& file) {
  for (const auto& m : get(container(r), {"volumeMounts"})) {
    if (fs::path(str(m, {"mountPath"})) == file.parent_path()) {
      return str(m, {"name"});
    }
  }
  return {};
}

YAML::Node webhook(const Rendered& r) {
  const YAML::Node config = r.one("ValidatingWebhookConfiguration");
  const YAML::Node hooks = get(config, {"webhooks"});
  EXPECT_TRUE(hooks.IsSequence() && hooks.size() == 1) << "one webhook expected";
  return hooks.IsSequence() && hooks.size() > 0 ? hooks[0] : YAML::Node(YAML::NodeType::Undefined);
}

// The Secret the pods mount for TLS.
std::string tls_secret_name(const Rendered& r) {
  const std::string tls_volume = volume_holding(r, flag(r, "tls-cert").value_or(""));
  EXPECT_FALSE(tls_volume.empty()) << "no volume holds the --tls-cert file";
  EXPECT_EQ(volume_holding(r, flag(r, "tls-key").value_or("")), tls_volume)
      << "certificate and key come from different volumes";
  return str(volume(r, tls_volume), {"secret", "secretName"});
}

std::string service_host(const std::string& ns = kNamespace) {
  return std::string(kFullname) + "." + ns + ".svc";
}

// The Istio kinds the decoder accepts, as (group, version, resource).
std::set<std::tuple<std::string, std::string, std::string>> istio_group_versions() {
  std::set<std::tuple<std::string, std::string, std::string>> out;
  for (const auto& info : model::kind_table()) {
    const std::string group(info.group);
    if (group.size() > 9 && group.substr(group.size() - 9) == ".istio.io") {
      for (const auto& version : info.versions) {
        if (!version.empty()) {  // the table's version list is a fixed-size array
          out.emplace(group, std::string(version), std::string(info.resource));
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Lint

TEST(Chart, LintsStrictly) {
  for (const std::vector<std::string>& values : std::vector<std::vector<std::string>>{
           {},
           {"--set", "certificates.mode=certManager"},
           {"--set", "certificates.mode=existingSecret", "--set", "certificates.existingSecret.name=tls",
            "--set", "certificates.existingSecret.caBundle=Q0E="},
       }) {
    std::string command = helm() + " lint --strict " + quote(kChart.string());
    for (const auto& v : values) {
      command += " " + quote(v);
    }
    const Command c = run(command);
    EXPECT_EQ(c.status, 0) << command << "\n" << c.out << c.err;
  }
}

// ---------------------------------------------------------------------------------------
// Default values

TEST(Chart, DefaultsRenderTheWholeInstall) {
  const Rendered r = render_ok({});
  std::multiset<std::string> kinds;
  for (const auto& object : r.objects) {
    kinds.insert(str(object, {"kind"}));
    const bool cluster_scoped = str(object, {"kind"}) == "ClusterRole" ||
                                str(object, {"kind"}) == "ClusterRoleBinding" ||
                                str(object, {"kind"}) == "ValidatingWebhookConfiguration";
    EXPECT_EQ(str(object, {"metadata", "namespace"}), cluster_scoped ? "" : kNamespace)
        << str(object, {"kind"}) << " " << str(object, {"metadata", "name"});
    EXPECT_EQ(str(object, {"metadata", "labels", "app.kubernetes.io/instance"}), kRelease);
  }
  EXPECT_EQ(kinds, (std::multiset<std::string>{"ClusterRole", "ClusterRoleBinding", "ConfigMap",
                                               "Deployment", "PodDisruptionBudget", "Secret",
                                               "Service", "ServiceAccount",
                                               "ValidatingWebhookConfiguration"}));
}

TEST(Chart, DeploymentIsHighlyAvailableAndLockedDown) {
  const Rendered r = render_ok({});
  const YAML::Node deployment = r.one("Deployment", kFullname);
  EXPECT_EQ(str(deployment, {"spec", "replicas"}), "2");
  EXPECT_EQ(str(deployment, {"spec", "strategy", "rollingUpdate", "maxUnavailable"}), "0");
  const YAML::Node pod_labels = get(deployment, {"spec", "template", "metadata", "labels"});
  EXPECT_TRUE(selects(get(deployment, {"spec", "selector", "matchLabels"}), pod_labels));

  const YAML::Node pod = pod_spec(r);
  const YAML::Node anti = get(pod, {"affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"});
  ASSERT_TRUE(anti.IsSequence() && anti.size() == 1);
  EXPECT_EQ(str(anti[0], {"podAffinityTerm", "topologyKey"}), "kubernetes.io/hostname");
  EXPECT_TRUE(selects(get(anti[0], {"podAffinityTerm", "labelSelector", "matchLabels"}), pod_labels));
  const YAML::Node spread = get(pod, {"topologySpreadConstraints"});
  ASSERT_TRUE(spread.IsSequence() && spread.size() == 1);
  EXPECT_EQ(str(spread[0], {"topologyKey"}), "topology.kubernetes.io/zone");
  EXPECT_TRUE(selects(get(spread[0], {"labelSelector", "matchLabels"}), pod_labels));

  const YAML::Node pdb = r.one("PodDisruptionBudget", kFullname);
  EXPECT_EQ(str(pdb, {"spec", "minAvailable"}), "1");
  EXPECT_TRUE(selects(get(pdb, {"spec", "selector", "matchLabels"}), pod_labels));

  const YAML::Node c = container(r);
  EXPECT_EQ(str(pod, {"securityContext", "runAsNonRoot"}), "true");
  EXPECT_EQ(str(pod, {"securityContext", "seccompProfile", "type"}), "RuntimeDefault");
  EXPECT_EQ(str(c, {"securityContext", "readOnlyRootFilesystem"}), "true");
  EXPECT_EQ(str(c, {"securityContext", "allowPrivilegeEscalation"}), "false");
  EXPECT_EQ(strings(get(c, {"securityContext", "capabilities", "drop"})), std::vector<std::string>{"ALL"});
  EXPECT_FALSE(get(c, {"securityContext", "capabilities", "add"}).IsDefined());
  EXPECT_TRUE(get(c, {"resources", "requests", "cpu"}).IsScalar());
  EXPECT_TRUE(get(c, {"resources", "requests", "memory"}).IsScalar());
  EXPECT_TRUE(get(c, {"resources", "limits", "memory"}).IsScalar());

  // Both probes over HTTPS on the serving port.
  const YAML::Node ports = get(c, {"ports"});
  ASSERT_TRUE(ports.IsSequence() && ports.size() == 1);
  EXPECT_EQ(str(ports[0], {"name"}), "https");
  EXPECT_EQ(str(ports[0], {"containerPort"}), "8443");
  for (const auto& [probe, path] : {std::pair{"readinessProbe", "/readyz"}, std::pair{"livenessProbe", "/healthz"}}) {
    EXPECT_EQ(str(c, {probe, "httpGet", "path"}), path) << probe;
    EXPECT_EQ(str(c, {probe, "httpGet", "scheme"}), "HTTPS") << probe;
    EXPECT_EQ(str(c, {probe, "httpGet", "port"}), "https") << probe;
  }
}

TEST(Chart, PodRunsTheImageTheDockerfileBuilds) {
  const Rendered r = render_ok({});
  const std::string dockerfile = read_file(kSource / "Dockerfile");
  std::smatch user;
  ASSERT_TRUE(std::regex_search(dockerfile, user, std::regex(R"(\nUSER (\d+):(\d+)\s)")))
      << "the Dockerfile's runtime stage names no USER uid:gid";
  const YAML::Node pod = pod_spec(r);
  EXPECT_EQ(str(pod, {"securityContext", "runAsUser"}), user[1].str());
  EXPECT_EQ(str(pod, {"securityContext", "runAsGroup"}), user[2].str());
  EXPECT_EQ(str(pod, {"securityContext", "fsGroup"}), user[2].str()) << "the group reads the mounted key";

  std::smatch port;
  ASSERT_TRUE(std::regex_search(dockerfile, port, std::regex(R"(\nEXPOSE (\d+)\s)")));
  EXPECT_EQ(str(get(container(r), {"ports"})[0], {"containerPort"}), port[1].str());

  // The image's ENTRYPOINT is the binary; the chart gives only arguments.
  EXPECT_NE(dockerfile.find("ENTRYPOINT [\"/usr/local/bin/meshward\"]"), std::string::npos);
  const YAML::Node c = container(r);
  EXPECT_FALSE(get(c, {"command"}).IsDefined());
  const YAML::Node chart = YAML::LoadFile((kChart / "Chart.yaml").string());
  EXPECT_EQ(str(c, {"image"}), "meshward:" + chart["appVersion"].as<std::string>());

  // In-cluster mode: serve, no --world (the world comes from the API server).
  const auto a = args(r);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a.front(), "serve");
  EXPECT_EQ(flag(r, "listen"), ":8443");
  for (const auto& arg : a) {
    EXPECT_EQ(arg.rfind("--world", 0), std::string::npos) << arg;
  }
}

TEST(Chart, WatchNamespacesBecomeServeFlags) {
  const Rendered r = render_ok({"--set", "watch.namespaces={istio-system,shop}"});
  std::vector<std::string> watched;
  for (const auto& arg : args(r)) {
    if (arg.rfind("--watch-namespace=", 0) == 0) {
      watched.push_back(arg.substr(arg.find('=') + 1));
    }
  }
  EXPECT_EQ(watched, (std::vector<std::string>{"istio-system", "shop"}));
  EXPECT_FALSE(flag(render_ok({}), "watch-namespace").has_value()) << "default: every namespace";
  // Not a namespace name: the schema refuses it before anything is installed.
  const Rendered bad = render({"--set", "watch.namespaces={Not_A_Namespace}"});
  EXPECT_NE(bad.command.status, 0);
}

TEST(Chart, OverloadLimitsBecomeServeFlags) {
  const Rendered defaults = render_ok({});
  EXPECT_EQ(flag(defaults, "max-connections"), "1024");
  EXPECT_EQ(flag(defaults, "max-pending-connections"), "256");
  EXPECT_EQ(flag(defaults, "max-queued-requests"), "256");
  EXPECT_EQ(flag(defaults, "max-request-memory"), "128Mi");
  const Rendered set = render_ok({"--set", "limits.maxConnections=4096", "--set", "limits.maxQueuedRequests=64",
                                  "--set", "limits.maxRequestMemory=1Gi"});
  EXPECT_EQ(flag(set, "max-connections"), "4096");
  EXPECT_EQ(flag(set, "max-queued-requests"), "64");
  EXPECT_EQ(flag(set, "max-request-memory"), "1Gi");
  // Not a size meshward reads: the schema refuses it.
  EXPECT_NE(render({"--set", "limits.maxRequestMemory=lots"}).command.status, 0);
}

TEST(Chart, ServiceReachesThePodsServingPort) {
  const Rendered r = render_ok({});
  const YAML::Node service = r.one("Service", kFullname);
  EXPECT_TRUE(selects(get(service, {"spec", "selector"}),
                      get(r.one("Deployment", kFullname), {"spec", "template", "metadata", "labels"})));
  const YAML::Node ports = get(service, {"spec", "ports"});
  ASSERT_TRUE(ports.IsSequence() && ports.size() == 1);
  EXPECT_EQ(str(ports[0], {"port"}), "443");
  EXPECT_EQ(str(ports[0], {"targetPort"}), str(get(container(r), {"ports"})[0], {"name"}));

  const YAML::Node client = get(webhook(r), {"clientConfig", "service"});
  EXPECT_EQ(str(client, {"name"}), kFullname);
  EXPECT_EQ(str(client, {"namespace"}), kNamespace);
  EXPECT_EQ(str(client, {"path"}), "/validate");
  EXPECT_EQ(str(client, {"port"}), str(ports[0], {"port"}));
}

TEST(Chart, PolicyConfigMapIsWhatServeReads) {
  const Rendered r = render_ok({});
  const std::string policy_file = flag(r, "policy").value_or("");
  ASSERT_FALSE(policy_file.empty()) << "serve gets no --policy";
  const std::string volume_name = volume_holding(r, policy_file);
  ASSERT_FALSE(volume_name.empty()) << "no volume holds " << policy_file;
  const std::string config_map = str(volume(r, volume_name), {"configMap", "name"});
  const YAML::Node data = get(r.one("ConfigMap", config_map), {"data"});
  const std::string key = fs::path(policy_file).filename().string();
  ASSERT_TRUE(get(data, {key}).IsScalar()) << "ConfigMap " << config_map << " has no key " << key;
  const YAML::Node policy = YAML::Load(str(data, {key}));
  EXPECT_EQ(str(policy, {"severities", "error"}), "deny");
  EXPECT_EQ(str(policy, {"severities", "warning"}), "warn");
  EXPECT_EQ(str(policy, {"severities", "info"}), "ignore");
  EXPECT_EQ(str(policy, {"defaultEnforcement"}), "enforce");
  EXPECT_EQ(str(policy, {"requireEgressGateway"}), "false");
  EXPECT_EQ(str(policy, {"missingReferences"}), "warn");
  auto parsed = admission::parse_policy(str(data, {key}), key);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_FALSE(parsed->require_egress_gateway);
  EXPECT_EQ(parsed->missing_references, admission::Action::Warn);
}

TEST(Chart, ServiceAccountIsBoundToAReadOnlyRoleOverWhatIsWatched) {
  const Rendered r = render_ok({});
  const std::string account = str(pod_spec(r), {"serviceAccountName"});
  r.one("ServiceAccount", account);
  const YAML::Node binding = r.one("ClusterRoleBinding");
  const YAML::Node subjects = get(binding, {"subjects"});
  ASSERT_TRUE(subjects.IsSequence() && subjects.size() == 1);
  EXPECT_EQ(str(subjects[0], {"kind"}), "ServiceAccount");
  EXPECT_EQ(str(subjects[0], {"name"}), account);
  EXPECT_EQ(str(subjects[0], {"namespace"}), kNamespace);
  const YAML::Node role = r.one("ClusterRole", str(binding, {"roleRef", "name"}));
  EXPECT_EQ(str(binding, {"roleRef", "kind"}), "ClusterRole");

  // What is granted, as (group, resource); every rule read-only.
  std::set<std::pair<std::string, std::string>> granted;
  for (const auto& rule : get(role, {"rules"})) {
    auto verbs = strings(get(rule, {"verbs"}));
    std::sort(verbs.begin(), verbs.end());
    EXPECT_EQ(verbs, (std::vector<std::string>{"get", "list", "watch"}));
    EXPECT_FALSE(get(rule, {"nonResourceURLs"}).IsDefined());
    for (const auto& group : strings(get(rule, {"apiGroups"}))) {
      for (const auto& resource : strings(get(rule, {"resources"}))) {
        granted.emplace(group, resource);
      }
    }
  }
  // Every kind the world holds, nothing more (discovery needs no grant).
  std::set<std::pair<std::string, std::string>> watched;
  for (const auto& info : model::kind_table()) {
    watched.emplace(std::string(info.group), std::string(info.resource));
  }
  EXPECT_EQ(granted, watched);
}

TEST(Chart, WebhookCoversEveryIstioKindAndVersionTheDecoderAccepts) {
  const Rendered r = render_ok({});
  const YAML::Node hook = webhook(r);
  std::set<std::tuple<std::string, std::string, std::string>> covered;
  for (const auto& rule : get(hook, {"rules"})) {
    auto operations = strings(get(rule, {"operations"}));
    std::sort(operations.begin(), operations.end());
    EXPECT_EQ(operations, (std::vector<std::string>{"CREATE", "DELETE", "UPDATE"}));
    EXPECT_EQ(str(rule, {"scope"}), "Namespaced");
    for (const auto& group : strings(get(rule, {"apiGroups"}))) {
      for (const auto& version : strings(get(rule, {"apiVersions"}))) {
        for (const auto& resource : strings(get(rule, {"resources"}))) {
          // A status subresource would send istiod's status writes to meshward.
          EXPECT_EQ(resource.find('/'), std::string::npos) << resource;
          covered.emplace(group, version, resource);
        }
      }
    }
  }
  EXPECT_EQ(covered, istio_group_versions());
  EXPECT_EQ(covered.size(), 6u * 3 + 1 + 3u * 2) << "7 networking kinds (EnvoyFilter: v1alpha3 only), 3 security kinds";
}

TEST(Chart, WebhookAnswersDryRunsAndFailsClosedWithinFiveSeconds) {
  const Rendered r = render_ok({});
  const YAML::Node hook = webhook(r);
  EXPECT_EQ(str(hook, {"name"}), "validation.meshward.io");
  EXPECT_EQ(str(hook, {"sideEffects"}), "None");
  EXPECT_EQ(strings(get(hook, {"admissionReviewVersions"})), (std::vector<std::string>{"v1", "v1beta1"}));
  EXPECT_EQ(str(hook, {"failurePolicy"}), "Fail");
  EXPECT_EQ(str(hook, {"timeoutSeconds"}), "5");
  EXPECT_EQ(str(hook, {"matchPolicy"}), "Equivalent");
}

// The namespaceSelector's NotIn expressions, by key.
std::map<std::string, std::set<std::string>> excluded_by(const YAML::Node& hook) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& e : get(hook, {"namespaceSelector", "matchExpressions"})) {
    EXPECT_EQ(str(e, {"operator"}), "NotIn") << str(e, {"key"});
    const auto values = strings(get(e, {"values"}));
    out[str(e, {"key"})].insert(values.begin(), values.end());
  }
  return out;
}

TEST(Chart, WebhookSkipsItsOwnNamespaceKubeSystemAndOptedOutNamespaces) {
  const Rendered r = render_ok({});
  const auto excluded = excluded_by(webhook(r));
  EXPECT_EQ(excluded, (std::map<std::string, std::set<std::string>>{
                          {"kubernetes.io/metadata.name", {kNamespace, "kube-system"}},
                          {"meshward.io/validation", {"disabled"}}}));
  EXPECT_FALSE(get(webhook(r), {"objectSelector"}).IsDefined());
}

TEST(Chart, GeneratedCertificateIsTrustedThroughTheCaBundleAndLoadsInTheServer) {
  const Rendered r = render_ok({});
  const std::string secret_name = tls_secret_name(r);
  const YAML::Node secret = r.one("Secret", secret_name);
  EXPECT_EQ(str(secret, {"type"}), "kubernetes.io/tls");
  const std::string ca = base64_decode(str(secret, {"data", "ca.crt"}));
  const std::string crt = base64_decode(str(secret, {"data", "tls.crt"}));
  const std::string key = base64_decode(str(secret, {"data", "tls.key"}));
  ASSERT_FALSE(ca.empty() || crt.empty() || key.empty()) << "Secret " << secret_name << " lacks a key";

  // The API server trusts exactly the CA in the Secret and reaches the Service by this name.
  const std::string ca_bundle = base64_decode(str(webhook(r), {"clientConfig", "caBundle"}));
  EXPECT_EQ(ca_bundle, ca);
  for (const std::string& host : {service_host(), std::string(kFullname) + "." + kNamespace + ".svc.cluster.local"}) {
    EXPECT_EQ(verify_serving_pair(ca_bundle, crt, key, host), "") << host;
  }
  EXPECT_NE(verify_serving_pair(ca_bundle, crt, key, "other.mesh.svc"), "");

  // The files as the pod sees them load in the server.
  TempDir tmp;
  std::ofstream(tmp.path() / "tls.crt") << crt;
  std::ofstream(tmp.path() / "tls.key") << key;
  const auto loaded = server::load_tls({(tmp.path() / "tls.crt").string(), (tmp.path() / "tls.key").string(), ""});
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().message);
}

TEST(Chart, GeneratedCertificateIsKeptAcrossUpgrades) {
  // The first install: no Secret yet.
  const Rendered installed = render_ok({});
  const std::string secret_name = tls_secret_name(installed);
  const YAML::Node first = get(installed.one("Secret", secret_name), {"data"});
  std::map<std::string, std::string> data;
  for (const char* key : {"tls.crt", "tls.key", "ca.crt"}) {
    data[key] = str(first, {key});
  }
  const std::string secret_path = std::string("/api/v1/namespaces/") + kNamespace + "/secrets/" + secret_name;

  // An upgrade finds the Secret through `lookup` and keeps it, and the caBundle with it.
  {
    const FakeApiServer cluster(std::map<std::string, std::string>{{secret_path, secret_json(secret_name, data)}});
    const Rendered upgraded = render_against(cluster);
    const YAML::Node kept = get(upgraded.one("Secret", secret_name), {"data"});
    for (const auto& [key, value] : data) {
      EXPECT_EQ(str(kept, {key}), value) << key;
    }
    EXPECT_EQ(str(webhook(upgraded), {"clientConfig", "caBundle"}), data["ca.crt"]);
  }
  // A Secret without its CA cannot be trusted through a caBundle: a new pair is made.
  {
    std::map<std::string, std::string> partial = data;
    partial.erase("ca.crt");
    const FakeApiServer cluster(std::map<std::string, std::string>{{secret_path, secret_json(secret_name, partial)}});
    const Rendered upgraded = render_against(cluster);
    const YAML::Node remade = get(upgraded.one("Secret", secret_name), {"data"});
    EXPECT_NE(str(remade, {"tls.crt"}), data["tls.crt"]);
    EXPECT_EQ(str(webhook(upgraded), {"clientConfig", "caBundle"}), str(remade, {"ca.crt"}));
    EXPECT_EQ(verify_serving_pair(base64_decode(str(remade, {"ca.crt"})), base64_decode(str(remade, {"tls.crt"})),
                                  base64_decode(str(remade, {"tls.key"})), service_host()),
              "");
  }
  // Offline (`helm template`, no cluster) there is nothing to look up: every render makes a
  // new CA, which is why GitOps tools that render offline should use another mode.
  EXPECT_NE(str(webhook(render_ok({})), {"clientConfig", "caBundle"}), data["ca.crt"]);
}

// ---------------------------------------------------------------------------------------
// cert-manager

TEST(Chart, CertManagerModeInjectsTheCaOfTheServingCertificate) {
  const Rendered r = render_ok({"--set", "certificates.mode=certManager", "--api-versions", "cert-manager.io/v1"});
  EXPECT_TRUE(r.all("Secret").empty()) << "cert-manager writes the Secret";
  const std::string secret_name = tls_secret_name(r);

  // The serving Certificate writes the Secret the pods mount, for the Service's names.
  const YAML::Node serving = r.one("Certificate", std::string(kFullname) + "-tls");
  EXPECT_EQ(str(serving, {"spec", "secretName"}), secret_name);
  const auto dns = strings(get(serving, {"spec", "dnsNames"}));
  EXPECT_NE(std::find(dns.begin(), dns.end(), service_host()), dns.end());
  EXPECT_EQ(str(serving, {"spec", "privateKey", "rotationPolicy"}), "Always");

  // The webhook's CA is injected from that Certificate, not given inline.
  const YAML::Node config = r.one("ValidatingWebhookConfiguration");
  EXPECT_EQ(str(config, {"metadata", "annotations", "cert-manager.io/inject-ca-from"}),
            std::string(kNamespace) + "/" + str(serving, {"metadata", "name"}));
  EXPECT_FALSE(get(webhook(r), {"clientConfig", "caBundle"}).IsDefined());

  // Without an issuer given, a self-signed Issuer makes a CA and a CA Issuer signs with it.
  const YAML::Node ca_issuer = r.one("Issuer", str(serving, {"spec", "issuerRef", "name"}));
  EXPECT_EQ(str(serving, {"spec", "issuerRef", "kind"}), "Issuer");
  const YAML::Node ca_cert = r.one("Certificate", std::string(kFullname) + "-ca");
  EXPECT_EQ(str(ca_cert, {"spec", "isCA"}), "true");
  EXPECT_EQ(str(ca_cert, {"spec", "secretName"}), str(ca_issuer, {"spec", "ca", "secretName"}));
  const YAML::Node root = r.one("Issuer", str(ca_cert, {"spec", "issuerRef", "name"}));
  EXPECT_TRUE(get(root, {"spec", "selfSigned"}).IsMap());
  EXPECT_EQ(r.all("Issuer").size(), 2u);
}

TEST(Chart, CertManagerModeUsesAGivenIssuer) {
  const Rendered r = render_ok({"--set", "certificates.mode=certManager", "--api-versions", "cert-manager.io/v1",
                                "--set", "certificates.certManager.issuerRef.name=corp-ca", "--set",
                                "certificates.certManager.issuerRef.kind=ClusterIssuer"});
  EXPECT_TRUE(r.all("Issuer").empty());
  const auto certificates = r.all("Certificate");
  ASSERT_EQ(certificates.size(), 1u);
  EXPECT_EQ(str(certificates[0], {"spec", "issuerRef", "name"}), "corp-ca");
  EXPECT_EQ(str(certificates[0], {"spec", "issuerRef", "kind"}), "ClusterIssuer");
  EXPECT_EQ(str(certificates[0], {"spec", "secretName"}), tls_secret_name(r));
}

TEST(Chart, CertManagerModeRefusesAClusterWithoutCertManager) {
  const Rendered r = render({"--set", "certificates.mode=certManager"});
  EXPECT_NE(r.command.status, 0);
  EXPECT_NE(r.command.err.find("cert-manager.io/v1"), std::string::npos) << r.command.err;
}

// ---------------------------------------------------------------------------------------
// An existing Secret

TEST(Chart, ExistingSecretModeMountsItAndTrustsTheGivenCa) {
  const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIBdemo\n-----END CERTIFICATE-----\n";
  for (const std::string& given : {pem, base64_encode(pem)}) {
    TempDir tmp;
    const fs::path values = tmp.path() / "values.yaml";
    YAML::Emitter out;
    out << YAML::BeginMap << YAML::Key << "certificates" << YAML::Value << YAML::BeginMap << YAML::Key
        << "mode" << YAML::Value << "existingSecret" << YAML::Key << "existingSecret" << YAML::Value
        << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "corp-tls" << YAML::Key << "caBundle"
        << YAML::Value << YAML::Literal << given << YAML::EndMap << YAML::EndMap << YAML::EndMap;
    std::ofstream(values) << out.c_str();
    const Rendered r = render_ok({"--values", values.string()});
    EXPECT_TRUE(r.all("Secret").empty());
    EXPECT_TRUE(r.all("Certificate").empty());
    EXPECT_EQ(tls_secret_name(r), "corp-tls");
    EXPECT_EQ(base64_decode(str(webhook(r), {"clientConfig", "caBundle"})), pem);
  }
}

TEST(Chart, ExistingSecretModeNeedsANameAndACa) {
  for (const std::vector<std::string>& values : std::vector<std::vector<std::string>>{
           {"--set", "certificates.mode=existingSecret", "--set", "certificates.existingSecret.name=corp-tls"},
           {"--set", "certificates.mode=existingSecret", "--set", "certificates.existingSecret.caBundle=Q0E="},
       }) {
    const Rendered r = render(values);
    EXPECT_NE(r.command.status, 0) << values[3];
    EXPECT_NE(r.command.err.find("existingSecret"), std::string::npos) << r.command.err;
  }
}

// ---------------------------------------------------------------------------------------
// Other values

TEST(Chart, WebhookSettingsFollowTheValues) {
  const Rendered r = render_ok({"--set", "webhook.failurePolicy=Ignore", "--set", "webhook.timeoutSeconds=10",
                                "--set", "webhook.excludeNamespaces={legacy,kube-system}", "--set",
                                "webhook.optOutLabel.key=example.com/no-mesh-checks", "--set",
                                "webhook.optOutLabel.value=true", "--set",
                                "webhook.objectSelector.matchLabels.checked=yes"});
  const YAML::Node hook = webhook(r);
  EXPECT_EQ(str(hook, {"failurePolicy"}), "Ignore");
  EXPECT_EQ(str(hook, {"timeoutSeconds"}), "10");
  EXPECT_EQ(excluded_by(hook), (std::map<std::string, std::set<std::string>>{
                                   {"kubernetes.io/metadata.name", {kNamespace, "kube-system", "legacy"}},
                                   {"example.com/no-mesh-checks", {"true"}}}));
  EXPECT_EQ(str(hook, {"objectSelector", "matchLabels", "checked"}), "yes");
}

TEST(Chart, PolicyFollowsTheValues) {
  // Written as an operator would, with a bare `off` (YAML 1.1 reads it as false).
  TempDir tmp;
  const fs::path values = tmp.path() / "values.yaml";
  std::ofstream(values) << "policy:\n"
                           "  severities: {error: deny, warning: deny, info: ignore}\n"
                           "  rules: {MW2112: warn}\n"
                           "  namespaces: {legacy: warn, sandbox: off}\n"
                           "  defaultEnforcement: warn\n"
                           "  requireEgressGateway: true\n"
                           "  missingReferences: deny\n";
  const Rendered r = render_ok({"--values", values.string()});
  const YAML::Node policy = YAML::Load(str(r.one("ConfigMap"), {"data", "policy.yaml"}));
  EXPECT_EQ(str(policy, {"rules", "MW2112"}), "warn");
  EXPECT_EQ(str(policy, {"namespaces", "legacy"}), "warn");
  EXPECT_EQ(str(policy, {"namespaces", "sandbox"}), "off");
  EXPECT_EQ(str(policy, {"severities", "warning"}), "deny");
  EXPECT_EQ(str(policy, {"defaultEnforcement"}), "warn");
  EXPECT_EQ(str(policy, {"requireEgressGateway"}), "true");
  // ... and it is a file serve accepts, with the values in force.
  auto parsed = admission::parse_policy(str(r.one("ConfigMap"), {"data", "policy.yaml"}), "policy.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_TRUE(parsed->require_egress_gateway);
  EXPECT_EQ(parsed->missing_references, admission::Action::Deny);
  EXPECT_EQ(parsed->rules.at("MW2112"), admission::Action::Warn);
  EXPECT_EQ(parsed->enforcement_for("sandbox"), admission::Enforcement::Off);
}

TEST(Chart, SchedulingFollowsTheValues) {
  const Rendered hard = render_ok({"--set", "replicaCount=3", "--set", "podAntiAffinity=hard", "--set",
                                   "zoneSpread=false", "--set", "threads=4", "--set", "extraArgs={--namespace=a}"});
  EXPECT_EQ(str(hard.one("Deployment"), {"spec", "replicas"}), "3");
  const YAML::Node required =
      get(pod_spec(hard), {"affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"});
  ASSERT_TRUE(required.IsSequence() && required.size() == 1);
  EXPECT_TRUE(selects(get(required[0], {"labelSelector", "matchLabels"}),
                      get(hard.one("Deployment"), {"spec", "template", "metadata", "labels"})));
  EXPECT_FALSE(get(pod_spec(hard), {"topologySpreadConstraints"}).IsDefined());
  EXPECT_EQ(flag(hard, "threads"), "4");
  EXPECT_EQ(args(hard).back(), "--namespace=a");

  const Rendered none = render_ok({"--set", "podAntiAffinity=none"});
  EXPECT_FALSE(get(pod_spec(none), {"affinity"}).IsDefined());

  // One replica: no PodDisruptionBudget, which would block every node drain.
  const Rendered single = render_ok({"--set", "replicaCount=1"});
  EXPECT_TRUE(single.all("PodDisruptionBudget").empty());
}

// The mesh's Istio release reaches serve as --istio-version only when it is set.
TEST(Chart, IstioVersionIsPassedToServeWhenSet) {
  EXPECT_FALSE(flag(render_ok({}), "istio-version"));
  EXPECT_EQ(flag(render_ok({"--set-string", "istioVersion=1.24"}), "istio-version"), "1.24");
}

TEST(Chart, MeshConfigIsWrittenForServeAndRollsThePodsWhenSet) {
  const Rendered plain = render_ok({});
  EXPECT_FALSE(flag(plain, "mesh-config"));
  EXPECT_FALSE(get(plain.one("Deployment"), {"spec", "template", "metadata", "annotations"}).IsDefined());

  const auto with = [](const std::string& root) {
    return render_ok({"--set", "meshConfig.rootNamespace=" + root, "--set",
                      "meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY", "--set",
                      "meshConfig.connectTimeout=2s", "--set", "meshConfig.h2UpgradePolicy=UPGRADE",
                      "--set", "meshConfig.localityLbSetting.enabled=false", "--set",
                      "meshConfig.defaultHttpRetryPolicy.attempts=1"});
  };
  const Rendered r = with("istio-config");
  const std::string mesh_file = flag(r, "mesh-config").value_or("");
  ASSERT_FALSE(mesh_file.empty()) << "serve gets no --mesh-config";
  const std::string config_map = str(volume(r, volume_holding(r, mesh_file)), {"configMap", "name"});
  const std::string key = fs::path(mesh_file).filename().string();
  const YAML::Node data = get(r.one("ConfigMap", config_map), {"data"});
  ASSERT_TRUE(get(data, {key}).IsScalar()) << "ConfigMap " << config_map << " has no key " << key;
  auto mesh = translate::parse_mesh_config(str(data, {key}), key);
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  EXPECT_EQ(mesh->root_namespace, "istio-config");
  EXPECT_EQ(mesh->outbound, translate::OutboundPolicy::RegistryOnly);
  EXPECT_EQ(mesh->connect_timeout_ms, 2000u);
  EXPECT_TRUE(mesh->h2_upgrade);
  EXPECT_EQ(mesh->locality_lb.enabled, false);
  ASSERT_TRUE(mesh->default_http_retry);
  EXPECT_EQ(mesh->default_http_retry->attempts, 1);

  const auto sha = [](const Rendered& rendered) {
    return str(rendered.one("Deployment"),
               {"spec", "template", "metadata", "annotations", "meshward.io/mesh-config-sha256"});
  };
  EXPECT_EQ(sha(r).size(), 64u);
  EXPECT_EQ(sha(r), sha(with("istio-config")));
  EXPECT_NE(sha(r), sha(with("mesh-root")));

  for (const char* value : {"meshConfig.outboundTrafficPolicy.mode=NONE",
                            "meshConfig.h2UpgradePolicy=ALWAYS",
                            "meshConfig.defaultHttpRetryPolicy.attempts=-1"}) {
    EXPECT_NE(render({"--set", value}).command.status, 0) << value;
  }
}

TEST(Chart, NamesFollowTheReleaseAndClusterObjectsIncludeTheNamespace) {
  const Rendered r = render_ok({}, "meshward", "istio-config");
  EXPECT_EQ(str(r.one("Deployment"), {"metadata", "name"}), "meshward");
  EXPECT_EQ(str(r.one("ValidatingWebhookConfiguration"), {"metadata", "name"}), "meshward-istio-config");
  EXPECT_EQ(str(r.one("ClusterRole"), {"metadata", "name"}), "meshward-istio-config");
  EXPECT_EQ(str(get(webhook(r), {"clientConfig", "service"}), {"namespace"}), "istio-config");
  const std::string ca = base64_decode(str(webhook(r), {"clientConfig", "caBundle"}));
  const YAML::Node secret = r.one("Secret", tls_secret_name(r));
  EXPECT_EQ(verify_serving_pair(ca, base64_decode(str(secret, {"data", "tls.crt"})),
                                base64_decode(str(secret, {"data", "tls.key"})), "meshward.istio-config.svc"),
            "");
}

TEST(Chart, SchemaRejectsWrongValues) {
  for (const char* value : {"webhook.failurePolicy=Sometimes", "webhook.timeoutSeconds=31",
                                   "webhook.failurepolicy=Fail", "policy.severities.error=block",
                                   "policy.namespaces.legacy=maybe", "certificates.mode=manual",
                                   "podAntiAffinity=always", "replicaCount=0", "policy.rules.MW21=warn",
                                   "policy.namespaces.Legacy_NS=warn", "policy.requireEgressGateway=maybe"}) {
    const Rendered r = render({"--set", value});
    EXPECT_NE(r.command.status, 0) << value;
    EXPECT_NE(r.command.err.find("schema"), std::string::npos) << value << ": " << r.command.err;
  }
}

// ---------------------------------------------------------------------------------------
// What the operator reads

TEST(Chart, NotesShowADryRunOfTheDemoThatMeshwardDenies) {
  const std::string command = "KUBECONFIG=/dev/null " + helm() + " install " + kRelease + " " +
                              quote(kChart.string()) + " --namespace " + kNamespace + " --dry-run=client";
  const Command c = run(command);
  ASSERT_EQ(c.status, 0) << c.err;
  const auto notes_at = c.out.find("NOTES:");
  ASSERT_NE(notes_at, std::string::npos);
  const std::string notes = c.out.substr(notes_at);
  // The demo object (ctest's chart_demo_is_denied runs `meshward check` on the same file),
  // applied as a server-side dry run in a namespace the webhook covers.
  std::string demo = read_file(kChart / "files" / "demo-virtualservice.yaml");
  while (!demo.empty() && demo.back() == '\n') {
    demo.pop_back();
  }
  EXPECT_NE(notes.find("kubectl apply --dry-run=server -n default -f - <<'EOF'\n" + demo + "\nEOF\n"),
            std::string::npos)
      << notes;
  EXPECT_NE(notes.find("rollout status deployment/" + std::string(kFullname)), std::string::npos) << notes;
}

// Every leaf of values.yaml, as a dotted path ("webhook.failurePolicy").
void value_paths(const YAML::Node& node, const std::string& prefix, std::vector<std::string>& out) {
  if (node.IsMap() && node.size() > 0) {
    for (const auto& entry : node) {
      value_paths(entry.second, prefix.empty() ? entry.first.Scalar() : prefix + "." + entry.first.Scalar(), out);
    }
    return;
  }
  out.push_back(prefix);
}

TEST(Chart, ReadmeDescribesEveryValue) {
  const std::string readme = read_file(kChart / "README.md");
  std::vector<std::string> paths;
  value_paths(YAML::LoadFile((kChart / "values.yaml").string()), "", paths);
  ASSERT_GT(paths.size(), 30u);
  for (const auto& path : paths) {
    EXPECT_NE(readme.find("| `" + path + "` |"), std::string::npos) << "chart README has no row for " << path;
  }
}

}  // namespace
}  // namespace meshward
