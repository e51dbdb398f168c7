// A directResponse with a status outside 200..600, or a body over 1 MiB (error) or 100 KiB
// (warning). Istio's webhook rejects/warns (validateHTTPDirectResponse,
// pkg/config/validation/validation.go): large bodies are pushed to every proxy in the xDS
// route configuration and slow the control plane down.

#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1213", "virtualservice-direct-response-invalid", Family::Resource,
                         Severity::Error,
                         "A directResponse has an invalid status or a too large body", ""};

// Decoded size of a base64 text as written (padding and whitespace ignored).
std::size_t base64_size(const std::string& text) {
  std::size_t chars = 0;
  for (char c : text) {
    const bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/' || c == '-' || c == '_';
    chars += b64 ? 1 : 0;
  }
  return chars * 3 / 4;
}

void check(const model::VirtualService& vs, Sink& out) {
  constexpr std::size_t kKiB = 1024;
  constexpr std::size_t kMiB = 1024 * kKiB;
  for (const model::HttpRoute& http : vs.spec.http) {
    if (!http.direct_response) {
      continue;
    }
    const model::HttpDirectResponse& dr = *http.direct_response;
    if (dr.status.value < 200 || dr.status.value > 600) {
      out.report(kInfo, vs, dr.status.present ? dr.status.loc : dr.loc,
                 "directResponse status " + std::to_string(dr.status.value) +
                     " is not in range 200-599: set a valid HTTP status");
    }
    if (dr.body) {
      const std::size_t size = dr.body->string.present ? dr.body->string.value.size()
                                                       : base64_size(dr.body->bytes.value);
      if (size > kMiB) {
        out.report(kInfo, vs, dr.body->loc,
                   "directResponse body is " + std::to_string(size) +
                       " bytes, over the 1 MiB limit: serve large content from a service");
      } else if (size > 100 * kKiB) {
        out.report(kInfo, vs, dr.body->loc,
                   "directResponse body is " + std::to_string(size) +
                       " bytes (over 100 KiB): large bodies slow down config distribution",
                   Severity::Warning, "Istio only warns below 1 MiB");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
