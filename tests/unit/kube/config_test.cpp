// Cluster configuration: in-cluster service-account files, kubeconfig loading and merging
// (client-go's clientcmd semantics), resolve_config's order, TokenSource re-reads and
// parse_server_url. Every file lives in a fresh temp directory; environment variables a test
// sets are restored when it ends. PEM values are short fake strings: config loading does not
// validate PEM content (TLS setup does), it only decodes base64 and reads files.

#include "meshward/kube/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace meshward::kube {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kCaPem = "-----BEGIN CERTIFICATE-----\nFAKE-CA\n-----END CERTIFICATE-----\n";
constexpr const char* kCertPem = "-----BEGIN CERTIFICATE-----\nFAKE-CLIENT\n-----END CERTIFICATE-----\n";
constexpr const char* kKeyPem = "-----BEGIN PRIVATE KEY-----\nFAKE-KEY\n-----END PRIVATE KEY-----\n";

// Standard base64 with padding, written independently of the code under test.
std::string b64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (in.size() - i == 1) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (in.size() - i == 2) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Sets (or unsets, with nullopt) an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
    }
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "meshward-kcfg-test-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
    }
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  std::string file(const std::string& relative) const { return (path_ / relative).string(); }

  // Writes `text` to `relative` (creating directories); returns the absolute path.
  std::string write(const std::string& relative, std::string_view text) const {
    const fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    return p.string();
  }

 private:
  fs::path path_;
};

// Sets a file's mtime to `seconds` since the epoch, so tests do not depend on clock ticks.
void set_mtime(const std::string& path, time_t seconds) {
  timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

time_t mtime_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mtim.tv_sec;
}

// A one-cluster, one-user, one-context kubeconfig; `cluster` and `user` are the bodies
// (indented 4 spaces).
std::string kubeconfig(const std::string& cluster, const std::string& user,
                       const std::string& extra_context = "") {
  return "apiVersion: v1\nkind: Config\n"
         "clusters:\n- name: prod\n  cluster:\n" + cluster +
         "users:\n- name: admin\n  user:\n" + user +
         "contexts:\n- name: prod-admin\n  context:\n    cluster: prod\n    user: admin\n" + extra_context +
         "current-context: prod-admin\n";
}

// ---- in-cluster --------------------------------------------------------------------------

class InClusterConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("token", "in-cluster-token\n");
    dir_.write("ca.crt", kCaPem);
    dir_.write("namespace", "istio-system\n");
  }
  TempDir dir_;
  ScopedEnv pod_namespace_{"POD_NAMESPACE", std::nullopt};
};

TEST_F(InClusterConfigTest, ExplicitHostAndPort) {
  auto config = in_cluster_config({dir_.path().string(), "10.96.0.1", "443"});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->host, "10.96.0.1");
  EXPECT_EQ(config->port, "443");
  EXPECT_EQ(config->ca_pem, kCaPem);
  EXPECT_EQ(config->token_file, dir_.file("token"));
  EXPECT_EQ(config->token, "");  // The token is a file, re-read when it rotates.
  EXPECT_EQ(config->default_namespace, "istio-system");
  EXPECT_EQ(config->source, "in-cluster");
  EXPECT_FALSE(config->insecure_skip_verify);
  TokenSource tokens(*config);
  EXPECT_EQ(tokens.token(), "in-cluster-token");
}

TEST_F(InClusterConfigTest, HostAndPortFromEnvironment) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00:10:96::1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "6443");
  auto config = in_cluster_config({dir_.path().string(), "", ""});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->host, "fd00:10:96::1");
  EXPECT_EQ(config->port, "6443");
}

TEST_F(InClusterConfigTest, PodNamespaceEnvironmentWinsThenDefault) {
  {
    ScopedEnv ns("POD_NAMESPACE", "from-downward-api");
    auto config = in_cluster_config({dir_.path().string(), "10.0.0.1", "443"});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->default_namespace, "from-downward-api");
  }
  fs::remove(dir_.file("namespace"));
  auto config = in_cluster_config({dir_.path().string(), "10.0.0.1", "443"});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->default_namespace, "default");
}

TEST_F(InClusterConfigTest, MissingEnvironmentIsAnError) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
  ScopedEnv port("KUBERNETES_SERVICE_PORT", std::nullopt);
  auto config = in_cluster_config({dir_.path().string(), "", ""});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("KUBERNETES_SERVICE_HOST"));
  EXPECT_THAT(config.error().message, HasSubstr("KUBERNETES_SERVICE_PORT"));

  ScopedEnv only_host("KUBERNETES_SERVICE_HOST", "10.0.0.1");
  EXPECT_FALSE(in_cluster_config({dir_.path().string(), "", ""}).ok());
}

TEST_F(InClusterConfigTest, MissingTokenIsAnError) {
  fs::remove(dir_.file("token"));
  auto config = in_cluster_config({dir_.path().string(), "10.0.0.1", "443"});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr(dir_.file("token")));
  EXPECT_THAT(config.error().message, HasSubstr("No such file"));
}

TEST_F(InClusterConfigTest, EmptyTokenIsAnError) {
  dir_.write("token", "\n");
  auto config = in_cluster_config({dir_.path().string(), "10.0.0.1", "443"});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("is empty"));
}

TEST_F(InClusterConfigTest, MissingCaIsAnError) {
  fs::remove(dir_.file("ca.crt"));
  auto config = in_cluster_config({dir_.path().string(), "10.0.0.1", "443"});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr(dir_.file("ca.crt")));
}

TEST_F(InClusterConfigTest, BadPortIsAnError) {
  auto config = in_cluster_config({dir_.path().string(), "10.0.0.1", "https"});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("KUBERNETES_SERVICE_PORT \"https\""));
}

// ---- kubeconfig --------------------------------------------------------------------------

TEST(KubeconfigConfig, DataFieldsAreBase64Decoded) {
  TempDir dir;
  const std::string file = dir.write(
      "config", kubeconfig("    server: https://api.example.com:6443\n"
                           "    certificate-authority-data: " + b64(kCaPem) + "\n",
                           "    client-certificate-data: " + b64(kCertPem) + "\n"
                           "    client-key-data: " + b64(kKeyPem) + "\n",
                           "    namespace: mesh\n"));
  auto config = kubeconfig_config({file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->host, "api.example.com");
  EXPECT_EQ(config->port, "6443");
  EXPECT_EQ(config->ca_pem, kCaPem);
  EXPECT_EQ(config->client_cert_pem, kCertPem);
  EXPECT_EQ(config->client_key_pem, kKeyPem);
  EXPECT_EQ(config->token, "");
  EXPECT_EQ(config->token_file, "");
  EXPECT_EQ(config->default_namespace, "mesh");
  EXPECT_EQ(config->source, "kubeconfig " + file + ", context prod-admin");
}

// yaml-cpp 0.7 loops forever on a ',' where a token starts outside a flow collection (found by
// fuzz_kubeconfig's sibling fuzz_policy); the file is refused before yaml-cpp reads it.
TEST(KubeconfigConfig, TextYamlCppWouldLoopOnIsAnError) {
  TempDir dir;
  const std::string file = dir.write("config", "!!ma,a");
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("unexpected ','"), std::string::npos)
      << config.error().message;
}

TEST(KubeconfigConfig, Base64PaddingAndLineBreaks) {
  TempDir dir;
  // Lengths 3k, 3k+1 and 3k+2 give no padding, "==" and "=".
  for (const std::string pem : {"abc", "abcd", "abcde", "-----BEGIN X-----\n\x01\xff\n-----END X-----\n"}) {
    const std::string file = dir.write(
        "config", kubeconfig("    server: https://h\n    certificate-authority-data: " + b64(pem) + "\n", ""));
    auto config = kubeconfig_config({file});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->ca_pem, pem) << b64(pem);
  }
  // A literal block scalar: base64 wrapped at 16 columns, as `base64 -w16` prints it.
  const std::string encoded = b64(kCaPem);
  std::string wrapped;
  for (std::size_t i = 0; i < encoded.size(); i += 16) {
    wrapped += "      " + encoded.substr(i, 16) + "\n";
  }
  const std::string file = dir.write(
      "config", kubeconfig("    server: https://h\n    certificate-authority-data: |\n" + wrapped, ""));
  auto config = kubeconfig_config({file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->ca_pem, kCaPem);
}

TEST(KubeconfigConfig, InvalidBase64NamesTheField) {
  TempDir dir;
  for (const std::string bad : {"YWJjZA", "YQ=x", "Y===", "a$bc", "-----BEGIN CERTIFICATE-----"}) {
    const std::string file = dir.write(
        "config", kubeconfig("    server: https://h\n    certificate-authority-data: \"" + bad + "\"\n", ""));
    auto config = kubeconfig_config({file});
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_EQ(config.error().message,
              "kubeconfig " + file +
                  ": cluster \"prod\": certificate-authority-data is not valid base64 (it holds the PEM "
                  "text base64-encoded)");
  }
}

TEST(KubeconfigConfig, FileFieldsResolveAgainstTheKubeconfigDirectory) {
  TempDir dir;
  dir.write("kube/ca.crt", kCaPem);
  dir.write("certs/client.crt", kCertPem);
  const std::string key = dir.write("elsewhere/client.key", kKeyPem);
  const std::string file = dir.write(
      "kube/config", kubeconfig("    server: https://h\n    certificate-authority: ca.crt\n",
                                "    client-certificate: ../certs/client.crt\n"
                                "    client-key: " + key + "\n"));
  // Loaded from another working directory: relative paths follow the file, not the cwd.
  auto config = kubeconfig_config({file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->ca_pem, kCaPem);
  EXPECT_EQ(config->client_cert_pem, kCertPem);
  EXPECT_EQ(config->client_key_pem, kKeyPem);
}

TEST(KubeconfigConfig, MissingReferencedFileNamesKubeconfigAndPath) {
  TempDir dir;
  const std::string file =
      dir.write("config", kubeconfig("    server: https://h\n    certificate-authority: nope/ca.crt\n", ""));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message, "kubeconfig " + file + ": cluster \"prod\": certificate-authority " +
                                        dir.file("nope/ca.crt") + ": cannot read: No such file or directory");
}

TEST(KubeconfigConfig, StaticToken) {
  TempDir dir;
  const std::string file = dir.write("config", kubeconfig("    server: https://h\n", "    token: s3cr3t\n"));
  auto config = kubeconfig_config({file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->token, "s3cr3t");
  EXPECT_EQ(config->token_file, "");
  EXPECT_EQ(config->default_namespace, "default");
  TokenSource tokens(*config);
  EXPECT_EQ(tokens.token(), "s3cr3t");
}

TEST(KubeconfigConfig, TokenFileIsRelativeAndRead) {
  TempDir dir;
  dir.write("kube/token", "from-file\n");
  const std::string file =
      dir.write("kube/config", kubeconfig("    server: https://h\n", "    tokenFile: token\n"));
  auto config = kubeconfig_config({file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->token_file, dir.file("kube/token"));
  TokenSource tokens(*config);
  EXPECT_EQ(tokens.token(), "from-file");
}

TEST(KubeconfigConfig, UnreadableTokenFileWithoutTokenIsAnError) {
  TempDir dir;
  const std::string file = dir.write("config", kubeconfig("    server: https://h\n", "    tokenFile: gone\n"));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message, "kubeconfig " + file + ": user \"admin\": tokenFile " + dir.file("gone") +
                                        ": cannot read: No such file or directory");
}

TEST(KubeconfigConfig, TokenFileWinsOverTokenAndTokenIsTheFallback) {
  TempDir dir;
  const std::string file = dir.write(
      "config", kubeconfig("    server: https://h\n", "    token: static\n    tokenFile: token\n"));
  auto config = kubeconfig_config({file});  // The file does not exist yet: token covers it.
  ASSERT_TRUE(config.ok()) << config.error().message;
  TokenSource tokens(*config);
  EXPECT_EQ(tokens.token(), "static");
  dir.write("token", "rotated");
  EXPECT_EQ(tokens.token(), "rotated");
}

TEST(KubeconfigConfig, InsecureAndTlsServerName) {
  TempDir dir;
  const std::string file = dir.write(
      "config", kubeconfig("    server: https://10.1.2.3:8443\n    insecure-skip-tls-verify: true\n"
                           "    tls-server-name: kubernetes.default.svc\n",
                           "    token: t\n"));
  auto config = kubeconfig_config({file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->insecure_skip_verify);
  EXPECT_EQ(config->tls_server_name, "kubernetes.default.svc");
  EXPECT_EQ(config->host, "10.1.2.3");
  EXPECT_EQ(config->port, "8443");
  EXPECT_EQ(config->ca_pem, "");
}

TEST(KubeconfigConfig, InsecureWithCaIsAnError) {
  TempDir dir;
  const std::string file = dir.write(
      "config", kubeconfig("    server: https://h\n    insecure-skip-tls-verify: true\n"
                           "    certificate-authority-data: " + b64(kCaPem) + "\n",
                           ""));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("cluster \"prod\": insecure-skip-tls-verify and a certificate-authority"));
}

TEST(KubeconfigConfig, DataAndFileBothSetIsAnError) {
  TempDir dir;
  dir.write("ca.crt", kCaPem);
  const std::string file = dir.write(
      "config", kubeconfig("    server: https://h\n    certificate-authority: ca.crt\n"
                           "    certificate-authority-data: " + b64(kCaPem) + "\n",
                           ""));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message,
              HasSubstr("certificate-authority-data and certificate-authority are both set"));
}

TEST(KubeconfigConfig, ClientCertificateNeedsAKey) {
  TempDir dir;
  const std::string file = dir.write(
      "config", kubeconfig("    server: https://h\n", "    client-certificate-data: " + b64(kCertPem) + "\n"));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("user \"admin\": client-certificate is set without client-key"));
}

TEST(KubeconfigConfig, ExplicitContextAndCurrentContext) {
  TempDir dir;
  const std::string file = dir.write("config", R"(apiVersion: v1
kind: Config
current-context: staging
clusters:
- name: prod
  cluster: {server: "https://prod.example.com"}
- name: staging
  cluster: {server: "https://staging.example.com:7443"}
users:
- name: alice
  user: {token: alice-token}
- name: bob
  user: {token: bob-token}
contexts:
- name: prod
  context: {cluster: prod, user: alice, namespace: payments}
- name: staging
  context: {cluster: staging, user: bob}
)");
  auto current = kubeconfig_config({file});
  ASSERT_TRUE(current.ok()) << current.error().message;
  EXPECT_EQ(current->host, "staging.example.com");
  EXPECT_EQ(current->port, "7443");
  EXPECT_EQ(current->token, "bob-token");
  EXPECT_EQ(current->default_namespace, "default");
  EXPECT_EQ(current->source, "kubeconfig " + file + ", context staging");

  auto explicit_context = kubeconfig_config({file}, "prod");
  ASSERT_TRUE(explicit_context.ok()) << explicit_context.error().message;
  EXPECT_EQ(explicit_context->host, "prod.example.com");
  EXPECT_EQ(explicit_context->port, "443");
  EXPECT_EQ(explicit_context->token, "alice-token");
  EXPECT_EQ(explicit_context->default_namespace, "payments");
  EXPECT_EQ(explicit_context->source, "kubeconfig " + file + ", context prod");
}

TEST(KubeconfigConfig, ContextWithoutUserIsAnonymous) {
  TempDir dir;
  const std::string file = dir.write("config", R"(
clusters: [{name: c, cluster: {server: "https://h"}}]
contexts: [{name: x, context: {cluster: c}}]
current-context: x
)");
  auto config = kubeconfig_config({file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->token, "");
  EXPECT_EQ(config->client_cert_pem, "");
}

TEST(KubeconfigConfig, MultiFileMergeFirstDefinitionWins) {
  TempDir dir;
  // a: no current-context; defines cluster "shared" (wins) and user "u" with a relative CA.
  dir.write("a/ca.crt", "CA-FROM-A");
  const std::string a = dir.write("a/config", R"(
clusters:
- name: shared
  cluster: {server: "https://a.example.com", certificate-authority: ca.crt}
users:
- name: u
  user: {token: token-from-a}
)");
  // b: sets current-context first; its "shared" and "u" lose to a's; it defines the context.
  const std::string b = dir.write("b/config", R"(
current-context: ctx-b
clusters:
- name: shared
  cluster: {server: "https://b.example.com"}
users:
- name: u
  user: {token: token-from-b}
contexts:
- name: ctx-b
  context: {cluster: shared, user: u, namespace: from-b}
- name: ctx-c
  context: {cluster: shared, user: u, namespace: from-b}
)");
  // c: a later current-context and a later ctx-b that must both be ignored.
  const std::string c = dir.write("c/config", R"(
current-context: ctx-c
contexts:
- name: ctx-b
  context: {cluster: shared, user: u, namespace: from-c}
)");
  auto config = kubeconfig_config({a, b, c});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->host, "a.example.com");
  EXPECT_EQ(config->ca_pem, "CA-FROM-A");  // Relative to a/, where the cluster is defined.
  EXPECT_EQ(config->token, "token-from-a");
  EXPECT_EQ(config->default_namespace, "from-b");
  EXPECT_EQ(config->source, "kubeconfig " + b + ", context ctx-b");

  // Reversed order: c's current-context and c's ctx-b win, b's cluster and user.
  auto reversed = kubeconfig_config({c, b, a});
  ASSERT_TRUE(reversed.ok()) << reversed.error().message;
  EXPECT_EQ(reversed->default_namespace, "from-b");  // ctx-c is defined only in b.
  EXPECT_EQ(reversed->source, "kubeconfig " + b + ", context ctx-c");
  EXPECT_EQ(reversed->host, "b.example.com");
  EXPECT_EQ(reversed->token, "token-from-b");

  auto ctx_b = kubeconfig_config({c, b, a}, "ctx-b");
  ASSERT_TRUE(ctx_b.ok()) << ctx_b.error().message;
  EXPECT_EQ(ctx_b->default_namespace, "from-c");
}

TEST(KubeconfigConfig, MissingFilesInAListAreSkipped) {
  TempDir dir;
  const std::string file = dir.write("config", kubeconfig("    server: https://h\n", "    token: t\n"));
  auto config = kubeconfig_config({dir.file("missing"), file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->token, "t");

  auto alone = kubeconfig_config({dir.file("missing")});
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().message, "kubeconfig " + dir.file("missing") + ": cannot read: No such file or directory");

  auto none = kubeconfig_config({dir.file("m1"), dir.file("m2")});
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().message, HasSubstr(dir.file("m1")));
  EXPECT_THAT(none.error().message, HasSubstr(dir.file("m2")));
}

TEST(KubeconfigConfig, DirectoryIsAnError) {
  TempDir dir;
  fs::create_directories(dir.file("kube"));
  auto config = kubeconfig_config({dir.file("kube")});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message, "kubeconfig " + dir.file("kube") + ": cannot read: Is a directory");
}

TEST(KubeconfigConfig, Ipv6Server) {
  TempDir dir;
  const std::string file = dir.write("config", kubeconfig("    server: https://[fd00::10]:6443\n", ""));
  auto config = kubeconfig_config({file});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->host, "fd00::10");
  EXPECT_EQ(config->port, "6443");
}

TEST(KubeconfigConfig, ExecUserIsRefused) {
  TempDir dir;
  const std::string file = dir.write(
      "config", kubeconfig("    server: https://h\n",
                           "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws\n"));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "kubeconfig " + file +
                ": user \"admin\": exec credential plugins are not supported; use a token or a client certificate");
}

TEST(KubeconfigConfig, AuthProviderUserIsRefused) {
  TempDir dir;
  const std::string file =
      dir.write("config", kubeconfig("    server: https://h\n", "    auth-provider:\n      name: gcp\n"));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "kubeconfig " + file +
                ": user \"admin\": auth-provider plugins are not supported; use a token or a client certificate");
}

TEST(KubeconfigConfig, UsernamePasswordUserIsRefused) {
  TempDir dir;
  const std::string file =
      dir.write("config", kubeconfig("    server: https://h\n", "    username: admin\n    password: hunter2\n"));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("kubeconfig " + file + ": user \"admin\": username/password"));
  EXPECT_THAT(config.error().message, ::testing::Not(HasSubstr("hunter2")));
}

TEST(KubeconfigConfig, ImpersonationIsRefused) {
  TempDir dir;
  const std::string file = dir.write("config", kubeconfig("    server: https://h\n", "    token: t\n    as: bob\n"));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("user \"admin\": as (impersonation) is not supported"));
}

TEST(KubeconfigConfig, MissingCurrentContext) {
  TempDir dir;
  const std::string file = dir.write("config", R"(
clusters: [{name: c, cluster: {server: "https://h"}}]
contexts: [{name: x, context: {cluster: c}}]
)");
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message, "kubeconfig " + file + ": current-context is not set; set it or pass a context");
  EXPECT_TRUE(kubeconfig_config({file}, "x").ok());
}

TEST(KubeconfigConfig, UnknownContext) {
  TempDir dir;
  const std::string file = dir.write("config", kubeconfig("    server: https://h\n", ""));
  auto config = kubeconfig_config({file}, "nope");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message, "kubeconfig " + file + ": context \"nope\" is not defined");
}

TEST(KubeconfigConfig, ContextReferencesUndefinedClusterOrUser) {
  TempDir dir;
  const std::string file = dir.write("config", R"(
clusters: [{name: c, cluster: {server: "https://h"}}]
contexts:
- {name: no-cluster, context: {cluster: gone}}
- {name: no-user, context: {cluster: c, user: ghost}}
)");
  auto no_cluster = kubeconfig_config({file}, "no-cluster");
  ASSERT_FALSE(no_cluster.ok());
  EXPECT_THAT(no_cluster.error().message, HasSubstr("context \"no-cluster\": cluster \"gone\" is not defined"));
  auto no_user = kubeconfig_config({file}, "no-user");
  ASSERT_FALSE(no_user.ok());
  EXPECT_THAT(no_user.error().message, HasSubstr("context \"no-user\": user \"ghost\" is not defined"));
}

TEST(KubeconfigConfig, HttpServerIsRefused) {
  TempDir dir;
  const std::string file = dir.write("config", kubeconfig("    server: http://h:8080\n", ""));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("kubeconfig " + file + ": cluster \"prod\": server \"http://h:8080\""));
  EXPECT_THAT(config.error().message, HasSubstr("https"));
}

TEST(KubeconfigConfig, ClusterWithoutServer) {
  TempDir dir;
  const std::string file = dir.write("config", kubeconfig("    insecure-skip-tls-verify: true\n", ""));
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message, "kubeconfig " + file + ": cluster \"prod\": server is not set");
}

TEST(KubeconfigConfig, MalformedFiles) {
  TempDir dir;
  const std::string yaml = dir.write("bad-yaml", "clusters: [unterminated\n");
  auto bad = kubeconfig_config({yaml});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("kubeconfig " + yaml + ": not valid YAML"));

  const std::string dup = dir.write("dup", R"(
clusters:
- {name: c, cluster: {server: "https://a"}}
- {name: c, cluster: {server: "https://b"}}
)");
  auto duplicate = kubeconfig_config({dup});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().message, "kubeconfig " + dup + ": clusters: duplicate name \"c\"");

  const std::string shape = dir.write("shape", "clusters: {c: {server: x}}\n");
  auto wrong_shape = kubeconfig_config({shape});
  ASSERT_FALSE(wrong_shape.ok());
  EXPECT_EQ(wrong_shape.error().message, "kubeconfig " + shape + ": clusters must be a list");

  const std::string flag = dir.write("flag", kubeconfig("    server: https://h\n    insecure-skip-tls-verify: maybe\n", ""));
  auto bad_flag = kubeconfig_config({flag});
  ASSERT_FALSE(bad_flag.ok());
  EXPECT_THAT(bad_flag.error().message, HasSubstr("insecure-skip-tls-verify must be true or false"));
}

TEST(KubeconfigConfig, EmptyFileHasNoContext) {
  TempDir dir;
  const std::string file = dir.write("config", "");
  auto config = kubeconfig_config({file});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("current-context is not set"));
}

// ---- resolve_config ----------------------------------------------------------------------

class ResolveConfigTest : public ::testing::Test {
 protected:
  std::string write_config(const std::string& relative, const std::string& server) {
    return dir_.write(relative, kubeconfig("    server: " + server + "\n", "    token: t\n"));
  }
  TempDir dir_;
  ScopedEnv kubeconfig_{"KUBECONFIG", std::nullopt};
  ScopedEnv service_host_{"KUBERNETES_SERVICE_HOST", std::nullopt};
  ScopedEnv service_port_{"KUBERNETES_SERVICE_PORT", std::nullopt};
  ScopedEnv home_{"HOME", std::nullopt};
};

TEST_F(ResolveConfigTest, FlagWinsOverEnvironment) {
  const std::string flag = write_config("flag", "https://flag.example.com");
  const std::string env = write_config("env", "https://env.example.com");
  ScopedEnv list("KUBECONFIG", env);
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.0.0.1");
  auto config = resolve_config(flag);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->host, "flag.example.com");
}

TEST_F(ResolveConfigTest, KubeconfigListIsMerged) {
  const std::string first = dir_.write("first", "current-context: prod-admin\n");
  const std::string second = write_config("second", "https://second.example.com");
  ScopedEnv list("KUBECONFIG", first + "::" + second);
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.0.0.1");  // KUBECONFIG wins over in-cluster.
  auto config = resolve_config("");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->host, "second.example.com");
  EXPECT_EQ(config->source, "kubeconfig " + second + ", context prod-admin");
}

TEST_F(ResolveConfigTest, InClusterWhenServiceHostIsSet) {
  if (fs::exists("/var/run/secrets/kubernetes.io/serviceaccount/token")) {
    GTEST_SKIP() << "running in a pod: the real service account would be used";
  }
  write_config(".kube/config", "https://home.example.com");
  ScopedEnv home("HOME", dir_.path().string());
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.0.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  auto config = resolve_config("");
  // In-cluster was chosen over ~/.kube/config: it fails on the missing service account token.
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.error().message, HasSubstr("/var/run/secrets/kubernetes.io/serviceaccount/token"));

  // A context names a kubeconfig entry, so it selects ~/.kube/config even in a pod.
  auto with_context = resolve_config("", "prod-admin");
  ASSERT_TRUE(with_context.ok()) << with_context.error().message;
  EXPECT_EQ(with_context->host, "home.example.com");
}

TEST_F(ResolveConfigTest, HomeKubeconfigLast) {
  const std::string file = write_config(".kube/config", "https://home.example.com");
  ScopedEnv home("HOME", dir_.path().string());
  auto config = resolve_config("");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->host, "home.example.com");
  EXPECT_EQ(config->source, "kubeconfig " + file + ", context prod-admin");

  fs::remove(file);
  auto missing = resolve_config("");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr(file));
}

// ---- TokenSource -------------------------------------------------------------------------

TEST(TokenSource, NoTokenAtAll) {
  TokenSource tokens(ClusterConfig{});
  EXPECT_EQ(tokens.token(), "");
}

TEST(TokenSource, ReReadsWhenTheFileChanges) {
  TempDir dir;
  ClusterConfig config;
  config.token_file = dir.write("token", "first\n");
  TokenSource tokens(config);
  EXPECT_EQ(tokens.token(), "first");
  dir.write("token", "second-token\r\n");  // Different length: the size alone shows the change.
  EXPECT_EQ(tokens.token(), "second-token");
}

TEST(TokenSource, SizeChangeSeenWithTheSameMtime) {
  TempDir dir;
  ClusterConfig config;
  config.token_file = dir.write("token", "short");
  set_mtime(config.token_file, 1'500'000);
  TokenSource tokens(config);
  EXPECT_EQ(tokens.token(), "short");
  dir.write("token", "much-longer");
  set_mtime(config.token_file, 1'500'000);
  EXPECT_EQ(tokens.token(), "much-longer");
}

TEST(TokenSource, SameSizeChangeSeenThroughMtime) {
  TempDir dir;
  ClusterConfig config;
  config.token_file = dir.write("token", "aaaa");
  set_mtime(config.token_file, 1'000'000);
  TokenSource tokens(config);
  EXPECT_EQ(tokens.token(), "aaaa");
  dir.write("token", "bbbb");
  set_mtime(config.token_file, 1'000'060);
  EXPECT_EQ(tokens.token(), "bbbb");
}

TEST(TokenSource, UnchangedStampIsNotReReadUntilInvalidated) {
  TempDir dir;
  ClusterConfig config;
  config.token_file = dir.write("token", "old1");
  set_mtime(config.token_file, 2'000'000);
  TokenSource tokens(config);
  EXPECT_EQ(tokens.token(), "old1");
  // Same inode, size and mtime: nothing says the file changed, so the cached token stays.
  dir.write("token", "new2");
  set_mtime(config.token_file, 2'000'000);
  ASSERT_EQ(mtime_of(config.token_file), 2'000'000);
  EXPECT_EQ(tokens.token(), "old1");
  tokens.invalidate();  // After a 401.
  EXPECT_EQ(tokens.token(), "new2");
}

TEST(TokenSource, ReplacedByRenameIsSeen) {
  TempDir dir;
  ClusterConfig config;
  config.token_file = dir.write("token", "kubelet1");
  set_mtime(config.token_file, 3'000'000);
  TokenSource tokens(config);
  EXPECT_EQ(tokens.token(), "kubelet1");
  // As the kubelet does: a new file with the same size and mtime renamed over the old one.
  const std::string staged = dir.write("token.tmp", "kubelet2");
  set_mtime(staged, 3'000'000);
  fs::rename(staged, config.token_file);
  EXPECT_EQ(tokens.token(), "kubelet2");
}

TEST(TokenSource, KeepsLastGoodTokenWhenTheFileCannotBeRead) {
  TempDir dir;
  ClusterConfig config;
  config.token_file = dir.write("token", "good");
  TokenSource tokens(config);
  EXPECT_EQ(tokens.token(), "good");
  fs::remove(config.token_file);
  EXPECT_EQ(tokens.token(), "good");
  tokens.invalidate();
  EXPECT_EQ(tokens.token(), "good");
  dir.write("token", "  \n");  // Caught mid-write: empty after trimming.
  EXPECT_EQ(tokens.token(), "good");
  dir.write("token", "better-token\n");
  EXPECT_EQ(tokens.token(), "better-token");
}

TEST(TokenSource, ConcurrentCallersSeeWholeTokens) {
  TempDir dir;
  ClusterConfig config;
  config.token_file = dir.write("token", "token-a");
  TokenSource tokens(config);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      while (!stop) {
        const std::string t = tokens.token();
        if (t != "token-a" && t != "token-bb") {
          ++bad;
        }
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    // Rename keeps each write atomic, so only whole tokens can be observed.
    const std::string staged = dir.write("staged", i % 2 == 0 ? "token-bb" : "token-a");
    fs::rename(staged, config.token_file);
    tokens.invalidate();
  }
  stop = true;
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(tokens.token(), "token-a");
}

// ---- parse_server_url --------------------------------------------------------------------

struct GoodUrl {
  const char* url;
  const char* host;
  const char* port;
};

TEST(ParseServerUrl, Accepted) {
  for (const GoodUrl& c : {GoodUrl{"https://example.com", "example.com", "443"},
                           GoodUrl{"https://example.com/", "example.com", "443"},
                           GoodUrl{"https://example.com:6443", "example.com", "6443"},
                           GoodUrl{"https://example.com:6443/", "example.com", "6443"},
                           GoodUrl{"HTTPS://Api.Example.com:1", "Api.Example.com", "1"},
                           GoodUrl{"https://10.96.0.1:65535", "10.96.0.1", "65535"},
                           GoodUrl{"https://[::1]", "::1", "443"},
                           GoodUrl{"https://[2001:db8::1]:6443/", "2001:db8::1", "6443"},
                           GoodUrl{"https://[::ffff:10.0.0.1]:8443", "::ffff:10.0.0.1", "8443"}}) {
    ClusterConfig out;
    auto r = parse_server_url(c.url, out);
    ASSERT_TRUE(r.ok()) << c.url << ": " << r.error().message;
    EXPECT_EQ(out.host, c.host) << c.url;
    EXPECT_EQ(out.port, c.port) << c.url;
  }
}

TEST(ParseServerUrl, Refused) {
  for (const char* url : {"http://example.com", "example.com:6443", "ftp://h", "https://", "https://:6443",
                          "https://h/api", "https://h:6443/k8s/clusters/c-1", "https://h?x=1", "https://h#frag",
                          "https://h:0", "https://h:65536", "https://h:http", "https://h:", "https://h:-1",
                          "https://user:pw@h", "https://[::1", "https://[::1]x", "https://[not-v6]:443",
                          "https://::1", "https://fd00::1:6443", "https://h o st", ""}) {
    ClusterConfig out;
    out.host = "unchanged";
    out.port = "1234";
    auto r = parse_server_url(url, out);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_THAT(r.error().message, HasSubstr("server \"" + std::string(url) + "\"")) << url;
    EXPECT_EQ(out.host, "unchanged") << url;
    EXPECT_EQ(out.port, "1234") << url;
  }
}

TEST(ParseServerUrl, MessagesSayWhatIsWrong) {
  ClusterConfig out;
  EXPECT_THAT(parse_server_url("http://h", out).error().message, HasSubstr("scheme \"http\" is not supported"));
  EXPECT_THAT(parse_server_url("https://h:99999", out).error().message, HasSubstr("port \"99999\""));
  EXPECT_THAT(parse_server_url("https://h/api", out).error().message, HasSubstr("\"/api\""));
  EXPECT_THAT(parse_server_url("https://fd00::1", out).error().message, HasSubstr("brackets"));
}

}  // namespace
}  // namespace meshward::kube
