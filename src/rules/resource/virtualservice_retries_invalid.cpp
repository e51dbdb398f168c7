// An HTTP retry policy with negative attempts, retry settings while attempts is 0 (retries
// disabled), perTryTimeout/backoff that are not ≥1ms whole-millisecond durations, or retryOn
// tokens Envoy does not know. Istio's webhook rejects these (validateHTTPRetry,
// pkg/config/validation/validation.go): Envoy would NACK the route or never retry.

#include <string>
#include <string_view>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1214", "virtualservice-retries-invalid", Family::Resource,
                         Severity::Error, "An HTTP retry policy is invalid", ""};

constexpr std::string_view kPolicies[] = {
    "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx",
    "refused-stream", "retriable-status-codes", "retriable-headers", "envoy-ratelimited",
    "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal",
    "resource-exhausted", "unavailable"};

// Go's http.StatusText(code) != "".
bool known_status(int c) {
  return (c >= 100 && c <= 103) || (c >= 200 && c <= 208) || c == 226 ||
         (c >= 300 && c <= 305) || c == 307 || c == 308 || (c >= 400 && c <= 418) ||
         (c >= 421 && c <= 426) || c == 428 || c == 429 || c == 431 || c == 451 ||
         (c >= 500 && c <= 508) || c == 510 || c == 511;
}

// strconv.Atoi(token) then StatusText.
bool is_status_token(std::string_view t) {
  if (!t.empty() && t.front() == '+') {
    t.remove_prefix(1);
  }
  if (t.empty() || t.size() > 6) {
    return false;
  }
  int v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  return known_status(v);
}

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (!http.retries) {
      continue;
    }
    const model::HttpRetry& r = *http.retries;
    if (r.attempts.value < 0) {
      out.report(kInfo, vs, r.attempts.loc,
                 "retries.attempts " + std::to_string(r.attempts.value) +
                     " is negative: use 0 (disabled) or more");
    }
    if (r.attempts.value == 0 &&
        (r.per_try_timeout.present || !r.retry_on.value.empty() ||
         r.retry_remote_localities.present)) {
      out.report(kInfo, vs, r.attempts.present ? r.attempts.loc : r.loc,
                 "retry settings are configured while attempts is 0 (retries disabled): set "
                 "attempts or remove perTryTimeout/retryOn/retryRemoteLocalities");
    }
    if (r.per_try_timeout.present) {
      if (auto why = validate::duration(r.per_try_timeout.value)) {
        out.report(kInfo, vs, r.per_try_timeout.loc,
                   "perTryTimeout " + validate::quote(r.per_try_timeout.value.text) + ": " +
                       *why);
      }
    }
    if (r.backoff.present) {
      if (auto why = validate::duration(r.backoff.value)) {
        out.report(kInfo, vs, r.backoff.loc,
                   "backoff " + validate::quote(r.backoff.value.text) + ": " + *why);
      }
    }
    if (!r.retry_on.value.empty()) {
      std::string_view rest = r.retry_on.value;
      while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view token = rest.substr(0, comma);
        bool known = is_status_token(token);
        for (std::string_view p : kPolicies) {
          known = known || p == token;
        }
        if (!known) {
          out.report(kInfo, vs, r.retry_on.loc,
                     validate::quote(token) +
                         " is not a valid retryOn policy: use Envoy conditions such as 5xx, "
                         "connect-failure, reset, retriable-4xx or an HTTP status code "
                         "(comma-separated, no spaces)");
        }
        if (comma == std::string_view::npos) {
          break;
        }
        rest.remove_prefix(comma + 1);
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
