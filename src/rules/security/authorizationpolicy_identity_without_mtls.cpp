// An AuthorizationPolicy rule that matches on the caller's mTLS identity (`principals`,
// `namespaces`, `serviceAccounts`, or a `source.principal` / `source.namespace` condition) on
// workloads whose PeerAuthentication lets plaintext in. A plaintext request carries no peer
// identity, so such a rule never matches it:
// - a DENY rule is bypassed by any caller that sends plaintext (the default PERMISSIVE mode
//   accepts it): the policy that was meant to keep a namespace out lets it in without mTLS;
// - an ALLOW rule on a workload with mTLS DISABLE matches no request at all.
// Negated identities (`notPrincipals`, `notNamespaces`) do match plaintext requests (an absent
// identity is in no list), which is how a DENY policy refuses plaintext: not reported. An ALLOW
// rule under PERMISSIVE only refuses plaintext callers (it fails closed): not reported either.
//
// The mode is the workload's (mesh::mtls_policy_for: workload, namespace, mesh-wide
// PeerAuthentication; PERMISSIVE when none), for each workload the policy selects (without
// workloads in the world: one with the selector's labels in its namespace). Port-level
// overrides are not read: a DENY rule limited to a STRICT port may be reported. Dry-run and
// targetRefs policies are not judged.

#include <string>
#include <vector>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"
#include "meshward/world/facts.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::AuthorizationAction;
using model::Kind;
using model::MutualTlsMode;

constexpr RuleInfo kInfo{"MW3116", "authorizationpolicy-identity-without-mtls", Family::Security,
                         Severity::Warning,
                         "An AuthorizationPolicy rule matches mTLS identities (principals, "
                         "namespaces) on workloads that accept plaintext: a DENY rule is bypassed "
                         "by plaintext callers, an ALLOW rule under mTLS DISABLE matches nothing",
                         ""};

// The identity fields a rule matches positively, for the message; empty when none.
std::string identity_fields(const model::AuthorizationRule& rule) {
  std::vector<std::string> fields;
  for (const auto& from : rule.from) {
    if (!from.source) {
      continue;
    }
    if (!from.source->principals.empty()) {
      fields.emplace_back("principals");
    }
    if (!from.source->namespaces.empty()) {
      fields.emplace_back("namespaces");
    }
    if (!from.source->service_accounts.empty()) {
      fields.emplace_back("serviceAccounts");
    }
  }
  for (const auto& c : rule.when) {
    if ((c.key.value == "source.principal" || c.key.value == "source.namespace") &&
        !c.values.empty()) {
      fields.push_back("when " + c.key.value);
    }
  }
  return mesh::join(fields, ", ");
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::AuthorizationPolicy>([&](const model::AuthorizationPolicy& ap) {
    const AuthorizationAction action =
        ap.spec.action.present ? ap.spec.action.value : AuthorizationAction::Allow;
    if ((action != AuthorizationAction::Deny && action != AuthorizationAction::Allow) ||
        world::is_dry_run(ap) || !ap.spec.target_refs.empty() || ap.spec.target_ref) {
      return;
    }
    // The first selected workload whose mode lets plaintext in (DENY) or is DISABLE (ALLOW).
    std::string workload;
    MutualTlsMode mode = MutualTlsMode::Permissive;
    const model::PeerAuthentication* decided_by = nullptr;
    mesh::for_each_policy_workload(
        ctx, ap, ap.spec.selector ? &ap.spec.selector->match_labels : nullptr,
        [&](const mesh::PolicyWorkload& w) {
          const model::PeerAuthentication* pa = mesh::mtls_policy_for(ctx, w.namespace_, w.labels);
          const MutualTlsMode m = pa != nullptr ? *pa->spec.mtls->mode : MutualTlsMode::Permissive;
          const bool open = action == AuthorizationAction::Deny ? m != MutualTlsMode::Strict
                                                                 : m == MutualTlsMode::Disable;
          if (open) {
            workload = w.description;
            mode = m;
            decided_by = pa;
          }
          return open;
        });
    if (workload.empty()) {
      return;
    }
    const std::string mode_text =
        std::string(model::enum_name(mode)) +
        (decided_by != nullptr
             ? " (PeerAuthentication " + decided_by->meta.namespace_ + "/" + decided_by->meta.name + ")"
             : " (no PeerAuthentication sets one)");
    for (std::size_t i = 0; i < ap.spec.rules.size(); ++i) {
      const std::string fields = identity_fields(ap.spec.rules[i]);
      if (fields.empty()) {
        continue;
      }
      const std::string consequence =
          action == AuthorizationAction::Deny
              ? "a caller sending plaintext carries no identity, so this DENY rule never matches it "
                "and the caller gets through; make the workloads STRICT or deny plaintext with "
                "notPrincipals: [\"*\"]"
              : "with mTLS disabled no request carries an identity, so this ALLOW rule matches "
                "nothing; enable mTLS (PERMISSIVE or STRICT) or match on something else";
      out.report(kInfo, ap, ap.spec.rules[i].loc,
                 "rule matches on " + fields + " but " + workload + " accepts mTLS mode " +
                     mode_text + ": " + consequence);
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::AuthorizationPolicy, Kind::PeerAuthentication,
                                         Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
