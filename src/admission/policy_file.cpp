// The policy file: YAML read with yaml-cpp directly (not through the model's YAML→JSON path)
// because the file's own words matter: `off` must stay the word "off", not YAML 1.1's false,
// and every key and value needs its line for the error messages.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "meshward/admission/policy.h"
#include "meshward/model/document.h"
#include "meshward/rules/registry.h"

namespace meshward::admission {

namespace {

// A policy file is a few dozen lines; anything this large is the wrong file.
constexpr std::size_t kMaxPolicyBytes = 1024 * 1024;

// Collects every problem of one file as "file:line: what".
class Problems {
 public:
  explicit Problems(const std::string& file) : file_(file) {}

  void add(int line, const std::string& what) {
    std::string text = file_;
    if (line > 0) {
      text += ':' + std::to_string(line);
    }
    text += ": " + what;
    lines_.push_back(std::move(text));
  }
  bool empty() const { return lines_.empty(); }
  Error error() const {
    std::string message;
    for (const auto& l : lines_) {
      message += (message.empty() ? "" : "\n") + l;
    }
    return Error{std::move(message)};
  }

 private:
  const std::string& file_;
  std::vector<std::string> lines_;
};

// 1-based line of a node; `fallback` for nodes without a position (an empty value).
int line_of(const YAML::Node& node, int fallback) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? fallback : mark.line + 1;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Scalar:
      return '"' + node.Scalar() + '"';
  }
  return "something else";
}

// One entry of a mapping, with the key's text and line.
struct Entry {
  std::string key;
  int line = 0;
  YAML::Node value;
};

// The entries of `node` (a mapping, or null for an empty section), rejecting non-scalar
// keys and keys given twice (YAML leaves duplicates to the reader; one of two would be lost
// silently).
std::vector<Entry> entries_of(const YAML::Node& node, std::string_view section, int section_line,
                              Problems& problems) {
  std::vector<Entry> out;
  if (node.IsNull()) {
    return out;
  }
  const std::string where = section.empty() ? "the policy" : std::string(section);
  if (!node.IsMap()) {
    problems.add(line_of(node, section_line),
                 where + " must be a mapping of names to values, got " + describe(node));
    return out;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const int line = line_of(it->first, section_line);
    if (!it->first.IsScalar()) {
      problems.add(line, where + ": a key must be a plain name, got " + describe(it->first));
      continue;
    }
    const std::string key = it->first.Scalar();
    bool duplicate = false;
    for (const Entry& e : out) {
      if (e.key == key) {
        problems.add(line, (section.empty() ? "" : std::string(section) + ": ") + "\"" + key +
                               "\" is given twice (first at line " + std::to_string(e.line) + ")");
        duplicate = true;
        break;
      }
    }
    if (!duplicate) {
      out.push_back({key, line, it->second});
    }
  }
  return out;
}

// A scalar value out of a fixed set of words; nullopt (and a problem) otherwise.
template <class T, std::size_t N>
std::optional<T> word(const Entry& entry, std::string_view what,
                      const std::pair<std::string_view, T> (&choices)[N], const std::string& where,
                      Problems& problems) {
  std::string expected;
  for (std::size_t i = 0; i < N; ++i) {
    expected += (i == 0 ? "" : (i + 1 == N ? " or " : ", ")) + std::string(choices[i].first);
  }
  if (entry.value.IsScalar()) {
    for (const auto& [name, value] : choices) {
      if (entry.value.Scalar() == name) {
        return value;
      }
    }
  }
  // An empty value has no line of its own (yaml-cpp marks where the next token starts).
  const int line = entry.value.IsNull() ? entry.line : line_of(entry.value, entry.line);
  problems.add(line, where + ": unknown " + std::string(what) + " " + describe(entry.value) +
                        " (expected " + expected + ")");
  return std::nullopt;
}

constexpr std::pair<std::string_view, Action> kActions[] = {
    {"deny", Action::Deny}, {"warn", Action::Warn}, {"ignore", Action::Ignore}};
constexpr std::pair<std::string_view, Enforcement> kEnforcements[] = {
    {"enforce", Enforcement::Enforce}, {"warn", Enforcement::Warn}, {"off", Enforcement::Off}};
// The words themselves: YAML 1.1's yes/no/on/off are not booleans here (`off` is an
// enforcement), so only true and false are.
constexpr std::pair<std::string_view, bool> kBooleans[] = {{"true", true}, {"false", false}};

// Kubernetes namespace names are DNS-1123 labels.
bool valid_namespace_name(std::string_view name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

void read_severities(const Entry& section, Policy& policy, Problems& problems) {
  for (const Entry& e : entries_of(section.value, "severities", section.line, problems)) {
    Action* target = nullptr;
    if (e.key == "error") {
      target = &policy.on_error;
    } else if (e.key == "warning") {
      target = &policy.on_warning;
    } else if (e.key == "info") {
      target = &policy.on_info;
    } else {
      problems.add(e.line, "severities: unknown severity \"" + e.key +
                               "\" (expected error, warning or info)");
      continue;
    }
    if (auto action = word(e, "action", kActions, "severities." + e.key, problems)) {
      *target = *action;
    }
  }
}

void read_rules(const Entry& section, Policy& policy, Problems& problems) {
  std::map<std::string, int, std::less<>> first_line;  // code -> line that set it
  for (const Entry& e : entries_of(section.value, "rules", section.line, problems)) {
    const rules::Rule* rule = rules::find_rule(e.key);
    if (rule == nullptr) {
      problems.add(e.line, "rules: unknown rule \"" + e.key +
                               "\" (not a code or name that `meshward rules` lists)");
      continue;
    }
    const std::string code(rule->info.code);
    if (auto it = first_line.find(code); it != first_line.end()) {
      problems.add(e.line, "rules: " + code + " (" + std::string(rule->info.name) +
                               ") is set twice (first at line " + std::to_string(it->second) + ")");
      continue;
    }
    first_line.emplace(code, e.line);
    if (auto action = word(e, "action", kActions, "rules." + e.key, problems)) {
      policy.rules[code] = *action;
    }
  }
}

void read_namespaces(const Entry& section, Policy& policy, Problems& problems) {
  for (const Entry& e : entries_of(section.value, "namespaces", section.line, problems)) {
    if (!valid_namespace_name(e.key)) {
      problems.add(e.line, "namespaces: \"" + e.key +
                               "\" is not a namespace name (lowercase letters, digits and '-', "
                               "at most 63)");
      continue;
    }
    if (auto enforcement = word(e, "enforcement", kEnforcements, "namespaces." + e.key, problems)) {
      policy.namespaces[e.key] = *enforcement;
    }
  }
}

}  // namespace

Result<Policy> parse_policy(std::string_view text, const std::string& file) {
  Problems problems(file);
  if (auto why = model::yaml_guard(text)) {
    problems.add(0, *why);
    return problems.error();
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    problems.add(e.mark.is_null() ? 0 : e.mark.line + 1, "YAML does not parse: " + e.msg);
    return problems.error();
  }
  Policy policy;
  if (documents.empty()) {
    return policy;  // An empty file: the defaults.
  }
  if (documents.size() > 1) {
    problems.add(line_of(documents[1], 0), "one YAML document expected, found " +
                                               std::to_string(documents.size()));
    return problems.error();
  }
  for (const Entry& e : entries_of(documents.front(), "", 1, problems)) {
    if (e.key == "severities") {
      read_severities(e, policy, problems);
    } else if (e.key == "rules") {
      read_rules(e, policy, problems);
    } else if (e.key == "namespaces") {
      read_namespaces(e, policy, problems);
    } else if (e.key == "defaultEnforcement") {
      if (auto enforcement = word(e, "enforcement", kEnforcements, "defaultEnforcement", problems)) {
        policy.default_enforcement = *enforcement;
      }
    } else if (e.key == "requireEgressGateway") {
      if (auto required = word(e, "value", kBooleans, "requireEgressGateway", problems)) {
        policy.require_egress_gateway = *required;
      }
    } else if (e.key == "missingReferences") {
      if (auto action = word(e, "action", kActions, "missingReferences", problems)) {
        policy.missing_references = *action;
      }
    } else {
      problems.add(e.line, "unknown key \"" + e.key +
                               "\" (expected severities, rules, namespaces, defaultEnforcement, "
                               "requireEgressGateway or missingReferences)");
    }
  }
  if (!problems.empty()) {
    return problems.error();
  }
  return policy;
}

Result<Policy> load_policy_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error{"policy file " + path + ": is a directory, not a file"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{"policy file " + path + ": cannot read: " + std::strerror(errno)};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return Error{"policy file " + path + ": cannot read: " + std::strerror(errno)};
  }
  if (text.str().size() > kMaxPolicyBytes) {
    return Error{"policy file " + path + ": larger than 1 MiB; is it the right file?"};
  }
  return parse_policy(text.str(), path);
}

}  // namespace meshward::admission
