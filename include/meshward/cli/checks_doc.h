#pragma once
// The check documentation, generated from the registry and each check's golden cases
// (tests/golden/rules/<CODE>-<name>/): docs/checks.md, the catalogue by code, and
// docs/checks/<family>.md, one section per check with its description, severity, kinds read
// and istioctl code, its `fires.yaml` with what the check alone reports on it, and its
// `fixed.yaml`. `meshward rules -o md --examples tests/golden/rules --write docs` writes the
// pages; tests/unit/cli/commands_test.cpp fails when the committed ones differ.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/result.h"
#include "meshward/rules/rule.h"

namespace meshward::cli {

/// One generated page.
struct DocPage {
  std::string path;  ///< Relative to the docs folder: "checks.md", "checks/mesh.md".
  std::string text;
};

/// The command that regenerates the pages, run from the repository root.
inline constexpr std::string_view kChecksDocCommand =
    "meshward rules -o md --examples tests/golden/rules --write docs";

/// One row of the catalogue table (`meshward rules -o md`), with `code_cell` in the code
/// column: "| MW1201 | virtualservice-route-action-missing | error | VirtualService |  | ... |".
std::string catalogue_row(const rules::Rule& rule, std::string_view code_cell);
/// The catalogue table's header and separator lines.
inline constexpr std::string_view kCatalogueHeader =
    "| code | name | severity | kinds | istioctl | description |\n|---|---|---|---|---|---|\n";

/// Every page, in a fixed order: checks.md, then one page per family. `golden_dir` holds
/// the golden cases (tests/golden/rules); the pages link to them as
/// ../../tests/golden/rules/... An Error, naming every problem, when a registered check has no
/// fires.yaml or fixed.yaml there or one cannot be read.
Result<std::vector<DocPage>> checks_doc(const std::filesystem::path& golden_dir);

}  // namespace meshward::cli
