// (b) An AdmissionReview body as `POST /validate` receives it: decoded, decided against the
// bundled bookinfo world (overlay, focused mesh checks, resource checks, policy), answered.
// Invariants: the answer is valid JSON and UTF-8; a decided review echoes its uid; warnings
// stay within the API server's limits; no check throws (the server would survive it, but
// would deny the request with a 500 instead of judging it).

#include <string>

#include "common.h"
#include "meshward/admission/decide.h"
#include "meshward/admission/policy.h"
#include "meshward/core/json.h"

using namespace meshward;

namespace {

// Two policies, so the per-rule, per-namespace and severity paths run too.
const admission::Policy& policy_for(std::size_t size) {
  static const admission::Policy kDefault;
  static const admission::Policy kTuned = [] {
    admission::Policy p;
    p.on_info = admission::Action::Warn;
    p.rules["MW1005"] = admission::Action::Deny;
    p.rules["MW2101"] = admission::Action::Warn;
    p.namespaces["legacy"] = admission::Enforcement::Warn;
    p.namespaces["sandbox"] = admission::Enforcement::Off;
    return p;
  }();
  return size % 2 == 0 ? kDefault : kTuned;
}

}  // namespace

int meshward_fuzz_admission(const std::uint8_t* data, std::size_t size) {
  const auto world = fuzz::bookinfo_world();
  const admission::WarningLimits limits;
  const admission::Exchange ex =
      admission::handle_review(fuzz::as_text(data, size), world.get(), policy_for(size), limits);

  MESHWARD_FUZZ_CHECK(fuzz::is_json(ex.body), ex.body);
  MESHWARD_FUZZ_CHECK(admission::valid_utf8(ex.body), ex.body);
  if (!ex.decided) {
    MESHWARD_FUZZ_CHECK(ex.http_status >= 400 && ex.http_status < 500, ex.body);
    MESHWARD_FUZZ_CHECK(!ex.error.empty(), ex.body);
    return 0;
  }
  MESHWARD_FUZZ_CHECK(ex.http_status == 200, ex.body);
  MESHWARD_FUZZ_CHECK(ex.decision.reason != "internal_error", ex.decision.response.message);
  for (const std::string& w : ex.decision.response.warnings) {
    MESHWARD_FUZZ_CHECK(w.size() <= limits.max_chars, w);
    MESHWARD_FUZZ_CHECK(admission::valid_utf8(w), w);
  }
  json::Document answer;
  answer.Parse(ex.body.data(), ex.body.size());
  const auto response = answer.FindMember("response");
  MESHWARD_FUZZ_CHECK(response != answer.MemberEnd() && response->value.IsObject(), ex.body);
  const auto uid = response->value.FindMember("uid");
  MESHWARD_FUZZ_CHECK(uid != response->value.MemberEnd() && uid->value.IsString() &&
                          std::string_view(uid->value.GetString(), uid->value.GetStringLength()) == ex.uid,
                      ex.body);
  const auto allowed = response->value.FindMember("allowed");
  MESHWARD_FUZZ_CHECK(allowed != response->value.MemberEnd() && allowed->value.IsBool() &&
                          allowed->value.GetBool() == ex.decision.response.allowed,
                      ex.body);
  return 0;
}
