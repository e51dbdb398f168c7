#include "meshward/translate/mesh_config.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "meshward/model/document.h"
#include "meshward/model/reader.h"

namespace meshward::translate {
namespace {

// Reads the fields of one MeshConfig object into `out`; an Error names `file` and the field.
class MeshConfigReader {
 public:
  MeshConfigReader(const std::string& file, std::string prefix)
      : file_(file), prefix_(std::move(prefix)) {}

  std::optional<Error> read(const json::Value& mesh, MeshConfig& out) const {
    if (!mesh.IsObject()) {
      return fail("", "is not a mapping");
    }
    if (auto e = string_field(mesh, "rootNamespace", out.root_namespace)) {
      return e;
    }
    if (auto e = string_field(mesh, "trustDomain", out.trust_domain)) {
      return e;
    }
    if (const json::Value* policy = member(mesh, "outboundTrafficPolicy")) {
      if (!policy->IsObject()) {
        return fail("outboundTrafficPolicy", "is not a mapping");
      }
      if (const json::Value* mode = member(*policy, "mode")) {
        const std::string_view text = mode->IsString() ? mode->GetString() : "";
        if (text == "ALLOW_ANY") {
          out.outbound = OutboundPolicy::AllowAny;
        } else if (text == "REGISTRY_ONLY") {
          out.outbound = OutboundPolicy::RegistryOnly;
        } else {
          return fail("outboundTrafficPolicy.mode", "is not ALLOW_ANY or REGISTRY_ONLY");
        }
      }
    }
    // istiod refuses a connect timeout or DNS refresh rate under 1 ms and a negative protocol
    // detection timeout (mesh.ValidateMeshConfig).
    if (auto e = duration_ms(mesh, "connectTimeout", kOneMs, "10s", out.connect_timeout_ms)) {
      return e;
    }
    if (auto e = duration_ms(mesh, "protocolDetectionTimeout", 0, "1s",
                             out.protocol_detection_timeout_ms)) {
      return e;
    }
    if (auto e = duration_ms(mesh, "dnsRefreshRate", kOneMs, "60s", out.dns_refresh_rate_ms)) {
      return e;
    }
    if (const json::Value* h2 = member(mesh, "h2UpgradePolicy")) {
      const std::string_view text = h2->IsString() ? h2->GetString() : "";
      if (text == "UPGRADE") {
        out.h2_upgrade = true;
      } else if (text == "DO_NOT_UPGRADE") {
        out.h2_upgrade = false;
      } else {
        return fail("h2UpgradePolicy", "is not DO_NOT_UPGRADE or UPGRADE");
      }
    }
    if (const json::Value* retry = member(mesh, "defaultHttpRetryPolicy")) {
      MeshRetryPolicy read;
      if (auto e = retry_policy(*retry, read)) {
        return e;
      }
      out.default_http_retry = std::move(read);
    }
    if (auto e = string_list(mesh, "defaultServiceExportTo", out.exports.services)) {
      return e;
    }
    if (auto e = string_list(mesh, "defaultVirtualServiceExportTo", out.exports.virtual_services)) {
      return e;
    }
    if (auto e = string_list(mesh, "defaultDestinationRuleExportTo", out.exports.destination_rules)) {
      return e;
    }
    if (const json::Value* providers = member(mesh, "extensionProviders")) {
      if (!providers->IsArray()) {
        return fail("extensionProviders", "is not a list");
      }
      std::vector<MeshExtensionProvider> read;
      for (rapidjson::SizeType i = 0; i < providers->Size(); ++i) {
        MeshExtensionProvider& p = read.emplace_back();
        if (auto e = provider((*providers)[i], "extensionProviders[" + std::to_string(i) + "]", p)) {
          return e;
        }
      }
      out.extension_providers = std::move(read);
    }
    if (const json::Value* locality = member(mesh, "localityLbSetting")) {
      LocalityLbSetting read;
      if (auto e = locality_lb(*locality, read)) {
        return e;
      }
      out.locality_lb = std::move(read);
    }
    return bool_field(mesh, "enableAutoMtls", out.enable_auto_mtls);
  }

 private:
  static const json::Value* member(const json::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    return it == object.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  }

  static constexpr std::int64_t kOneMs = 1'000'000;  // in nanoseconds

  // A duration field (`10s`, `1.5s`, `500ms`) of at least `min_nanos` (0 or kOneMs), in
  // nanoseconds; absent leaves `out` as it is. `example` is a valid value for the message.
  std::optional<Error> duration_field(const json::Value& object, const char* name,
                                      std::int64_t min_nanos, const char* example,
                                      std::optional<std::int64_t>& out,
                                      const std::string& at = "") const {
    const json::Value* value = member(object, name);
    if (value == nullptr) {
      return std::nullopt;
    }
    const std::optional<std::int64_t> nanos =
        value->IsString() ? model::parse_duration_nanos(value->GetString()) : std::nullopt;
    if (!nanos || *nanos < min_nanos) {
      return fail(at.empty() ? std::string(name) : at + "." + name,
                  std::string(min_nanos > 0 ? "is not a duration of at least 1ms"
                                            : "is not a duration") +
                      " (e.g. \"" + example + "\")");
    }
    out = nanos;
    return std::nullopt;
  }

  // The same, in whole milliseconds (what MeshConfig keeps).
  std::optional<Error> duration_ms(const json::Value& object, const char* name,
                                   std::int64_t min_nanos, const char* example,
                                   std::uint32_t& out) const {
    std::optional<std::int64_t> nanos;
    if (auto e = duration_field(object, name, min_nanos, example, nanos)) {
      return e;
    }
    if (nanos) {
      out = static_cast<std::uint32_t>(
          std::min<std::int64_t>(*nanos / kOneMs, std::numeric_limits<std::uint32_t>::max()));
    }
    return std::nullopt;
  }

  // A true/false field; absent leaves `out` as it is.
  template <class Bool>  // bool or std::optional<bool>
  std::optional<Error> bool_field(const json::Value& object, const char* name, Bool& out,
                                  const std::string& at = "") const {
    const json::Value* value = member(object, name);
    if (value == nullptr) {
      return std::nullopt;
    }
    if (!value->IsBool()) {
      return fail(at.empty() ? std::string(name) : at + "." + name, "is not true or false");
    }
    out = value->GetBool();
    return std::nullopt;
  }

  std::optional<Error> string_field(const json::Value& mesh, const char* name,
                                    std::string& out, const std::string& at = "") const {
    const json::Value* value = member(mesh, name);
    if (value == nullptr) {
      return std::nullopt;
    }
    if (!value->IsString() || value->GetStringLength() == 0) {
      return fail(at.empty() ? std::string(name) : at + "." + name, "is not a non-empty string");
    }
    out.assign(value->GetString(), value->GetStringLength());
    return std::nullopt;
  }

  // defaultHttpRetryPolicy (an HTTPRetry): attempts, perTryTimeout, retryOn,
  // retryRemoteLocalities.
  std::optional<Error> retry_policy(const json::Value& v, MeshRetryPolicy& out) const {
    const std::string at = "defaultHttpRetryPolicy";
    if (!v.IsObject()) {
      return fail(at, "is not a mapping");
    }
    if (const json::Value* attempts = member(v, "attempts")) {
      if (!attempts->IsInt() || attempts->GetInt() < 0) {
        return fail(at + ".attempts", "is not a number of attempts (0 or more)");
      }
      out.attempts = attempts->GetInt();
    }
    std::optional<std::int64_t> per_try;
    if (auto e = duration_field(v, "perTryTimeout", kOneMs, "2s", per_try, at)) {
      return e;
    }
    if (per_try) {
      out.per_try_timeout_ms = *per_try / kOneMs;
    }
    if (const json::Value* retry_on = member(v, "retryOn")) {
      if (!retry_on->IsString()) {
        return fail(at + ".retryOn", "is not a string (e.g. \"5xx,reset\")");
      }
      out.retry_on = retry_on->GetString();
    }
    return bool_field(v, "retryRemoteLocalities", out.retry_remote_localities, at);
  }

  // localityLbSetting (LocalityLoadBalancerSetting): enabled, distribute, failover,
  // failoverPriority. Set, it replaces the default whole (an unset `enabled` is enabled).
  std::optional<Error> locality_lb(const json::Value& v, LocalityLbSetting& out) const {
    const std::string at = "localityLbSetting";
    if (!v.IsObject()) {
      return fail(at, "is not a mapping");
    }
    if (auto e = bool_field(v, "enabled", out.enabled, at)) {
      return e;
    }
    if (const json::Value* list = member(v, "distribute")) {
      if (!list->IsArray()) {
        return fail(at + ".distribute", "is not a list");
      }
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const std::string where = at + ".distribute[" + std::to_string(i) + "]";
        const json::Value& entry = (*list)[i];
        if (!entry.IsObject()) {
          return fail(where, "is not a mapping");
        }
        LocalityLbSetting::Distribute& d = out.distribute.emplace_back();
        if (auto e = string_field(entry, "from", d.from, where)) {
          return e;
        }
        if (const json::Value* to = member(entry, "to")) {
          if (!to->IsObject()) {
            return fail(where + ".to", "is not a mapping of locality to weight");
          }
          for (const auto& m : to->GetObject()) {
            if (!m.value.IsUint()) {
              return fail(where + ".to." + m.name.GetString(), "is not a weight (0-100)");
            }
            d.to.emplace_back(m.name.GetString(), m.value.GetUint());
          }
          std::sort(d.to.begin(), d.to.end());
        }
      }
    }
    if (const json::Value* list = member(v, "failover")) {
      if (!list->IsArray()) {
        return fail(at + ".failover", "is not a list");
      }
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        const std::string where = at + ".failover[" + std::to_string(i) + "]";
        if (!(*list)[i].IsObject()) {
          return fail(where, "is not a mapping");
        }
        auto& [from, to] = out.failover.emplace_back();
        if (auto e = string_field((*list)[i], "from", from, where)) {
          return e;
        }
        if (auto e = string_field((*list)[i], "to", to, where)) {
          return e;
        }
      }
    }
    return string_list(v, "failoverPriority", out.failover_priority, at);
  }

  // One extensionProviders entry: its name, and the fields of an ext_authz provider.
  std::optional<Error> provider(const json::Value& v, const std::string& at,
                                MeshExtensionProvider& p) const {
    if (!v.IsObject()) {
      return fail(at, "is not a mapping");
    }
    if (auto e = string_field(v, "name", p.name, at)) {
      return e;
    }
    const json::Value* body = nullptr;
    for (const auto& m : v.GetObject()) {
      const std::string_view key(m.name.GetString(), m.name.GetStringLength());
      if (key == "name") {
        continue;
      }
      body = &m.value;
      if (key == "envoyExtAuthzHttp") {
        p.type = MeshExtensionProvider::Type::ExtAuthzHttp;
      } else if (key == "envoyExtAuthzGrpc") {
        p.type = MeshExtensionProvider::Type::ExtAuthzGrpc;
      } else {
        p.other_type = std::string(key);
        return std::nullopt;  // tracing, logging, metrics: not read
      }
      const std::string where = at + "." + std::string(key);
      if (!body->IsObject()) {
        return fail(where, "is not a mapping");
      }
      if (auto e = string_field(*body, "service", p.service, where)) {
        return e;
      }
      if (const json::Value* port = member(*body, "port")) {
        if (!port->IsUint()) {
          return fail(where + ".port", "is not a port number");
        }
        p.port = port->GetUint();
      }
      if (auto e = duration_field(*body, "timeout", 0, "0.5s", p.timeout_nanos, where)) {
        return e;
      }
      if (auto e = bool_field(*body, "failOpen", p.fail_open, where)) {
        return e;
      }
      if (const json::Value* status = member(*body, "statusOnError")) {
        if (!status->IsString()) {
          return fail(where + ".statusOnError", "is not a string (e.g. \"503\")");
        }
        p.status_on_error = status->GetString();
      }
      if (auto e = string_field(*body, "pathPrefix", p.path_prefix, where)) {
        return e;
      }
      const std::pair<const char*, std::vector<std::string>*> lists[] = {
          {"includeRequestHeadersInCheck", &p.include_request_headers_in_check},
          {"includeHeadersInCheck", &p.include_headers_in_check},
          {"headersToUpstreamOnAllow", &p.headers_to_upstream_on_allow},
          {"headersToDownstreamOnDeny", &p.headers_to_downstream_on_deny},
          {"headersToDownstreamOnAllow", &p.headers_to_downstream_on_allow}};
      for (const auto& [name, list] : lists) {
        if (auto e = string_list(*body, name, *list, where)) {
          return e;
        }
      }
      if (const json::Value* extra = member(*body, "includeAdditionalHeadersInCheck")) {
        if (!extra->IsObject()) {
          return fail(where + ".includeAdditionalHeadersInCheck", "is not a mapping");
        }
        for (const auto& h : extra->GetObject()) {
          if (!h.value.IsString()) {
            return fail(where + ".includeAdditionalHeadersInCheck." + h.name.GetString(),
                        "is not a string");
          }
          p.include_additional_headers_in_check.emplace_back(h.name.GetString(),
                                                             h.value.GetString());
        }
        std::sort(p.include_additional_headers_in_check.begin(),
                  p.include_additional_headers_in_check.end());
      }
      if (const json::Value* request_body = member(*body, "includeRequestBodyInCheck")) {
        if (!request_body->IsObject()) {
          return fail(where + ".includeRequestBodyInCheck", "is not a mapping");
        }
        ExtAuthzRequestBody& b = p.include_request_body_in_check.emplace();
        if (const json::Value* max = member(*request_body, "maxRequestBytes")) {
          if (!max->IsUint()) {
            return fail(where + ".includeRequestBodyInCheck.maxRequestBytes", "is not a number");
          }
          b.max_request_bytes = max->GetUint();
        }
        for (const auto& [name, flag] :
             {std::pair<const char*, bool*>{"allowPartialMessage", &b.allow_partial_message},
              std::pair<const char*, bool*>{"packAsBytes", &b.pack_as_bytes}}) {
          if (auto e = bool_field(*request_body, name, *flag, where + ".includeRequestBodyInCheck")) {
            return e;
          }
        }
      }
      return std::nullopt;
    }
    return std::nullopt;  // a name alone: no provider kind
  }

  // An exportTo list: `*`, `.`, `~` or namespace names.
  std::optional<Error> string_list(const json::Value& mesh, const char* name,
                                   std::vector<std::string>& out, const std::string& at = "") const {
    const json::Value* value = member(mesh, name);
    if (value == nullptr) {
      return std::nullopt;
    }
    const std::string field = at.empty() ? std::string(name) : at + "." + name;
    if (!value->IsArray()) {
      return fail(field, "is not a list");
    }
    std::vector<std::string> entries;
    for (const json::Value& entry : value->GetArray()) {
      if (!entry.IsString() || entry.GetStringLength() == 0) {
        return fail(field, "has an entry that is not a non-empty string");
      }
      entries.emplace_back(entry.GetString(), entry.GetStringLength());
    }
    out = std::move(entries);
    return std::nullopt;
  }

  Error fail(std::string_view field, std::string_view what) const {
    std::string path = prefix_;
    if (!field.empty()) {
      path += path.empty() ? "" : ".";
      path += field;
    }
    return Error{"mesh config " + file_ + ": " + (path.empty() ? "the document" : path) + " " +
                 std::string(what)};
  }

  const std::string& file_;
  std::string prefix_;
};

// The one document of `text`, or an Error.
Result<model::ParsedDocument> one_document(std::string_view text, const std::string& file) {
  model::ParsedStream parsed = model::parse_stream(text, file);
  if (!parsed.findings.empty()) {
    return Error{"mesh config " + file + ": " + parsed.findings.front().message};
  }
  if (parsed.documents.size() != 1) {
    return Error{"mesh config " + file + ": expected one YAML or JSON document, found " +
                 std::to_string(parsed.documents.size())};
  }
  return std::move(parsed.documents.front());
}

}  // namespace

Result<MeshConfig> parse_mesh_config(std::string_view text, const std::string& file,
                                     const MeshConfig& defaults) {
  auto document = one_document(text, file);
  if (!document) {
    return document.error();
  }
  const json::Value& root = *document->json;
  MeshConfig out = defaults;
  if (!root.IsObject()) {
    return Error{"mesh config " + file + ": the document is not a mapping"};
  }
  const auto kind = root.FindMember("kind");
  const std::string_view kind_name =
      kind != root.MemberEnd() && kind->value.IsString() ? kind->value.GetString() : "";
  if (kind_name == "ConfigMap") {
    // The `istio` ConfigMap: data.mesh is the MeshConfig as YAML text.
    const auto data = root.FindMember("data");
    if (data == root.MemberEnd() || !data->value.IsObject() || !data->value.HasMember("mesh") ||
        !data->value["mesh"].IsString()) {
      return Error{"mesh config " + file + ": ConfigMap has no data.mesh"};
    }
    const json::Value& mesh_text = data->value["mesh"];
    auto mesh = one_document(std::string_view(mesh_text.GetString(), mesh_text.GetStringLength()),
                             file + " (data.mesh)");
    if (!mesh) {
      return mesh.error();
    }
    if (auto e = MeshConfigReader(file, "data.mesh").read(*mesh->json, out)) {
      return *e;
    }
    return out;
  }
  if (kind_name == "IstioOperator") {
    const auto spec = root.FindMember("spec");
    if (spec != root.MemberEnd() && spec->value.IsObject() && spec->value.HasMember("meshConfig")) {
      if (auto e = MeshConfigReader(file, "spec.meshConfig").read(spec->value["meshConfig"], out)) {
        return *e;
      }
    }
    return out;
  }
  if (!kind_name.empty()) {
    return Error{"mesh config " + file + ": a " + std::string(kind_name) +
                 " is not a MeshConfig, the istio ConfigMap or an IstioOperator"};
  }
  if (root.HasMember("meshConfig")) {  // istiod's Helm values
    if (auto e = MeshConfigReader(file, "meshConfig").read(root["meshConfig"], out)) {
      return *e;
    }
    return out;
  }
  if (auto e = MeshConfigReader(file, "").read(root, out)) {
    return *e;
  }
  return out;
}

}  // namespace meshward::translate
