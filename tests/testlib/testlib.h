#pragma once
// Helpers shared by the unit tests.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/core/diag.h"
#include "meshward/model/decode.h"

namespace meshward::testing {

/// Parses and decodes YAML/JSON text as if read from `file`.
model::DecodeResult decode_text(std::string_view text, const std::string& file = "test.yaml");

/// The only object in `result`, as T; fails the test (and returns nullptr) otherwise.
template <class T>
const T* only(const model::DecodeResult& result) {
  if (result.objects.size() != 1) {
    ADD_FAILURE() << "expected exactly one object, got " << result.objects.size();
    return nullptr;
  }
  const T* typed = result.objects.front()->as<T>();
  if (typed == nullptr) {
    ADD_FAILURE() << "object is not a " << model::kind_name(T::kKind);
  }
  return typed;
}

/// One line per finding: "file:line CODE severity path: message".
std::string describe(const std::vector<Finding>& findings);

/// Whether a finding with `code` at `path` exists (path "" matches any).
bool has_finding(const std::vector<Finding>& findings, std::string_view code,
                 std::string_view path = "");

/// The first finding with `code` at exactly `path`, or nullptr.
const Finding* find_finding(const std::vector<Finding>& findings, std::string_view code,
                            std::string_view path);

/// Line of the first finding with `code` at exactly `path` that has a source, or 0.
std::uint32_t finding_line(const std::vector<Finding>& findings, std::string_view code,
                           std::string_view path);

/// Reads a file relative to the source tree.
std::string read_source_file(const std::string& relative);

}  // namespace meshward::testing
