// An ALLOW AuthorizationPolicy whose every rule uses HTTP attributes (paths, methods, hosts,
// requestPrincipals, request.* conditions), on a workload serving a TCP port that no ALLOW
// policy lets in otherwise. istiod cannot express HTTP attributes in the network RBAC filter of
// a TCP chain, so it drops each such ALLOW rule there (model.Generate: an error on an ALLOW rule
// skips the rule — "a smaller allow policy"). The policy still exists, so the port now requires
// a matching ALLOW rule and has none: every connection to it is refused, silently, while the
// HTTP ports behave as written. The counterpart of MW3113 (a DENY rule with only HTTP
// attributes denies all TCP traffic). See docs/translate.md, security filters.
//
// Judged on each selected workload (or one with the selector's labels when the world has no
// workloads): its TCP ports are the Service ports it serves with a TCP protocol (TCP, TLS,
// HTTPS, Mongo, Redis, MySQL; a port without a protocol is sniffed and keeps an HTTP chain).
// Another ALLOW policy of the workload (its namespace or the root namespace) whose rule needs no
// HTTP attribute and allows the port clears it. Dry-run and targetRefs policies are not judged.

#include <string>
#include <vector>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"
#include "meshward/world/facts.h"
#include "meshward/translate/registry.h"

namespace meshward::rules {
namespace {

using model::AuthorizationAction;
using model::Kind;

constexpr RuleInfo kInfo{"MW3118", "authorizationpolicy-allow-http-only-on-tcp", Family::Security,
                         Severity::Warning,
                         "Every rule of an ALLOW AuthorizationPolicy uses HTTP attributes, which "
                         "istiod drops on TCP ports: a TCP port of the workloads it selects that "
                         "no other ALLOW policy opens refuses every connection",
                         ""};

// What the service targets read (the Services and the workloads resolving named ports).
constexpr KindSet kTranslatorReads{Kind::Service, Kind::ServiceEntry, Kind::Pod,
                                   Kind::WorkloadEntry};

bool is_allow(const model::AuthorizationPolicy& ap) {
  return (ap.spec.action.present ? ap.spec.action.value : AuthorizationAction::Allow) ==
         AuthorizationAction::Allow;
}

// The HTTP-only attributes a rule uses (istiod's generators that fail for TCP), for messages;
// empty when the rule has none.
std::vector<std::string> http_attributes(const model::AuthorizationRule& rule) {
  std::vector<std::string> out;
  const auto note = [&out](bool used, const char* name) {
    if (used && std::find(out.begin(), out.end(), name) == out.end()) {
      out.emplace_back(name);
    }
  };
  for (const auto& from : rule.from) {
    if (from.source) {
      note(!from.source->request_principals.empty() || !from.source->not_request_principals.empty(),
           "requestPrincipals");
    }
  }
  for (const auto& to : rule.to) {
    if (to.operation) {
      const auto& o = *to.operation;
      note(!o.hosts.empty() || !o.not_hosts.empty(), "hosts");
      note(!o.methods.empty() || !o.not_methods.empty(), "methods");
      note(!o.paths.empty() || !o.not_paths.empty(), "paths");
    }
  }
  for (const auto& c : rule.when) {
    note(c.key.value.rfind("request.", 0) == 0, "when request.*");
  }
  return out;
}

bool contains_port(const std::vector<model::Field<std::string>>& ports, std::uint32_t port) {
  const std::string text = std::to_string(port);
  return std::any_of(ports.begin(), ports.end(),
                     [&](const model::Field<std::string>& p) { return p.value == text; });
}

// Whether an ALLOW rule survives on a TCP chain and can allow connections to `port`.
bool allows_tcp_port(const model::AuthorizationRule& rule, std::uint32_t port) {
  if (!http_attributes(rule).empty()) {
    return false;
  }
  if (rule.to.empty()) {
    return true;
  }
  return std::any_of(rule.to.begin(), rule.to.end(), [&](const model::RuleTo& to) {
    if (!to.operation) {
      return true;
    }
    const auto& o = *to.operation;
    return (o.ports.empty() || contains_port(o.ports, port)) && !contains_port(o.not_ports, port);
  });
}

bool judged(const model::AuthorizationPolicy& ap) {
  return is_allow(ap) && !world::is_dry_run(ap) && ap.spec.target_refs.empty() &&
         !ap.spec.target_ref;
}

void check(const Context& ctx, Sink& out) {
  std::optional<translate::Registry> registry;
  ctx.each<model::AuthorizationPolicy>([&](const model::AuthorizationPolicy& ap) {
    if (!judged(ap) || ap.spec.rules.empty()) {
      return;  // An ALLOW policy without rules is the documented allow-nothing idiom.
    }
    std::vector<std::string> attributes;
    for (const auto& rule : ap.spec.rules) {
      const std::vector<std::string> used = http_attributes(rule);
      if (used.empty()) {
        return;  // This rule survives on TCP chains.
      }
      for (const auto& a : used) {
        if (std::find(attributes.begin(), attributes.end(), a) == attributes.end()) {
          attributes.push_back(a);
        }
      }
    }
    if (!registry) {
      registry.emplace(ctx.translator_view(kTranslatorReads), ctx.translate_options());
    }
    std::string refused;
    mesh::for_each_policy_workload(
        ctx, ap, ap.spec.selector ? &ap.spec.selector->match_labels : nullptr,
        [&](const mesh::PolicyWorkload& w) {
          // The workload's ALLOW policies: its namespace's and the root namespace's.
          std::vector<const model::AuthorizationPolicy*> allows;
          for (const std::string_view ns :
               {std::string_view(w.namespace_), std::string_view(mesh::root_namespace(ctx))}) {
            for (const model::Object* o : ctx.selecting(Kind::AuthorizationPolicy, ns, w.labels)) {
              const auto* other = o->as<model::AuthorizationPolicy>();
              if (other != nullptr && judged(*other)) {
                allows.push_back(other);
              }
            }
            if (w.namespace_ == mesh::root_namespace(ctx)) {
              break;
            }
          }
          for (const auto& t : registry->service_targets(w.namespace_, w.labels)) {
            if (!translate::is_tcp(t.port.protocol)) {
              continue;
            }
            const bool opened = std::any_of(allows.begin(), allows.end(), [&](const auto* a) {
              return std::any_of(a->spec.rules.begin(), a->spec.rules.end(), [&](const auto& r) {
                return allows_tcp_port(r, t.target_port);
              });
            });
            if (!opened) {
              refused = "TCP port " + std::to_string(t.target_port) + " (" +
                        std::string(translate::protocol_name(t.port.protocol)) + ", Service " +
                        t.service.hostname + " port " + std::to_string(t.port.port) + ") of " +
                        w.description;
              return true;
            }
          }
          return false;
        });
    if (refused.empty()) {
      return;
    }
    out.report(kInfo, ap, ap.spec.loc,
               "every rule uses HTTP attributes (" + mesh::join(attributes, ", ") +
                   "), which istiod leaves out of TCP chains, so on " + refused +
                   " this ALLOW policy matches nothing and no other ALLOW policy opens the port: "
                   "every connection is refused; add a rule for the TCP port (to.operation.ports "
                   "with from.source principals, namespaces or ipBlocks) or limit the HTTP rules "
                   "to the HTTP ports");
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::AuthorizationPolicy, Kind::Service,
                                         Kind::ServiceEntry, Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
