// A CUSTOM AuthorizationPolicy whose provider istiod cannot use on a workload it selects: not
// among the mesh's extensionProviders, not an external authorizer (a tracing or logging
// provider), invalid (port, statusOnError, pathPrefix, a lone `*` header), its service not a
// hostname of the registry (`ns/name` needs the FQDN: `foo/ext-authz.foo.svc.cluster.local`),
// or another CUSTOM policy on the same workload naming a different provider. istiod then logs
// the error and installs an RBAC filter denying everything instead of the authorizer
// (`default-deny-all-due-to-bad-CUSTOM-action`, pilot/pkg/security/authz/builder/extauthz.go):
// every request (403) and connection to the workload is refused, not only the ones the policy
// matches. translate::resolve_ext_authz() makes istiod's decision; see docs/translate.md.
//
// Judged only when the mesh's MeshConfig (`--mesh-config`, the chart's meshConfig) lists
// extensionProviders (an empty list included): otherwise the providers are unknown, and a
// MeshConfig copied in part must not make every CUSTOM policy look broken. Each selected workload (or one with the selector's
// labels when the world has no workloads) is judged with every CUSTOM policy of its namespace
// and the root namespace; dry-run and targetRefs policies are not judged.

#include <string>
#include <vector>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/extension_provider.h"
#include "meshward/world/facts.h"

namespace meshward::rules {
namespace {

using model::AuthorizationAction;
using model::Kind;

constexpr RuleInfo kInfo{"MW3120", "authorizationpolicy-custom-provider-unusable",
                         Family::Security, Severity::Error,
                         "A CUSTOM AuthorizationPolicy names an extension provider istiod cannot "
                         "use on a workload: istiod denies every request to it instead",
                         ""};

bool judged_custom(const model::AuthorizationPolicy& ap) {
  return ap.spec.action.present && ap.spec.action.value == AuthorizationAction::Custom &&
         !world::is_dry_run(ap) && ap.spec.target_refs.empty() && !ap.spec.target_ref;
}

std::string provider_of(const model::AuthorizationPolicy& ap) {
  return ap.spec.provider ? ap.spec.provider->name.value : std::string();
}

void check(const Context& ctx, Sink& out) {
  const auto& providers = ctx.translate_options().mesh.extension_providers;
  if (!providers) {
    return;
  }
  // The registry the providers' services are looked up in (ServiceIndex): every namespace.
  const world::View& registry = ctx.translator_view(KindSet{Kind::Service, Kind::ServiceEntry});
  const std::string& domain_suffix = ctx.translate_options().mesh.domain_suffix;
  ctx.each<model::AuthorizationPolicy>([&](const model::AuthorizationPolicy& ap) {
    if (!judged_custom(ap) || ap.spec.rules.empty()) {
      return;  // no provider or no rules: MW3107
    }
    std::string refused;
    std::string why;
    mesh::for_each_policy_workload(
        ctx, ap, ap.spec.selector ? &ap.spec.selector->match_labels : nullptr,
        [&](const mesh::PolicyWorkload& w) {
          std::vector<std::string> named;
          for (const std::string_view ns :
               {std::string_view(w.namespace_), std::string_view(mesh::root_namespace(ctx))}) {
            for (const model::Object* o : ctx.selecting(Kind::AuthorizationPolicy, ns, w.labels)) {
              const auto* other = o->as<model::AuthorizationPolicy>();
              if (other != nullptr && judged_custom(*other)) {
                named.push_back(provider_of(*other));
              }
            }
            if (w.namespace_ == mesh::root_namespace(ctx)) {
              break;
            }
          }
          auto resolved = translate::resolve_ext_authz(registry, *providers, named, domain_suffix);
          if (resolved) {
            return false;
          }
          refused = w.description;
          why = resolved.error().message;
          return true;
        });
    if (refused.empty()) {
      return;
    }
    const model::Loc& at = ap.spec.provider && ap.spec.provider->name.present
                               ? ap.spec.provider->name.loc
                               : ap.spec.loc;
    out.report(kInfo, ap, at,
               "istiod cannot use CUSTOM provider \"" + provider_of(ap) + "\" on " + refused +
                   " (" + why + "), so it denies every request and connection there instead " +
                   "(RBAC default-deny-all-due-to-bad-CUSTOM-action), not only those this " +
                   "policy matches; define the provider in the mesh's extensionProviders with " +
                   "the authorizer's service as a registry hostname (ns/fqdn or fqdn)");
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::AuthorizationPolicy, Kind::Service,
                                         Kind::ServiceEntry, Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
