#pragma once
// Findings: what every part of meshward reports about the configuration it reads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshward {

enum class Severity : std::uint8_t { Error, Warning, Info };

/// "error", "warning" or "info".
std::string_view severity_name(Severity s);
/// Parses a severity name; nullopt when unknown.
std::optional<Severity> parse_severity(std::string_view name);

/// Which family a code belongs to; the code's first digit says the same (MW1xxx resource, ...).
enum class Family : std::uint8_t { Resource, Mesh, Security, Extension };

/// Static description of one kind of finding. Checks (and the decoder, for the findings it
/// produces itself) declare one of these as a constexpr in their own file.
struct RuleInfo {
  std::string_view code;         ///< Stable, never reused: "MW2101".
  std::string_view name;         ///< kebab-case: "virtualservice-subset-undefined".
  Family family = Family::Resource;
  Severity severity = Severity::Error;  ///< Default severity.
  std::string_view description;  ///< One line.
  std::string_view istio_code;   ///< Equivalent `istioctl analyze` code, or empty.
};

/// Where a finding's resource was read from (files only; admission requests have none).
struct SourceRef {
  std::string file;
  std::uint32_t line = 0;  ///< 1-based; 0 when unknown.
};

/// Identity of a Kubernetes object as findings print it.
struct ResourceRef {
  std::string api_version;
  std::string kind;
  std::string namespace_;
  std::string name;
};

/// One problem found in the configuration.
struct Finding {
  std::string code;
  Severity severity = Severity::Error;
  std::string rule;
  ResourceRef resource;
  std::string path;  ///< Field path inside the resource, e.g. "spec.http[0].route[0]".
  std::string message;
  std::string istio_code;
  std::optional<SourceRef> source;
  /// The finding is that something the resource refers to (an object, or part of one: a
  /// subset, a port) does not exist. Objects are applied in any order (`kubectl apply -f
  /// dir/`, GitOps tools), so admission lets such a finding on the object under review only
  /// warn by default (admission::Policy::missing_references).
  bool missing_reference = false;
};

/// Builds a finding with the rule's code, name, default severity and istio code filled in.
Finding make_finding(const RuleInfo& info, ResourceRef resource, std::string path,
                     std::string message, std::optional<SourceRef> source = std::nullopt);

struct FindingCounts {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t infos = 0;
};
FindingCounts count_findings(const std::vector<Finding>& findings);

/// Orders findings for output: by file, line, resource, path, code.
void sort_findings(std::vector<Finding>& findings);

}  // namespace meshward
