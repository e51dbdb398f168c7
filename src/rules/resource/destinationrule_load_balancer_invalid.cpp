// DestinationRule `loadBalancer` settings Istio's webhook rejects or warns about
// (validateLoadBalancer in pkg/config/validation/validation.go, plus the proto oneofs that
// istiod's JSON decoding rejects): simple together with consistentHash, more than one hash key
// or hash algorithm, an unnamed or badly attributed httpCookie, the deprecated minimumRingSize
// (warning) or it mixed with ringHash/maglev, a maglev tableSize that is unset, too large or
// not prime, and invalid warmup settings. Envoy would refuse the cluster or hash inconsistently.

#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"
#include "traffic_policy_util.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1305", "destinationrule-load-balancer-invalid", Family::Resource,
                         Severity::Error, "A DestinationRule loadBalancer setting is invalid",
                         ""};

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// Envoy's (and Istio's) primality test for maglev table sizes.
bool is_prime(std::uint64_t x) {
  if (x != 0 && x < 4) {
    return true;
  }
  if ((x & 1) == 0) {
    return false;
  }
  const auto limit = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(x)));
  for (std::uint64_t f = 3; f <= limit; f += 2) {
    if (x % f == 0) {
      return false;
    }
  }
  return true;
}

void check_consistent_hash(const model::DestinationRule& dr, const model::ConsistentHashLb& ch,
                           Sink& out) {
  int keys = 0;
  keys += ch.http_header_name.present ? 1 : 0;
  keys += ch.http_cookie ? 1 : 0;
  keys += ch.use_source_ip.present ? 1 : 0;
  keys += ch.http_query_parameter_name.present ? 1 : 0;
  if (keys > 1) {
    out.report(kInfo, dr, ch.loc,
               "consistentHash sets more than one hash key: keep exactly one of httpHeaderName, "
               "httpCookie, useSourceIp or httpQueryParameterName");
  }
  if (ch.ring_hash && ch.maglev) {
    out.report(kInfo, dr, ch.maglev->loc,
               "consistentHash sets both ringHash and maglev: keep one hash algorithm");
  }
  if (ch.http_cookie) {
    const model::HttpCookie& cookie = *ch.http_cookie;
    if (cookie.name.present && cookie.name->empty()) {
      out.report(kInfo, dr, cookie.name.loc,
                 "httpCookie name is empty: name the cookie to hash on");
    }
    std::set<std::string> attribute_names;
    for (const model::HttpCookieAttribute& attr : cookie.attributes) {
      if (!attr.name.present) {
        continue;  // MW1004
      }
      if (attr.name->empty()) {
        out.report(kInfo, dr, attr.name.loc,
                   "httpCookie attribute name is empty: name the attribute (e.g. SameSite)");
      } else if (!attribute_names.insert(*attr.name).second) {
        out.report(kInfo, dr, attr.name.loc,
                   "httpCookie attribute " + validate::quote(*attr.name) +
                       " is set twice: keep one entry per attribute");
      }
    }
  }
  if (ch.minimum_ring_size.present && *ch.minimum_ring_size != 0) {
    out.report(kInfo, dr, ch.minimum_ring_size.loc,
               "consistentHash.minimumRingSize is deprecated: use ringHash.minimumRingSize",
               Severity::Warning, "Istio accepts the deprecated field with a warning");
    if (ch.ring_hash || ch.maglev) {
      out.report(kInfo, dr, ch.minimum_ring_size.loc,
                 "consistentHash.minimumRingSize cannot be combined with ringHash or maglev: "
                 "move the value to ringHash.minimumRingSize");
    }
  }
  if (ch.maglev) {
    const model::Field<std::uint64_t>& size = ch.maglev->table_size;
    const std::uint64_t n = size.value_or(0);
    const model::Loc& loc = size.present ? size.loc : ch.maglev->loc;
    if (n == 0) {
      out.report(kInfo, dr, loc,
                 "maglev tableSize must be set: use a prime below 5000011, e.g. 65537");
    } else if (n >= 5000011) {
      out.report(kInfo, dr, loc,
                 "maglev tableSize " + std::to_string(n) +
                     " is too large: use a prime below 5000011, e.g. 65537");
    } else if (!is_prime(n)) {
      out.report(kInfo, dr, loc,
                 "maglev tableSize " + std::to_string(n) +
                     " is not a prime number: use a prime such as 65537");
    }
  }
}

void check_lb(const model::DestinationRule& dr, const model::LoadBalancerSettings& lb,
              Sink& out) {
  if (lb.simple.present && lb.consistent_hash) {
    out.report(kInfo, dr, lb.simple.loc,
               "loadBalancer sets both simple and consistentHash: keep one of them");
  }
  if (lb.consistent_hash) {
    check_consistent_hash(dr, *lb.consistent_hash, out);
  }
  if (lb.warmup_duration_secs.present) {
    if (auto why = validate::duration(*lb.warmup_duration_secs)) {
      out.report(kInfo, dr, lb.warmup_duration_secs.loc,
                 "warmupDurationSecs is invalid (" + *why + "): use e.g. 60s");
    }
  }
  if (lb.warmup) {
    const model::WarmupConfiguration& warm = *lb.warmup;
    if (warm.duration.present) {
      if (auto why = validate::duration(*warm.duration)) {
        out.report(kInfo, dr, warm.duration.loc,
                   "warmup duration is invalid (" + *why + "): use e.g. 60s");
      }
    }
    if (warm.minimum_percent.present && *warm.minimum_percent > 100) {
      out.report(kInfo, dr, warm.minimum_percent.loc,
                 "warmup minimumPercent " + number(*warm.minimum_percent) +
                     " is above 100: use a value in 0..100");
    }
    if (warm.aggression.present && *warm.aggression < 1) {
      out.report(kInfo, dr, warm.aggression.loc,
                 "warmup aggression " + number(*warm.aggression) +
                     " is below 1: use 1 (linear ramp) or more");
    }
  }
}

void check(const model::DestinationRule& dr, Sink& out) {
  for_each_policy_setting(dr, &model::TrafficPolicy::load_balancer,
                          &model::PortTrafficPolicy::load_balancer,
                          [&](const model::LoadBalancerSettings& settings) {
                            check_lb(dr, settings, out);
                          });
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
