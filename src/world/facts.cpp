#include "meshward/world/facts.h"

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/gateway.h"
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
         kind == Kind::ServiceEntry || kind == Kind::Service || kind == Kind::EndpointSlice ||
         kind == Kind::Gateway;
}

std::string_view server_host_part(std::string_view server_host) {
  const auto slash = server_host.find('/');
  return slash == std::string_view::npos ? server_host : server_host.substr(slash + 1);
}

std::string_view endpoint_slice_service(const model::Object& slice) {
  const auto it = slice.meta.labels.find(std::string(kEndpointSliceServiceLabel));
  return it != slice.meta.labels.end() ? std::string_view(it->second) : std::string_view();
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
    case model::Kind::EndpointSlice:
      if (const std::string_view service = endpoint_slice_service(object); !service.empty()) {
        out.push_back(service_fqdn(service, ns));
      }
      break;
    case model::Kind::Gateway:
      for (const model::Server& server : object.as<model::Gateway>()->spec.servers) {
        for (const auto& h : server.hosts) {
          out.emplace_back(server_host_part(h.value));
        }
      }
      break;
    default:
      break;
  }
  return out;
}

std::vector<std::string> destination_hosts(const model::Object& object) {
  std::vector<std::string> out;
  const auto* vs = object.as<model::VirtualService>();
  if (vs == nullptr) {
    return out;
  }
  const std::string& ns = vs->meta.namespace_;
  const auto add = [&](const model::Destination& d) {
    out.push_back(resolve_short_name(d.host.value, ns));
  };
  for (const model::HttpRoute& http : vs->spec.http) {
    for (const model::HttpRouteDestination& route : http.route) {
      if (route.destination) {
        add(*route.destination);
      }
    }
    if (http.mirror) {
      add(*http.mirror);
    }
    for (const model::HttpMirrorPolicy& mirror : http.mirrors) {
      if (mirror.destination) {
        add(*mirror.destination);
      }
    }
  }
  for (const model::TlsRoute& tls : vs->spec.tls) {
    for (const model::RouteDestination& route : tls.route) {
      if (route.destination) {
        add(*route.destination);
      }
    }
  }
  for (const model::TcpRoute& tcp : vs->spec.tcp) {
    for (const model::RouteDestination& route : tcp.route) {
      if (route.destination) {
        add(*route.destination);
      }
    }
  }
  return out;
}

std::vector<std::string> bound_gateways(const model::Object& object) {
  if (const auto* vs = object.as<model::VirtualService>()) {
    return resolve_gateway_refs(vs->spec.gateways, vs->meta.namespace_);
  }
  return {};
}

namespace {

// Calls `f(entry)` for each exportTo entry of `object`; no copies, so visible_to() stays cheap
// in the checks' inner loops.
template <class F>
void for_each_export(const model::Object& object, F&& f) {
  const auto fields = [&](const std::vector<model::Field<std::string>>& list) {
    for (const auto& e : list) {
      f(std::string_view(e.value));
    }
  };
  switch (object.kind()) {
    case model::Kind::VirtualService:
      fields(object.as<model::VirtualService>()->spec.export_to);
      break;
    case model::Kind::DestinationRule:
      fields(object.as<model::DestinationRule>()->spec.export_to);
      break;
    case model::Kind::ServiceEntry:
      fields(object.as<model::ServiceEntry>()->spec.export_to);
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
        f(trim(rest.substr(0, comma)));
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
}

// The mesh default for `object`'s kind, for when it names no exportTo.
const std::vector<std::string>& default_export(const model::Object& object,
                                               const ExportDefaults& defaults) {
  static const std::vector<std::string> kNone;
  switch (object.kind()) {
    case model::Kind::Service:
    case model::Kind::ServiceEntry:
      return defaults.services;
    case model::Kind::VirtualService:
      return defaults.virtual_services;
    case model::Kind::DestinationRule:
      return defaults.destination_rules;
    default:
      return kNone;
  }
}

// for_each_export(), falling back to the mesh default when the object names none.
template <class F>
void for_each_effective_export(const model::Object& object, const ExportDefaults& defaults, F&& f) {
  bool own = false;
  for_each_export(object, [&](std::string_view e) {
    own = true;
    f(e);
  });
  if (!own) {
    for (const std::string& e : default_export(object, defaults)) {
      f(std::string_view(e));
    }
  }
}

}  // namespace

std::vector<std::string> export_to(const model::Object& object, const ExportDefaults& defaults) {
  std::vector<std::string> out;
  for_each_effective_export(object, defaults, [&](std::string_view e) { out.emplace_back(e); });
  return out;
}

bool visible_to(const model::Object& object, std::string_view ns, const ExportDefaults& defaults) {
  const std::string& own = object.meta.namespace_;
  if (const auto* dr = object.as<model::DestinationRule>();
      dr != nullptr && dr->spec.workload_selector.has_value()) {
    return ns == own;
  }
  bool any = false;
  bool is_public = false;
  bool none = false;
  bool named = false;
  for_each_effective_export(object, defaults, [&](std::string_view e) {
    any = true;
    is_public = is_public || e == "*";
    none = none || e == "~";
    named = named || e == ns || (e == "." && ns == own);
  });
  if (!any || is_public) {
    return true;
  }
  if (none && object.kind() == model::Kind::VirtualService) {
    return false;
  }
  return named;
}

bool is_dry_run(const model::Object& policy) {
  const auto it = policy.meta.annotations.find("istio.io/dry-run");
  if (it == policy.meta.annotations.end()) {
    return false;
  }
  const std::string& v = it->second;
  return v == "true" || v == "True" || v == "TRUE" || v == "t" || v == "T" || v == "1";
}

}  // namespace meshward::world
