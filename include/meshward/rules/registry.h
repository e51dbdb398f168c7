#pragma once
// The catalogue of checks. Rules register themselves at static-initialisation time from their
// own file:
//
//   namespace meshward::rules {
//   namespace {
//   constexpr RuleInfo kInfo{"MW1101", "gateway-server-port-invalid", Family::Resource,
//                            Severity::Error, "A Gateway server's port is missing or invalid", ""};
//   void check(const model::Gateway& gw, Sink& out) { ... out.report(kInfo, gw, field.loc, "..."); }
//   }  // namespace
//   MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));
//   }  // namespace meshward::rules
//
// The library is linked whole-archive (CMakeLists.txt), so no registration is dropped.

#include <string_view>
#include <vector>

#include "meshward/rules/rule.h"

namespace meshward::rules {

/// Every registered rule, sorted by code; the decoder's own rules (MW1001-MW1009) are listed
/// too, with no check function.
const std::vector<Rule>& all_rules();
/// The rule with `code` or `name`, or nullptr.
const Rule* find_rule(std::string_view code_or_name);

/// Adds a rule; aborts on a duplicate code or name, naming both (a programming error that
/// must not reach a release).
void register_rule(Rule rule);

/// Static registration helper used by MESHWARD_REGISTER_RULE.
struct Registration {
  explicit Registration(Rule rule) { register_rule(std::move(rule)); }
};

}  // namespace meshward::rules

#define MESHWARD_RULE_CONCAT_INNER(a, b) a##b
#define MESHWARD_RULE_CONCAT(a, b) MESHWARD_RULE_CONCAT_INNER(a, b)
/// Registers a rule from its own .cpp file.
#define MESHWARD_REGISTER_RULE(rule_expr)                                              \
  static const ::meshward::rules::Registration MESHWARD_RULE_CONCAT(kMeshwardRule_, \
                                                                     __COUNTER__){rule_expr}
