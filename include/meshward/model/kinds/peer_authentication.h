#pragma once
// PeerAuthentication: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct PeerAuthenticationSpec {
  Loc loc;
};
void decode(ObjectReader& r, PeerAuthenticationSpec& out);

class PeerAuthentication : public Object {
 public:
  static constexpr Kind kKind = Kind::PeerAuthentication;
  PeerAuthentication() : Object(kKind) {}
  PeerAuthenticationSpec spec;
};
std::shared_ptr<Object> decode_peer_authentication(ObjectReader& r);

}  // namespace meshward::model
