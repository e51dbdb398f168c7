#pragma once
// The loop a kube fuzz input drives: its first line may name the kind (a harness-only header,
// e.g. "VirtualService\n"; the API server never sends it), the rest is what the API server
// sends for that kind's collection. Without a header the kind is VirtualService.

#include <string>
#include <string_view>

#include "kube/watch_protocol.h"
#include "meshward/model/decode.h"

namespace meshward::fuzz {

inline kube::WatchTarget kube_target(std::string_view& text) {
  model::Kind kind = model::Kind::VirtualService;
  if (const auto newline = text.find('\n'); newline != std::string_view::npos && newline < 32) {
    if (const auto named = model::parse_kind(text.substr(0, newline))) {
      kind = *named;
      text.remove_prefix(newline + 1);
    }
  }
  const auto& info = model::kind_info(kind);
  kube::WatchTarget target;
  target.kind = kind;
  target.group_version = info.group.empty() ? std::string(info.versions[0])
                                            : std::string(info.group) + "/" + std::string(info.versions[0]);
  target.path = "/fuzz/" + std::string(info.resource);
  target.metadata_only = kind == model::Kind::Pod;
  return target;
}

}  // namespace meshward::fuzz
