#pragma once
// Decoding whole documents (one Kubernetes object, or a List of them) into typed objects.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/diag.h"
#include "meshward/core/json.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// Decodes Kubernetes ObjectMeta (name, namespace, labels, ...).
void decode(ObjectReader& r, ObjectMeta& out);

/// One row of the kind table: how to recognise and decode a kind.
struct KindInfo {
  Kind kind;
  std::string_view group;
  std::string_view name;
  std::string_view resource;                 ///< Plural, for URLs.
  std::array<std::string_view, 4> versions;  ///< Served versions; empty entries unused.
  bool namespaced;
  /// Creates the object and decodes everything but apiVersion/kind/metadata from `r`.
  std::shared_ptr<Object> (*decode)(ObjectReader& r);
};

/// The kind table (one entry per Kind, in Kind order).
const std::array<KindInfo, kKindCount>& kind_table();
const KindInfo& kind_info(Kind kind);
/// Entry for an apiVersion's group and a kind name; nullptr when meshward does not model it.
const KindInfo* find_kind(std::string_view group, std::string_view kind);

/// What decoding one document produced.
struct DecodeResult {
  std::vector<ObjectPtr> objects;  ///< Several when the document is a List.
  std::vector<Finding> findings;
  std::size_t skipped_unknown = 0;  ///< Documents of kinds meshward does not model.
};

/// Options for decode_document().
struct DecodeOptions {
  std::string file;                    ///< Source file for findings; empty for requests.
  const LineMap* lines = nullptr;      ///< Lines of the document's values, when from a file.
  /// Per-item line maps of a List document (ParsedDocument::item_lines), if any.
  const std::vector<LineMap>* item_lines = nullptr;
  std::uint32_t first_line = 0;        ///< Line of the document's start.
  std::string default_namespace = "default";  ///< For namespaced objects without one.
  /// Object::sequence of an object = sequence_base + its index in DecodeResult::objects.
  std::uint64_t sequence_base = 0;
};

/// Decodes one JSON document: an object of a modelled kind, a List (`kind: List` or
/// `<Kind>List`) whose items are decoded in turn, or an unknown kind (counted, skipped).
/// Never throws on bad input; appends to `out`.
void decode_document(const json::Value& root, const DecodeOptions& options, DecodeResult& out);

/// Decodes one object of a known kind without a kind table lookup by the caller (admission).
/// Returns nullptr when the document is not a decodable object of a modelled kind; the
/// reason is in `findings` (or nothing, for unknown kinds).
ObjectPtr decode_object(const json::Value& root, const DecodeOptions& options,
                        std::vector<Finding>& findings);

}  // namespace meshward::model

namespace meshward::model {

/// Parses and decodes a whole file's text (YAML stream or JSON): parse findings, decode
/// findings and objects, in document order. `options.file` names the source in findings;
/// `lines` and `first_line` are filled per document.
DecodeResult decode_stream(std::string_view text, const DecodeOptions& options);

}  // namespace meshward::model
