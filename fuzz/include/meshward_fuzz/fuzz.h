#pragma once
// The fuzz targets' bodies: one plain function per target, taking arbitrary bytes. The
// libFuzzer entry points (fuzz/<target>_fuzz.cpp) call them, and so does the GoogleTest
// tests/fuzz/fuzz_regression_test.cpp, which replays fuzz/regressions/<target>/, the
// committed seeds fuzz/seeds/<target>/ and the generated seeds (seeds() below) in the normal
// test suite, without libFuzzer. Each body returns 0; a broken invariant aborts (a crash to
// libFuzzer, a failed test to ctest), as does any exception escaping the code under test.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// (a) YAML/JSON multi-document streams into the model, as `meshward check -f` reads a file.
int meshward_fuzz_decode(const std::uint8_t* data, std::size_t size);
// (b) An AdmissionReview body: decode, decide on the bookinfo world, render the answer.
int meshward_fuzz_admission(const std::uint8_t* data, std::size_t size);
// (c) Raw bytes of a plaintext HTTP/1.1 connection into the server's request path.
int meshward_fuzz_http(const std::uint8_t* data, std::size_t size);
// (d) A WATCH body (event lines) into the kube client's object store.
int meshward_fuzz_kube_watch(const std::uint8_t* data, std::size_t size);
// (d) A LIST page body into the kube client's object store.
int meshward_fuzz_kube_list(const std::uint8_t* data, std::size_t size);
// (e) A kubeconfig file.
int meshward_fuzz_kubeconfig(const std::uint8_t* data, std::size_t size);
// (e) A policy file (docs/policy.md).
int meshward_fuzz_policy(const std::uint8_t* data, std::size_t size);
// (f) A regular expression (and every other string the validators take).
int meshward_fuzz_regex(const std::uint8_t* data, std::size_t size);

namespace meshward::fuzz {

struct Target {
  std::string_view name;  ///< "decode", ...: fuzz/regressions/<name>/, binary fuzz_<name>.
  int (*run)(const std::uint8_t* data, std::size_t size);
};

/// Every target, in the order above.
std::span<const Target> targets();

/// One generated seed input.
struct Seed {
  std::string name;  ///< File name in the corpus directory.
  std::string data;
};

/// Seeds for `target` built from the repository's examples and golden test data under
/// `source_dir` (tests/golden, examples, charts): raw manifests, AdmissionReviews, HTTP
/// requests, watch streams, list pages, kubeconfigs, policies and regexes. Deterministic.
std::vector<Seed> seeds(std::string_view target, const std::string& source_dir);

/// The repository root: $MESHWARD_SOURCE_DIR, else the one this library was built from.
std::string source_dir();

/// Aborts with `what` (and the start of `detail`) on stderr: an invariant does not hold.
[[noreturn]] void fail(std::string_view what, std::string_view detail = {});

}  // namespace meshward::fuzz

#define MESHWARD_FUZZ_CHECK(cond, detail)                              \
  do {                                                                 \
    if (!(cond)) {                                                     \
      ::meshward::fuzz::fail("check failed: " #cond, (detail));        \
    }                                                                  \
  } while (false)
