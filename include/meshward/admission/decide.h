#pragma once
// The decision: a review, the current world and the policy in; the answer out.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/admission/policy.h"
#include "meshward/admission/review.h"
#include "meshward/admission/world_slot.h"
#include "meshward/core/diag.h"

namespace meshward::admission {

/// Limits on the warnings of one answer (Kubernetes shows each as a `Warning:` line).
struct WarningLimits {
  std::size_t target_chars = 120;  ///< Aim: one warning fits a terminal line.
  std::size_t max_chars = 256;     ///< Never longer (the API server's own cap).
  std::size_t max_total = 4096;    ///< All warnings together, then "and N more".
};

/// What the decision found and did.
struct Decision {
  Response response;
  /// Findings the change introduces (after minus before, plus the object's own), before
  /// policy.
  std::vector<Finding> introduced;
  std::size_t denied = 0;   ///< Findings that deny.
  std::size_t warned = 0;   ///< Findings that warn (before truncation).
  std::size_t skipped = 0;  ///< Findings ignored by policy or opt-out.
  /// `introduced` came from the world's FindingsCache: the same change was reviewed before.
  bool reused = false;
  /// Metrics label: "allowed", "warned", "denied", "unsupported_operation",
  /// "unmodelled_kind", "not_enforced" (namespace enforcement off), "no_world".
  std::string reason;
};

/// Decides `review` against `world` (null: no world yet, answered with allowed=false and a
/// message, as a fail-closed webhook should). The policy's enforcement for the request's
/// namespace applies: off allows without checking, warn turns every denial into a warning.
/// Never throws.
Decision decide(const Review& review, const EvaluatedWorld* world, const Policy& policy,
                const WarningLimits& limits = {});

/// Findings the change introduces: the findings of the overlay world minus `before` (by code,
/// resource kind/namespace/name, path and message), plus the new object's decode findings and
/// check_object() findings, deduplicated. The overlay is evaluated only where the change can
/// alter findings (the mesh checks reading its kind, focused on its neighbourhood:
/// rules/focus.h), which gives the same answer as a whole-world diff at a cost independent of
/// the world's size.
std::vector<Finding> introduced_findings(const Review& review, const EvaluatedWorld& world);

/// One warning string: "MW2101 VirtualService bookinfo/reviews: <message>", cut to fit.
std::string warning_text(const Finding& finding, const WarningLimits& limits = {});

/// The warnings of an answer: warning_text() of each, at most `limits.max_total` characters
/// in all, the rest summarised as "and N more".
std::vector<std::string> warning_list(const std::vector<Finding>& findings,
                                      const WarningLimits& limits = {});

/// Everything one HTTP exchange needs: status, JSON body, and what to log and count.
struct Exchange {
  int http_status = 200;
  std::string body;
  bool decided = false;       ///< False for 400s (no review to decide).
  std::string uid;
  std::string kind;           ///< request.kind.kind, or "" when undecodable.
  std::string operation;      ///< "CREATE"..., or "".
  std::string namespace_;
  std::string name;
  bool dry_run = false;
  Decision decision;          ///< Meaningful when `decided`.
  std::string error;          ///< The 400 message, when not decided.
};

/// Parses `body`, decides, renders: the whole of `POST /validate` after transport checks.
Exchange handle_review(std::string_view body, const EvaluatedWorld* world, const Policy& policy,
                       const WarningLimits& limits = {});

}  // namespace meshward::admission
