#include "meshward/translate/delegate.h"

#include <algorithm>
#include <utility>

#include "meshward/world/facts.h"

namespace meshward::translate {

namespace {

using model::HttpMatchRequest;
using model::HttpRoute;
using model::StringMatch;

bool set(const model::Field<std::string>& f) { return !f.value.empty(); }

// stringMatchConflict: whether `leaf` is not within `root` (absent on either side: no conflict).
bool string_match_conflict(const StringMatch* root, const StringMatch* leaf) {
  if (root == nullptr || leaf == nullptr) {
    return false;
  }
  if (set(root->regex) && (set(leaf->regex) || set(leaf->prefix) || set(leaf->exact))) {
    return true;
  }
  if (set(leaf->regex) && (set(root->regex) || set(root->prefix) || set(root->exact))) {
    return true;
  }
  if (set(root->exact)) {
    return set(leaf->prefix) || leaf->exact.value != root->exact.value;
  }
  if (set(root->prefix)) {
    const std::string& prefix = root->prefix.value;
    if (set(leaf->prefix)) {
      return leaf->prefix.value.compare(0, prefix.size(), prefix) != 0;
    }
    if (set(leaf->exact)) {
      return leaf->exact.value.compare(0, prefix.size(), prefix) != 0;
    }
  }
  return true;
}

const StringMatch* get(const model::Optional<StringMatch>& m) { return m ? &*m : nullptr; }

const StringMatch* entry(const model::StringMatchMap& map, const std::string& key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// hasConflict: whether delegate match `leaf` cannot be merged into root match `root`.
bool has_conflict(const HttpMatchRequest& root, const HttpMatchRequest& leaf) {
  if (string_match_conflict(get(root.uri), get(leaf.uri)) ||
      string_match_conflict(get(root.scheme), get(leaf.scheme)) ||
      string_match_conflict(get(root.method), get(leaf.method)) ||
      string_match_conflict(get(root.authority), get(leaf.authority))) {
    return true;
  }
  for (const auto& [key, m] : leaf.headers) {
    if (string_match_conflict(entry(root.headers, key), &m)) {
      return true;
    }
  }
  for (const auto& [key, m] : leaf.without_headers) {
    if (string_match_conflict(entry(root.without_headers, key), &m)) {
      return true;
    }
  }
  for (const auto& [key, m] : leaf.query_params) {
    if (string_match_conflict(entry(root.query_params, key), &m)) {
      return true;
    }
  }
  if (root.ignore_uri_case.value != leaf.ignore_uri_case.value) {
    return true;
  }
  if (root.port.value > 0 && leaf.port.value > 0 && root.port.value != leaf.port.value) {
    return true;
  }
  if (set(root.source_namespace) && leaf.source_namespace.value != root.source_namespace.value) {
    return true;
  }
  for (const auto& [key, value] : leaf.source_labels) {
    const auto it = root.source_labels.find(key);
    if (it != root.source_labels.end() && it->second.value != value.value) {
      return true;
    }
  }
  if (!root.gateways.empty() && !leaf.gateways.empty()) {
    if (root.gateways.size() < leaf.gateways.size()) {
      return true;
    }
    for (const auto& gw : leaf.gateways) {
      if (std::none_of(root.gateways.begin(), root.gateways.end(),
                       [&](const auto& r) { return r.value == gw.value; })) {
        return true;
      }
    }
  }
  return false;
}

template <class Map>
Map joined(const Map& root, const Map& leaf) {
  Map out = root;
  for (const auto& [key, value] : leaf) {
    out[key] = value;
  }
  return out;
}

std::string joined_name(const std::string& root, const std::string& leaf) {
  if (leaf.empty()) {
    return root;
  }
  return root.empty() ? leaf : root + "-" + leaf;
}

// mergeHTTPMatchRequest: the delegate's match, completed by the root's.
HttpMatchRequest merge_match(const HttpMatchRequest& root, const HttpMatchRequest& leaf) {
  HttpMatchRequest out = leaf;
  out.name.value = joined_name(root.name.value, leaf.name.value);
  out.name.present = !out.name.value.empty();
  if (!out.uri) {
    out.uri = root.uri;
  }
  if (!out.scheme) {
    out.scheme = root.scheme;
  }
  if (!out.method) {
    out.method = root.method;
  }
  if (!out.authority) {
    out.authority = root.authority;
  }
  out.headers = joined(root.headers, leaf.headers);
  out.without_headers = joined(root.without_headers, leaf.without_headers);
  out.query_params = joined(root.query_params, leaf.query_params);
  if (out.port.value == 0) {
    out.port = root.port;
  }
  out.source_labels = joined(root.source_labels, leaf.source_labels);
  if (!set(out.source_namespace)) {
    out.source_namespace = root.source_namespace;
  }
  if (out.gateways.empty()) {
    out.gateways = root.gateways;
  }
  if (!set(out.stat_prefix)) {
    out.stat_prefix = root.stat_prefix;
  }
  return out;
}

// mergeHTTPMatchRequests: nullopt on a conflict.
std::optional<std::vector<HttpMatchRequest>> merge_matches(const std::vector<HttpMatchRequest>& root,
                                                           const std::vector<HttpMatchRequest>& leaf) {
  if (root.empty()) {
    return leaf;
  }
  if (leaf.empty()) {
    return root;
  }
  std::vector<HttpMatchRequest> out;
  for (const HttpMatchRequest& sub : leaf) {
    bool found = false;
    for (const HttpMatchRequest& r : root) {
      if (!has_conflict(r, sub)) {
        out.push_back(merge_match(r, sub));
        found = true;
      }
    }
    if (!found) {
      return std::nullopt;
    }
  }
  if (out.empty()) {
    return std::nullopt;
  }
  return out;
}

template <class T>
void inherit(model::Optional<T>& leaf, const model::Optional<T>& root) {
  if (!leaf) {
    leaf = root;
  }
}

// mergeHTTPRoute: the delegate route completed by the root route, or nullopt on a conflict.
std::optional<HttpRoute> merge_route(const HttpRoute& root, const HttpRoute& leaf) {
  auto matches = merge_matches(root.match, leaf.match);
  if (!matches) {
    return std::nullopt;
  }
  HttpRoute out = leaf;
  out.match = std::move(*matches);
  out.name.value = joined_name(root.name.value, leaf.name.value);
  out.name.present = !out.name.value.empty();
  inherit(out.rewrite, root.rewrite);
  inherit(out.direct_response, root.direct_response);
  if (!out.timeout.present) {
    out.timeout = root.timeout;
  }
  inherit(out.retries, root.retries);
  inherit(out.fault, root.fault);
  inherit(out.mirror, root.mirror);
  if (!out.mirror_percent.present) {
    out.mirror_percent = root.mirror_percent;
  }
  inherit(out.mirror_percentage, root.mirror_percentage);
  inherit(out.cors_policy, root.cors_policy);
  if (out.mirrors.empty()) {
    out.mirrors = root.mirrors;
  }
  inherit(out.headers, root.headers);
  return out;
}

}  // namespace

bool delegates(const model::VirtualService& vs) {
  return std::any_of(vs.spec.http.begin(), vs.spec.http.end(),
                     [](const HttpRoute& h) { return static_cast<bool>(h.delegate); });
}

const std::string& delegate_namespace(const model::Delegate& delegate,
                                      const model::VirtualService& root) {
  return set(delegate.namespace_) ? delegate.namespace_.value : root.meta.namespace_;
}

DelegateMerge merge_delegates(const model::VirtualService& root, const world::View& view,
                              const world::ExportDefaults& exports) {
  DelegateMerge out;
  // A delegate VirtualService (no hosts) is never a root: istiod keeps it out of every list.
  if (!delegates(root) || root.spec.hosts.empty()) {
    return out;
  }
  auto merged = std::make_shared<model::VirtualService>();
  merged->api_version = root.api_version;
  merged->meta = root.meta;
  merged->source = root.source;
  merged->sequence = root.sequence;
  merged->spec = root.spec;
  merged->spec.http.clear();
  for (std::size_t i = 0; i < root.spec.http.size(); ++i) {
    const HttpRoute& route = root.spec.http[i];
    if (!route.delegate) {
      merged->spec.http.push_back(route);
      continue;
    }
    const std::string& ns = delegate_namespace(*route.delegate, root);
    const std::string& name = route.delegate->name.value;
    DelegateProblem problem{i, ns + "/" + name, std::string::npos, {}};
    const auto* delegate =
        view.find_as<model::VirtualService>(ns, name);
    if (delegate == nullptr) {
      problem.reason = "it does not exist";
      problem.missing = true;
    } else if (!delegate->spec.hosts.empty()) {
      problem.reason = "it has hosts, so it is no delegate (a delegate has none)";
    } else if (!world::visible_to(*delegate, root.meta.namespace_, exports)) {
      problem.reason = "it is not exported to namespace " + root.meta.namespace_;
    }
    if (!problem.reason.empty()) {
      out.problems.push_back(std::move(problem));
      continue;
    }
    HttpRoute base = route;
    base.delegate.reset();
    for (std::size_t j = 0; j < delegate->spec.http.size(); ++j) {
      if (auto m = merge_route(base, delegate->spec.http[j])) {
        merged->spec.http.push_back(std::move(*m));
      } else {
        out.problems.push_back(DelegateProblem{
            i, problem.delegate, j, "its matches are not within the delegating route's", false});
      }
    }
  }
  out.merged = std::move(merged);
  return out;
}

}  // namespace meshward::translate
