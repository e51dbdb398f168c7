#include "meshward/model/kinds/peer_authentication.h"

namespace meshward::model {

void decode(ObjectReader& r, PeerAuthenticationSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_peer_authentication(ObjectReader& r) {
  auto obj = std::make_shared<PeerAuthentication>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
