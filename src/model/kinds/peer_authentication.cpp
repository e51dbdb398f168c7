#include "meshward/model/kinds/peer_authentication.h"

#include <charconv>

namespace meshward::model {

void decode(ObjectReader& r, MutualTls& out) { r.optional("mode", out.mode); }

namespace {

// portLevelMtls is a proto map<uint32, MutualTLS>: protobuf JSON (what istiod unmarshals)
// rejects keys that are not decimal uint32s, so such a key is a type error, not a check.
bool is_uint32_key(const std::string& key) {
  std::uint32_t n = 0;
  const char* end = key.data() + key.size();
  auto [p, ec] = std::from_chars(key.data(), end, n);
  return !key.empty() && ec == std::errc() && p == end;
}

}  // namespace

void decode(ObjectReader& r, PeerAuthenticationSpec& out) {
  r.optional("selector", out.selector);
  r.optional("mtls", out.mtls);
  r.optional("portLevelMtls", out.port_level_mtls);
  for (const auto& [key, mtls] : out.port_level_mtls) {
    if (!is_uint32_key(key)) {
      // An entry whose value was not an object never got a location; point at its key.
      Loc loc = mtls.loc.path.empty()
                    ? Loc{map_key_path(child_path(r.loc().path, "portLevelMtls"), key),
                          r.loc().line}
                    : mtls.loc;
      r.ctx().report(kFieldWrongType, loc,
                     "portLevelMtls key \"" + key + "\" is not a port number");
    }
  }
}

std::shared_ptr<Object> decode_peer_authentication(ObjectReader& r) {
  auto obj = std::make_shared<PeerAuthentication>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
