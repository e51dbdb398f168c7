#include <cstdlib>
#include <iterator>
#include <optional>
#include <ostream>

#include "meshward/admission/policy.h"
#include "meshward/cli/args.h"
#include "meshward/cli/commands.h"
#include "meshward/cli/output.h"
#include "meshward/core/report.h"
#include "meshward/rules/run.h"
#include "meshward/translate/options.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

#ifndef MESHWARD_VERSION
#define MESHWARD_VERSION "0.0.0"
#endif

namespace meshward::cli {

namespace {

const std::vector<FlagSpec>& check_flags() {
  static const std::vector<FlagSpec> specs = {
      {"filename", "f", true, "file, directory (recursive) or - for stdin; repeatable"},
      {"output", "o", true, "text (default), json or sarif (SARIF 2.1.0, for code scanning)"},
      {"fail-on", "", true,
       "exit 1 when a finding is at least this severe: error (default), warning, info, none"},
      {"policy", "", true, "policy file (as `meshward serve --policy`): findings as the webhook acts"},
      {"color", "", true, "colour the text output: auto (default: on a terminal), always, never"},
      {"namespace", "n", true, "namespace for objects that name none (default \"default\")"},
      {"istio-version", "", true,
       "the Istio release whose translation the mesh checks judge by, e.g. 1.15 (default: the "
       "newest)"},
      {"mesh-config", "", true,
       "the mesh's MeshConfig (data.mesh of the istio ConfigMap, that ConfigMap, or an "
       "IstioOperator): rootNamespace, trustDomain, outboundTrafficPolicy, connectTimeout, "
       "enableAutoMtls, default*ExportTo, extensionProviders, localityLbSetting, "
       "protocolDetectionTimeout, dnsRefreshRate, h2UpgradePolicy, defaultHttpRetryPolicy "
       "(default: Istio's defaults)"},
      {"help", "h", false, "show this help"},
  };
  return specs;
}

constexpr const char* kCheckUsage =
    "Usage: meshward check -f PATH [-f PATH...] [-o text|json|sarif]\n"
    "                      [--fail-on error|warning|info|none] [--policy FILE]\n"
    "                      [--color auto|always|never] [-n NAMESPACE] [--istio-version 1.15]\n"
    "                      [--mesh-config FILE]\n"
    "\n"
    "Reads Kubernetes and Istio manifests and reports what is wrong with them.\n"
    "\n"
    "Mesh checks that ask the translator (e.g. MW2116, a subset cluster's EDS) see the Envoy\n"
    "configuration the --istio-version release of istiod would push, as `meshward translate\n"
    "--istio-version` shows it, with the mesh's settings from --mesh-config.\n"
    "\n"
    "With --policy, each finding is first mapped the way `meshward serve` maps it: the rule\n"
    "or severity action, the namespace's enforcement and the object's meshward.io/skip\n"
    "opt-out. Findings the webhook would deny are reported as errors, those it would warn\n"
    "about as warnings, and ignored ones are left out; --fail-on then applies as usual, so\n"
    "the default (error) exits 1 exactly when the webhook would deny something.\n"
    "\n"
    "Exit status: 0 no finding at or above --fail-on, 1 some, 2 unreadable input or bad flags.\n"
    "\n";

bool at_or_above(Severity s, Severity threshold) {
  // Severity values are ordered from most to least severe.
  return static_cast<int>(s) <= static_cast<int>(threshold);
}

// What the webhook would do with each finding, as severities: deny -> error, warn ->
// warning, ignore -> dropped. Each finding is judged in its own resource's namespace and
// against its own object's opt-out annotations. Returns the number dropped.
std::size_t apply_policy(std::vector<Finding>& findings, const admission::Policy& policy,
                         const world::Snapshot& world) {
  std::size_t ignored = 0;
  std::vector<Finding> kept;
  kept.reserve(findings.size());
  for (Finding& f : findings) {
    const model::Object* object = nullptr;
    if (auto kind = model::parse_kind(f.resource.kind)) {
      object = world.find(*kind, f.resource.namespace_, f.resource.name);
    }
    const admission::OptOut opt_out = admission::opt_out_of(object);
    const admission::Action action =
        admission::enforced(opt_out.skips(f) ? admission::Action::Ignore : policy.action_for(f),
                            policy.enforcement_for(f.resource.namespace_));
    if (action == admission::Action::Ignore) {
      ++ignored;
      continue;
    }
    f.severity = action == admission::Action::Deny ? Severity::Error : Severity::Warning;
    kept.push_back(std::move(f));
  }
  findings = std::move(kept);
  return ignored;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

int check(const std::vector<std::string>& words, std::ostream& out, std::ostream& err,
          bool out_is_terminal) {
  auto args = Args::parse(words, check_flags());
  if (!args) {
    err << "meshward check: " << args.error().message << "\n";
    return kExitUsage;
  }
  if (args->has("help")) {
    out << kCheckUsage << describe_flags(check_flags());
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
  if (format != "text" && format != "json" && format != "sarif") {
    err << "meshward check: --output must be text, json or sarif\n";
    return kExitUsage;
  }
  const std::string fail_on = args->value("fail-on").value_or("error");
  const auto threshold = parse_severity(fail_on);
  if (!threshold && fail_on != "none") {
    err << "meshward check: --fail-on must be error, warning, info or none\n";
    return kExitUsage;
  }
  const auto color = use_color(args->value("color").value_or("auto"), out_is_terminal,
                               std::getenv("NO_COLOR"));
  if (!color) {
    err << "meshward check: --color must be auto, always or never\n";
    return kExitUsage;
  }
  std::optional<admission::Policy> policy;
  if (auto file = args->value("policy")) {
    auto loaded = admission::load_policy_file(*file);
    if (!loaded) {
      err << "meshward check: --policy: " << loaded.error().message << "\n";
      return kExitUsage;
    }
    policy = std::move(*loaded);
  }
  rules::RunOptions run_options;
  auto translate_options = translator_flags(*args);
  if (!translate_options) {
    err << "meshward check: " << translate_options.error().message << "\n";
    return kExitUsage;
  }
  run_options.translate = std::move(*translate_options);
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
  std::vector<Finding> checked = rules::check_world(world, run_options);
  findings.insert(findings.end(), std::make_move_iterator(checked.begin()),
                  std::make_move_iterator(checked.end()));
  rules::drop_findings_on_rejected_fields(findings);
  std::size_t ignored = 0;
  if (policy) {
    ignored = apply_policy(findings, *policy, world);
  }
  sort_findings(findings);

  if (format == "json") {
    out << findings_to_json(findings);
  } else if (format == "sarif") {
    out << findings_to_sarif(findings, MESHWARD_VERSION);
  } else {
    const std::string report = findings_to_text_report(findings, *color);
    out << report << (report.empty() ? "" : "\n");
    const FindingCounts c = count_findings(findings);
    out << plural(c.errors, "error", "errors") << ", " << plural(c.warnings, "warning", "warnings")
        << ", " << plural(c.infos, "info", "infos") << " in " << object_count << " objects from "
        << plural(loaded->files, "file", "files");
    if (policy) {
      out << "; " << ignored << " ignored by the policy";
    }
    out << "\n";
  }
  if (loaded->skipped_unknown > 0) {
    err << "meshward check: skipped " << loaded->skipped_unknown
        << " document(s) of kinds meshward does not model\n";
  }
  if (object_count == 0 && loaded->skipped_unknown == 0 && findings.empty() && ignored == 0) {
    // Not an error (an empty file in a directory of manifests is common), but never silent:
    // a rendering step that produced nothing should not pass unnoticed.
    err << "meshward check: the input holds no Kubernetes objects (empty, whitespace or "
           "comments only)\n";
  }
  if (threshold) {
    for (const auto& f : findings) {
      if (at_or_above(f.severity, *threshold)) {
        return kExitFindings;
      }
    }
  }
  return kExitOk;
}

}  // namespace meshward::cli
