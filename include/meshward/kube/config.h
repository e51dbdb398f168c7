#pragma once
// Where the Kubernetes API server is and how to authenticate to it: from the in-cluster
// service-account files or from a kubeconfig, as client-go's clientcmd reads them.
//
// The bearer token of a service account rotates (projected tokens are refreshed by the
// kubelet about every hour), so a config that names a token file never caches the token
// for long: TokenSource re-reads the file whenever it changed.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/result.h"

namespace meshward::kube {

/// One API server and the credentials to use with it.
struct ClusterConfig {
  std::string host;              ///< Name or address, without brackets ("10.96.0.1", "::1").
  std::string port = "443";      ///< Decimal port.
  std::string ca_pem;            ///< PEM bundle that verifies the server; empty = system roots.
  bool insecure_skip_verify = false;  ///< kubeconfig insecure-skip-tls-verify.
  std::string tls_server_name;   ///< Name verified and sent as SNI; empty = host.
  std::string client_cert_pem;   ///< Client certificate chain (PEM), with client_key_pem.
  std::string client_key_pem;    ///< Client private key (PEM).
  std::string token;             ///< Static bearer token (kubeconfig `token`).
  std::string token_file;        ///< Bearer token file, re-read when it changes (wins over token).
  std::string default_namespace; ///< The context's or service account's namespace.
  std::string source;            ///< For logs: "in-cluster" or "kubeconfig FILE, context NAME".
};

/// Paths and environment the in-cluster configuration reads; defaults are the real ones.
struct InClusterPaths {
  std::string dir = "/var/run/secrets/kubernetes.io/serviceaccount";  ///< token, ca.crt, namespace
  std::string host;  ///< Empty: $KUBERNETES_SERVICE_HOST.
  std::string port;  ///< Empty: $KUBERNETES_SERVICE_PORT.
};

/// The in-cluster configuration: host/port from the environment, the CA bundle and the
/// namespace read now, the token as a file (re-read by TokenSource). Error when the
/// environment variables are unset or the token or CA file is unreadable.
Result<ClusterConfig> in_cluster_config(const InClusterPaths& paths = {});

/// The configuration a kubeconfig selects. `files` are merged like KUBECONFIG's list (the
/// first file that defines a name wins; current-context from the first file that sets it).
/// `context` empty = current-context. Supports: cluster `server` (https only),
/// `certificate-authority`(-data), `insecure-skip-tls-verify`, `tls-server-name`; user
/// `client-certificate`(-data), `client-key`(-data), `token`, `tokenFile`; context
/// `namespace`. Relative file paths resolve against the kubeconfig's directory. Error (naming
/// the file and field) for anything unusable, including `exec`/`auth-provider` users and
/// username/password, which meshward does not support.
Result<ClusterConfig> kubeconfig_config(const std::vector<std::string>& files,
                                        std::string_view context = {});

/// What `meshward serve` uses: `kubeconfig_flag` when given; else $KUBECONFIG (a
/// ':'-separated list) when set; else in-cluster when $KUBERNETES_SERVICE_HOST is set; else
/// ~/.kube/config. `context` as in kubeconfig_config(); a non-empty `context` skips the
/// in-cluster step, since it names a kubeconfig entry.
Result<ClusterConfig> resolve_config(std::string_view kubeconfig_flag, std::string_view context = {});

/// The bearer token to send now. Thread safety: token() may be called from any thread.
class TokenSource {
 public:
  explicit TokenSource(const ClusterConfig& config);
  /// The current token ("" when the config has none). With a token file, re-reads it when
  /// its size or mtime changed since the last read, at most once per call; a file that
  /// cannot be read keeps the last good token.
  std::string token();
  /// Forces a re-read on the next token() (after a 401: the token may have rotated).
  void invalidate();

 private:
  std::mutex mutex_;
  std::string static_token_;
  std::string file_;
  std::string stamp_;
  std::string cached_;
};

/// Splits "https://host:port" (or "https://[v6]:port", port defaulting to 443) into `out`.
/// Error for other schemes, paths other than "" or "/", or a bad port.
Result<bool> parse_server_url(std::string_view url, ClusterConfig& out);

}  // namespace meshward::kube
