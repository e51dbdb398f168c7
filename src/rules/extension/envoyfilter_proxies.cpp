#include "envoyfilter_proxies.h"

#include <set>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/pod.h"
#include "meshward/translate/translate.h"

namespace meshward::rules::extension {

bool patches_routes_or_clusters(const model::EnvoyConfigObjectPatch& cp) {
  using model::EnvoyFilterApplyTo;
  const EnvoyFilterApplyTo a = cp.apply_to.value;
  return a == EnvoyFilterApplyTo::RouteConfiguration || a == EnvoyFilterApplyTo::VirtualHost ||
         a == EnvoyFilterApplyTo::HttpRoute || a == EnvoyFilterApplyTo::Cluster;
}

ProxyKey key_of(const translate::Proxy& p) {
  return {static_cast<int>(p.type), p.namespace_, p.labels, p.version};
}

std::optional<std::vector<translate::Proxy>> proxies_reached(const Context& ctx,
                                                             const model::EnvoyFilter& ef,
                                                             bool* hypothetical) {
  *hypothetical = false;
  std::vector<translate::Proxy> out;
  if (!ef.spec.target_refs.empty() || mesh::selects_no_workload(ctx, ef)) {
    return out;
  }
  const model::Labels selector = ef.spec.workload_selector
                                     ? world::to_labels(ef.spec.workload_selector->labels)
                                     : model::Labels{};
  const bool root = ef.meta.namespace_ == ctx.translate_options().mesh.root_namespace;
  std::set<ProxyKey> seen;
  for (const model::Object* o :
       ctx.selected_by(Kind::Pod, root ? std::string_view() : ef.meta.namespace_, selector)) {
    translate::Proxy p;
    p.namespace_ = o->meta.namespace_;
    p.labels = o->meta.labels;
    p.version = model::istio_proxy_version(*o->as<model::Pod>());
    p.type = ctx.selecting(Kind::Gateway, "", p.labels).empty() ? translate::Proxy::Type::Sidecar
                                                                : translate::Proxy::Type::Gateway;
    if (seen.insert(key_of(p)).second) {
      out.push_back(std::move(p));
      if (out.size() > kMaxProxies) {
        return std::nullopt;
      }
    }
  }
  if (out.empty() && ctx.count(Kind::Pod) == 0) {
    translate::Proxy p;  // A sidecar of the namespace, for outbound patches only.
    p.namespace_ = ef.meta.namespace_;
    p.labels = selector;
    out.push_back(std::move(p));
    *hypothetical = true;
  }
  return out;
}

const std::vector<translate::PatchEffect>& Translations::effects(const translate::Proxy& proxy,
                                                               bool routes_and_clusters) {
  auto [it, added] = logs_.try_emplace({key_of(proxy), routes_and_clusters});
  if (added) {
    const translate::Registry& r = registry();
    if (routes_and_clusters) {
      translate::Parts parts;
      parts.listeners = parts.endpoints = false;
      it->second = translate::translate_proxy(r.view(), proxy, r.options(), parts).patch_effects;
    } else {
      const translate::Scope scope(r, proxy);
      translate::build_listeners(scope, &it->second);
    }
  }
  return it->second;
}

const std::vector<translate::MergeProblem>& Translations::merge_problems(
    const translate::Proxy& proxy) {
  auto [it, added] = merge_problems_.try_emplace(key_of(proxy));
  if (added) {
    const translate::Registry& r = registry();
    translate::Parts parts;
    parts.endpoints = false;
    const translate::ProxyConfig config =
        translate::translate_proxy(r.view(), proxy, r.options(), parts);
    it->second = translate::merge_problems(config);
  }
  return it->second;
}

const translate::Registry& Translations::registry() {
  if (!registry_) {
    registry_.emplace(ctx_.translator_view(kTranslatorReads), ctx_.translate_options());
  }
  return *registry_;
}

std::string describe_proxies(const std::vector<const translate::Proxy*>& proxies,
                             bool hypothetical) {
  if (hypothetical) {
    return "a sidecar of " + proxies.front()->namespace_ + " (no Pod in the world)";
  }
  std::vector<std::string> parts;
  for (const translate::Proxy* p : proxies) {
    std::string labels;
    for (const auto& [k, v] : p->labels) {
      if (k == "app" || k == "istio" || k == "version") {
        labels += (labels.empty() ? "" : ",") + k + "=" + v;
      }
    }
    parts.push_back(std::string(p->type == translate::Proxy::Type::Gateway ? "gateway " : "sidecar ") +
                    p->namespace_ + (labels.empty() ? "" : "/" + labels));
  }
  return mesh::join(parts, "; ");
}

}  // namespace meshward::rules::extension
