#include "common.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "meshward/core/json.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::fuzz {

std::span<const Target> targets() {
  static constexpr Target kTargets[] = {
      {"decode", meshward_fuzz_decode},         {"admission", meshward_fuzz_admission},
      {"http", meshward_fuzz_http},             {"kube_watch", meshward_fuzz_kube_watch},
      {"kube_list", meshward_fuzz_kube_list},   {"kubeconfig", meshward_fuzz_kubeconfig},
      {"policy", meshward_fuzz_policy},         {"regex", meshward_fuzz_regex},
  };
  return kTargets;
}

std::string source_dir() {
  if (const char* dir = std::getenv("MESHWARD_SOURCE_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return MESHWARD_SOURCE_DIR;
}

void fail(std::string_view what, std::string_view detail) {
  constexpr std::size_t kShown = 2000;
  std::fprintf(stderr, "meshward fuzz: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) {
    const std::size_t n = detail.size() < kShown ? detail.size() : kShown;
    std::fprintf(stderr, "  detail: %.*s%s\n", static_cast<int>(n), detail.data(),
                 detail.size() > kShown ? "..." : "");
  }
  std::abort();
}

std::shared_ptr<const admission::EvaluatedWorld> bookinfo_world() {
  static const std::shared_ptr<const admission::EvaluatedWorld> world = [] {
    const std::string path = source_dir() + "/examples/bookinfo";
    auto loaded = world::load_paths({path});
    if (!loaded) {
      fail("cannot load the bundled world (set MESHWARD_SOURCE_DIR)", loaded.error().message);
    }
    return admission::evaluate_world(world::Snapshot::make(std::move(loaded->objects)),
                                     "files: examples/bookinfo");
  }();
  return world;
}

bool is_json(std::string_view text) {
  json::Document doc;
  return !doc.Parse(text.data(), text.size()).HasParseError();
}

}  // namespace meshward::fuzz
