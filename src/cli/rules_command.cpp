#include <ostream>

#include "meshward/cli/args.h"
#include "meshward/cli/commands.h"
#include "meshward/core/json.h"
#include "meshward/rules/registry.h"

namespace meshward::cli {

namespace {

std::string_view family_name(Family f) {
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

void write_sv(json::PrettyWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace

int rules_command(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  const std::vector<FlagSpec> specs = {{"output", "o", true, "text (default), json or md"},
                                       {"help", "h", false, "show this help"}};
  auto args = Args::parse(words, specs);
  if (!args) {
    err << "meshward rules: " << args.error().message << "\n";
    return kExitUsage;
  }
  if (args->has("help")) {
    out << "Usage: meshward rules [flags]\n\nLists every check meshward runs.\n\n"
        << describe_flags(specs);
    return kExitOk;
  }
  const std::string format = args->value("output").value_or("text");
  const auto& rules = rules::all_rules();
  if (format == "json") {
    json::StringBuffer buffer;
    json::PrettyWriter w(buffer);
    w.SetIndent(' ', 2);
    w.StartArray();
    for (const auto& rule : rules) {
      w.StartObject();
      w.Key("code");
      write_sv(w, rule.info.code);
      w.Key("name");
      write_sv(w, rule.info.name);
      w.Key("family");
      write_sv(w, family_name(rule.info.family));
      w.Key("severity");
      write_sv(w, severity_name(rule.info.severity));
      w.Key("description");
      write_sv(w, rule.info.description);
      w.Key("kinds");
      w.StartArray();
      for (std::size_t i = 0; i < model::kKindCount; ++i) {
        if (rule.inputs.contains(static_cast<model::Kind>(i))) {
          write_sv(w, model::kind_name(static_cast<model::Kind>(i)));
        }
      }
      w.EndArray();
      if (!rule.info.istio_code.empty()) {
        w.Key("istio_code");
        write_sv(w, rule.info.istio_code);
      }
      w.EndObject();
    }
    w.EndArray();
    out << buffer.GetString() << "\n";
    return kExitOk;
  }
  if (format == "md") {
    out << "| code | name | severity | kinds | istioctl | description |\n"
        << "|---|---|---|---|---|---|\n";
    for (const auto& rule : rules) {
      out << "| " << rule.info.code << " | " << rule.info.name << " | "
          << severity_name(rule.info.severity) << " | " << rule.inputs.to_string() << " | "
          << rule.info.istio_code << " | " << rule.info.description << " |\n";
    }
    return kExitOk;
  }
  if (format != "text") {
    err << "meshward rules: --output must be text, json or md\n";
    return kExitUsage;
  }
  for (const auto& rule : rules) {
    std::string name(rule.info.name);
    name.resize(std::max<std::size_t>(name.size(), 34), ' ');
    std::string sev(severity_name(rule.info.severity));
    sev.resize(8, ' ');
    out << rule.info.code << "  " << name << " " << sev << rule.info.description << "\n";
  }
  return kExitOk;
}

}  // namespace meshward::cli
