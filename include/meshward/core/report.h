#pragma once
// Rendering findings: the `-o json` contract of docs/DESIGN.md and the one-line text form.

#include <string>
#include <vector>

#include "meshward/core/diag.h"

namespace meshward {

/// `{"findings": [...], "summary": {"errors": N, "warnings": N, "infos": N}}`, exactly the
/// shape docs/DESIGN.md fixes (istio_code and source only when present). Pretty-printed
/// with two-space indentation, newline-terminated.
std::string findings_to_json(const std::vector<Finding>& findings);

/// "file:line: severity CODE Kind ns/name path: message" (file part only when known).
std::string finding_to_text(const Finding& finding);

}  // namespace meshward
