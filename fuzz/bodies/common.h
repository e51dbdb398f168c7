#pragma once
// Shared by the bodies: the bundled world requests are decided against, byte helpers.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "meshward/admission/world_slot.h"
#include "meshward_fuzz/fuzz.h"

namespace meshward::fuzz {

/// examples/bookinfo, loaded and evaluated once per process.
std::shared_ptr<const admission::EvaluatedWorld> bookinfo_world();

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Whether `text` is one well-formed JSON value.
bool is_json(std::string_view text);

}  // namespace meshward::fuzz
