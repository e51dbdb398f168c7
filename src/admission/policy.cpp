#include "meshward/admission/policy.h"

#include <algorithm>

namespace meshward::admission {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string_view action_name(Action a) {
  switch (a) {
    case Action::Deny:
      return "deny";
    case Action::Warn:
      return "warn";
    case Action::Ignore:
      return "ignore";
  }
  return "ignore";
}

std::string_view enforcement_name(Enforcement e) {
  switch (e) {
    case Enforcement::Enforce:
      return "enforce";
    case Enforcement::Warn:
      return "warn";
    case Enforcement::Off:
      return "off";
  }
  return "enforce";
}

Action enforced(Action action, Enforcement enforcement) {
  switch (enforcement) {
    case Enforcement::Enforce:
      return action;
    case Enforcement::Warn:
      return action == Action::Deny ? Action::Warn : action;
    case Enforcement::Off:
      return Action::Ignore;
  }
  return action;
}

Enforcement Policy::enforcement_for(std::string_view ns) const {
  if (auto it = namespaces.find(ns); it != namespaces.end()) {
    return it->second;
  }
  return default_enforcement;
}

Severity Policy::severity_for(const Finding& finding) const {
  if (require_egress_gateway && finding.code == kEgressGatewayRule) {
    return Severity::Error;
  }
  return finding.severity;
}

Action Policy::action_for(const Finding& finding) const {
  if (auto it = rules.find(finding.code); it != rules.end()) {
    return it->second;
  }
  if (auto it = rules.find(finding.rule); it != rules.end()) {
    return it->second;
  }
  switch (severity_for(finding)) {
    case Severity::Error:
      return on_error;
    case Severity::Warning:
      return on_warning;
    case Severity::Info:
      return on_info;
  }
  return on_info;
}

Action Policy::bounded_for_reviewed(const Finding& finding, Action action) const {
  if (!finding.missing_reference || rules.count(finding.code) != 0 ||
      rules.count(finding.rule) != 0) {
    return action;
  }
  // Action runs from the harshest (Deny) to the mildest (Ignore): the milder of the two.
  return std::max(action, missing_references);
}

bool OptOut::skips(const Finding& finding) const {
  if (reason.empty()) {
    return false;
  }
  return std::any_of(codes.begin(), codes.end(), [&](const std::string& c) {
    return c == finding.code || c == finding.rule;
  });
}

OptOut opt_out_of(const model::Object* object) {
  OptOut out;
  if (object == nullptr) {
    return out;
  }
  const auto& annotations = object->meta.annotations;
  if (auto it = annotations.find(std::string(kSkipAnnotation)); it != annotations.end()) {
    std::string_view list = it->second;
    while (!list.empty()) {
      const auto comma = list.find(',');
      std::string_view item = trim(list.substr(0, comma));
      if (!item.empty()) {
        out.codes.emplace_back(item);
      }
      if (comma == std::string_view::npos) {
        break;
      }
      list.remove_prefix(comma + 1);
    }
  }
  if (auto it = annotations.find(std::string(kSkipReasonAnnotation)); it != annotations.end()) {
    out.reason = std::string(trim(it->second));
  }
  return out;
}

}  // namespace meshward::admission
