// A patch whose change another EnvoyFilter removes afterwards, on a proxy both reach: a MERGE
// into a filter, cluster, route or virtual host that a later REMOVE deletes, or a filter or
// route an ADD/INSERT put in that a later REMOVE takes out again. istiod applies both without
// a word; the first change is simply absent from the proxy, and which one wins follows the
// application order (priority, then the root namespace first, then creation time) — with equal
// priorities, an accident of creation time.
//
// Judged on the translator's own log, like MW4118: each proxy the EnvoyFilter reaches is
// translated (envoyfilter_proxies.h: the selected Pods, one per distinct configuration, at most
// kMaxProxies; without Pods a sidecar of the namespace), and an effect of this EnvoyFilter's
// patch on an object that a REMOVE of another EnvoyFilter deletes later in the same translation
// is reported on this patch. A REMOVE that runs first leaves the later patch nothing to change:
// that is MW4118's finding.

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "../mesh/mesh_util.h"
#include "envoyfilter_proxies.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/envoy_filter.h"

namespace meshward::rules {
namespace {

using extension::describe_proxies;
using extension::kTranslatorReads;
using extension::proxies_reached;
using extension::Translations;

constexpr RuleInfo kInfo{"MW4119", "envoyfilter-patches-undo-each-other", Family::Extension,
                         Severity::Warning,
                         "An EnvoyFilter patch changes or adds an object that another EnvoyFilter's "
                         "REMOVE deletes afterwards on the same proxy: the first change is silently "
                         "lost, and which one wins depends on priority and creation time",
                         ""};

std::int32_t priority_of(const Context& ctx, const model::ObjectKey& key) {
  const auto* ef = ctx.find_as<model::EnvoyFilter>(key.namespace_, key.name);
  return ef != nullptr && ef->spec.priority.present ? ef->spec.priority.value : 0;
}

std::string where(const translate::PatchEffect& e) {
  return e.object + " of " + e.resource + (e.within.empty() ? "" : " (" + e.within + ")");
}

void check(const Context& ctx, Sink& out) {
  Translations translations(ctx);
  ctx.each<model::EnvoyFilter>([&](const model::EnvoyFilter& ef) {
    bool hypothetical = false;
    const auto proxies =
        ef.spec.config_patches.empty() ? std::nullopt : proxies_reached(ctx, ef, &hypothetical);
    if (!proxies || proxies->empty()) {
      return;
    }
    bool full = false;
    for (const auto& cp : ef.spec.config_patches) {
      full = full || extension::patches_routes_or_clusters(cp);
    }
    const model::ObjectKey key = model::key_of(ef);
    std::set<std::size_t> reported;
    for (const translate::Proxy& p : *proxies) {
      const std::vector<translate::PatchEffect>& effects = translations.effects(p, full);
      // The objects this EnvoyFilter's patches touched so far, by (resource, within, object).
      std::map<std::tuple<std::string, std::string, std::string>, const translate::PatchEffect*>
          touched;
      for (const translate::PatchEffect& e : effects) {
        if (!e.skipped.empty()) {
          continue;  // changed nothing: nothing to undo
        }
        const auto object = std::make_tuple(e.resource, e.within, e.object);
        if (e.patch.envoy_filter == key) {
          touched.try_emplace(object, &e);
          continue;
        }
        if (e.patch.operation != "REMOVE") {
          continue;
        }
        const auto it = touched.find(object);
        if (it == touched.end() || !reported.insert(it->second->patch.patch_index).second) {
          continue;
        }
        const translate::PatchEffect& mine = *it->second;
        const std::size_t i = mine.patch.patch_index;
        const auto& cp = ef.spec.config_patches[i];
        const std::int32_t mine_priority = ef.spec.priority.present ? ef.spec.priority.value : 0;
        const std::int32_t their_priority = priority_of(ctx, e.patch.envoy_filter);
        const std::string order =
            mine_priority == their_priority
                ? "both have priority " + std::to_string(mine_priority) +
                      ", so the root namespace first, then creation time decides"
                : "priorities " + std::to_string(mine_priority) + " and " +
                      std::to_string(their_priority);
        out.report(kInfo, ef, cp.loc,
                   std::string(model::enum_name(cp.apply_to.value)) + " " + mine.patch.operation +
                       " patch's change to " + where(mine) + " on " +
                       describe_proxies({&p}, hypothetical) + " is undone by EnvoyFilter " +
                       e.patch.envoy_filter.namespace_ + "/" + e.patch.envoy_filter.name +
                       " spec.configPatches[" + std::to_string(e.patch.patch_index) +
                       "] (REMOVE), which istiod applies after it (" + order +
                       "); drop one of the two patches or give the intended order explicit "
                       "priorities");
      }
    }
  });
}

}  // namespace

// Admission re-judges it when an EnvoyFilter changes (or a workload one selects), as MW4118.
MESHWARD_REGISTER_RULE(mesh_rule(kInfo, kTranslatorReads,
                                 KindSet{Kind::EnvoyFilter, Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
