#pragma once
// Turning bytes (YAML multi-document streams or JSON) into JSON documents with line maps:
// the single path every input takes before the typed decoder reads it.

#include <cstdint>
#include <memory>
#include <optional>
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

/// Limits that keep hostile input bounded (docs/hardening.md, "Input limits"). A document
/// that breaks one is refused with one finding (MW1008 document-too-complex, or MW1001 for
/// text that is not YAML/JSON at all) naming the limit; the other documents are still read.
struct ParseLimits {
  /// Nesting depth of objects/arrays, the root being level 1, in JSON and YAML alike. Below
  /// yaml-cpp's own recursion guard (499 levels), so YAML and JSON stop at the same depth.
  std::size_t max_depth = 256;
  /// YAML aliases can expand a small file enormously ("billion laughs"); a document may
  /// expand to at most this many values per byte of its text, plus 65 536. A document without
  /// aliases has at most one value per two bytes, so this leaves room for aliases used as
  /// intended while a bomb stops before it costs more than reading the text did.
  std::size_t max_nodes_per_byte = 1;
  /// Likewise, the scalar text a YAML document expands to: at most this many bytes per byte
  /// of the document, plus 1 MiB (an anchored 1 MiB string aliased 100 times stops here).
  std::size_t max_text_per_byte = 2;
  /// Largest YAML document (the text between two `---` lines) given to yaml-cpp, which
  /// needs about a second per MiB of dense YAML and up to ~130 bytes of memory per byte.
  /// Every object the Kubernetes API server accepts (3 MiB request bodies) fits; a bigger
  /// `List` can be read as JSON (`kubectl get -o json`), which has no per-document limit.
  std::size_t max_yaml_document_bytes = 4u << 20;
  /// Longest string value or key, in JSON and YAML: the API server's request body limit.
  std::size_t max_string_bytes = 3u << 20;
};

/// Why yaml-cpp must not read `text`, a YAML stream meshward reads outside manifests (the
/// policy file, a kubeconfig): what parse_stream() refuses before yaml-cpp reads a document
/// (its size, bytes YAML forbids, flow nesting past the limit) and text yaml-cpp 0.7 would
/// loop on forever (a ',' outside a flow collection). nullopt when yaml-cpp may read it.
std::optional<std::string> yaml_guard(std::string_view text, const ParseLimits& limits = {});

/// Messages for the limits above (shared with the admission body parser, which enforces
/// the same limits): "document nests deeper than the limit of 256 levels", ...
std::string depth_limit_message(std::size_t max_depth);
std::string string_limit_message(std::size_t length, std::size_t max_string);
/// A NUL byte in JSON text (RapidJSON would take it for the end of the text).
std::string nul_byte_message(std::size_t offset);

/// Parses a whole file's text. YAML streams are split at `---` lines the way kubectl splits
/// them, so one broken document yields one finding and the others are still read. `Auto`
/// picks JSON when the file name ends in .json or the text starts with '{' or '['.
/// Records lines only when `track_lines` (files: yes; admission bodies: no).
ParsedStream parse_stream(std::string_view text, const std::string& file,
                          InputFormat format = InputFormat::Auto, bool track_lines = true,
                          const ParseLimits& limits = {});

}  // namespace meshward::model
