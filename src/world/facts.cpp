#include "meshward/world/facts.h"

#include <algorithm>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/model/kinds/virtual_service.h"
#include "meshward/world/host.h"

namespace meshward::world {

namespace {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

void append_values(const std::vector<model::Field<std::string>>& fields,
                   std::vector<std::string>& out) {
  out.reserve(out.size() + fields.size());
  for (const auto& f : fields) {
    out.push_back(f.value);
  }
}

}  // namespace

bool is_host_indexed_kind(model::Kind kind) {
  using model::Kind;
  return kind == Kind::VirtualService || kind == Kind::DestinationRule ||
         kind == Kind::ServiceEntry || kind == Kind::Service;
}

std::vector<std::string> indexed_hosts(const model::Object& object) {
  std::vector<std::string> out;
  const std::string& ns = object.meta.namespace_;
  switch (object.kind()) {
    case model::Kind::VirtualService: {
      const auto& hosts = object.as<model::VirtualService>()->spec.hosts;
      out.reserve(hosts.size());
      for (const auto& h : hosts) {
        out.push_back(resolve_short_name(h.value, ns));
      }
      break;
    }
    case model::Kind::DestinationRule:
      out.push_back(resolve_short_name(object.as<model::DestinationRule>()->spec.host.value, ns));
      break;
    case model::Kind::ServiceEntry:
      append_values(object.as<model::ServiceEntry>()->spec.hosts, out);
      break;
    case model::Kind::Service:
      out.push_back(service_fqdn(object.meta.name, ns));
      break;
    default:
      break;
  }
  return out;
}

std::vector<std::string> bound_gateways(const model::Object& object) {
  if (const auto* vs = object.as<model::VirtualService>()) {
    return resolve_gateway_refs(vs->spec.gateways, vs->meta.namespace_);
  }
  return {};
}

std::vector<std::string> export_to(const model::Object& object) {
  std::vector<std::string> out;
  switch (object.kind()) {
    case model::Kind::VirtualService:
      append_values(object.as<model::VirtualService>()->spec.export_to, out);
      break;
    case model::Kind::DestinationRule:
      append_values(object.as<model::DestinationRule>()->spec.export_to, out);
      break;
    case model::Kind::ServiceEntry:
      append_values(object.as<model::ServiceEntry>()->spec.export_to, out);
      break;
    case model::Kind::Service: {
      const auto it = object.meta.annotations.find(std::string(kExportToAnnotation));
      if (it == object.meta.annotations.end() || it->second.empty()) {
        break;
      }
      // Split like kube/conversion.go: on every comma, each part trimmed.
      std::string_view rest = it->second;
      while (true) {
        const auto comma = rest.find(',');
        out.emplace_back(trim(rest.substr(0, comma)));
        if (comma == std::string_view::npos) {
          break;
        }
        rest.remove_prefix(comma + 1);
      }
      break;
    }
    default:
      break;
  }
  return out;
}

bool visible_to(const model::Object& object, std::string_view ns) {
  const std::string& own = object.meta.namespace_;
  if (const auto* dr = object.as<model::DestinationRule>();
      dr != nullptr && dr->spec.workload_selector.has_value()) {
    return ns == own;
  }
  const std::vector<std::string> entries = export_to(object);
  if (entries.empty()) {
    return true;
  }
  const auto has = [&](std::string_view v) {
    return std::find(entries.begin(), entries.end(), v) != entries.end();
  };
  if (has("*")) {
    return true;
  }
  if (object.kind() == model::Kind::VirtualService && has("~")) {
    return false;
  }
  return (ns == own && has(".")) || has(ns);
}

}  // namespace meshward::world
