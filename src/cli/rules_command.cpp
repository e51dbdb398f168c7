#include <filesystem>
#include <fstream>
#include <ostream>

#include "meshward/cli/args.h"
#include "meshward/cli/checks_doc.h"
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

// `-o md --examples DIR --write DOCS`: the check documentation (checks_doc.h) into DOCS.
int write_checks_doc(const std::string& golden_dir, const std::string& docs_dir, std::ostream& out,
                     std::ostream& err) {
  auto pages = checks_doc(golden_dir);
  if (!pages) {
    err << "meshward rules: --examples: " << pages.error().message << "\n";
    return kExitUsage;
  }
  for (const DocPage& page : *pages) {
    const std::filesystem::path path = std::filesystem::path(docs_dir) / page.path;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << page.text;
    file.close();
    if (ec || !file) {
      err << "meshward rules: --write: cannot write " << path.string() << "\n";
      return kExitUsage;
    }
    out << "wrote " << path.string() << "\n";
  }
  return kExitOk;
}

}  // namespace

int rules_command(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  const std::vector<FlagSpec> specs = {
      {"output", "o", true, "text (default), json or md"},
      {"examples", "", true,
       "with -o md and --write: the golden cases (tests/golden/rules) the pages show"},
      {"write", "", true,
       "with -o md and --examples: the docs folder to write checks.md and checks/<family>.md in"},
      {"help", "h", false, "show this help"}};
  auto args = Args::parse(words, specs);
  if (!args) {
    err << "meshward rules: " << args.error().message << "\n";
    return kExitUsage;
  }
  if (args->has("help")) {
    out << "Usage: meshward rules [-o text|json|md] [-o md --examples DIR --write DOCS]\n\n"
           "Lists every check meshward runs. With --examples and --write, writes the check\n"
           "documentation (DOCS/checks.md and DOCS/checks/<family>.md): each check with the\n"
           "golden manifest it reports on, what it reports, and the fixed manifest.\n"
           "From the repository root: "
        << kChecksDocCommand << "\n\n"
        << describe_flags(specs);
    return kExitOk;
  }
  const std::string format = args->value("output").value_or("text");
  const auto examples = args->value("examples");
  const auto write = args->value("write");
  if (examples || write) {
    if (!examples || !write || format != "md") {
      err << "meshward rules: --examples and --write go together, with -o md\n";
      return kExitUsage;
    }
    return write_checks_doc(*examples, *write, out, err);
  }
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
    out << kCatalogueHeader;
    for (const auto& rule : rules) {
      out << catalogue_row(rule, rule.info.code);
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
