#include "meshward/model/document.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>

#include "meshward/core/json_sax.h"
#include "meshward/model/decode_rules.h"
#include "yaml_tree.h"

namespace meshward::model {

namespace {

Finding document_finding(const RuleInfo& info, const std::string& file, std::uint32_t line,
                         std::string message) {
  std::optional<SourceRef> source;
  if (!file.empty()) {
    source = SourceRef{file, line};
  }
  return make_finding(info, ResourceRef{}, "", std::move(message), std::move(source));
}

// ---------------------------------------------------------------------------------------
// JSON

// A string stream that counts lines as RapidJSON consumes it.
class LineCountingStream {
 public:
  using Ch = char;
  explicit LineCountingStream(std::string_view text) : begin_(text.data()), cur_(text.data()), end_(text.data() + text.size()) {}
  Ch Peek() const { return cur_ == end_ ? '\0' : *cur_; }
  Ch Take() {
    if (cur_ == end_) {
      return '\0';
    }
    Ch c = *cur_++;
    if (c == '\n') {
      ++line_;
    }
    return c;
  }
  std::size_t Tell() const { return static_cast<std::size_t>(cur_ - begin_); }
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }
  std::uint32_t line() const { return line_; }

 private:
  const char* begin_;
  const char* cur_;
  const char* end_;
  std::uint32_t line_ = 1;
};

// Forwards SAX events to the Document that builds the DOM, records the line of every value in
// document order (pre-order: a container before its members) when `lines` is set, and stops
// the parse at a string or key longer than ParseLimits::max_string_bytes, before the DOM
// copies it.
class LineRecorder {
 public:
  using Ch = char;
  LineRecorder(json::Document& doc, const LineCountingStream& stream,
               std::vector<std::uint32_t>* lines, std::size_t& containers, std::size_t max_string)
      : doc_(doc), stream_(stream), lines_(lines), containers_(containers), max_string_(max_string) {}
  bool Null() { return mark(), doc_.Null(); }
  bool Bool(bool b) { return mark(), doc_.Bool(b); }
  bool Int(int i) { return mark(), doc_.Int(i); }
  bool Uint(unsigned u) { return mark(), doc_.Uint(u); }
  bool Int64(std::int64_t i) { return mark(), doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return mark(), doc_.Uint64(u); }
  bool Double(double d) { return mark(), doc_.Double(d); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) { return mark(), doc_.RawNumber(s, n, copy); }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) {
    return fits(n) && (mark(), json::add_string(doc_, s, n, copy, /*key=*/false));
  }
  bool StartObject() { return mark(), ++containers_, doc_.StartObject(); }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) {
    return fits(n) && json::add_string(doc_, s, n, copy, /*key=*/true);
  }
  bool EndObject(rapidjson::SizeType n) { return doc_.EndObject(n); }
  bool StartArray() { return mark(), ++containers_, doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return doc_.EndArray(n); }

  /// Length of the string that stopped the parse (0 when none did).
  std::size_t long_string() const { return long_string_; }

 private:
  void mark() {
    if (lines_ != nullptr) {
      lines_->push_back(stream_.line());
    }
  }
  bool fits(rapidjson::SizeType n) {
    if (n <= max_string_) {
      return true;
    }
    long_string_ = n;
    return false;
  }
  json::Document& doc_;
  const LineCountingStream& stream_;
  std::vector<std::uint32_t>* lines_;
  std::size_t& containers_;
  std::size_t max_string_;
  std::size_t long_string_ = 0;
};

// Iterative: input depth must not become stack depth. Strings must be valid UTF-8 (checked
// as they are read), so every finding and report built from them is. Not full precision:
// RapidJSON 1.1's full-precision strtod reads digits that are all zeros with an exponent off
// its fast path ("0e-40") as garbage (-1.99e-59, by way of __builtin_clzll(0); found by
// fuzz_admission). The default path is exact for up to 15 significant digits and a power of
// ten within 10^±22, and within an ulp beyond: nothing Istio configuration holds tells the
// difference. The admission body parser uses the same flags (review.cpp).
constexpr unsigned kJsonFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag |
                                rapidjson::kParseValidateEncodingFlag;

bool is_list_document(const json::Value& root, const json::Value** items) {
  if (!root.IsObject()) {
    return false;
  }
  // The last of repeated keys, as decode_document() reads them.
  auto last = [&](std::string_view name) {
    auto found = root.MemberEnd();
    for (auto m = root.MemberBegin(); m != root.MemberEnd(); ++m) {
      if (std::string_view(m->name.GetString(), m->name.GetStringLength()) == name) {
        found = m;
      }
    }
    return found;
  };
  auto kind = last("kind");
  auto it = last("items");
  if (kind == root.MemberEnd() || !kind->value.IsString() || it == root.MemberEnd() ||
      !it->value.IsArray()) {
    return false;
  }
  std::string_view k(kind->value.GetString(), kind->value.GetStringLength());
  if (k.size() < 4 || k.substr(k.size() - 4) != "List") {
    return false;
  }
  *items = &it->value;
  return true;
}

// Walks the DOM in the same pre-order the recorder saw, pairing values with lines, and
// measures depth. Iterative: input depth must not become stack depth. The items of a List
// get a line map each (`item_maps`): an object is decoded while its own small map is hot in
// cache, where one map for a 100k-object List would make every lookup a cache miss.
bool assign_lines(const json::Value& root, const std::vector<std::uint32_t>* lines,
                  std::size_t containers, LineMap* map, std::vector<LineMap>* item_maps,
                  std::size_t max_depth) {
  constexpr std::size_t kNoSlot = static_cast<std::size_t>(-1);
  struct Item {
    const json::Value* v;
    std::size_t depth;
    LineMap* own;       // map holding this value's block (and its children's)
    LineMap* parent;    // map holding `slot`
    std::size_t slot;   // where this value's line goes in its parent's block
  };
  const bool record = map != nullptr && lines != nullptr;
  const json::Value* list_items = nullptr;
  if (record && item_maps != nullptr && is_list_document(root, &list_items)) {
    item_maps->resize(list_items->Size());
  } else {
    list_items = nullptr;
    if (record) {
      map->reserve(lines->size(), containers);
    }
  }
  std::vector<Item> stack{{&root, 1, map, nullptr, kNoSlot}};
  std::size_t index = 0;
  while (!stack.empty()) {
    Item it = stack.back();
    stack.pop_back();
    if (it.depth > max_depth) {
      return false;
    }
    const std::uint32_t line = record && index < lines->size() ? (*lines)[index] : 0;
    ++index;
    if (record && it.slot != kNoSlot) {
      it.parent->set(it.slot, line);
    }
    if (it.v->IsObject()) {
      std::size_t first = record ? it.own->add_container(it.v, line, it.v->MemberCount()) : 0;
      std::size_t i = it.v->MemberCount();
      for (auto m = it.v->MemberEnd(); m != it.v->MemberBegin();) {
        --m;
        --i;
        stack.push_back({&m->value, it.depth + 1, it.own, it.own, record ? first + i : kNoSlot});
      }
    } else if (it.v->IsArray()) {
      std::size_t first = record ? it.own->add_container(it.v, line, it.v->Size()) : 0;
      std::size_t i = it.v->Size();
      for (auto e = it.v->End(); e != it.v->Begin();) {
        --e;
        --i;
        LineMap* child_map = it.v == list_items ? &(*item_maps)[i] : it.own;
        stack.push_back({e, it.depth + 1, child_map, it.own, record ? first + i : kNoSlot});
      }
    } else if (record && (it.slot == kNoSlot || it.own != it.parent)) {
      it.own->set_root(it.v, line);
    }
  }
  return true;
}

void parse_json(std::string_view text, const std::string& file, bool track_lines,
                const ParseLimits& limits, ParsedStream& out) {
  LineCountingStream stream(text);
  // Several JSON values may follow each other (e.g. concatenated `kubectl get -o json`).
  while (true) {
    while (stream.Peek() == ' ' || stream.Peek() == '\n' || stream.Peek() == '\r' || stream.Peek() == '\t') {
      stream.Take();
    }
    if (stream.Peek() == '\0') {
      if (stream.Tell() < text.size()) {
        // A NUL byte, not the end: reading on would drop everything after it unseen.
        out.findings.push_back(document_finding(kDocumentUnparseable, file, stream.line(),
                                                "JSON does not parse: " + nul_byte_message(stream.Tell())));
      }
      break;
    }
    ParsedDocument doc;
    doc.first_line = stream.line();
    doc.json = std::make_unique<json::Document>();
    std::vector<std::uint32_t> lines;
    std::size_t containers = 0;
    rapidjson::ParseResult result;
    std::size_t long_string = 0;
    auto generate = [&](json::Document& handler) {
      rapidjson::Reader reader;
      LineRecorder recorder(handler, stream, track_lines ? &lines : nullptr, containers,
                            limits.max_string_bytes);
      result = reader.Parse<kJsonFlags>(stream, recorder);
      long_string = recorder.long_string();
      return !result.IsError();
    };
    doc.json->Populate(generate);
    if (result.IsError()) {
      if (long_string != 0) {
        out.findings.push_back(document_finding(kDocumentTooComplex, file, stream.line(),
                                                string_limit_message(long_string, limits.max_string_bytes)));
        return;
      }
      // RapidJSON reads a NUL byte as the end of the text: name it when it is what stopped
      // the parse (none can sit in an earlier document: it would have stopped there).
      const std::size_t nul = text.find('\0');
      std::string why = nul != std::string_view::npos && nul <= result.Offset()
                            ? nul_byte_message(nul)
                            : std::string(rapidjson::GetParseError_En(result.Code())) + " (offset " +
                                  std::to_string(result.Offset()) + ")";
      out.findings.push_back(document_finding(kDocumentUnparseable, file, stream.line(),
                                              "JSON does not parse: " + why));
      return;  // Nothing after a JSON syntax error can be located reliably.
    }
    if (!assign_lines(*doc.json, track_lines ? &lines : nullptr, containers,
                      track_lines ? &doc.lines : nullptr, &doc.item_lines, limits.max_depth)) {
      out.findings.push_back(document_finding(kDocumentTooComplex, file, doc.first_line,
                                              depth_limit_message(limits.max_depth)));
      continue;
    }
    out.documents.push_back(std::move(doc));
  }
}

// ---------------------------------------------------------------------------------------
// YAML

struct YamlChunk {
  std::string_view text;
  std::uint32_t first_line;  // 1-based line of the chunk's first line
};

bool is_separator(std::string_view line, std::string_view marker) {
  if (line.substr(0, 3) != marker) {
    return false;
  }
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r';
}

// Splits a stream at document markers the way kubectl's YAML reader does: a line starting
// with "---" begins a new document; "..." ends one.
std::vector<YamlChunk> split_documents(std::string_view text) {
  std::vector<YamlChunk> chunks;
  std::size_t start = 0;
  std::uint32_t start_line = 1;
  std::uint32_t line_no = 1;
  std::size_t pos = 0;
  auto flush = [&](std::size_t end) {
    if (end > start) {
      chunks.push_back({text.substr(start, end - start), start_line});
    }
  };
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::size_t line_end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, line_end - pos);
    std::size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    if (is_separator(line, "---") || is_separator(line, "...")) {
      flush(pos);
      // Content after "--- " on the same line belongs to the new document (e.g. "--- !tag"),
      // so keep the separator line in it but blank the marker out below.
      if (is_separator(line, "---") && line.size() > 3) {
        start = pos;
        start_line = line_no;
      } else {
        start = next;
        start_line = line_no + 1;
      }
    }
    pos = next;
    ++line_no;
  }
  flush(text.size());
  return chunks;
}

bool only_blank_or_comments(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
    std::size_t i = line.find_first_not_of(" \t\r");
    if (i != std::string_view::npos && line[i] != '#' && !(line.substr(i, 1) == "%")) {
      return false;
    }
    if (nl == std::string_view::npos) {
      break;
    }
    pos = nl + 1;
  }
  return true;
}

class YamlConverter {
 public:
  YamlConverter(const YamlTree& tree, json::Document& doc, LineMap* lines, std::uint32_t first_line,
                std::size_t node_budget, std::size_t byte_budget, std::size_t max_depth,
                std::size_t max_string)
      : tree_(tree), alloc_(doc.GetAllocator()), lines_(lines), first_line_(first_line),
        node_budget_(node_budget), byte_budget_(byte_budget), max_depth_(max_depth),
        max_string_(max_string) {}

  // Converts `node` into `out`, which must already sit at its final address (containers are
  // reserved before children are added, so addresses do not move and the line map stays
  // valid). Returns false with error() set when the document cannot become JSON.
  bool convert(std::uint32_t index, json::Value& out, std::size_t depth,
               std::size_t slot = kNoSlot, std::uint32_t slot_line = 0) {
    const YamlTree::Node& node = tree_.at(index);
    if (++nodes_ > node_budget_) {
      error_ = "document expands to more than the limit of " + std::to_string(node_budget_) +
               " values (YAML aliases?)";
      too_complex_ = true;
      return false;
    }
    if (depth > max_depth_) {
      error_ = depth_limit_message(max_depth_);
      too_complex_ = true;
      return false;
    }
    const std::uint32_t line = mark_line(node);
    if (lines_ != nullptr && slot != kNoSlot) {
      lines_->set(slot, slot_line != 0 ? slot_line : line);
    }
    line_ = line;
    switch (node.kind) {
      case YamlTree::Kind::Null:
        out.SetNull();
        record_root(out, slot, line);
        return true;
      case YamlTree::Kind::Scalar:
        record_root(out, slot, line);
        return scalar(node, out);
      case YamlTree::Kind::Sequence: {
        const auto size = static_cast<rapidjson::SizeType>(node.children.size());
        out.SetArray();
        out.Reserve(size, alloc_);
        for (rapidjson::SizeType i = 0; i < size; ++i) {
          out.PushBack(json::Value(), alloc_);
        }
        const std::size_t first = lines_ != nullptr ? lines_->add_container(&out, line, size) : 0;
        for (rapidjson::SizeType i = 0; i < size; ++i) {
          if (!convert(node.children[i], out[i], depth + 1,
                       lines_ != nullptr ? first + i : kNoSlot)) {
            return false;
          }
        }
        return true;
      }
      case YamlTree::Kind::Map:
        return map(node, out, depth, line);
    }
    return true;
  }

  const std::string& error() const { return error_; }
  bool too_complex() const { return too_complex_; }
  std::uint32_t error_line() const { return error_line_; }

 private:
  static constexpr std::size_t kNoSlot = static_cast<std::size_t>(-1);

  std::uint32_t mark_line(const YamlTree::Node& node) const {
    return first_line_ + static_cast<std::uint32_t>(node.line < 0 ? 0 : node.line);
  }

  void record_root(json::Value& out, std::size_t slot, std::uint32_t line) {
    if (lines_ != nullptr && slot == kNoSlot) {
      lines_->set_root(&out, line);
    }
  }

  bool map(const YamlTree::Node& node, json::Value& out, std::size_t depth, std::uint32_t line) {
    out.SetObject();
    // Collect entries first: merge keys ("<<: *base") add the base's entries that the map
    // does not set itself, as go-yaml (and so kubectl) does.
    // Entries carry their key's line: a finding about a member points at its key, which is
    // where a block mapping or sequence value is introduced.
    struct Entry {
      std::string_view key;
      std::uint32_t value;
      std::uint32_t key_line;
    };
    std::vector<Entry> entries;
    std::vector<std::uint32_t> merges;
    for (std::size_t k = 0; k + 1 < node.children.size(); k += 2) {
      const YamlTree::Node& key = tree_.at(node.children[k]);
      const std::uint32_t value = node.children[k + 1];
      if (key.kind != YamlTree::Kind::Scalar) {
        error_ = "a mapping key must be a plain value, not a list or mapping";
        error_line_ = mark_line(key);
        return false;
      }
      if (key.tag == "?" && key.value == "<<") {
        const YamlTree::Node& merged = tree_.at(value);
        if (merged.kind == YamlTree::Kind::Sequence) {
          merges.insert(merges.end(), merged.children.begin(), merged.children.end());
        } else {
          merges.push_back(value);
        }
        continue;
      }
      entries.push_back(Entry{key.value, value, mark_line(key)});
    }
    for (const std::uint32_t m : merges) {
      const YamlTree::Node& base = tree_.at(m);
      if (base.kind != YamlTree::Kind::Map) {
        error_ = "a merge key (<<) must refer to a mapping";
        error_line_ = mark_line(base);
        return false;
      }
      for (std::size_t k = 0; k + 1 < base.children.size(); k += 2) {
        const YamlTree::Node& key = tree_.at(base.children[k]);
        if (key.kind != YamlTree::Kind::Scalar) {
          continue;
        }
        bool exists = false;
        for (const auto& e : entries) {
          exists = exists || e.key == key.value;
        }
        if (!exists) {
          entries.push_back(Entry{key.value, base.children[k + 1], mark_line(key)});
        }
      }
    }
    // RapidJSON 1.1 has no MemberReserve: add every key first (moves only null values), then
    // fill the values in place, so their addresses are final when the line map records them.
    for (auto& entry : entries) {
      if (!charge(entry.key.size())) {
        return false;
      }
      out.AddMember(json::Value(entry.key.data(), static_cast<rapidjson::SizeType>(entry.key.size()), alloc_),
                    json::Value(), alloc_);
    }
    const std::size_t first = lines_ != nullptr ? lines_->add_container(&out, line, entries.size()) : 0;
    auto member = out.MemberBegin();
    std::size_t i = 0;
    for (auto& entry : entries) {
      if (!convert(entry.value, member->value, depth + 1, lines_ != nullptr ? first + i : kNoSlot,
                   entry.key_line)) {
        return false;
      }
      ++member;
      ++i;
    }
    return true;
  }

  bool charge(std::size_t bytes) {
    if (bytes > max_string_) {
      error_ = string_limit_message(bytes, max_string_);
      error_line_ = line_;
      too_complex_ = true;
      return false;
    }
    bytes_ += bytes;
    if (bytes_ > byte_budget_) {
      error_ = "document expands to more than the limit of " + std::to_string(byte_budget_) +
               " bytes of text (YAML aliases?)";
      too_complex_ = true;
      return false;
    }
    return true;
  }

  bool scalar(const YamlTree::Node& node, json::Value& out) {
    const std::string& s = node.value;
    if (!charge(s.size())) {
      return false;
    }
    const std::string& tag = node.tag;
    auto as_string = [&]() {
      out.SetString(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc_);
      return true;
    };
    if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      return as_string();  // quoted, or explicitly a string
    }
    if (tag != "?" && tag.rfind("tag:yaml.org,2002:", 0) != 0) {
      return as_string();  // custom tags: keep the text
    }
    return resolve_plain(s, out, as_string);
  }

  template <class AsString>
  bool resolve_plain(const std::string& s, json::Value& out, AsString as_string) {
    // Plain scalars resolve like go-yaml v2, which kubectl uses to turn YAML into JSON.
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
      out.SetNull();
      return true;
    }
    static const char* const kTrue[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char* const kFalse[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    for (const char* t : kTrue) {
      if (s == t) {
        out.SetBool(true);
        return true;
      }
    }
    for (const char* f : kFalse) {
      if (s == f) {
        out.SetBool(false);
        return true;
      }
    }
    static const char* const kSpecialFloats[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
                                                 "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"};
    for (const char* f : kSpecialFloats) {
      if (s == f) {
        error_ = "the value " + s + " is not representable in JSON";
        return false;
      }
    }
    char c = s[0];
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.')) {
      return as_string();
    }
    std::string plain;
    plain.reserve(s.size());
    for (char ch : s) {
      if (ch != '_') {
        plain += ch;
      }
    }
    if (auto i = parse_go_int(plain)) {
      if (i->negative) {
        out.SetInt64(i->signed_value);
      } else {
        out.SetUint64(i->unsigned_value);
        if (i->unsigned_value <= static_cast<std::uint64_t>(INT64_MAX)) {
          out.SetInt64(static_cast<std::int64_t>(i->unsigned_value));
        }
      }
      return true;
    }
    if (looks_like_float(plain)) {
      errno = 0;
      char* end = nullptr;
      double d = std::strtod(plain.c_str(), &end);
      if (end == plain.c_str() + plain.size() && errno != ERANGE && std::isfinite(d)) {
        out.SetDouble(d);
        return true;
      }
    }
    return as_string();
  }

  struct GoInt {
    bool negative;
    std::int64_t signed_value;
    std::uint64_t unsigned_value;
  };
  // strconv.ParseInt/ParseUint with base 0: optional sign, 0x/0o/0b prefixes, leading-0 octal.
  static std::optional<GoInt> parse_go_int(const std::string& text) {
    std::string_view s = text;
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
      negative = s[0] == '-';
      s.remove_prefix(1);
    }
    if (s.empty()) {
      return std::nullopt;
    }
    int base = 10;
    if (s.size() > 1 && s[0] == '0') {
      if (s[1] == 'x' || s[1] == 'X') {
        base = 16;
        s.remove_prefix(2);
      } else if (s[1] == 'o' || s[1] == 'O') {
        base = 8;
        s.remove_prefix(2);
      } else if (s[1] == 'b' || s[1] == 'B') {
        base = 2;
        s.remove_prefix(2);
      } else {
        base = 8;
        s.remove_prefix(1);
      }
    }
    if (s.empty()) {
      return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto b = static_cast<std::uint64_t>(base);
    for (char ch : s) {
      int digit = -1;
      if (ch >= '0' && ch <= '9') {
        digit = ch - '0';
      } else if (ch >= 'a' && ch <= 'f') {
        digit = ch - 'a' + 10;
      } else if (ch >= 'A' && ch <= 'F') {
        digit = ch - 'A' + 10;
      }
      if (digit < 0 || digit >= base) {
        return std::nullopt;
      }
      const auto d = static_cast<std::uint64_t>(digit);
      if (value > (UINT64_MAX - d) / b) {
        return std::nullopt;  // Go: out of range -> not an int (becomes a float or a string)
      }
      value = value * b + d;
    }
    if (negative) {
      if (value > static_cast<std::uint64_t>(INT64_MAX) + 1) {
        return std::nullopt;
      }
      const std::int64_t v = value == static_cast<std::uint64_t>(INT64_MAX) + 1
                                 ? INT64_MIN
                                 : -static_cast<std::int64_t>(value);
      return GoInt{true, v, 0};
    }
    return GoInt{false, 0, value};
  }

  static bool looks_like_float(const std::string& s) {
    // Decimal float forms only: strtod would also take "inf", "nan" and hex floats.
    bool digit = false;
    for (char ch : s) {
      if (ch >= '0' && ch <= '9') {
        digit = true;
      } else if (!(ch == '.' || ch == 'e' || ch == 'E' || ch == '+' || ch == '-')) {
        return false;
      }
    }
    return digit;
  }

  const YamlTree& tree_;
  json::Allocator& alloc_;
  LineMap* lines_;
  std::uint32_t first_line_;
  std::size_t node_budget_;
  std::size_t byte_budget_;
  std::size_t max_depth_;
  std::size_t max_string_;
  std::size_t nodes_ = 0;
  std::size_t bytes_ = 0;
  std::string error_;
  std::uint32_t line_ = 0;
  std::uint32_t error_line_ = 0;
  bool too_complex_ = false;
};

// What prescan_yaml() found wrong with a YAML document before yaml-cpp read it.
struct YamlProblem {
  const RuleInfo* rule;
  std::uint32_t line;
  std::string message;
};

// Length of the UTF-8 sequence at `p` (1..4) and its code point, or 0 when it is not valid
// UTF-8 (overlong, surrogate, above U+10FFFF, truncated).
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end, std::uint32_t& cp) {
  const unsigned char c = *p;
  std::size_t n = 0;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1Fu;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0Fu;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07u;
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - p) < n) {
    return 0;
  }
  for (std::size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) {
      return 0;
    }
    cp = (cp << 6) | (p[i] & 0x3Fu);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

// One pass over a YAML document before yaml-cpp reads it, for what yaml-cpp would take too
// long over, crash on or silently get wrong:
// - its size (ParseLimits::max_yaml_document_bytes): yaml-cpp's time and memory grow with it;
// - characters YAML does not allow (go-yaml, and so kubectl, refuses them): invalid UTF-8,
//   and control characters, of which yaml-cpp takes 0x04 for the end of the text and drops
//   the rest of the document unseen;
// - flow nesting ([ and {) deeper than ParseLimits::max_depth: yaml-cpp scans a whole flow
//   collection before its recursion guard (499 levels) stops it, seconds for a 100 000-deep
//   one. The count skips quoted scalars and comments and takes a bracket in block context
//   only where a value can start, so it is an upper bound of the real depth (it can only
//   overcount brackets inside block scalars, where they are balanced in practice). Block
//   nesting is cheap for yaml-cpp and bounded by the converter.
std::optional<YamlProblem> prescan_yaml(std::string_view text, std::uint32_t first_line,
                                        const ParseLimits& limits) {
  const std::string where = "YAML does not parse (document starting at line " +
                            std::to_string(first_line) + "): ";
  if (text.size() > limits.max_yaml_document_bytes) {
    return YamlProblem{&kDocumentTooComplex, first_line,
                       "YAML document of " + std::to_string(text.size()) +
                           " bytes is larger than the limit of " +
                           std::to_string(limits.max_yaml_document_bytes) +
                           " bytes for one YAML document: split it at --- lines, or give it as "
                           "JSON (kubectl get -o json), which has no per-document limit"};
  }
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = begin + text.size();
  std::uint32_t line = first_line;
  const unsigned char* line_start = begin;
  std::size_t depth = 0;
  char quote = 0;        // '"' or '\'' inside a quoted scalar
  bool escaped = false;  // after a backslash in a double-quoted scalar
  bool comment = false;
  unsigned char prev = '\n';  // previous byte outside quotes ('\n' at a line start)
  auto at = [&](const unsigned char* p) {
    return "line " + std::to_string(line) + ", column " + std::to_string(p - line_start + 1);
  };
  for (const unsigned char* p = begin; p < end; ++p) {
    const unsigned char c = *p;
    if (c >= 0x80) {
      std::uint32_t cp = 0;
      const std::size_t n = utf8_sequence(p, end, cp);
      if (n == 0) {
        return YamlProblem{&kDocumentUnparseable, line, where + "invalid UTF-8 at " + at(p)};
      }
      if (cp <= 0x9F && cp != 0x85) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
        return YamlProblem{&kDocumentUnparseable, line,
                           where + "control character " + hex + " at " + at(p) +
                               " (YAML allows only printable characters)"};
      }
      p += n - 1;
      escaped = false;
      prev = 'x';
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(c));
      return YamlProblem{&kDocumentUnparseable, line,
                         where + "control character " + hex + " at " + at(p) +
                             " (YAML allows only printable characters)"};
    }
    if (c == '\n') {
      ++line;
      line_start = p + 1;
      comment = false;
      escaped = false;
      prev = '\n';
      continue;
    }
    if (comment) {
      continue;
    }
    if (quote == '"') {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        quote = 0;
        prev = c;
      }
      continue;
    }
    if (quote == '\'') {
      if (c == '\'') {
        if (p + 1 < end && p[1] == '\'') {
          ++p;  // '' is a quote inside the scalar
        } else {
          quote = 0;
          prev = c;
        }
      }
      continue;
    }
    // Where a value can start: after a space or a line start, and inside a flow collection
    // also right after [ { , and :. In block context, "a[b" is one plain scalar.
    const bool after_space = prev == '\n' || prev == ' ' || prev == '\t';
    const bool token_start =
        after_space || (depth > 0 && (prev == '[' || prev == '{' || prev == ',' || prev == ':'));
    if (c == '#' && after_space) {
      comment = true;
      continue;
    }
    if ((c == '"' || c == '\'') && token_start) {
      quote = static_cast<char>(c);
      continue;
    }
    if ((c == '[' || c == '{') && (depth > 0 || after_space)) {
      if (++depth > limits.max_depth) {
        return YamlProblem{&kDocumentTooComplex, line,
                           depth_limit_message(limits.max_depth) + " (at " + at(p) + ")"};
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    prev = c;
  }
  return std::nullopt;
}

// Where yaml-cpp would loop forever (read_yaml_trees()), as the finding says it.
YamlProblem loop_problem(std::string_view text, std::uint32_t first_line, const YAML::Mark& at) {
  const std::uint32_t line = first_line + static_cast<std::uint32_t>(std::max(at.line, 0));
  const std::string where = "line " + std::to_string(line) + ", column " +
                            std::to_string(std::max(at.column, 0) + 1);
  const std::string head =
      "YAML does not parse (document starting at line " + std::to_string(first_line) + "): ";
  if (text.find(',') != std::string_view::npos) {
    return YamlProblem{&kDocumentUnparseable, line,
                       head + "unexpected ',' at " + where +
                           " (a comma outside [ ] and { } cannot start a value)"};
  }
  return YamlProblem{&kDocumentUnparseable, line,
                     head + "unexpected token at " + where +
                         " (text right after a closing quote cannot start a value)"};
}

// What yaml-cpp must not be given (prescan_yaml(), and where it would loop), or nullopt: for
// readers that go on to use yaml-cpp's own YAML::Load (the policy file, kubeconfigs).
std::optional<YamlProblem> guard_yaml(std::string_view text, std::uint32_t first_line,
                                      const ParseLimits& limits) {
  if (auto problem = prescan_yaml(text, first_line, limits)) {
    return problem;
  }
  std::optional<YAML::Mark> at;
  try {
    at = read_yaml_trees(text, /*keep=*/false).loops_at;
  } catch (const YAML::Exception&) {
    return std::nullopt;  // yaml-cpp refuses the text: reading it reports why.
  }
  if (!at) {
    return std::nullopt;
  }
  return loop_problem(text, first_line, *at);
}

void parse_yaml_chunk(const YamlChunk& chunk, const std::string& file, bool track_lines,
                      const ParseLimits& limits, ParsedStream& out) {
  if (only_blank_or_comments(chunk.text)) {
    return;
  }
  if (auto problem = prescan_yaml(chunk.text, chunk.first_line, limits)) {
    out.findings.push_back(document_finding(*problem->rule, file, problem->line, std::move(problem->message)));
    return;
  }
  YamlRead read;
  try {
    read = read_yaml_trees(chunk.text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own recursion guard ("bad file"), for block nesting the prescan does not
    // count: the same limit as everywhere else.
    std::uint32_t line = chunk.first_line + static_cast<std::uint32_t>(e.mark.line < 0 ? 0 : e.mark.line);
    out.findings.push_back(document_finding(kDocumentTooComplex, file, line,
                                            depth_limit_message(limits.max_depth)));
    return;
  } catch (const YAML::Exception& e) {
    std::uint32_t line = chunk.first_line + static_cast<std::uint32_t>(e.mark.line < 0 ? 0 : e.mark.line);
    out.findings.push_back(document_finding(
        kDocumentUnparseable, file, line,
        "YAML does not parse (document starting at line " + std::to_string(chunk.first_line) +
            "): " + e.msg));
    return;
  }
  if (read.loops_at) {
    YamlProblem problem = loop_problem(chunk.text, chunk.first_line, *read.loops_at);
    out.findings.push_back(document_finding(*problem.rule, file, problem.line, std::move(problem.message)));
    return;
  }
  for (const YamlTree& tree : read.documents) {
    if (!tree.root || tree.at(*tree.root).kind == YamlTree::Kind::Null) {
      continue;  // Empty document.
    }
    ParsedDocument doc;
    doc.first_line = chunk.first_line;
    doc.json = std::make_unique<json::Document>();
    YamlConverter converter(tree, *doc.json, track_lines ? &doc.lines : nullptr, chunk.first_line,
                            limits.max_nodes_per_byte * chunk.text.size() + 65536,
                            limits.max_text_per_byte * chunk.text.size() + (1u << 20),
                            limits.max_depth, limits.max_string_bytes);
    if (!converter.convert(*tree.root, *doc.json, 1)) {
      std::uint32_t line = converter.error_line() != 0 ? converter.error_line() : chunk.first_line;
      out.findings.push_back(document_finding(
          converter.too_complex() ? kDocumentTooComplex : kDocumentUnparseable, file, line,
          converter.error()));
      continue;
    }
    out.documents.push_back(std::move(doc));
  }
}

bool looks_like_json(std::string_view text, const std::string& file) {
  if (file.size() >= 5 && file.compare(file.size() - 5, 5, ".json") == 0) {
    return true;
  }
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i != std::string_view::npos && text.substr(i, 3) == "\xEF\xBB\xBF") {
    i = text.find_first_not_of(" \t\r\n", i + 3);
  }
  return i != std::string_view::npos && (text[i] == '{' || text[i] == '[');
}

}  // namespace

std::optional<std::string> yaml_guard(std::string_view text, const ParseLimits& limits) {
  if (auto problem = guard_yaml(text, 1, limits)) {
    return std::move(problem->message);
  }
  return std::nullopt;
}

std::string depth_limit_message(std::size_t max_depth) {
  return "document nests deeper than the limit of " + std::to_string(max_depth) + " levels";
}

std::string string_limit_message(std::size_t length, std::size_t max_string) {
  return "a string of " + std::to_string(length) + " bytes is longer than the limit of " +
         std::to_string(max_string) + " bytes";
}

std::string nul_byte_message(std::size_t offset) {
  return "NUL byte at offset " + std::to_string(offset) +
         " (JSON text cannot hold one; in a string, write \\u0000)";
}

ParsedStream parse_stream(std::string_view text, const std::string& file, InputFormat format,
                          bool track_lines, const ParseLimits& limits) {
  ParsedStream out;
  // A UTF-8 byte order mark is legal at the start of both formats.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  if (format == InputFormat::Json || (format == InputFormat::Auto && looks_like_json(text, file))) {
    parse_json(text, file, track_lines, limits, out);
    return out;
  }
  for (const auto& chunk : split_documents(text)) {
    parse_yaml_chunk(chunk, file, track_lines, limits, out);
  }
  return out;
}

}  // namespace meshward::model
