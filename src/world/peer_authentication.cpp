#include "meshward/world/peer_authentication.h"

#include <charconv>

namespace meshward::world {

namespace {

bool namespace_wide(const model::PeerAuthentication& pa) {
  return !pa.spec.selector || pa.spec.selector->match_labels.empty();
}

bool sets_mode(const model::Optional<model::MutualTls>& mtls) {
  return mtls && mtls->mode.present && mtls->mode.value != model::MutualTlsMode::Unset;
}

}  // namespace

model::MutualTlsMode EffectivePeerAuthentication::for_port(std::uint32_t port) const {
  const auto it = per_port.find(port);
  return it != per_port.end() ? it->second : mode;
}

EffectivePeerAuthentication effective_peer_authentication(const View& view, std::string_view root,
                                                          std::string_view ns,
                                                          const model::Labels& labels) {
  EffectivePeerAuthentication out;
  if (view.count(model::Kind::PeerAuthentication) == 0) {
    return out;  // The common case: skips the lookups (endpoints ask once per endpoint).
  }
  // Listings are oldest first, so the first policy of each scope is the one istiod keeps.
  const model::PeerAuthentication* mesh = nullptr;
  const model::PeerAuthentication* name_space = nullptr;
  const model::PeerAuthentication* workload = nullptr;
  for (const model::Object* o : view.selecting(model::Kind::PeerAuthentication, root, labels)) {
    const auto* pa = o->as<model::PeerAuthentication>();
    if (pa != nullptr && namespace_wide(*pa)) {
      mesh = pa;
      break;
    }
  }
  if (!ns.empty() && ns != root) {
    for (const model::Object* o : view.selecting(model::Kind::PeerAuthentication, ns, labels)) {
      const auto* pa = o->as<model::PeerAuthentication>();
      if (pa == nullptr) {
        continue;
      }
      const model::PeerAuthentication*& slot = namespace_wide(*pa) ? name_space : workload;
      if (slot == nullptr) {
        slot = pa;
      }
    }
  }
  for (const model::PeerAuthentication* pa : {mesh, name_space, workload}) {
    if (pa != nullptr && sets_mode(pa->spec.mtls)) {
      out.mode = pa->spec.mtls->mode.value;
      out.mode_source = pa;
    }
  }
  out.workload_policy = workload;
  if (workload != nullptr) {
    for (const auto& [key, mtls] : workload->spec.port_level_mtls) {
      std::uint32_t port = 0;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), port);
      if (ec != std::errc() || end != key.data() + key.size() || port == 0 || port > 65535) {
        continue;
      }
      const bool set = mtls.mode.present && mtls.mode.value != model::MutualTlsMode::Unset;
      out.per_port[port] = set ? mtls.mode.value : out.mode;
    }
  }
  return out;
}

}  // namespace meshward::world
