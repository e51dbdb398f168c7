// DestinationRule `loadBalancer.localityLbSetting` that Istio's webhook rejects or warns about
// (agent.ValidateLocalityLbSetting in pkg/config/validation/agent/validation.go): distribute
// and failover together, failover with a topology label in failoverPriority, distribute
// weights outside 1..100 or not summing to 100, malformed or overlapping localities, failover
// between the same or non-region localities, and (warning) failover without outlierDetection,
// which never ejects unhealthy endpoints, so traffic never actually fails over.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1306", "destinationrule-locality-lb-invalid", Family::Resource,
                         Severity::Error,
                         "A DestinationRule localityLbSetting is inconsistent or malformed", ""};

struct Locality {
  std::string_view text;
  const model::Loc* loc;
};

// validateLocalities: at most one trailing `*`, no empty region/zone/subzone, no overlap.
// Returns the first problem (Istio stops at the first one too) and where it is.
std::optional<std::pair<std::string, const model::Loc*>> locality_problem(
    const std::vector<Locality>& localities) {
  // region -> zone -> subzones; "*" marks a whole level.
  std::map<std::string, std::map<std::string, std::map<std::string, bool>>> seen;
  for (const Locality& l : localities) {
    const std::string text(l.text);
    const auto stars = std::count(text.begin(), text.end(), '*');
    if (stars > 1 || (stars == 1 && text.back() != '*')) {
      return std::make_pair("locality " + validate::quote(text) +
                                " may contain at most one '*', and only at the end",
                            l.loc);
    }
    if (seen.count("*") != 0) {
      return std::make_pair(
          "locality " + validate::quote(text) + " overlaps with a previous locality", l.loc);
    }
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (parts.size() < 2) {
      const auto slash = text.find('/', start);
      if (slash == std::string::npos) {
        break;
      }
      parts.push_back(text.substr(start, slash - start));
      start = slash + 1;
    }
    parts.push_back(text.substr(start));
    bool empty_part = false;
    for (const auto& p : parts) {
      empty_part = empty_part || p.empty();
    }
    if (empty_part) {
      return std::make_pair("locality " + validate::quote(text) +
                                " has an empty region, zone or subzone: write region/zone/subzone",
                            l.loc);
    }
    const std::string overlap =
        "locality " + validate::quote(text) + " overlaps with a previous locality";
    const std::string& region = parts[0];
    if (parts.size() == 1) {
      if (seen.count(region) != 0) {
        return std::make_pair(overlap, l.loc);
      }
      seen[region]["*"]["*"] = true;
    } else if (parts.size() == 2) {
      auto it = seen.find(region);
      if (it != seen.end()) {
        if (it->second.count("*") != 0 || it->second.count(parts[1]) != 0) {
          return std::make_pair(overlap, l.loc);
        }
      }
      seen[region][parts[1]]["*"] = true;
    } else {
      auto it = seen.find(region);
      if (it != seen.end()) {
        if (it->second.count("*") != 0) {
          return std::make_pair(overlap, l.loc);
        }
        auto zit = it->second.find(parts[1]);
        if (zit != it->second.end() &&
            (zit->second.count("*") != 0 || zit->second.count(parts[2]) != 0)) {
          return std::make_pair(overlap, l.loc);
        }
      }
      seen[region][parts[1]][parts[2]] = true;
    }
  }
  return std::nullopt;
}

bool is_topology_label(std::string_view label) {
  return label == "topology.kubernetes.io/region" || label == "topology.kubernetes.io/zone" ||
         label == "topology.istio.io/subzone";
}

void check_locality(const model::DestinationRule& dr, const model::LocalityLoadBalancerSetting& lb,
                    bool has_outlier, Sink& out) {
  if (!lb.distribute.empty() && !lb.failover.empty()) {
    out.report(kInfo, dr, lb.loc,
               "localityLbSetting sets both distribute and failover: keep one of them");
    return;
  }
  if (!lb.failover.empty()) {
    for (const auto& label : lb.failover_priority) {
      if (is_topology_label(*label)) {
        out.report(kInfo, dr, label.loc,
                   "failoverPriority label " + validate::quote(*label) +
                       " cannot be combined with failover: remove failover or the topology "
                       "label");
        return;
      }
    }
  }
  std::vector<Locality> sources;
  for (const model::LocalityLbDistribute& d : lb.distribute) {
    sources.push_back({d.from.value, d.from.present ? &d.from.loc : &d.loc});
    std::uint64_t total = 0;
    std::vector<Locality> destinations;
    bool bad_weight = false;
    for (const auto& [locality, weight] : d.to) {
      destinations.push_back({locality, &weight.loc});
      if (*weight == 0 || *weight > 100) {
        out.report(kInfo, dr, weight.loc,
                   "locality weight " + std::to_string(*weight) + " for " +
                       validate::quote(locality) + " is outside 1..100");
        bad_weight = true;
      }
      total += *weight;
    }
    if (bad_weight) {
      return;
    }
    if (total != 100) {
      out.report(kInfo, dr, d.loc,
                 "distribute weights sum to " + std::to_string(total) +
                     ", not 100: adjust the `to` weights so they add up to 100");
      return;
    }
    if (auto p = locality_problem(destinations)) {
      out.report(kInfo, dr, *p->second, p->first);
    }
  }
  if (auto p = locality_problem(sources)) {
    out.report(kInfo, dr, *p->second, p->first);
  }
  if ((!lb.failover.empty() || !lb.failover_priority.empty()) && !has_outlier) {
    out.report(kInfo, dr, lb.loc,
               "locality failover needs outlierDetection to eject unhealthy endpoints: add "
               "trafficPolicy.outlierDetection next to this loadBalancer",
               Severity::Warning, "Istio accepts it with a warning; failover never triggers");
  }
  for (const model::LocalityLbFailover& f : lb.failover) {
    const std::string& from = f.from.value;
    const std::string& to = f.to.value;
    if (from == to) {
      out.report(kInfo, dr, f.loc,
                 "failover from and to are the same region " + validate::quote(from) +
                     ": fail over to a different region");
    }
    if (from.find('/') != std::string::npos || to.find('/') != std::string::npos) {
      out.report(kInfo, dr, f.loc,
                 "failover from/to must be regions only, without zone or subzone");
    }
    if (from.find('*') != std::string::npos || to.find('*') != std::string::npos) {
      out.report(kInfo, dr, f.loc, "failover regions must not contain the '*' wildcard");
    }
  }
}

void check_lb(const model::DestinationRule& dr,
              const model::Optional<model::LoadBalancerSettings>& lb, bool has_outlier,
              Sink& out) {
  if (lb && lb->locality_lb_setting) {
    check_locality(dr, *lb->locality_lb_setting, has_outlier, out);
  }
}

void check_policy(const model::DestinationRule& dr, const model::TrafficPolicy& tp, Sink& out) {
  check_lb(dr, tp.load_balancer, static_cast<bool>(tp.outlier_detection), out);
  for (const model::PortTrafficPolicy& pl : tp.port_level_settings) {
    check_lb(dr, pl.load_balancer, static_cast<bool>(pl.outlier_detection), out);
  }
}

void check(const model::DestinationRule& dr, Sink& out) {
  if (dr.spec.traffic_policy) {
    check_policy(dr, *dr.spec.traffic_policy, out);
  }
  for (const model::Subset& subset : dr.spec.subsets) {
    if (subset.traffic_policy) {
      check_policy(dr, *subset.traffic_policy, out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
