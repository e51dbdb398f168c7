#include "meshward/kube/config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include "meshward/model/document.h"

namespace meshward::kube {

namespace {

namespace fs = std::filesystem;

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// The whole file, or an error text ("cannot read: No such file or directory"); errno_out
// lets callers tell a missing file from an unreadable one. POSIX calls rather than a stream
// so that a directory or an I/O error is reported with its errno, not read as "".
bool read_file(const std::string& path, std::string& out, std::string& error, int* errno_out = nullptr) {
  auto fail = [&](int err) {
    if (errno_out != nullptr) {
      *errno_out = err;
    }
    error = std::string("cannot read: ") + std::strerror(err);
    return false;
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(errno);
  }
  std::string data;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      data.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int err = errno;
      ::close(fd);
      return fail(err);
    }
  }
  ::close(fd);
  out = std::move(data);
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Like Go's strings.TrimSpace, as client-go applies to token and namespace files.
std::string trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

bool valid_port(std::string_view text) {
  unsigned port = 0;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), port);
  return !text.empty() && err == std::errc() && end == text.data() + text.size() && port >= 1 &&
         port <= 65535;
}

// Kubeconfig *-data fields are []byte in client-go, so they are standard base64 with padding.
// Go's decoder skips \r and \n; YAML folding can also leave spaces, so all whitespace is
// dropped before decoding. False for anything else that is not strict base64.
bool decode_base64(std::string_view text, std::string& out) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (!is_space(c)) {
      clean += c;
    }
  }
  if (clean.size() % 4 != 0) {
    return false;
  }
  std::size_t padding = 0;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    const char c = clean[i];
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '+' || c == '/';
    if (c == '=') {
      // Padding only at the very end, at most two characters.
      if (i + 2 < clean.size()) {
        return false;
      }
      ++padding;
    } else if (!alphabet || padding > 0) {
      return false;
    }
  }
  if (clean.empty()) {
    out.clear();
    return true;
  }
  std::string decoded(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) {
    return false;
  }
  // EVP_DecodeBlock counts the zero bytes that padding stands for; they are not data.
  decoded.resize(static_cast<std::size_t>(n) - padding);
  out = std::move(decoded);
  return true;
}

// DNS-1123 label, as client-go requires of a context's namespace.
bool valid_namespace(std::string_view ns) {
  if (ns.empty() || ns.size() > 63) {
    return false;
  }
  for (char c : ns) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return ns.front() != '-' && ns.back() != '-';
}

// ---- kubeconfig model ----------------------------------------------------------------

// One named entry (cluster, user or context) and the file it came from: errors name that
// file, and its relative paths resolve against that file's directory.
struct Entry {
  std::string file;
  std::string name;
  YAML::Node body;  // The "cluster"/"user"/"context" mapping; may be null.
};

struct Merged {
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::string current_context;
  std::vector<std::string> loaded;  // Files actually read, in order.
};

std::string file_error(const std::string& file, const std::string& what) {
  return "kubeconfig " + file + ": " + what;
}

// Adds one file's named list ("clusters", "users", "contexts") to `into`; an earlier file
// keeps its entry, as client-go's merge does. A name twice in one file is an error there.
Result<bool> merge_list(const YAML::Node& root, const std::string& file, const char* list,
                        const char* body_key, std::map<std::string, Entry>& into) {
  const YAML::Node items = root[list];
  if (!items || items.IsNull()) {
    return true;
  }
  if (!items.IsSequence()) {
    return Error{file_error(file, std::string(list) + " must be a list")};
  }
  std::set<std::string> seen_here;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const YAML::Node item = items[i];
    const std::string where = std::string(list) + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) {
      return Error{file_error(file, where + " must be a mapping with name and " + body_key)};
    }
    const YAML::Node name_node = item["name"];
    if (!name_node || !name_node.IsScalar() || name_node.Scalar().empty()) {
      return Error{file_error(file, where + " has no name")};
    }
    const std::string name = name_node.Scalar();
    if (seen_here.count(name) != 0) {
      return Error{file_error(file, std::string(list) + ": duplicate name " + in_quotes(name))};
    }
    seen_here.insert(name);
    const YAML::Node body = item[body_key];
    if (body && !body.IsNull() && !body.IsMap()) {
      return Error{file_error(file, where + " (" + in_quotes(name) + "): " + body_key + " must be a mapping")};
    }
    if (into.count(name) == 0) {
      into[name] = Entry{file, name, body.IsDefined() ? body : YAML::Node()};
    }
  }
  return true;
}

Result<bool> merge_file(const std::string& file, const std::string& text, Merged& merged) {
  if (auto why = model::yaml_guard(text)) {
    return Error{file_error(file, "not valid YAML: " + *why)};
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{file_error(file, "not valid YAML: " + std::string(e.what()))};
  }
  merged.loaded.push_back(file);
  if (!root || root.IsNull()) {
    return true;  // An empty kubeconfig is an empty config, as in client-go.
  }
  if (!root.IsMap()) {
    return Error{file_error(file, "not a kubeconfig (the document is not a mapping)")};
  }
  if (auto r = merge_list(root, file, "clusters", "cluster", merged.clusters); !r) {
    return r.error();
  }
  if (auto r = merge_list(root, file, "users", "user", merged.users); !r) {
    return r.error();
  }
  if (auto r = merge_list(root, file, "contexts", "context", merged.contexts); !r) {
    return r.error();
  }
  const YAML::Node current = std::as_const(root)["current-context"];
  if (merged.current_context.empty() && current && current.IsScalar()) {
    merged.current_context = current.Scalar();
  }
  return true;
}

// Reads fields of one entry, with errors that name the file, the entry and the field.
class Fields {
 public:
  Fields(const Entry& entry, std::string kind) : entry_(entry), kind_(std::move(kind)) {}

  std::string error(const std::string& what) const {
    return file_error(entry_.file, kind_ + " " + in_quotes(entry_.name) + ": " + what);
  }

  bool has(const char* key) const {
    if (!entry_.body || !entry_.body.IsMap()) {
      return false;
    }
    const YAML::Node v = entry_.body[key];
    return v && !v.IsNull();
  }

  Result<std::string> string(const char* key) const {
    if (!has(key)) {
      return std::string();
    }
    const YAML::Node v = entry_.body[key];
    if (!v.IsScalar()) {
      return Error{error(std::string(key) + " must be a string")};
    }
    return v.Scalar();
  }

  Result<bool> boolean(const char* key) const {
    if (!has(key)) {
      return false;
    }
    const YAML::Node v = entry_.body[key];
    bool b = false;
    if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) {
      return Error{error(std::string(key) + " must be true or false")};
    }
    return b;
  }

  // A path, resolved against the directory of the kubeconfig that holds it.
  Result<std::string> path(const char* key) const {
    auto p = string(key);
    if (!p || p->empty()) {
      return p;
    }
    fs::path value(*p);
    if (value.is_absolute()) {
      return value.lexically_normal().string();
    }
    std::error_code ec;
    fs::path base = fs::absolute(fs::path(entry_.file), ec).parent_path();
    if (ec) {
      return Error{error(std::string(key) + " " + *p + ": cannot resolve relative path: " + ec.message())};
    }
    return (base / value).lexically_normal().string();
  }

  // `<key>-data` (base64) or `<key>` (a file): the bytes, "" when neither is set.
  Result<std::string> data_or_file(const std::string& key) const {
    const std::string data_key = key + "-data";
    auto data = string(data_key.c_str());
    if (!data) {
      return data.error();
    }
    auto file = path(key.c_str());
    if (!file) {
      return file.error();
    }
    if (!data->empty() && !file->empty()) {
      return Error{error(data_key + " and " + key + " are both set; keep one")};
    }
    if (!data->empty()) {
      std::string decoded;
      if (!decode_base64(*data, decoded)) {
        return Error{error(data_key + " is not valid base64 (it holds the PEM text base64-encoded)")};
      }
      return decoded;
    }
    if (!file->empty()) {
      std::string contents;
      std::string why;
      if (!read_file(*file, contents, why)) {
        return Error{error(key + " " + *file + ": " + why)};
      }
      return contents;
    }
    return std::string();
  }

 private:
  const Entry& entry_;
  std::string kind_;
};

std::string file_list(const std::vector<std::string>& files) {
  std::string out = files.size() == 1 ? "kubeconfig " : "kubeconfigs ";
  for (std::size_t i = 0; i < files.size(); ++i) {
    out += (i == 0 ? "" : ", ") + files[i];
  }
  return out;
}

Result<bool> apply_cluster(const Entry& entry, ClusterConfig& out) {
  Fields f(entry, "cluster");
  if (f.has("proxy-url")) {
    return Error{f.error("proxy-url is not supported; meshward connects to the server directly")};
  }
  auto server = f.string("server");
  if (!server) {
    return server.error();
  }
  if (server->empty()) {
    return Error{f.error("server is not set")};
  }
  if (auto r = parse_server_url(*server, out); !r) {
    return Error{f.error(r.error().message)};
  }
  auto ca = f.data_or_file("certificate-authority");
  if (!ca) {
    return ca.error();
  }
  out.ca_pem = std::move(*ca);
  auto insecure = f.boolean("insecure-skip-tls-verify");
  if (!insecure) {
    return insecure.error();
  }
  out.insecure_skip_verify = *insecure;
  // client-go's transport refuses this pair too: one of the two is a mistake.
  if (out.insecure_skip_verify && !out.ca_pem.empty()) {
    return Error{f.error("insecure-skip-tls-verify and a certificate-authority are both set; keep one")};
  }
  auto server_name = f.string("tls-server-name");
  if (!server_name) {
    return server_name.error();
  }
  out.tls_server_name = std::move(*server_name);
  return true;
}

Result<bool> apply_user(const Entry& entry, ClusterConfig& out) {
  Fields f(entry, "user");
  if (f.has("exec")) {
    return Error{f.error("exec credential plugins are not supported; use a token or a client certificate")};
  }
  if (f.has("auth-provider")) {
    return Error{f.error("auth-provider plugins are not supported; use a token or a client certificate")};
  }
  if (f.has("username") || f.has("password")) {
    return Error{f.error("username/password (basic auth) is not supported; use a token or a client certificate")};
  }
  for (const char* key : {"as", "as-uid", "as-groups", "as-user-extra"}) {
    if (f.has(key)) {
      return Error{f.error(std::string(key) + " (impersonation) is not supported")};
    }
  }
  auto cert = f.data_or_file("client-certificate");
  if (!cert) {
    return cert.error();
  }
  auto key = f.data_or_file("client-key");
  if (!key) {
    return key.error();
  }
  if (!cert->empty() && key->empty()) {
    return Error{f.error("client-certificate is set without client-key(-data)")};
  }
  if (cert->empty() && !key->empty()) {
    return Error{f.error("client-key is set without client-certificate(-data)")};
  }
  out.client_cert_pem = std::move(*cert);
  out.client_key_pem = std::move(*key);
  auto token = f.string("token");
  if (!token) {
    return token.error();
  }
  out.token = std::move(*token);
  auto token_file = f.path("tokenFile");
  if (!token_file) {
    return token_file.error();
  }
  out.token_file = std::move(*token_file);
  // As client-go: with no static token to fall back on, the token file must be readable now.
  if (!out.token_file.empty() && out.token.empty()) {
    std::string contents;
    std::string why;
    if (!read_file(out.token_file, contents, why)) {
      return Error{f.error("tokenFile " + out.token_file + ": " + why)};
    }
    if (trim(contents).empty()) {
      return Error{f.error("tokenFile " + out.token_file + " is empty")};
    }
  }
  return true;
}

}  // namespace

// ---- in-cluster ------------------------------------------------------------------------

Result<ClusterConfig> in_cluster_config(const InClusterPaths& paths) {
  ClusterConfig out;
  out.host = paths.host.empty() ? env("KUBERNETES_SERVICE_HOST") : paths.host;
  out.port = paths.port.empty() ? env("KUBERNETES_SERVICE_PORT") : paths.port;
  if (out.host.empty() || out.port.empty()) {
    return Error{"in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set "
                 "(not running in a pod? pass --kubeconfig)"};
  }
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  if (!valid_port(out.port)) {
    return Error{"in-cluster config: KUBERNETES_SERVICE_PORT " + in_quotes(out.port) +
                 " is not a port number 1-65535"};
  }
  const std::string dir = paths.dir.empty() ? std::string(".") : paths.dir;
  out.token_file = dir + "/token";
  std::string contents;
  std::string why;
  if (!read_file(out.token_file, contents, why)) {
    return Error{"in-cluster config: service account token " + out.token_file + ": " + why};
  }
  if (trim(contents).empty()) {
    return Error{"in-cluster config: service account token " + out.token_file + " is empty"};
  }
  const std::string ca_file = dir + "/ca.crt";
  if (!read_file(ca_file, out.ca_pem, why)) {
    return Error{"in-cluster config: CA bundle " + ca_file + ": " + why};
  }
  if (trim(out.ca_pem).empty()) {
    return Error{"in-cluster config: CA bundle " + ca_file + " is empty"};
  }
  // client-go's order: $POD_NAMESPACE (downward API), the service account's namespace file,
  // then "default".
  out.default_namespace = trim(env("POD_NAMESPACE"));
  if (out.default_namespace.empty() && read_file(dir + "/namespace", contents, why)) {
    out.default_namespace = trim(contents);
  }
  if (out.default_namespace.empty()) {
    out.default_namespace = "default";
  }
  out.source = "in-cluster";
  return out;
}

// ---- kubeconfig ------------------------------------------------------------------------

Result<ClusterConfig> kubeconfig_config(const std::vector<std::string>& files, std::string_view context) {
  std::vector<std::string> named;
  for (const auto& f : files) {
    if (!f.empty()) {
      named.push_back(f);
    }
  }
  if (named.empty()) {
    return Error{"no kubeconfig file given"};
  }
  Merged merged;
  std::string first_missing;
  for (const auto& file : named) {
    std::string text;
    std::string why;
    int err = 0;
    if (!read_file(file, text, why, &err)) {
      // A missing file in a KUBECONFIG list is skipped, as client-go does; one that exists
      // but cannot be read is an error.
      if (err == ENOENT) {
        if (first_missing.empty()) {
          first_missing = file_error(file, why);
        }
        continue;
      }
      return Error{file_error(file, why)};
    }
    if (auto r = merge_file(file, text, merged); !r) {
      return r.error();
    }
  }
  if (merged.loaded.empty()) {
    return Error{named.size() == 1 ? first_missing : file_list(named) + ": none of these files exists"};
  }
  const std::string where = file_list(merged.loaded);

  std::string context_name(context);
  if (context_name.empty()) {
    context_name = merged.current_context;
    if (context_name.empty()) {
      return Error{where + ": current-context is not set; set it or pass a context"};
    }
  }
  auto ctx_it = merged.contexts.find(context_name);
  if (ctx_it == merged.contexts.end()) {
    return Error{where + ": context " + in_quotes(context_name) + " is not defined"};
  }
  const Entry& ctx = ctx_it->second;
  Fields cf(ctx, "context");

  ClusterConfig out;
  auto cluster_name = cf.string("cluster");
  if (!cluster_name) {
    return cluster_name.error();
  }
  if (cluster_name->empty()) {
    return Error{cf.error("cluster is not set")};
  }
  auto cl_it = merged.clusters.find(*cluster_name);
  if (cl_it == merged.clusters.end()) {
    return Error{cf.error("cluster " + in_quotes(*cluster_name) + " is not defined in " + where)};
  }
  if (auto r = apply_cluster(cl_it->second, out); !r) {
    return r.error();
  }

  auto user_name = cf.string("user");
  if (!user_name) {
    return user_name.error();
  }
  // A context without a user talks to the server anonymously (client-go: an empty AuthInfo).
  if (!user_name->empty()) {
    auto user_it = merged.users.find(*user_name);
    if (user_it == merged.users.end()) {
      return Error{cf.error("user " + in_quotes(*user_name) + " is not defined in " + where)};
    }
    if (auto r = apply_user(user_it->second, out); !r) {
      return r.error();
    }
  }

  auto ns = cf.string("namespace");
  if (!ns) {
    return ns.error();
  }
  if (!ns->empty() && !valid_namespace(*ns)) {
    return Error{cf.error("namespace " + in_quotes(*ns) + " is not a valid namespace name (DNS-1123 label)")};
  }
  out.default_namespace = ns->empty() ? "default" : *ns;
  out.source = "kubeconfig " + ctx.file + ", context " + context_name;
  return out;
}

// ---- resolution --------------------------------------------------------------------------

Result<ClusterConfig> resolve_config(std::string_view kubeconfig_flag, std::string_view context) {
  if (!kubeconfig_flag.empty()) {
    return kubeconfig_config({std::string(kubeconfig_flag)}, context);
  }
  const std::string list = env("KUBECONFIG");
  if (!list.empty()) {
    std::vector<std::string> files;
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t colon = list.find(':', start);
      if (colon == std::string::npos) {
        colon = list.size();
      }
      if (colon > start) {
        files.push_back(list.substr(start, colon - start));
      }
      start = colon + 1;
    }
    if (!files.empty()) {
      return kubeconfig_config(files, context);
    }
  }
  // A context names a kubeconfig entry, which the in-cluster config does not have.
  if (!env("KUBERNETES_SERVICE_HOST").empty() && context.empty()) {
    return in_cluster_config();
  }
  std::string home = env("HOME");
  if (home.empty()) {
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) {
      home = pw->pw_dir;
    }
  }
  if (home.empty()) {
    return Error{"no Kubernetes configuration: not in a cluster, $KUBECONFIG is unset and there is no "
                 "home directory for ~/.kube/config; pass --kubeconfig"};
  }
  return kubeconfig_config({home + "/.kube/config"}, context);
}

// ---- TokenSource -------------------------------------------------------------------------

TokenSource::TokenSource(const ClusterConfig& config)
    : static_token_(config.token), file_(config.token_file) {}

std::string TokenSource::token() {
  std::lock_guard lock(mutex_);
  if (file_.empty()) {
    return static_token_;
  }
  struct stat st {};
  if (::stat(file_.c_str(), &st) == 0) {
    // The inode is part of the stamp because the kubelet swaps projected tokens in with a
    // rename, which can keep the size and land within the same mtime tick.
    const std::string stamp = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                              std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
                              "." + std::to_string(st.st_mtim.tv_nsec);
    if (stamp != stamp_) {
      std::string contents;
      std::string why;
      if (read_file(file_, contents, why)) {
        std::string fresh = trim(contents);
        // An empty read is a file caught mid-write: keep the last good token, retry next call.
        if (!fresh.empty()) {
          cached_ = std::move(fresh);
          stamp_ = stamp;
        }
      }
    }
  }
  // Until the file has given a token, a static one (kubeconfig has both) is the fallback.
  return cached_.empty() ? static_token_ : cached_;
}

void TokenSource::invalidate() {
  std::lock_guard lock(mutex_);
  stamp_.clear();
}

// ---- server URL ----------------------------------------------------------------------------

Result<bool> parse_server_url(std::string_view url, ClusterConfig& out) {
  const std::string shown = "server " + in_quotes(url);
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Error{shown + ": not a URL; expected https://HOST[:PORT]"};
  }
  std::string scheme(url.substr(0, scheme_end));
  for (char& c : scheme) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (scheme != "https") {
    return Error{shown + ": scheme " + in_quotes(scheme) + " is not supported; meshward only talks https"};
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const auto path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    const std::string_view path = rest.substr(path_start);
    if (path != "/") {
      return Error{shown + ": a path, query or fragment (" + in_quotes(path) +
                   ") is not supported; the server must be at the root"};
    }
  }
  if (authority.find('@') != std::string_view::npos) {
    return Error{shown + ": credentials in the URL are not supported"};
  }
  std::string_view host;
  std::string_view port = "443";
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return Error{shown + ": unterminated [IPv6] address"};
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Error{shown + ": unexpected text after the [IPv6] address"};
      }
      port = after.substr(1);
    }
    unsigned char buf[16];
    if (inet_pton(AF_INET6, std::string(host).c_str(), buf) != 1) {
      return Error{shown + ": " + in_quotes(host) + " is not an IPv6 address"};
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.find(':') != std::string_view::npos) {
        return Error{shown + ": an IPv6 address must be in brackets, as https://[::1]:6443"};
      }
    }
    for (char c : host) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_';
      if (!ok) {
        return Error{shown + ": " + in_quotes(host) + " is not a host name or address"};
      }
    }
  }
  if (host.empty()) {
    return Error{shown + ": no host"};
  }
  if (!valid_port(port)) {
    return Error{shown + ": port " + in_quotes(port) + " is not a number 1-65535"};
  }
  out.host = std::string(host);
  out.port = std::string(port);
  return true;
}

}  // namespace meshward::kube
