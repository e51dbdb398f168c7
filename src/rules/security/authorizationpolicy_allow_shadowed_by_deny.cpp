// An ALLOW rule that a DENY rule always overrides. Envoy evaluates CUSTOM, then DENY, then
// ALLOW policies (istio.io security docs, "Authorization policy precedence"): when a DENY rule
// of a policy that applies to the same workloads matches every request an ALLOW rule matches,
// the ALLOW rule can never let a request in. The author of the ALLOW policy believes the
// traffic is open; it is refused with 403 (HTTP) or a reset (TCP). When every rule of the ALLOW
// policy is overridden, the policy allows nothing at all.
//
// Coverage is judged conservatively, attribute by attribute: the DENY rule must have no
// negative (`not*`) fields and no `when` conditions, and each attribute it constrains must be
// constrained by the ALLOW rule to values the DENY values cover (equal, `*`, or a `prefix*` /
// `*suffix` wildcard covering the ALLOW value). Only DENY policies that apply to every workload
// the ALLOW policy selects are compared (for_each_policy_workload). Dry-run and targetRefs
// policies are not judged.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"
#include "meshward/world/facts.h"

namespace meshward::rules {
namespace {

using model::AuthorizationAction;
using model::Kind;
using Values = std::vector<model::Field<std::string>>;

constexpr RuleInfo kInfo{"MW3119", "authorizationpolicy-allow-shadowed-by-deny",
                         Family::Security, Severity::Warning,
                         "An ALLOW AuthorizationPolicy rule matches only requests that a DENY "
                         "policy on the same workloads denies first: the rule never allows "
                         "anything (and a policy whose every rule is overridden allows nothing)",
                         ""};

AuthorizationAction action_of(const model::AuthorizationPolicy& ap) {
  return ap.spec.action.present ? ap.spec.action.value : AuthorizationAction::Allow;
}

bool judged(const model::AuthorizationPolicy& ap) {
  return !world::is_dry_run(ap) && ap.spec.target_refs.empty() && !ap.spec.target_ref;
}

// Whether Istio's string match `pattern` (exact, `*`, `prefix*`, `*suffix`) matches every
// string `value` matches, `value` being a pattern of the same forms.
bool covers(const std::string& pattern, const std::string& value) {
  if (pattern == "*" || pattern == value) {
    return true;
  }
  // A wildcard value is covered only by a wildcard on the same side that is no more specific.
  const bool value_wild = value.find('*') != std::string::npos;
  const std::string_view p(pattern);
  const std::string_view v(value);
  if (p.size() > 1 && p.back() == '*' && (!value_wild || v.back() == '*')) {
    return v.starts_with(p.substr(0, p.size() - 1));
  }
  if (p.size() > 1 && p.front() == '*' && (!value_wild || v.front() == '*')) {
    return v.ends_with(p.substr(1));
  }
  return false;
}

// Whether the DENY values `deny` (empty: any) match every request the ALLOW values `allow`
// (empty: any) match.
bool values_covered(const Values& deny, const Values& allow) {
  if (deny.empty()) {
    return true;
  }
  if (allow.empty()) {
    return false;
  }
  for (const auto& a : allow) {
    bool covered = false;
    for (const auto& d : deny) {
      covered = covered || covers(d.value, a.value);
    }
    if (!covered) {
      return false;
    }
  }
  return true;
}

bool source_covered(const model::AuthorizationSource& d, const model::AuthorizationSource& a) {
  const bool deny_negates = !d.not_principals.empty() || !d.not_request_principals.empty() ||
                            !d.not_namespaces.empty() || !d.not_ip_blocks.empty() ||
                            !d.not_remote_ip_blocks.empty() || !d.not_service_accounts.empty();
  return !deny_negates && values_covered(d.principals, a.principals) &&
         values_covered(d.request_principals, a.request_principals) &&
         values_covered(d.namespaces, a.namespaces) && values_covered(d.ip_blocks, a.ip_blocks) &&
         values_covered(d.remote_ip_blocks, a.remote_ip_blocks) &&
         values_covered(d.service_accounts, a.service_accounts);
}

bool operation_covered(const model::AuthorizationOperation& d,
                       const model::AuthorizationOperation& a) {
  const bool deny_negates = !d.not_hosts.empty() || !d.not_ports.empty() ||
                            !d.not_methods.empty() || !d.not_paths.empty();
  return !deny_negates && values_covered(d.hosts, a.hosts) && values_covered(d.ports, a.ports) &&
         values_covered(d.methods, a.methods) && values_covered(d.paths, a.paths);
}

// Whether the DENY rule matches every request the ALLOW rule matches: each `from` alternative
// of the ALLOW rule is covered by one of the DENY rule's, and the same for `to`.
bool rule_covered(const model::AuthorizationRule& deny, const model::AuthorizationRule& allow) {
  if (!deny.when.empty()) {
    return false;
  }
  if (!deny.from.empty()) {
    if (allow.from.empty()) {
      return false;
    }
    for (const auto& af : allow.from) {
      bool covered = false;
      for (const auto& df : deny.from) {
        covered = covered || (df.source && af.source && source_covered(*df.source, *af.source));
      }
      if (!covered) {
        return false;
      }
    }
  }
  if (!deny.to.empty()) {
    if (allow.to.empty()) {
      return false;
    }
    for (const auto& at : allow.to) {
      bool covered = false;
      for (const auto& dt : deny.to) {
        covered = covered ||
                  (dt.operation && at.operation && operation_covered(*dt.operation, *at.operation));
      }
      if (!covered) {
        return false;
      }
    }
  }
  return true;
}

// The DENY policies that apply to a workload: its namespace's and the root namespace's whose
// selector (if any) its labels contain.
std::vector<const model::AuthorizationPolicy*> denies_for(const Context& ctx,
                                                          const mesh::PolicyWorkload& w) {
  std::vector<const model::AuthorizationPolicy*> out;
  for (const std::string_view ns :
       {std::string_view(w.namespace_), std::string_view(mesh::root_namespace(ctx))}) {
    for (const model::Object* o : ctx.selecting(Kind::AuthorizationPolicy, ns, w.labels)) {
      const auto* deny = o->as<model::AuthorizationPolicy>();
      if (deny != nullptr && judged(*deny) && action_of(*deny) == AuthorizationAction::Deny) {
        out.push_back(deny);
      }
    }
    if (w.namespace_ == mesh::root_namespace(ctx)) {
      break;
    }
  }
  return out;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::AuthorizationPolicy>([&](const model::AuthorizationPolicy& ap) {
    if (!judged(ap) || action_of(ap) != AuthorizationAction::Allow || ap.spec.rules.empty()) {
      return;
    }
    // For each ALLOW rule, the DENY rule that overrides it on every workload (by the first
    // workload's candidates, kept only while every later workload has them too).
    std::vector<std::vector<std::pair<const model::AuthorizationPolicy*, std::size_t>>> shadows(
        ap.spec.rules.size());
    bool first = true;
    bool any_workload = false;
    mesh::for_each_policy_workload(
        ctx, ap, ap.spec.selector ? &ap.spec.selector->match_labels : nullptr,
        [&](const mesh::PolicyWorkload& w) {
          any_workload = true;
          const auto denies = denies_for(ctx, w);
          for (std::size_t i = 0; i < ap.spec.rules.size(); ++i) {
            auto& found = shadows[i];
            if (first) {
              for (const auto* deny : denies) {
                for (std::size_t j = 0; j < deny->spec.rules.size(); ++j) {
                  if (rule_covered(deny->spec.rules[j], ap.spec.rules[i])) {
                    found.emplace_back(deny, j);
                  }
                }
              }
            } else {
              std::erase_if(found, [&](const auto& s) {
                return std::find(denies.begin(), denies.end(), s.first) == denies.end();
              });
            }
          }
          first = false;
          return false;
        });
    if (!any_workload) {
      return;
    }
    std::size_t overridden = 0;
    for (const auto& found : shadows) {
      overridden += found.empty() ? 0 : 1;
    }
    for (std::size_t i = 0; i < shadows.size(); ++i) {
      if (shadows[i].empty()) {
        continue;
      }
      const auto& [deny, j] = shadows[i].front();
      std::string message = "rules[" + std::to_string(i) + "] can never allow a request: DENY " +
                            "policy " + deny->meta.namespace_ + "/" + deny->meta.name + " rules[" +
                            std::to_string(j) +
                            "] matches every request it matches, on the same workloads, and "
                            "DENY policies are evaluated before ALLOW policies";
      if (overridden == ap.spec.rules.size()) {
        message += "; every rule of this policy is overridden, so it allows nothing: requests to "
                   "its workloads that no other ALLOW policy matches are refused";
      }
      message += "; narrow the DENY rule or drop the ALLOW rule";
      out.report(kInfo, ap, ap.spec.rules[i].loc, message);
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::AuthorizationPolicy, Kind::Pod,
                                         Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
