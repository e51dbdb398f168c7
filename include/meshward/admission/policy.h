#pragma once
// Policy: how findings become an admission answer. Errors deny, warnings warn, infos are
// dropped, unless a per-rule override says otherwise (`requireEgressGateway` makes MW2112 an
// error; a per-rule override for it still wins); a namespace may be enforced, only
// warned about, or left alone; an object may opt out of named rules with an annotation,
// which needs a reason and is itself reported as a warning.
//
// The policy file (`--policy FILE` of `serve` and `check`, the chart's ConfigMap key
// `policy.yaml`) is described in docs/policy.md.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/diag.h"
#include "meshward/core/result.h"
#include "meshward/model/object.h"

namespace meshward::admission {

/// What a finding does to the answer.
enum class Action : std::uint8_t { Deny, Warn, Ignore };

/// "deny", "warn", "ignore".
std::string_view action_name(Action a);

/// How much of the policy applies in a namespace.
enum class Enforcement : std::uint8_t {
  Enforce,  ///< Actions as the policy says.
  Warn,     ///< Nothing denies: would-be denials become warnings.
  Off,      ///< No checks: every request is allowed.
};

/// "enforce", "warn", "off".
std::string_view enforcement_name(Enforcement e);

/// `action` under `enforcement`: Off ignores everything, Warn turns a deny into a warning.
Action enforced(Action action, Enforcement enforcement);

/// The check `requireEgressGateway` makes an error: serviceentry-external-no-egress-gateway.
inline constexpr std::string_view kEgressGatewayRule = "MW2112";

/// The opt-out annotation: a comma-separated list of codes (or rule names).
inline constexpr std::string_view kSkipAnnotation = "meshward.io/skip";
/// Why the opt-out is there; an opt-out without a reason is not honoured.
inline constexpr std::string_view kSkipReasonAnnotation = "meshward.io/skip-reason";

/// The admission policy. Plain data; copy it freely (immutable once the server runs).
struct Policy {
  Action on_error = Action::Deny;
  Action on_warning = Action::Warn;
  Action on_info = Action::Ignore;
  /// Per-rule overrides, keyed by code ("MW2101") or rule name (a policy file's are keyed
  /// by code).
  std::map<std::string, Action, std::less<>> rules;
  /// Per-namespace enforcement; namespaces not listed get `default_enforcement`.
  std::map<std::string, Enforcement, std::less<>> namespaces;
  Enforcement default_enforcement = Enforcement::Enforce;
  /// `requireEgressGateway`: MW2112 (a MESH_EXTERNAL host no egress gateway carries) is an
  /// error instead of a warning, so it takes the error action (deny by default).
  bool require_egress_gateway = false;
  /// `missingReferences`: the most a finding that something the object under review refers to
  /// does not exist (Finding::missing_reference) may do to that object's own create or update,
  /// as its rule has no override: objects are applied in any order (`kubectl apply -f dir/`,
  /// GitOps), and what it refers to may come next. The same finding about another object (a
  /// delete or update that leaves it dangling) takes its usual action.
  Action missing_references = Action::Warn;

  /// The severity `finding` is judged by: its own, except MW2112 under
  /// `require_egress_gateway`, which is an error.
  Severity severity_for(const Finding& finding) const;
  /// The action for `finding` before any opt-out or enforcement: the rule override, else the
  /// action of severity_for(finding). A rule override wins over `require_egress_gateway`.
  Action action_for(const Finding& finding) const;
  /// action_for(finding) for a finding about the object under review itself: a missing
  /// reference does at most `missing_references` (a rule override still wins).
  Action action_for_reviewed(const Finding& finding) const {
    return bounded_for_reviewed(finding, action_for(finding));
  }
  /// The same from `action`, the finding's action_for() already computed.
  Action bounded_for_reviewed(const Finding& finding, Action action) const;
  /// The enforcement in namespace `ns` ("" for cluster-scoped objects).
  Enforcement enforcement_for(std::string_view ns) const;
};

/// Reads a policy file's text (YAML; see docs/policy.md). `file` names it in errors. An
/// empty document is the default policy. Unknown keys, values, rule codes or names, and
/// malformed namespace names are errors, each as "file:line: what" (all of them, one per
/// line).
Result<Policy> parse_policy(std::string_view text, const std::string& file);

/// Reads and parses the policy file at `path`.
Result<Policy> load_policy_file(const std::string& path);

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
