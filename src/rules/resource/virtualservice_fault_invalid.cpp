// HTTP fault injection that Envoy cannot apply: neither abort nor delay, a percentage outside
// 0 / [0.0001, 100], an abort httpStatus outside 200..600, an unknown gRPC status name, an
// http2Error abort or an exponentialDelay (not supported), a fixedDelay that is not ≥1ms whole
// milliseconds (errors); an abort without an error type (warning). Mirrors
// validateHTTPFaultInjection in pkg/config/validation/validation.go.

#include <string>
#include <string_view>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1216", "virtualservice-fault-invalid", Family::Resource,
                         Severity::Error, "An HTTP fault injection is empty or invalid", ""};

constexpr std::string_view kGrpcCodes[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED"};

void check_percentage(const model::VirtualService& vs, const model::Optional<model::Percent>& p,
                      const char* where, Sink& out) {
  if (p) {
    if (auto why = validate::fractional_percent(p->value.value)) {
      out.report(kInfo, vs, p->value.present ? p->value.loc : p->loc,
                 std::string(where) + " " + *why);
    }
  }
}

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (!http.fault) {
      continue;
    }
    const model::HttpFaultInjection& f = *http.fault;
    if (!f.abort && !f.delay) {
      out.report(kInfo, vs, f.loc, "fault injection has neither abort nor delay: add one");
    }
    if (f.abort) {
      const model::HttpFaultInjectionAbort& a = *f.abort;
      check_percentage(vs, a.percentage, "fault.abort.percentage:", out);
      if (a.grpc_status.present) {
        bool known = false;
        for (std::string_view c : kGrpcCodes) {
          known = known || c == a.grpc_status.value;
        }
        if (!known) {
          out.report(kInfo, vs, a.grpc_status.loc,
                     "gRPC status " + validate::quote(a.grpc_status.value) +
                         " is not supported: use a code name such as NOT_FOUND or UNAVAILABLE");
        }
      } else if (a.http2_error.present) {
        out.report(kInfo, vs, a.http2_error.loc,
                   "HTTP/2 error abort fault injection is not supported: use httpStatus or "
                   "grpcStatus");
      } else if (a.http_status.present) {
        if (a.http_status.value < 200 || a.http_status.value > 600) {
          out.report(kInfo, vs, a.http_status.loc,
                     "abort httpStatus " + std::to_string(a.http_status.value) +
                         " is not in range 200-599");
        }
      } else {
        out.report(kInfo, vs, a.loc,
                   "abort is configured without an error type: set httpStatus or grpcStatus",
                   Severity::Warning, "Istio only warns: the abort does nothing");
      }
    }
    if (f.delay) {
      const model::HttpFaultInjectionDelay& d = *f.delay;
      check_percentage(vs, d.percentage, "fault.delay.percentage:", out);
      if (d.fixed_delay.present) {
        if (auto why = validate::duration(d.fixed_delay.value)) {
          out.report(kInfo, vs, d.fixed_delay.loc,
                     "fixedDelay " + validate::quote(d.fixed_delay.value.text) + ": " + *why);
        }
      } else if (d.exponential_delay.present) {
        out.report(kInfo, vs, d.exponential_delay.loc,
                   "exponentialDelay is not supported: use fixedDelay");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
