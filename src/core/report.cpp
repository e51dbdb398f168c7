#include "meshward/core/report.h"

#include "meshward/core/json.h"

namespace meshward {

namespace {

template <class W>
void write_string(W& w, const std::string& s) {
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace

std::string findings_to_json(const std::vector<Finding>& findings) {
  json::StringBuffer buffer;
  json::PrettyWriter w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("findings");
  w.StartArray();
  for (const auto& f : findings) {
    w.StartObject();
    w.Key("code");
    write_string(w, f.code);
    w.Key("severity");
    w.String(severity_name(f.severity).data());
    w.Key("rule");
    write_string(w, f.rule);
    w.Key("resource");
    w.StartObject();
    w.Key("apiVersion");
    write_string(w, f.resource.api_version);
    w.Key("kind");
    write_string(w, f.resource.kind);
    w.Key("namespace");
    write_string(w, f.resource.namespace_);
    w.Key("name");
    write_string(w, f.resource.name);
    w.EndObject();
    w.Key("path");
    write_string(w, f.path);
    w.Key("message");
    write_string(w, f.message);
    if (!f.istio_code.empty()) {
      w.Key("istio_code");
      write_string(w, f.istio_code);
    }
    if (f.source) {
      w.Key("source");
      w.StartObject();
      w.Key("file");
      write_string(w, f.source->file);
      w.Key("line");
      w.Uint(f.source->line);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  const FindingCounts counts = count_findings(findings);
  w.Key("summary");
  w.StartObject();
  w.Key("errors");
  w.Uint64(counts.errors);
  w.Key("warnings");
  w.Uint64(counts.warnings);
  w.Key("infos");
  w.Uint64(counts.infos);
  w.EndObject();
  w.EndObject();
  std::string out(buffer.GetString(), buffer.GetSize());
  out += '\n';
  return out;
}

std::string finding_to_text(const Finding& f) {
  std::string out;
  if (f.source) {
    out += f.source->file;
    if (f.source->line != 0) {
      out += ':' + std::to_string(f.source->line);
    }
    out += ": ";
  }
  out += severity_name(f.severity);
  out += ' ';
  out += f.code;
  if (!f.resource.kind.empty()) {
    out += ' ' + f.resource.kind + ' ';
    if (!f.resource.namespace_.empty()) {
      out += f.resource.namespace_ + '/';
    }
    out += f.resource.name;
  }
  if (!f.path.empty()) {
    out += ' ' + f.path;
  }
  out += ": " + f.message;
  return out;
}

}  // namespace meshward
