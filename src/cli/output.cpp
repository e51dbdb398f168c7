#include "meshward/cli/output.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>

#include "meshward/core/json.h"
#include "meshward/rules/registry.h"

namespace meshward::cli {

namespace {

constexpr std::string_view kClusterGroup = "(cluster)";
constexpr std::string_view kStdinName = "<stdin>";

// ANSI SGR sequences.
constexpr std::string_view kReset = "\033[0m";
constexpr std::string_view kBold = "\033[1m";
constexpr std::string_view kRed = "\033[31m";
constexpr std::string_view kYellow = "\033[33m";
constexpr std::string_view kCyan = "\033[36m";

std::string_view severity_color(Severity s) {
  switch (s) {
    case Severity::Error:
      return kRed;
    case Severity::Warning:
      return kYellow;
    case Severity::Info:
      return kCyan;
  }
  return kReset;
}

// "VirtualService bookinfo/reviews spec.http[0]": what a finding is about, or "" for a
// finding about no resource (a document that does not parse).
std::string subject_of(const Finding& f) {
  std::string out;
  if (!f.resource.kind.empty()) {
    out += f.resource.kind + ' ';
    if (!f.resource.namespace_.empty()) {
      out += f.resource.namespace_ + '/';
    }
    out += f.resource.name;
  }
  if (!f.path.empty()) {
    out += (out.empty() ? "" : " ") + f.path;
  }
  return out;
}

std::string with_subject(const Finding& f) {
  std::string subject = subject_of(f);
  return subject.empty() ? f.message : subject + ": " + f.message;
}

void write_sv(json::PrettyWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string_view sarif_level(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Info:
      return "note";
  }
  return "none";
}

std::string_view family_tag(Family f) {
  switch (f) {
    case Family::Resource:
      return "resource";
    case Family::Mesh:
      return "mesh";
    case Family::Security:
      return "security";
    case Family::Extension:
      return "extension";
  }
  return "resource";
}

// FNV-1a, 64 bits: a stable fingerprint of what a finding is about that does not move when
// lines above it are edited (code scanning then tracks one alert across commits).
std::string fingerprint(const Finding& f) {
  std::uint64_t h = 1469598103934665603ull;
  for (const std::string* part :
       {&f.code, &f.resource.kind, &f.resource.namespace_, &f.resource.name, &f.path}) {
    for (unsigned char c : *part) {
      h = (h ^ c) * 1099511628211ull;
    }
    h = (h ^ 0x1f) * 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// RFC 3986 percent-encoding of a path: unreserved characters and '/' stay.
std::string encode_path(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

}  // namespace

std::optional<bool> use_color(std::string_view flag, bool out_is_terminal, const char* no_color_env) {
  if (flag == "always") {
    return true;
  }
  if (flag == "never") {
    return false;
  }
  if (flag == "auto") {
    const bool no_color = no_color_env != nullptr && *no_color_env != '\0';
    return out_is_terminal && !no_color;
  }
  return std::nullopt;
}

std::string findings_to_text_report(const std::vector<Finding>& findings, bool color) {
  // Files in name order (std::map), then the findings no file holds.
  std::map<std::string, std::vector<const Finding*>> by_file;
  std::vector<const Finding*> no_file;
  for (const Finding& f : findings) {
    if (f.source && !f.source->file.empty()) {
      by_file[f.source->file].push_back(&f);
    } else {
      no_file.push_back(&f);
    }
  }
  auto paint = [&](std::string_view text, std::string_view sgr) {
    return color ? std::string(sgr) + std::string(text) + std::string(kReset) : std::string(text);
  };
  std::string out;
  auto group = [&](std::string_view header, std::vector<const Finding*>& items, bool has_lines) {
    // Stable: findings on one line keep the caller's order (resource, path, code).
    std::stable_sort(items.begin(), items.end(), [](const Finding* a, const Finding* b) {
      return (a->source ? a->source->line : 0u) < (b->source ? b->source->line : 0u);
    });
    std::size_t width = 1;
    for (const Finding* f : items) {
      width = std::max(width, std::to_string(f->source ? f->source->line : 0u).size());
    }
    if (!out.empty()) {
      out += '\n';
    }
    out += paint(header, kBold) + '\n';
    for (const Finding* f : items) {
      out += "  ";
      if (has_lines) {
        const std::uint32_t line = f->source ? f->source->line : 0u;
        std::string number = line == 0 ? "-" : std::to_string(line);
        out += std::string(width - std::min(width, number.size()), ' ') + number + ":  ";
      }
      std::string severity(severity_name(f->severity));
      const std::size_t pad = severity.size() < 7 ? 7 - severity.size() : 0;
      out += f->code + ' ' + paint(severity, severity_color(f->severity)) +
             std::string(pad + 2, ' ') + with_subject(*f) + '\n';
    }
  };
  for (auto& [file, items] : by_file) {
    group(file, items, true);
  }
  if (!no_file.empty()) {
    group(kClusterGroup, no_file, false);
  }
  return out;
}

std::optional<std::string> artifact_uri(std::string_view file) {
  if (file.empty() || file == kStdinName) {
    return std::nullopt;
  }
  if (file.front() == '/') {
    return "file://" + encode_path(file);
  }
  while (file.substr(0, 2) == "./") {
    file.remove_prefix(2);
  }
  return encode_path(file);
}

std::string findings_to_sarif(const std::vector<Finding>& findings, std::string_view version) {
  const auto& rules = rules::all_rules();
  std::map<std::string_view, std::size_t> rule_index;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    rule_index.emplace(rules[i].info.code, i);
  }

  json::StringBuffer buffer;
  json::PrettyWriter w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("$schema");
  w.String("https://json.schemastore.org/sarif-2.1.0.json");
  w.Key("version");
  w.String("2.1.0");
  w.Key("runs");
  w.StartArray();
  w.StartObject();

  w.Key("tool");
  w.StartObject();
  w.Key("driver");
  w.StartObject();
  w.Key("name");
  w.String("meshward");
  w.Key("version");
  write_sv(w, version);
  w.Key("rules");
  w.StartArray();
  for (const auto& rule : rules) {
    const RuleInfo& info = rule.info;
    w.StartObject();
    w.Key("id");
    write_sv(w, info.code);
    w.Key("name");
    write_sv(w, info.name);
    w.Key("shortDescription");
    w.StartObject();
    w.Key("text");
    write_sv(w, info.description);
    w.EndObject();
    w.Key("defaultConfiguration");
    w.StartObject();
    w.Key("level");
    write_sv(w, sarif_level(info.severity));
    w.EndObject();
    w.Key("properties");
    w.StartObject();
    w.Key("tags");
    w.StartArray();
    write_sv(w, family_tag(info.family));
    w.EndArray();
    if (!info.istio_code.empty()) {
      w.Key("istio_code");
      write_sv(w, info.istio_code);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();  // driver
  w.EndObject();  // tool

  w.Key("results");
  w.StartArray();
  for (const Finding& f : findings) {
    w.StartObject();
    w.Key("ruleId");
    write_sv(w, f.code);
    if (auto it = rule_index.find(f.code); it != rule_index.end()) {
      w.Key("ruleIndex");
      w.Uint64(it->second);
    }
    w.Key("level");
    write_sv(w, sarif_level(f.severity));
    w.Key("message");
    w.StartObject();
    w.Key("text");
    write_sv(w, with_subject(f));
    w.EndObject();

    // A location when the finding has a file or a resource (a document on stdin that does
    // not parse has neither).
    const auto uri = f.source ? artifact_uri(f.source->file) : std::nullopt;
    if (uri || !f.resource.kind.empty()) {
      w.Key("locations");
      w.StartArray();
      w.StartObject();
      if (uri) {
        w.Key("physicalLocation");
        w.StartObject();
        w.Key("artifactLocation");
        w.StartObject();
        w.Key("uri");
        write_sv(w, *uri);
        w.EndObject();
        if (f.source->line != 0) {
          w.Key("region");
          w.StartObject();
          w.Key("startLine");
          w.Uint(f.source->line);
          w.EndObject();
        }
        w.EndObject();
      }
      if (!f.resource.kind.empty()) {
        // "VirtualService/bookinfo/reviews" (cluster-scoped: "Namespace/bookinfo"), then the
        // field path when there is one.
        std::string qualified = f.resource.kind + '/';
        if (!f.resource.namespace_.empty()) {
          qualified += f.resource.namespace_ + '/';
        }
        qualified += f.resource.name;
        if (!f.path.empty()) {
          qualified += '/' + f.path;
        }
        w.Key("logicalLocations");
        w.StartArray();
        w.StartObject();
        w.Key("name");
        write_sv(w, f.resource.name);
        w.Key("fullyQualifiedName");
        write_sv(w, qualified);
        w.Key("kind");
        w.String("resource");
        w.EndObject();
        w.EndArray();
      }
      w.EndObject();
      w.EndArray();
    }

    w.Key("partialFingerprints");
    w.StartObject();
    w.Key("meshwardFinding/v1");
    write_sv(w, fingerprint(f));
    w.EndObject();

    w.Key("properties");
    w.StartObject();
    w.Key("rule");
    write_sv(w, f.rule);
    w.Key("resource");
    w.StartObject();
    w.Key("apiVersion");
    write_sv(w, f.resource.api_version);
    w.Key("kind");
    write_sv(w, f.resource.kind);
    w.Key("namespace");
    write_sv(w, f.resource.namespace_);
    w.Key("name");
    write_sv(w, f.resource.name);
    w.EndObject();
    w.Key("path");
    write_sv(w, f.path);
    if (!f.istio_code.empty()) {
      w.Key("istio_code");
      write_sv(w, f.istio_code);
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();  // results

  w.EndObject();  // run
  w.EndArray();
  w.EndObject();
  std::string out(buffer.GetString(), buffer.GetSize());
  out += '\n';
  return out;
}

}  // namespace meshward::cli
