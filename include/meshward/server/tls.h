#pragma once
// TLS for the webhook: server contexts built from PEM files (TLS 1.2 and 1.3 only, modern
// ciphers, ECDSA or RSA keys, ALPN http/1.1 or none, optional client-certificate
// verification), and the store that swaps in a new context when the files change.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "meshward/core/result.h"
#include "meshward/server/asio.h"

namespace meshward::server {

/// Where the serving certificate lives.
struct TlsFiles {
  std::string cert_file;       ///< PEM chain: the leaf first, then intermediates.
  std::string key_file;        ///< PEM private key (ECDSA or RSA) matching the leaf.
  std::string client_ca_file;  ///< PEM CA bundle; when set, clients must present a cert.
};

/// One loaded server context. Immutable after load; sessions keep the one they started
/// with alive through `context`.
struct TlsContext {
  std::shared_ptr<ssl::context> context;
  std::int64_t not_after = 0;  ///< Leaf certificate expiry, Unix seconds.
  std::string subject;         ///< Leaf subject, one line, for logs.
};

/// Builds a server context from `files`. The Error names the file and OpenSSL's reason
/// (missing file, not PEM, key does not match the certificate, CA unreadable).
Result<std::shared_ptr<const TlsContext>> load_tls(const TlsFiles& files);

/// The context new connections use. Thread safety: every method may be called from any
/// thread; a swap affects only connections accepted after it.
class TlsStore {
 public:
  explicit TlsStore(TlsFiles files) : files_(std::move(files)) {}

  /// Loads the files unconditionally (startup). On error the store keeps what it had.
  Result<bool> load();
  /// Reloads when any file's inode, size or mtime changed since the last load attempt.
  /// Returns true when a new context was swapped in, false when nothing changed, an Error
  /// when the new files do not load (the old context stays in use).
  Result<bool> reload_if_changed();
  /// The current context, or null before a successful load.
  std::shared_ptr<const TlsContext> current() const;
  /// Number of successful loads (1 after startup, +1 per reload).
  std::uint64_t loads() const;
  const TlsFiles& files() const { return files_; }

 private:
  TlsFiles files_;
  mutable std::mutex mutex_;
  std::shared_ptr<const TlsContext> current_;
  std::string stamp_;
  std::uint64_t loads_ = 0;
};

/// A signature of the files at `paths` (each file's path, inode, size and mtime; directories
/// walked recursively for .yaml/.yml/.json files): two calls return the same string exactly
/// when nothing visible changed. Missing paths contribute a "missing" marker.
std::string stamp_paths(const std::vector<std::string>& paths);

}  // namespace meshward::server
