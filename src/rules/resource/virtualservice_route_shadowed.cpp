// Routes and matches that can never apply because earlier ones take the traffic first (Envoy
// evaluates routes in order): a match-less (catch-all) rule that is not last shadows every rule
// after it; a rule whose matches all repeat earlier matches is unreachable (MW1223, IST0130);
// a single match that repeats an earlier one, or whose URI prefix is covered by an earlier
// prefix match with the same port/method/authority/headers/query parameters, is ineffective
// (MW1224, IST0131). Istio's webhook warns (analyzeUnreachableHTTPRules / TCP / TLS,
// genMatchHTTPRoutes, coveredValidation in pkg/config/validation/validation.go).
// Both rules share one analysis, so they live in one file.

#include <map>
#include <optional>
#include <type_traits>
#include <string>
#include <vector>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kUnreachable{"MW1223", "virtualservice-rule-unreachable", Family::Resource,
                                Severity::Warning,
                                "A VirtualService rule can never match (shadowed by earlier "
                                "rules)",
                                "IST0130"};
constexpr RuleInfo kIneffective{"MW1224", "virtualservice-match-ineffective", Family::Resource,
                                Severity::Warning,
                                "A VirtualService match repeats or is covered by an earlier match",
                                "IST0131"};

// ---- canonical match keys (Istio compares JSON serialisations without the match name) ----

void put(std::string& k, const std::string& s) {
  k += std::to_string(s.size());
  k += ':';
  k += s;
}
void put_sm(std::string& k, const model::StringMatch* sm) {
  if (sm == nullptr) {
    k += '-';
    return;
  }
  k += sm->exact.present ? "e" : "";
  put(k, sm->exact.value);
  k += sm->prefix.present ? "p" : "";
  put(k, sm->prefix.value);
  k += sm->regex.present ? "r" : "";
  put(k, sm->regex.value);
}
void put_smm(std::string& k, const model::StringMatchMap& m) {
  k += '{';
  for (const auto& [name, sm] : m) {
    put(k, name);
    put_sm(k, &sm);
  }
  k += '}';
}
void put_labels(std::string& k, const model::StringMap& m) {
  k += '{';
  for (const auto& [name, v] : m) {
    put(k, name);
    put(k, v.value);
  }
  k += '}';
}
void put_list(std::string& k, const std::vector<model::Field<std::string>>& l) {
  k += '[';
  for (const auto& v : l) {
    put(k, v.value);
  }
  k += ']';
}

std::string key_of(const model::HttpMatchRequest& m) {
  std::string k = "http";
  put_sm(k, m.uri ? &*m.uri : nullptr);
  put_sm(k, m.scheme ? &*m.scheme : nullptr);
  put_sm(k, m.method ? &*m.method : nullptr);
  put_sm(k, m.authority ? &*m.authority : nullptr);
  put_smm(k, m.headers);
  k += std::to_string(m.port.value) + ";";
  put_labels(k, m.source_labels);
  put_list(k, m.gateways);
  put_smm(k, m.query_params);
  k += m.ignore_uri_case.value ? "i" : "c";
  put_smm(k, m.without_headers);
  put(k, m.source_namespace.value);
  put(k, m.stat_prefix.value);
  return k;
}
std::string key_of(const model::TlsMatchAttributes& m) {
  std::string k = "tls";
  put_list(k, m.sni_hosts);
  put_list(k, m.destination_subnets);
  k += std::to_string(m.port.value) + ";";
  put_labels(k, m.source_labels);
  put_list(k, m.gateways);
  put(k, m.source_namespace.value);
  return k;
}
std::string key_of(const model::L4MatchAttributes& m) {
  std::string k = "tcp";
  put_list(k, m.destination_subnets);
  k += std::to_string(m.port.value) + ";";
  put_labels(k, m.source_labels);
  put_list(k, m.gateways);
  put(k, m.source_namespace.value);
  return k;
}

std::string route_name(const model::HttpRoute& r, std::size_t n) {
  return r.name.value.empty() ? "#" + std::to_string(n) : validate::quote(r.name.value);
}
std::string route_name(const model::TlsRoute&, std::size_t n) { return "#" + std::to_string(n); }
std::string route_name(const model::TcpRoute&, std::size_t n) { return "#" + std::to_string(n); }
std::string match_name(const model::HttpMatchRequest& m, std::size_t n) {
  return m.name.value.empty() ? "#" + std::to_string(n) : validate::quote(m.name.value);
}
template <class M>
std::string match_name(const M&, std::size_t n) {
  return "#" + std::to_string(n);
}

// ---- prefix coverage (genMatchHTTPRoutes / coveredValidation) ----

struct PrefixMatch {
  std::string route;
  std::string match;
  const model::Loc* loc = nullptr;
  std::string prefix;
  std::uint32_t port = 0;
  std::string method;
  std::string authority;
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> without;
};

std::string exact_or_prefix(const model::StringMatch* sm) {
  if (sm == nullptr) {
    return "";
  }
  if (!sm->exact.value.empty()) {
    return "exact:" + sm->exact.value;
  }
  if (!sm->prefix.value.empty()) {
    return "prefix:" + sm->prefix.value;
  }
  return "";
}

std::optional<PrefixMatch> prefix_match(const model::HttpRoute& r, std::size_t rn,
                                        const model::HttpMatchRequest& m, std::size_t mn) {
  if (!m.uri || m.uri->prefix.value.empty()) {
    return std::nullopt;
  }
  PrefixMatch p;
  p.route = route_name(r, rn);
  p.match = match_name(m, mn);
  p.loc = &m.loc;
  p.prefix = m.uri->prefix.value;
  p.port = m.port.value;
  p.method = exact_or_prefix(m.method ? &*m.method : nullptr);
  if (p.method.empty()) {
    p.method = "exact:GET";
  }
  p.authority = exact_or_prefix(m.authority ? &*m.authority : nullptr);
  for (const auto& [k, v] : m.headers) {
    p.headers[k] = exact_or_prefix(&v);
  }
  for (const auto& [k, v] : m.query_params) {
    p.query[k] = exact_or_prefix(&v);
  }
  for (const auto& [k, v] : m.without_headers) {
    p.without[k] = exact_or_prefix(&v);
  }
  return p;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool map_covered(const std::map<std::string, std::string>& a,
                 const std::map<std::string, std::string>& b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (const auto& [k, v] : a) {
    const auto it = b.find(k);
    if (it == b.end() || (v != it->second && !starts_with(v, it->second))) {
      return false;
    }
  }
  return true;
}

// Whether earlier match `a` covers later match `b` (Istio's coveredValidation, as written).
bool covered(const PrefixMatch& a, const PrefixMatch& b) {
  if (!starts_with(b.prefix, a.prefix) || a.port != b.port) {
    return false;
  }
  if (a.method != b.method && !starts_with(a.method, b.method)) {
    return false;
  }
  if (a.authority != b.authority && !starts_with(a.authority, b.authority)) {
    return false;
  }
  return map_covered(a.headers, b.headers) && map_covered(a.query, b.query) &&
         map_covered(a.without, b.without);
}

// ---- the analysis ----

struct Reports {
  const model::VirtualService& vs;
  Sink* unreachable = nullptr;  // null: not reported by the running rule
  Sink* ineffective = nullptr;
};

template <class Route>
void analyze(const std::vector<Route>& routes, const Reports& rep,
             std::vector<PrefixMatch>* prefixes) {
  std::map<std::string, std::size_t> seen;  // match key -> rule index
  std::optional<std::size_t> catch_all;
  for (std::size_t rn = 0; rn < routes.size(); ++rn) {
    const Route& route = routes[rn];
    const std::string name = route_name(route, rn);
    if (route.match.empty()) {
      if (catch_all && rep.unreachable) {
        rep.unreachable->report(kUnreachable, rep.vs, route.loc,
                                "rule " + name + " is never used: rule " +
                                    route_name(routes[*catch_all], *catch_all) +
                                    " before it has no match and takes all traffic; only the "
                                    "last rule can have no matches");
      }
      catch_all = rn;
      continue;
    }
    if (catch_all) {
      if (rep.unreachable) {
        rep.unreachable->report(kUnreachable, rep.vs, route.loc,
                                "rule " + name + " is never used: rule " +
                                    route_name(routes[*catch_all], *catch_all) +
                                    " before it has no match and takes all traffic; move the "
                                    "catch-all rule last");
      }
      continue;
    }
    std::size_t duplicates = 0;
    for (std::size_t mn = 0; mn < route.match.size(); ++mn) {
      const auto& m = route.match[mn];
      const std::string key = key_of(m);
      const auto it = seen.find(key);
      if (it != seen.end()) {
        ++duplicates;
        if (rep.ineffective) {
          rep.ineffective->report(kIneffective, rep.vs, m.loc,
                                  "match " + match_name(m, mn) + " of rule " + name +
                                      " is never used: rule " +
                                      route_name(routes[it->second], it->second) +
                                      " has the same match earlier; remove it");
        }
        continue;
      }
      seen.emplace(key, rn);
      if constexpr (std::is_same_v<Route, model::HttpRoute>) {
        if (prefixes) {
          if (auto p = prefix_match(route, rn, m, mn)) {
            prefixes->push_back(std::move(*p));
          }
        }
      }
    }
    if (duplicates == route.match.size() && rep.unreachable) {
      rep.unreachable->report(kUnreachable, rep.vs, route.loc,
                              "rule " + name +
                                  " is never used: all its matches are used by earlier rules; "
                                  "remove it or change its matches");
    }
  }
}

void run(const model::VirtualService& vs, Sink* unreachable, Sink* ineffective) {
  const Reports rep{vs, unreachable, ineffective};
  std::vector<PrefixMatch> prefixes;
  analyze(vs.spec.http, rep, &prefixes);
  analyze(vs.spec.tcp, rep, nullptr);
  analyze(vs.spec.tls, rep, nullptr);
  if (!ineffective) {
    return;
  }
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    for (std::size_t j = i + 1; j < prefixes.size(); ++j) {
      if (prefixes[j].prefix == prefixes[i].prefix) {
        continue;
      }
      if (covered(prefixes[i], prefixes[j])) {
        ineffective->report(kIneffective, vs, *prefixes[j].loc,
                            "match " + prefixes[j].match + " of rule " + prefixes[j].route +
                                " (prefix " + validate::quote(prefixes[j].prefix) +
                                ") is never used: match " + prefixes[i].match + " of rule " +
                                prefixes[i].route + " (prefix " +
                                validate::quote(prefixes[i].prefix) +
                                ") covers it earlier; order the longer prefix first");
      }
    }
  }
}

void check_unreachable(const model::VirtualService& vs, Sink& out) { run(vs, &out, nullptr); }
void check_ineffective(const model::VirtualService& vs, Sink& out) { run(vs, nullptr, &out); }

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kUnreachable, &check_unreachable));
MESHWARD_REGISTER_RULE(resource_rule(kIneffective, &check_ineffective));

}  // namespace meshward::rules
