#pragma once
// Turning bytes (YAML multi-document streams or JSON) into JSON documents with line maps:
// the single path every input takes before the typed decoder reads it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/diag.h"
#include "meshward/core/json.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// One parsed document: its JSON DOM and the line of every value in it.
struct ParsedDocument {
  std::unique_ptr<json::Document> json;
  LineMap lines;
  /// For a JSON `List` document: one line map per item (index = item index); `lines` then
  /// covers the List object itself. Empty otherwise.
  std::vector<LineMap> item_lines;
  std::uint32_t first_line = 1;  ///< Line where the document starts in its file.
};

struct ParsedStream {
  std::vector<ParsedDocument> documents;
  std::vector<Finding> findings;  ///< One per document that did not parse.
};

enum class InputFormat : std::uint8_t { Auto, Yaml, Json };

/// Limits that keep hostile input bounded.
struct ParseLimits {
  std::size_t max_depth = 512;  ///< Nesting depth of objects/arrays.
  /// YAML aliases can expand a small file enormously ("billion laughs"); a document may
  /// expand to at most this many nodes per input byte (plus a fixed allowance).
  std::size_t max_nodes_per_byte = 16;
};

/// Parses a whole file's text. YAML streams are split at `---` lines the way kubectl splits
/// them, so one broken document yields one finding and the others are still read. `Auto`
/// picks JSON when the file name ends in .json or the text starts with '{' or '['.
/// Records lines only when `track_lines` (files: yes; admission bodies: no).
ParsedStream parse_stream(std::string_view text, const std::string& file,
                          InputFormat format = InputFormat::Auto, bool track_lines = true,
                          const ParseLimits& limits = {});

}  // namespace meshward::model
