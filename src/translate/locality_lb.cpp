#include "locality_lb.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "endpoint_groups.h"

namespace meshward::translate {

namespace {

// util.LocalityMatch: `rule` is `region[/zone[/subzone]]`, each part `*` for any; a missing
// zone or subzone matches any.
bool locality_match(const Locality& l, std::string_view rule) {
  const Locality r = parse_locality(rule);
  const bool region = r.region == "*" || l.region == r.region;
  const bool zone = r.zone == "*" || r.zone.empty() || l.zone == r.zone;
  const bool subzone = r.sub_zone == "*" || r.sub_zone.empty() || l.sub_zone == r.sub_zone;
  return region && zone && subzone;
}

// util.LbPriority: 0 same subzone, 1 same zone, 2 same region, 3 elsewhere.
std::uint32_t lb_priority(const Locality& proxy, const Locality& endpoints) {
  if (proxy.region != endpoints.region) {
    return 3;
  }
  if (proxy.zone != endpoints.zone) {
    return 2;
  }
  return proxy.sub_zone == endpoints.sub_zone ? 0 : 1;
}

// Priorities must run from 0 without gaps: each distinct value becomes its rank.
template <class Groups>
void renumber_priorities(Groups& groups) {
  std::set<std::uint32_t> used;
  for (const auto& g : groups) {
    used.insert(g.priority.value_or(0));
  }
  std::map<std::uint32_t, std::uint32_t> rank;
  for (const std::uint32_t p : used) {
    rank.emplace(p, static_cast<std::uint32_t>(rank.size()));
  }
  for (auto& g : groups) {
    g.priority = rank[g.priority.value_or(0)];
  }
}

// applyLocalityWeights: the first `distribute` entry whose `from` matches the proxy gives each
// locality group its share of the `to` weights (Go's uint32 arithmetic kept); groups no `to`
// names lose their endpoints.
void apply_weights(ClusterLoadAssignment& a, const Locality& proxy,
                   const std::vector<LocalityLbSetting::Distribute>& distribute) {
  for (const LocalityLbSetting::Distribute& d : distribute) {
    if (!locality_match(proxy, d.from)) {
      continue;
    }
    std::vector<bool> unmatched(a.endpoints.size(), true);
    for (const auto& [to, weight] : d.to) {
      std::vector<std::pair<std::size_t, std::uint32_t>> matched;  // index, original weight
      std::uint32_t total = 0;
      for (std::size_t i = 0; i < a.endpoints.size(); ++i) {
        if (unmatched[i] && locality_match(a.endpoints[i].locality, to)) {
          unmatched[i] = false;
          matched.emplace_back(i, a.endpoints[i].load_balancing_weight);
          total += a.endpoints[i].load_balancing_weight;
        }
      }
      for (const auto& [i, original] : matched) {
        const double share = static_cast<double>(original * weight) / static_cast<double>(total);
        if (share > 0) {
          a.endpoints[i].load_balancing_weight = static_cast<std::uint32_t>(std::ceil(share));
        }
      }
    }
    for (std::size_t i = 0; i < a.endpoints.size(); ++i) {
      if (unmatched[i]) {
        a.endpoints[i].lb_endpoints.clear();
      }
    }
    return;
  }
}

// applyLocalityFailover: priority by locality over any priority already given (×5), regions
// other than a `failover` target of the proxy's region last.
void apply_failover(ClusterLoadAssignment& a, const Locality& proxy,
                    const std::vector<std::pair<std::string, std::string>>& failover) {
  for (LocalityLbEndpoints& group : a.endpoints) {
    std::uint32_t priority = lb_priority(proxy, group.locality);
    if (priority == 3) {
      for (const auto& [from, to] : failover) {
        if (from == proxy.region) {
          if (group.locality.region != to) {
            priority = 4;
          }
          break;
        }
      }
    }
    group.priority = group.priority.value_or(0) * 5 + priority;
  }
  renumber_priorities(a.endpoints);
}

// applyFailoverPriorities: each locality group split by how many of the `failoverPriority`
// labels (in order) an endpoint shares with the proxy; a `label=value` entry compares with
// that value instead of the proxy's.
void apply_failover_priorities(ClusterLoadAssignment& a,
                               const std::vector<std::vector<const model::Labels*>>& labels,
                               const model::Labels& proxy_labels,
                               const std::vector<std::string>& failover_priority) {
  if (proxy_labels.empty() || a.endpoints.empty() || labels.size() != a.endpoints.size()) {
    return;
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> keys;  // label, override
  for (const std::string& entry : failover_priority) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      keys.emplace_back(entry, std::nullopt);
    } else {
      keys.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
  const auto value = [](const model::Labels& l, const std::string& key) -> std::string_view {
    const auto it = l.find(key);
    return it == l.end() ? std::string_view() : std::string_view(it->second);
  };
  const std::uint32_t lowest = static_cast<std::uint32_t>(keys.size());
  std::vector<LocalityLbEndpoints> out;
  for (std::size_t g = 0; g < a.endpoints.size(); ++g) {
    LocalityLbEndpoints& group = a.endpoints[g];
    std::map<std::uint32_t, LocalityLbEndpoints> by_priority;
    for (std::size_t e = 0; e < group.lb_endpoints.size(); ++e) {
      std::uint32_t priority = 0;
      const model::Labels* ep_labels = e < labels[g].size() ? labels[g][e] : nullptr;
      for (std::size_t j = 0; j < keys.size(); ++j) {
        const std::string_view want =
            keys[j].second ? std::string_view(*keys[j].second) : value(proxy_labels, keys[j].first);
        const std::string_view have =
            ep_labels != nullptr ? value(*ep_labels, keys[j].first) : std::string_view();
        if (want != have) {
          priority = lowest - static_cast<std::uint32_t>(j);
          break;
        }
      }
      auto [it, added] = by_priority.try_emplace(priority);
      if (added) {
        it->second.locality = group.locality;
        it->second.priority = priority;
        it->second.load_balancing_weight = 0;
      }
      it->second.load_balancing_weight += group.lb_endpoints[e].load_balancing_weight;
      it->second.lb_endpoints.push_back(std::move(group.lb_endpoints[e]));
    }
    for (auto& [priority, split] : by_priority) {
      out.push_back(std::move(split));
    }
  }
  renumber_priorities(out);
  a.endpoints = std::move(out);
}

}  // namespace

LocalityLbSetting locality_lb_setting(const model::LocalityLoadBalancerSetting& rule) {
  LocalityLbSetting out;
  if (rule.enabled.present) {
    out.enabled = rule.enabled.value;
  }
  for (const model::LocalityLbDistribute& d : rule.distribute) {
    LocalityLbSetting::Distribute& to = out.distribute.emplace_back();
    to.from = d.from.value;
    for (const auto& [locality, weight] : d.to) {
      to.to.emplace_back(locality, weight.value);
    }
  }
  for (const model::LocalityLbFailover& f : rule.failover) {
    out.failover.emplace_back(f.from.value, f.to.value);
  }
  for (const auto& label : rule.failover_priority) {
    out.failover_priority.push_back(label.value);
  }
  return out;
}

std::optional<LocalityLbSetting> applicable_locality_lb(const MeshConfig& mesh,
                                                        const model::LoadBalancerSettings* lb) {
  if (lb != nullptr && lb->locality_lb_setting) {
    LocalityLbSetting rule = locality_lb_setting(*lb->locality_lb_setting);
    if (rule.enabled == false) {
      return std::nullopt;
    }
    return rule;
  }
  if (mesh.locality_lb.enabled == false) {
    return std::nullopt;
  }
  return mesh.locality_lb;
}

bool locality_weighted(const LocalityLbSetting& setting, bool enable_failover) {
  return !setting.distribute.empty() ||
         (enable_failover && (!setting.failover.empty() || !setting.failover_priority.empty()));
}

void apply_locality_lb(ClusterLoadAssignment& assignment,
                       const std::vector<std::vector<const model::Labels*>>* endpoint_labels,
                       const Locality& proxy_locality, const model::Labels& proxy_labels,
                       const LocalityLbSetting& setting, bool enable_failover) {
  if (!setting.distribute.empty()) {
    apply_weights(assignment, proxy_locality, setting.distribute);
    return;
  }
  if (!enable_failover) {
    return;
  }
  if (!setting.failover_priority.empty()) {
    if (endpoint_labels != nullptr) {
      apply_failover_priorities(assignment, *endpoint_labels, proxy_labels,
                                setting.failover_priority);
    }
    if (!setting.failover.empty()) {
      apply_failover(assignment, proxy_locality, setting.failover);
    }
    return;
  }
  apply_failover(assignment, proxy_locality, setting.failover);
}

}  // namespace meshward::translate
