#include <iterator>
#include <ostream>

#include "meshward/cli/args.h"
#include "meshward/cli/commands.h"
#include "meshward/core/report.h"
#include "meshward/rules/run.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::cli {

namespace {

const std::vector<FlagSpec>& check_flags() {
  static const std::vector<FlagSpec> specs = {
      {"filename", "f", true, "file, directory (recursive) or - for stdin; repeatable"},
      {"output", "o", true, "text (default) or json"},
      {"fail-on", "", true, "exit 1 when a finding is at least this severe: error (default), warning, info"},
      {"namespace", "n", true, "namespace for objects that name none (default \"default\")"},
      {"help", "h", false, "show this help"},
  };
  return specs;
}

bool at_or_above(Severity s, Severity threshold) {
  // Severity values are ordered from most to least severe.
  return static_cast<int>(s) <= static_cast<int>(threshold);
}

}  // namespace

int check(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  auto args = Args::parse(words, check_flags());
  if (!args) {
    err << "meshward check: " << args.error().message << "\n";
    return kExitUsage;
  }
  if (args->has("help")) {
    out << "Usage: meshward check -f PATH [-f PATH...] [flags]\n\n"
        << "Reads Kubernetes and Istio manifests and reports what is wrong with them.\n\n"
        << describe_flags(check_flags());
    return kExitOk;
  }
  std::vector<std::string> paths = args->values("filename");
  for (const auto& p : args->positional()) {
    paths.push_back(p);
  }
  if (paths.empty()) {
    err << "meshward check: no input; give -f FILE, -f DIR or -f -\n";
    return kExitUsage;
  }
  const std::string format = args->value("output").value_or("text");
  if (format != "text" && format != "json") {
    err << "meshward check: --output must be text or json\n";
    return kExitUsage;
  }
  auto threshold = parse_severity(args->value("fail-on").value_or("error"));
  if (!threshold) {
    err << "meshward check: --fail-on must be error, warning or info\n";
    return kExitUsage;
  }
  world::LoadOptions options;
  options.default_namespace = args->value("namespace").value_or("default");

  auto loaded = world::load_paths(paths, options);
  if (!loaded) {
    err << "meshward check: " << loaded.error().message << "\n";
    return kExitUsage;
  }
  std::vector<Finding> findings = std::move(loaded->findings);
  const std::size_t object_count = loaded->objects.size();
  const world::Snapshot world(std::move(loaded->objects));
  std::vector<Finding> checked = rules::check_world(world);
  findings.insert(findings.end(), std::make_move_iterator(checked.begin()),
                  std::make_move_iterator(checked.end()));
  rules::drop_findings_on_rejected_fields(findings);
  sort_findings(findings);

  if (format == "json") {
    out << findings_to_json(findings);
  } else {
    for (const auto& f : findings) {
      out << finding_to_text(f) << "\n";
    }
    const FindingCounts c = count_findings(findings);
    out << c.errors << (c.errors == 1 ? " error, " : " errors, ") << c.warnings
        << (c.warnings == 1 ? " warning, " : " warnings, ") << c.infos
        << (c.infos == 1 ? " info" : " infos") << " in " << object_count << " objects from "
        << loaded->files << (loaded->files == 1 ? " file" : " files") << "\n";
  }
  if (loaded->skipped_unknown > 0) {
    err << "meshward check: skipped " << loaded->skipped_unknown
        << " document(s) of kinds meshward does not model\n";
  }
  for (const auto& f : findings) {
    if (at_or_above(f.severity, *threshold)) {
      return kExitFindings;
    }
  }
  return kExitOk;
}

}  // namespace meshward::cli
