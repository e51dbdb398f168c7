// An EnvoyFilter patch whose `match.proxy.proxyVersion` matches the version of none of the
// proxies the EnvoyFilter reaches: istiod drops the patch for every one of them
// (PushContext.EnvoyFilters keeps a configPatch only when proxyMatch accepts the proxy), so
// the filter it adds or the change it makes is silently absent. The classic case is the
// upgrade trap: a patch pinned to `^1\.17.*` keeps "working" in Git after the mesh moved to
// 1.18, while no proxy runs it any more.
//
// The proxies' versions are those the translator uses (translate::proxy_version): the tag of
// each selected Pod's `istio-proxy` image; when no selected Pod shows one (no Pods in the
// input, or a watch that reads Pods as metadata only), the release named with
// `--istio-version` (`1.30.0` for 1.30), and the message says so. Without either, the
// versions are unknown and nothing is judged: a defaulted release is a guess, and a guess must
// not warn about every pinned patch. A selector that selects no workload at all is MW4115's
// finding, not this one's.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/model/kinds/pod.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/envoy_filter.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW4116", "envoyfilter-proxy-version-matches-no-proxy",
                         Family::Extension, Severity::Warning,
                         "An EnvoyFilter patch's proxyVersion matches none of the proxies the "
                         "EnvoyFilter reaches (istiod applies the patch to no proxy)",
                         ""};

// The versions of the proxies an EnvoyFilter reaches, each with the Pods that run it (empty
// list: the imitated release, no Pod showing its version).
struct ProxyVersions {
  std::map<std::string, std::vector<std::string>> pods_by_version;
  bool from_release = false;
};

ProxyVersions versions_reached(const Context& ctx, const model::EnvoyFilter& ef) {
  ProxyVersions out;
  const bool root = ef.meta.namespace_ == ctx.translate_options().mesh.root_namespace;
  model::Labels selector;
  if (ef.spec.workload_selector) {
    for (const auto& [key, value] : ef.spec.workload_selector->labels) {
      selector.emplace(key, value.value);
    }
  }
  for (const model::Object* o :
       mesh::selected_workloads(ctx, root ? std::string_view() : ef.meta.namespace_, selector)) {
    if (const auto* pod = o->as<model::Pod>(); pod != nullptr) {
      if (std::string v = model::istio_proxy_version(*pod); !v.empty()) {
        out.pods_by_version[v].push_back(pod->meta.namespace_ + "/" + pod->meta.name);
      }
    }
  }
  if (out.pods_by_version.empty() && ctx.translate_options().version_given) {
    out.pods_by_version[translate::release_proxy_version(ctx.translate_options())];
    out.from_release = true;
  }
  return out;
}

std::string describe(const ProxyVersions& versions, const Context& ctx) {
  if (versions.from_release) {
    return "the proxies run " + versions.pods_by_version.begin()->first +
           " (--istio-version " + translate::to_string(ctx.translate_options().version) +
           "; no selected Pod shows its istio-proxy image)";
  }
  std::vector<std::string> parts;
  for (const auto& [version, pods] : versions.pods_by_version) {
    std::string part = version + " (" + pods.front();
    if (pods.size() > 1) {
      part += " and " + std::to_string(pods.size() - 1) + " more";
    }
    parts.push_back(part + ")");
  }
  return "the proxies it reaches run " + mesh::join(parts, ", ");
}

std::string what_patch_does(const model::EnvoyConfigObjectPatch& cp) {
  std::string out = std::string(model::enum_name(cp.apply_to.value));
  if (cp.patch) {
    out += " " + std::string(model::enum_name(cp.patch->operation.value));
    if (cp.patch->value) {
      const json::Value* v = cp.patch->value->get();
      if (v != nullptr && v->IsObject()) {
        const auto name = v->FindMember("name");
        if (name != v->MemberEnd() && name->value.IsString()) {
          out += " " + std::string(name->value.GetString());
        }
      }
    }
  }
  return out;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::EnvoyFilter>([&](const model::EnvoyFilter& ef) {
    if (!ef.spec.target_refs.empty() || mesh::selects_no_workload(ctx, ef)) {
      return;  // targetRefs reach no proxy at all; an empty selection is MW4115's.
    }
    std::optional<ProxyVersions> versions;  // computed for the first pinned patch only
    for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
      if (!cp.match || !cp.match->proxy || cp.match->proxy->proxy_version.value.empty()) {
        continue;
      }
      const std::string& regex = cp.match->proxy->proxy_version.value;
      if (!versions) {
        versions = versions_reached(ctx, ef);
      }
      if (versions->pods_by_version.empty()) {
        return;  // No version known: nothing to judge.
      }
      bool matched = false;
      bool compiles = true;
      for (const auto& [version, pods] : versions->pods_by_version) {
        const std::optional<bool> m = translate::proxy_version_matches(regex, version);
        compiles = compiles && m.has_value();
        matched = matched || m == true;
      }
      if (matched || !compiles) {
        continue;  // A regex that does not compile is MW4104's finding.
      }
      out.report(kInfo, ef, cp.match->proxy->proxy_version.loc,
                 "proxyVersion " + regex + " matches no proxy: " + describe(*versions, ctx) +
                     ", so istiod applies this patch (" + what_patch_does(cp) +
                     ") to none of them and what it adds or changes is silently absent; match "
                     "the versions in use (e.g. after an upgrade) or delete the patch");
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::EnvoyFilter, Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
