// (e) A kubeconfig file, as `serve --kubeconfig FILE` reads it: written to a private
// temporary directory (files it names relatively resolve there), read and resolved into a
// cluster configuration; a usable one then becomes the client's TLS context, as the watcher
// builds it.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common.h"
#include "kube/api_connection.h"
#include "meshward/kube/config.h"

using namespace meshward;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                          "/meshward-fuzz-kubeconfig-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      fuzz::fail("mkdtemp failed", pattern);
    }
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace

int meshward_fuzz_kubeconfig(const std::uint8_t* data, std::size_t size) {
  static const TempDir dir;
  const std::string file = dir.path + "/config";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) {
      fuzz::fail("cannot write the kubeconfig", file);
    }
  }
  auto config = kube::kubeconfig_config({file});
  if (!config) {
    MESHWARD_FUZZ_CHECK(!config.error().message.empty(), "an error without a message");
    return 0;
  }
  MESHWARD_FUZZ_CHECK(!config->host.empty(), "a configuration without a host");
  // The system roots are loaded when no CA is given: slow, and the same every time.
  if (!config->ca_pem.empty() || config->insecure_skip_verify) {
    (void)kube::make_client_tls(*config);
  }
  return 0;
}
