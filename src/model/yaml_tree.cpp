#include "yaml_tree.h"

#include <istream>
#include <streambuf>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace meshward::model {
namespace {

// The text as a stream for yaml-cpp's parser, without copying it.
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());  // only read: get area of an input buffer
    setg(begin, begin, begin + text.size());
  }
};

// Builds one YamlTree from a document's events, as yaml-cpp's NodeBuilder builds YAML::Nodes.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(YamlTree& tree) : tree_(tree) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(YamlTree::Kind::Null, mark, std::string(), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // The parser refuses an alias to an anchor it has not seen; one to a node still open (a
    // cycle) is kept, as yaml-cpp keeps it, and the converter's depth limit ends it.
    if (anchor < anchors_.size() && anchors_[anchor].has_value()) {
      note_first(mark);
      attach(*anchors_[anchor]);
    }
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    tree_.nodes[add(YamlTree::Kind::Scalar, mark, tag, anchor)].value = value;
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back(add(YamlTree::Kind::Sequence, mark, tag, anchor));
  }
  void OnSequenceEnd() override { open_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back(add(YamlTree::Kind::Map, mark, tag, anchor));
  }
  void OnMapEnd() override { open_.pop_back(); }

  /// Aliases count as nodes here, as the document's content.
  std::size_t events() const { return events_; }

 private:
  std::uint32_t add(YamlTree::Kind kind, const YAML::Mark& mark, const std::string& tag,
                    YAML::anchor_t anchor) {
    note_first(mark);
    const auto index = static_cast<std::uint32_t>(tree_.nodes.size());
    YamlTree::Node& node = tree_.nodes.emplace_back();
    node.kind = kind;
    node.line = mark.line;
    node.tag = tag;
    if (anchor != YAML::NullAnchor) {
      if (anchor >= anchors_.size()) {
        anchors_.resize(anchor + 1);
      }
      anchors_[anchor] = index;
    }
    attach(index);
    return index;
  }

  void attach(std::uint32_t index) {
    if (open_.empty()) {
      tree_.root = index;
    } else {
      tree_.nodes[open_.back()].children.push_back(index);
    }
  }

  void note_first(const YAML::Mark& mark) {
    if (events_++ == 0) {
      tree_.first_mark = mark;
    }
  }

  YamlTree& tree_;
  std::vector<std::uint32_t> open_;
  std::vector<std::optional<std::uint32_t>> anchors_;
  std::size_t events_ = 0;
};

// A document that is one null and nothing else, where yaml-cpp's loop shows.
bool lone_null(const YamlTree& tree, std::size_t events) {
  return events == 1 && tree.root && tree.at(*tree.root).kind == YamlTree::Kind::Null;
}

}  // namespace

YamlRead read_yaml_trees(std::string_view text, bool keep) {
  ViewBuffer buffer(text);
  std::istream in(&buffer);
  YAML::Parser parser(in);
  YamlRead read;
  std::optional<YAML::Mark> previous_null;
  // Every real document takes at least one byte of the text: more documents are the loop, as
  // is a lone null where the previous document's lone null was (no token consumed between).
  for (std::size_t documents = 0;; ++documents) {
    YamlTree tree;
    TreeBuilder builder(tree);
    if (!parser.HandleNextDocument(builder)) {
      break;
    }
    const bool null_only = lone_null(tree, builder.events());
    if (null_only && previous_null && previous_null->pos == tree.first_mark.pos) {
      read.loops_at = tree.first_mark;
      break;
    }
    if (documents > text.size() + 1) {
      read.loops_at = null_only ? tree.first_mark : YAML::Mark::null_mark();
      break;
    }
    previous_null = null_only ? std::optional<YAML::Mark>(tree.first_mark) : std::nullopt;
    if (keep) {
      read.documents.push_back(std::move(tree));
    }
  }
  return read;
}

}  // namespace meshward::model
