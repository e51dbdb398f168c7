#pragma once
// Reading manifests from files, directories and stdin (`meshward check -f ...`, standalone
// `serve --world`).

#include <cstddef>
#include <string>
#include <vector>

#include "meshward/core/diag.h"
#include "meshward/core/result.h"
#include "meshward/model/object.h"

namespace meshward::world {

struct LoadOptions {
  std::string default_namespace = "default";  ///< For objects that name none.
  /// Largest file or stdin read (docs/hardening.md, "Input limits"): a device or a pipe
  /// that never ends (`-f /dev/zero`, an endless stdin) is refused instead of filling memory.
  std::size_t max_input_bytes = std::size_t{1} << 30;
};

struct LoadResult {
  std::vector<model::ObjectPtr> objects;  ///< In reading order; duplicates resolved (last wins).
  std::vector<Finding> findings;          ///< Parse and decode findings of every file.
  std::size_t files = 0;                  ///< Files read.
  std::size_t skipped_unknown = 0;        ///< Documents of kinds meshward does not model.
};

/// Reads every path: a file, a directory (recursively, files ending in .yaml/.yml/.json, in
/// sorted order), or "-" for stdin. Bad content becomes findings; a path that cannot be read
/// at all is an Error (exit status 2 in the CLI).
Result<LoadResult> load_paths(const std::vector<std::string>& paths, const LoadOptions& options = {});

/// Decodes text as if read from a file named `name` (tests, embedded worlds).
LoadResult load_text(std::string_view text, const std::string& name, const LoadOptions& options = {});

}  // namespace meshward::world
