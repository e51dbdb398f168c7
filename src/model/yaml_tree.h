#pragma once
// YAML documents read from yaml-cpp's parser events into plain trees, for document.cpp.
//
// Why not YAML::LoadAll: yaml-cpp 0.7 loops forever where its scanner leaves a token no rule
// consumes (a ',' outside a flow collection, text glued to a closing quote, wherever its scanner
// rather than YAML puts them; yaml-cpp issue 1040): each further document is a lone null at the
// same place, and LoadAll collects them until memory runs out. Reading the events ourselves
// lets one pass both notice that and keep the documents, and skips yaml-cpp's node memory
// (shared pointers per node), which costs more than the trees here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/mark.h>

namespace meshward::model {

/// One YAML document as yaml-cpp's parser reports it: what YAML::LoadAll would build, with an
/// alias being the index of its anchor's node (as yaml-cpp shares the node).
struct YamlTree {
  enum class Kind : std::uint8_t { Null, Scalar, Sequence, Map };
  struct Node {
    Kind kind = Kind::Null;
    int line = 0;                         // 0-based, as YAML::Mark
    std::string tag;                      // "?" plain, "!" quoted, or the tag written
    std::string value;                    // a scalar's text
    std::vector<std::uint32_t> children;  // a sequence's items; a map's keys and values in turn
  };
  std::vector<Node> nodes;
  std::optional<std::uint32_t> root;  // none for a document without a node
  YAML::Mark first_mark;              // where the document's first node starts

  const Node& at(std::uint32_t index) const { return nodes[index]; }
};

/// What read_yaml_trees() read: the documents, or where yaml-cpp stopped making progress.
struct YamlRead {
  std::vector<YamlTree> documents;
  std::optional<YAML::Mark> loops_at;  // set: yaml-cpp would loop forever here
};

/// Reads every document of `text` through yaml-cpp's parser. `keep`: false to only look for
/// the loop (documents are dropped as they are read). Throws what yaml-cpp throws for text it
/// refuses (YAML::ParserException, YAML::DeepRecursion).
YamlRead read_yaml_trees(std::string_view text, bool keep = true);

}  // namespace meshward::model
