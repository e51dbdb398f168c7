// An EnvoyFilter patch whose match finds nothing in any proxy the EnvoyFilter reaches: no
// listener with that port or name, no filter chain, filter or subFilter of that name in the
// patch's context. istiod applies nothing and reports nothing (listener_patch.go counts it in a
// metric only), so the change the patch was written for is silently absent — typically after
// an upgrade renamed a filter, a port moved, or for a context the selected workloads do not
// have (a GATEWAY patch that reaches only sidecars).
//
// Judged from the translator's own output: each proxy the EnvoyFilter reaches is translated
// (build_listeners applies every patch it receives and logs each effect), and a patch with no
// effect in any of them matches nothing. The proxies are the selected Pods (in the
// EnvoyFilter's namespace, or anywhere for the root namespace), one per distinct (type,
// namespace, labels, istio-proxy version); a Pod that a Gateway selects is a gateway proxy.
// Without Pods in the world, SIDECAR_OUTBOUND patches are judged on a sidecar of the
// EnvoyFilter's namespace with the selector's labels (outbound listeners depend on the
// namespace, not the workload); other contexts need the workloads. Judged only when the
// EnvoyFilter reaches at most kMaxProxies distinct proxies: a translation costs what the mesh
// holds, and a verdict from a sample could be wrong. Patches a proxy's version excludes are
// MW4116's; ADD patches of listeners, filter chains and clusters always apply. An
// EXTENSION_CONFIG patch supplies something only as an ADD whose name a filter of the proxy
// discovers over ECDS (its context is ignored, as istiod ignores it). Route and cluster
// patches are judged on the routes and clusters the proxy gets (a translation with them).
// A MERGE that matches only filters without typed_config (ones a patch added by name only)
// changes nothing either: istiod merges only into a filter's typed_config and skips them; the
// translator logs those matches as skipped, and the finding names the filter and why.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "../mesh/mesh_util.h"
#include "envoyfilter_proxies.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/model/kinds/pod.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/envoy_filter.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/translate.h"

namespace meshward::rules {
namespace {

using extension::describe_proxies;
using extension::kTranslatorReads;
using extension::proxies_reached;
using extension::Translations;

using model::EnvoyFilterApplyTo;
using model::EnvoyFilterPatchContext;
using model::Kind;
using Op = model::EnvoyFilterPatchOperation;

constexpr RuleInfo kInfo{"MW4118", "envoyfilter-patch-matches-nothing", Family::Extension,
                         Severity::Warning,
                         "An EnvoyFilter patch's match finds no listener, filter chain or filter "
                         "in any proxy the EnvoyFilter reaches, or only filters istiod skips "
                         "(istiod applies nothing)",
                         ""};

bool judged(const model::EnvoyConfigObjectPatch& cp) {
  if (!cp.patch || !cp.patch->operation.present) {
    return false;
  }
  const Op op = cp.patch->operation.value;
  switch (cp.apply_to.value) {
    case EnvoyFilterApplyTo::HttpFilter:
    case EnvoyFilterApplyTo::NetworkFilter:
      return op != Op::Invalid;
    case EnvoyFilterApplyTo::Listener:
    case EnvoyFilterApplyTo::FilterChain:
    case EnvoyFilterApplyTo::ListenerFilter:
      // ADD (and INSERT_*, which istiod turns into ADD here) needs no match.
      return op == Op::Merge || op == Op::Remove ||
             (cp.apply_to.value == EnvoyFilterApplyTo::ListenerFilter && op == Op::Replace);
    case EnvoyFilterApplyTo::RouteConfiguration:
      return op == Op::Merge;  // The only operation istiod applies there.
    case EnvoyFilterApplyTo::VirtualHost:
      // An ADD goes into every route configuration its match (if any) finds.
      return op == Op::Merge || op == Op::Remove ||
             (op == Op::Add && cp.match && cp.match->route_configuration);
    case EnvoyFilterApplyTo::HttpRoute:
      return op != Op::Invalid;
    case EnvoyFilterApplyTo::Cluster:
      return op == Op::Merge || op == Op::Remove;  // ADD needs no match.
    case EnvoyFilterApplyTo::ExtensionConfig:
      return op != Op::Invalid;  // Only an ADD a filter discovers is ever sent.
    default:
      return false;
  }
}

EnvoyFilterPatchContext context_of(const model::EnvoyConfigObjectPatch& cp) {
  // istiod ignores the context of an EXTENSION_CONFIG patch (InsertedExtensionConfigurations).
  return cp.match && cp.apply_to.value != EnvoyFilterApplyTo::ExtensionConfig
             ? cp.match->context.value
             : EnvoyFilterPatchContext::Any;
}

bool context_fits(EnvoyFilterPatchContext context, translate::Proxy::Type type) {
  switch (context) {
    case EnvoyFilterPatchContext::Any:
      return true;
    case EnvoyFilterPatchContext::Gateway:
      return type == translate::Proxy::Type::Gateway;
    case EnvoyFilterPatchContext::SidecarInbound:
    case EnvoyFilterPatchContext::SidecarOutbound:
      return type == translate::Proxy::Type::Sidecar;
    default:
      return false;
  }
}

std::string describe_match(const model::EnvoyConfigObjectPatch& cp) {
  std::vector<std::string> parts;
  if (cp.match && cp.match->listener) {
    const auto& l = *cp.match->listener;
    if (!l.name.value.empty()) {
      parts.push_back("listener " + l.name.value);
    }
    if (l.port_number.value != 0) {
      parts.push_back("listener port " + std::to_string(l.port_number.value));
    }
    if (!l.listener_filter.value.empty()) {
      parts.push_back("listener filter " + l.listener_filter.value);
    }
    if (l.filter_chain) {
      const auto& fc = *l.filter_chain;
      if (!fc.name.value.empty()) {
        parts.push_back("filter chain " + fc.name.value);
      }
      if (!fc.sni.value.empty()) {
        parts.push_back("SNI " + fc.sni.value);
      }
      if (!fc.transport_protocol.value.empty()) {
        parts.push_back("transport " + fc.transport_protocol.value);
      }
      if (!fc.application_protocols.value.empty()) {
        parts.push_back("ALPN " + fc.application_protocols.value);
      }
      if (fc.destination_port.value != 0) {
        parts.push_back("destination port " + std::to_string(fc.destination_port.value));
      }
      if (fc.filter) {
        parts.push_back("filter " + fc.filter->name.value);
        if (fc.filter->sub_filter) {
          parts.push_back("subFilter " + fc.filter->sub_filter->name.value);
        }
      }
    }
  }
  if (cp.match && cp.match->route_configuration) {
    const auto& rc = *cp.match->route_configuration;
    if (!rc.name.value.empty()) {
      parts.push_back("route configuration " + rc.name.value);
    }
    if (rc.port_number.value != 0) {
      parts.push_back("route port " + std::to_string(rc.port_number.value));
    }
    if (!rc.port_name.value.empty()) {
      parts.push_back("port name " + rc.port_name.value);
    }
    if (!rc.gateway.value.empty()) {
      parts.push_back("gateway " + rc.gateway.value);
    }
    if (rc.vhost) {
      if (!rc.vhost->name.value.empty()) {
        parts.push_back("virtual host " + rc.vhost->name.value);
      }
      if (!rc.vhost->domain_name.value.empty()) {
        parts.push_back("domain " + rc.vhost->domain_name.value);
      }
      if (rc.vhost->route && !rc.vhost->route->name.value.empty()) {
        parts.push_back("route " + rc.vhost->route->name.value);
      }
    }
  }
  if (cp.match && cp.match->cluster) {
    const auto& c = *cp.match->cluster;
    if (!c.name.value.empty()) {
      parts.push_back("cluster " + c.name.value);
    }
    if (!c.service.value.empty()) {
      parts.push_back("service " + c.service.value);
    }
    if (!c.subset.value.empty()) {
      parts.push_back("subset " + c.subset.value);
    }
    if (c.port_number.value != 0) {
      parts.push_back("port " + std::to_string(c.port_number.value));
    }
  }
  const std::string context(model::enum_name(context_of(cp)));
  std::string what = "any listener";
  if (cp.apply_to.value == EnvoyFilterApplyTo::Cluster) {
    what = "any cluster";
  } else if (cp.apply_to.value == EnvoyFilterApplyTo::RouteConfiguration ||
             cp.apply_to.value == EnvoyFilterApplyTo::VirtualHost ||
             cp.apply_to.value == EnvoyFilterApplyTo::HttpRoute) {
    what = "any route configuration";
  }
  return (parts.empty() ? what : mesh::join(parts, ", ")) + " in context " + context;
}

// Why an EXTENSION_CONFIG patch supplies nothing: istiod applies only ADD there, and serves an
// ADD's config only to a proxy whose filters discover its name (config_discovery).
std::string extension_config_message(const model::EnvoyConfigObjectPatch& cp,
                                     const std::vector<const translate::Proxy*>& proxies,
                                     bool hypothetical) {
  const Op op = cp.patch->operation.value;
  if (op != Op::Add) {
    return "EXTENSION_CONFIG " + std::string(model::enum_name(op)) +
           " patch: istiod applies only ADD to extension configs and ignores this patch";
  }
  std::string name;
  if (cp.patch->value && cp.patch->value->get() != nullptr && cp.patch->value->get()->IsObject()) {
    const auto& v = *cp.patch->value->get();
    if (auto it = v.FindMember("name"); it != v.MemberEnd() && it->value.IsString()) {
      name = it->value.GetString();
    }
  }
  return "EXTENSION_CONFIG ADD of `" + name + "`: no filter of " +
         describe_proxies(proxies, hypothetical) +
         " discovers that name (a network or HTTP filter named `" + name +
         "` with config_discovery), so istiod never sends the config over ECDS";
}

void check(const Context& ctx, Sink& out) {
  Translations translations(ctx);
  ctx.each<model::EnvoyFilter>([&](const model::EnvoyFilter& ef) {
    bool any_judged = false;
    for (const auto& cp : ef.spec.config_patches) {
      any_judged = any_judged || judged(cp);
    }
    if (!any_judged) {
      return;
    }
    bool hypothetical = false;
    const auto proxies = proxies_reached(ctx, ef, &hypothetical);
    if (!proxies || proxies->empty()) {
      return;
    }
    const model::ObjectKey key = model::key_of(ef);
    for (std::size_t i = 0; i < ef.spec.config_patches.size(); ++i) {
      const auto& cp = ef.spec.config_patches[i];
      if (!judged(cp) || (hypothetical && context_of(cp) != EnvoyFilterPatchContext::SidecarOutbound)) {
        continue;
      }
      std::vector<const translate::Proxy*> of_type;     // proxies of the patch's context
      std::vector<const translate::Proxy*> candidates;  // ... whose version it accepts
      bool applied = false;
      const translate::PatchEffect* skipped = nullptr;  // matched, but istiod skipped it
      const translate::Proxy* skipped_on = nullptr;
      for (const translate::Proxy& p : *proxies) {
        if (!context_fits(context_of(cp), p.type)) {
          continue;
        }
        of_type.push_back(&p);
        const std::string version =
            translate::proxy_version(ctx.view(), p, ctx.translate_options());
        if (!translate::proxy_matches(cp, p, version, ctx.translate_options())) {
          continue;
        }
        candidates.push_back(&p);
        for (const translate::PatchEffect& e :
             translations.effects(p, extension::patches_routes_or_clusters(cp))) {
          if (e.patch.envoy_filter != key || e.patch.patch_index != i) {
            continue;
          }
          if (e.skipped.empty()) {
            applied = true;
          } else if (skipped == nullptr) {
            skipped = &e;
            skipped_on = &p;
          }
        }
        if (applied) {
          break;
        }
      }
      if (applied) {
        continue;
      }
      const model::Loc& where = cp.match ? cp.match->loc : cp.loc;
      if (of_type.empty()) {
        std::vector<const translate::Proxy*> all;
        for (const auto& p : *proxies) {
          all.push_back(&p);
        }
        out.report(kInfo, ef, where,
                   std::string(model::enum_name(cp.apply_to.value)) + " patch for context " +
                       std::string(model::enum_name(context_of(cp))) +
                       " reaches no proxy of that kind (the EnvoyFilter reaches " +
                       describe_proxies(all, false) + "), so istiod applies it nowhere");
        continue;
      }
      if (candidates.empty()) {
        continue;  // The version excludes every proxy: MW4116's finding.
      }
      if (skipped != nullptr) {
        out.report(kInfo, ef, where,
                   std::string(model::enum_name(cp.apply_to.value)) + " " +
                       std::string(model::enum_name(cp.patch->operation.value)) + " patch matches " +
                       skipped->object + " of " + skipped->resource + " on " +
                       describe_proxies({skipped_on}, hypothetical) + ", but " + skipped->skipped +
                       ": istiod skips it there, so the change is silently absent");
        continue;
      }
      if (cp.apply_to.value == EnvoyFilterApplyTo::ExtensionConfig) {
        out.report(kInfo, ef, cp.patch->loc, extension_config_message(cp, candidates, hypothetical));
        continue;
      }
      out.report(kInfo, ef, where,
                 std::string(model::enum_name(cp.apply_to.value)) + " " +
                     std::string(model::enum_name(cp.patch->operation.value)) + " patch finds nothing matching " +
                     describe_match(cp) + " of " + describe_proxies(candidates, hypothetical) +
                     " (as meshward translates them: `meshward translate --type patches`), so "
                     "istiod applies it to nothing and the change is silently absent");
    }
  });
}

}  // namespace

// Admission re-judges it when an EnvoyFilter changes (or a workload one selects): a
// translation per proxy reached is too much to pay on every Service, VirtualService or Gateway
// apply, so a change there that leaves a patch matching nothing is reported by whole-world runs
// (`meshward check`, the served world's findings) and at the EnvoyFilter's next apply.
MESHWARD_REGISTER_RULE(mesh_rule(kInfo, kTranslatorReads,
                                 KindSet{Kind::EnvoyFilter, Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
