#pragma once
// Policy: how findings become an admission answer. Errors deny, warnings warn, infos are
// dropped, unless a per-rule override says otherwise; an object may opt out of named rules
// with an annotation, which needs a reason and is itself reported as a warning.

#include <map>
#include <string>
#include <string_view>

#include "meshward/core/diag.h"
#include "meshward/model/object.h"

namespace meshward::admission {

/// What a finding does to the answer.
enum class Action : std::uint8_t { Deny, Warn, Ignore };

/// "deny", "warn", "ignore".
std::string_view action_name(Action a);

/// The opt-out annotation: a comma-separated list of codes (or rule names).
inline constexpr std::string_view kSkipAnnotation = "meshward.io/skip";
/// Why the opt-out is there; an opt-out without a reason is not honoured.
inline constexpr std::string_view kSkipReasonAnnotation = "meshward.io/skip-reason";

/// The admission policy. Plain data; copy it freely (immutable once the server runs).
struct Policy {
  Action on_error = Action::Deny;
  Action on_warning = Action::Warn;
  Action on_info = Action::Ignore;
  /// Per-rule overrides, keyed by code ("MW2101") or rule name.
  std::map<std::string, Action, std::less<>> rules;

  /// The action for `finding` before any opt-out: the rule override, else by severity.
  Action action_for(const Finding& finding) const;
};

/// The opt-out an object declares through its annotations.
struct OptOut {
  std::vector<std::string> codes;  ///< Codes or rule names to skip; empty = none.
  std::string reason;              ///< Empty when the reason annotation is missing.
  /// Whether `finding` is skipped (listed and a reason is given).
  bool skips(const Finding& finding) const;
};

/// Reads the opt-out annotations of `object` (null: none).
OptOut opt_out_of(const model::Object* object);

}  // namespace meshward::admission
