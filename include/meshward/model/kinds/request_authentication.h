#pragma once
// RequestAuthentication: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct RequestAuthenticationSpec {
  Loc loc;
};
void decode(ObjectReader& r, RequestAuthenticationSpec& out);

class RequestAuthentication : public Object {
 public:
  static constexpr Kind kKind = Kind::RequestAuthentication;
  RequestAuthentication() : Object(kKind) {}
  RequestAuthenticationSpec spec;
};
std::shared_ptr<Object> decode_request_authentication(ObjectReader& r);

}  // namespace meshward::model
