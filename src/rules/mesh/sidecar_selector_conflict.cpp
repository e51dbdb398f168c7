// Sidecar (and workload policy) selection that is ambiguous or empty.
// - Several Sidecars without workloadSelector in one namespace: pilot uses the oldest and
//   ignores the others (getSidecarScope; istioctl IST0110 MultipleSidecarsWithoutWorkloadSelectors).
// - Several Sidecars whose workloadSelector matches the same workload: the oldest applies, the
//   newer ones are ignored for it (istioctl IST0109 ConflictingSidecarWorkloadSelectors).
// - A Sidecar, PeerAuthentication, RequestAuthentication or AuthorizationPolicy whose selector
//   matches no Pod or WorkloadEntry (in its namespace; in every namespace for root-namespace
//   policies): it configures no proxy. Only judged when the world holds workloads.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/model/kinds/sidecar.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2111", "sidecar-selector-conflict", Family::Mesh, Severity::Error,
                         "Several Sidecars apply to one workload or namespace, or a Sidecar or "
                         "policy selector matches no workload",
                         "IST0109"};
constexpr RuleInfo kInfoNoSelector{kInfo.code,     kInfo.name,        kInfo.family,
                                   kInfo.severity, kInfo.description, "IST0110"};
constexpr RuleInfo kInfoNoMatch{kInfo.code,     kInfo.name,        kInfo.family,
                                kInfo.severity, kInfo.description, ""};

void check(const Context& ctx, Sink& out) {
  const bool known = mesh::workloads_known(ctx);

  // Sidecars are judged per namespace, against the older ones there: every namespace of a
  // subject, with all its Sidecars, oldest first.
  std::set<std::string> namespaces;
  for (const model::Object* o : ctx.subjects(Kind::Sidecar)) {
    namespaces.insert(o->meta.namespace_);
  }
  for (const std::string& ns : namespaces) {
    std::vector<const model::Sidecar*> sidecars;
    for (const model::Object* o : ctx.in_namespace(Kind::Sidecar, ns)) {
      if (const auto* sc = o->as<model::Sidecar>()) {
        sidecars.push_back(sc);
      }
    }
    const model::Sidecar* first_plain = nullptr;
    std::map<std::string, const model::Sidecar*> owner;  // workload key -> first Sidecar
    for (const model::Sidecar* sc : sidecars) {
      const bool has_selector =
          sc->spec.workload_selector && !sc->spec.workload_selector->labels.empty();
      if (!has_selector) {
        if (first_plain == nullptr) {
          first_plain = sc;
        } else {
          out.report(kInfoNoSelector, *sc, sc->spec.loc,
                     "Sidecar " + mesh::full_name(*first_plain) +
                         " (older) also has no workloadSelector: pilot gives every proxy in " +
                         ns + " without a selecting Sidecar the older one's scope and ignores "
                         "this one; merge them or add a workloadSelector");
        }
        continue;
      }
      if (!known) {
        continue;
      }
      const model::StringMap& labels = sc->spec.workload_selector->labels;
      const auto selected = mesh::selected_workloads(ctx, ns, world::to_labels(labels));
      if (selected.empty()) {
        out.report(kInfoNoMatch, *sc, labels.begin()->second.loc,
                   "no Pod or WorkloadEntry in " + ns + " carries " +
                       mesh::render_selector(labels) +
                       ": this Sidecar configures no proxy (the namespace's default scope "
                       "applies instead)",
                   Severity::Warning, "a selector matching nothing breaks no traffic, it only has no effect");
        continue;
      }
      for (const model::Object* w : selected) {
        const std::string key = std::string(model::kind_name(w->kind())) + "/" + w->meta.name;
        auto [it, inserted] = owner.emplace(key, sc);
        if (!inserted) {
          out.report(kInfo, *sc, labels.begin()->second.loc,
                     "Sidecar " + mesh::full_name(*it->second) + " (older) also selects " +
                         std::string(model::kind_name(w->kind())) + " " + mesh::full_name(*w) +
                         ": pilot applies only the older Sidecar to it and ignores this one's "
                         "ingress/egress settings there");
          break;
        }
      }
    }
  }

  if (!known) {
    return;
  }
  for (Kind kind : {Kind::PeerAuthentication, Kind::RequestAuthentication,
                    Kind::AuthorizationPolicy}) {
    for (const model::Object* o : ctx.subjects(kind)) {
      const auto empty = mesh::selects_no_workload(ctx, *o);
      if (!empty) {
        continue;
      }
      out.report(kInfoNoMatch, *o, empty->labels->begin()->second.loc,
                 "no Pod or WorkloadEntry " + empty->where + " carries " +
                     mesh::render_selector(*empty->labels) + ": this " +
                     std::string(model::kind_name(kind)) + " applies to no proxy",
                 Severity::Warning, "a selector matching nothing breaks no traffic, it only has no effect");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::Sidecar, Kind::Pod, Kind::WorkloadEntry,
                                         Kind::PeerAuthentication, Kind::RequestAuthentication,
                                         Kind::AuthorizationPolicy},
                                 &check));

}  // namespace meshward::rules
