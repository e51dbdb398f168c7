#pragma once
// `meshward check` output formats besides the `-o json` contract (core/report.h): the text a
// person reads in a terminal, and SARIF 2.1.0 for code-scanning services (GitHub, GitLab).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/diag.h"

namespace meshward::cli {

/// `--color auto|always|never` with the environment's say: `auto` colours only a terminal
/// and only when NO_COLOR is unset or empty (https://no-color.org); `always` and `never`
/// win over NO_COLOR. nullopt for an unknown value.
std::optional<bool> use_color(std::string_view flag, bool out_is_terminal, const char* no_color_env);

/// Findings grouped by file (files in name order, findings without a file last under
/// "(cluster)"), each group headed by its file name, its findings sorted by line:
///
///   bookinfo.yaml
///     42:  MW2101 error    VirtualService bookinfo/reviews spec.http[0].route[0]: message
///
/// Line numbers are right-aligned within a group. With `color`, severities are red (error),
/// yellow (warning) or cyan (info) and file headers bold. Empty for no findings.
std::string findings_to_text_report(const std::vector<Finding>& findings, bool color);

/// A SARIF 2.1.0 log with one run: tool.driver (name "meshward", `version`, every rule of
/// the registry with its default level), and one result per finding with its rule, level
/// (error, warning, note), message, file and line, and the resource as a logical location.
std::string findings_to_sarif(const std::vector<Finding>& findings, std::string_view version);

/// A file name as a SARIF artifact URI: relative paths stay relative ("a%20b/x.yaml"),
/// absolute ones become file:// URIs; nullopt for "<stdin>".
std::optional<std::string> artifact_uri(std::string_view file);

}  // namespace meshward::cli
