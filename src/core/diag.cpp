#include "meshward/core/diag.h"

#include <algorithm>
#include <functional>
#include <tuple>

namespace meshward {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Info:
      return "info";
  }
  return "error";
}

std::optional<Severity> parse_severity(std::string_view name) {
  if (name == "error") {
    return Severity::Error;
  }
  if (name == "warning") {
    return Severity::Warning;
  }
  if (name == "info") {
    return Severity::Info;
  }
  return std::nullopt;
}

Finding make_finding(const RuleInfo& info, ResourceRef resource, std::string path,
                     std::string message, std::optional<SourceRef> source) {
  Finding f;
  f.code = std::string(info.code);
  f.severity = info.severity;
  f.rule = std::string(info.name);
  f.resource = std::move(resource);
  f.path = std::move(path);
  f.message = std::move(message);
  f.istio_code = std::string(info.istio_code);
  f.source = std::move(source);
  return f;
}

FindingCounts count_findings(const std::vector<Finding>& findings) {
  FindingCounts c;
  for (const auto& f : findings) {
    switch (f.severity) {
      case Severity::Error:
        ++c.errors;
        break;
      case Severity::Warning:
        ++c.warnings;
        break;
      case Severity::Info:
        ++c.infos;
        break;
    }
  }
  return c;
}

void sort_findings(std::vector<Finding>& findings) {
  static const std::string empty;
  auto key = [](const Finding& f) {
    return std::make_tuple(std::cref(f.source ? f.source->file : empty),
                           f.source ? f.source->line : 0u, std::cref(f.resource.kind),
                           std::cref(f.resource.namespace_), std::cref(f.resource.name),
                           std::cref(f.path), std::cref(f.code), std::cref(f.message));
  };
  std::stable_sort(findings.begin(), findings.end(),
                   [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
}

}  // namespace meshward
