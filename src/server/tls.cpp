#include "meshward/server/tls.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <utility>
#include <filesystem>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace meshward::server {

namespace {

// TLS 1.2 suites: forward secrecy and AEAD only (Mozilla "intermediate"); TLS 1.3 keeps
// OpenSSL's defaults, which are all modern.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_reason() {
  unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  if (code == 0) {
    return "unknown OpenSSL error";
  }
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// ALPN: we speak HTTP/1.1 only. Select it when offered; otherwise negotiate no protocol
// (never claim h2, which a client would then speak at us).
int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                const unsigned char* in, unsigned int inlen, void* /*arg*/) {
  static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in, inlen) ==
      OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

std::int64_t not_after_unix(const X509* cert) {
  const ASN1_TIME* t = X509_get0_notAfter(cert);
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    return 0;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

void stamp_file(const std::string& path, std::string& out) {
  struct stat st {};
  out += path;
  if (::stat(path.c_str(), &st) != 0) {
    out += "|missing\n";
    return;
  }
  out += '|' + std::to_string(st.st_ino) + '|' + std::to_string(st.st_size) + '|' +
         std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec) + '\n';
}

// The file cannot be opened at all: say so plainly (OpenSSL would say "system library").
std::optional<Error> unreadable(const std::string& path, const char* what) {
  if (path.empty()) {
    return Error{std::string(what) + ": no file given"};
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Error{std::string(what) + " " + path + ": cannot read: " + std::strerror(errno)};
  }
  std::fclose(f);
  return std::nullopt;
}

}  // namespace

std::string stamp_paths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::string out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> files;
      for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        const auto ext = it->path().extension().string();
        if (ext == ".yaml" || ext == ".yml" || ext == ".json") {
          files.push_back(it->path().string());
        }
      }
      std::sort(files.begin(), files.end());
      out += p + "|dir\n";
      for (const auto& f : files) {
        stamp_file(f, out);
      }
    } else {
      stamp_file(p, out);
    }
  }
  return out;
}

Result<std::shared_ptr<const TlsContext>> load_tls(const TlsFiles& files) {
  ERR_clear_error();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // Step 1: protocol floor and options. tls_server would allow SSLv3..TLS1.3; we allow 1.2+.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use | ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Error{"TLS: cannot set cipher list: " + openssl_reason()};
  }
  SSL_CTX_set_alpn_select_cb(native, &select_alpn, nullptr);

  // Step 2: certificate chain and key.
  for (auto [path, what] : {std::pair{&files.cert_file, "TLS certificate"}, std::pair{&files.key_file, "TLS key"}}) {
    if (auto err = unreadable(*path, what)) {
      return *err;
    }
  }
  error_code ec;
  ctx->use_certificate_chain_file(files.cert_file, ec);
  if (ec) {
    return Error{"TLS certificate " + files.cert_file + ": " + ec.message() +
                 " (expected a PEM certificate chain)"};
  }
  ctx->use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec) {
    return Error{"TLS key " + files.key_file + " does not load or does not match certificate " +
                 files.cert_file + ": " + ec.message() + " (expected the PEM private key of the certificate)"};
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Error{"TLS key " + files.key_file + " does not match certificate " + files.cert_file +
                 ": " + openssl_reason()};
  }

  // Step 3: optional client-certificate verification.
  if (!files.client_ca_file.empty()) {
    if (auto err = unreadable(files.client_ca_file, "TLS client CA")) {
      return *err;
    }
    ctx->load_verify_file(files.client_ca_file, ec);
    if (ec) {
      return Error{"TLS client CA " + files.client_ca_file + ": " + ec.message()};
    }
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }

  auto out = std::make_shared<TlsContext>();
  if (const X509* leaf = SSL_CTX_get0_certificate(native); leaf != nullptr) {
    out->not_after = not_after_unix(leaf);
    char name[512];
    X509_NAME_oneline(X509_get_subject_name(leaf), name, sizeof name);
    out->subject = name;
  }
  out->context = std::move(ctx);
  return std::shared_ptr<const TlsContext>(std::move(out));
}

Result<bool> TlsStore::load() {
  const std::string stamp = stamp_paths({files_.cert_file, files_.key_file, files_.client_ca_file});
  auto loaded = load_tls(files_);
  std::lock_guard lock(mutex_);
  stamp_ = stamp;
  if (!loaded) {
    return loaded.error();
  }
  current_ = std::move(*loaded);
  ++loads_;
  return true;
}

Result<bool> TlsStore::reload_if_changed() {
  {
    const std::string stamp =
        stamp_paths({files_.cert_file, files_.key_file, files_.client_ca_file});
    std::lock_guard lock(mutex_);
    if (stamp == stamp_) {
      return false;
    }
  }
  return load();
}

std::shared_ptr<const TlsContext> TlsStore::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::uint64_t TlsStore::loads() const {
  std::lock_guard lock(mutex_);
  return loads_;
}

}  // namespace meshward::server
