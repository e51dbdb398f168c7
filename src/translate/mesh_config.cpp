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
    if (const json::Value* timeout = member(mesh, "connectTimeout")) {
      const std::optional<std::int64_t> nanos =
          timeout->IsString() ? model::parse_duration_nanos(timeout->GetString()) : std::nullopt;
      // istiod refuses a connect timeout under 1 ms (mesh.ValidateMeshConfig).
      if (!nanos || *nanos < 1'000'000) {
        return fail("connectTimeout", "is not a duration of at least 1ms (e.g. \"10s\")");
      }
      out.connect_timeout_ms = static_cast<std::uint32_t>(std::min<std::int64_t>(
          *nanos / 1'000'000, std::numeric_limits<std::uint32_t>::max()));
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
    if (const json::Value* auto_mtls = member(mesh, "enableAutoMtls")) {
      if (!auto_mtls->IsBool()) {
        return fail("enableAutoMtls", "is not true or false");
      }
      out.enable_auto_mtls = auto_mtls->GetBool();
    }
    return std::nullopt;
  }

 private:
  static const json::Value* member(const json::Value& object, const char* name) {
    const auto it = object.FindMember(name);
    return it == object.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  }

  std::optional<Error> string_field(const json::Value& mesh, const char* name,
                                    std::string& out) const {
    const json::Value* value = member(mesh, name);
    if (value == nullptr) {
      return std::nullopt;
    }
    if (!value->IsString() || value->GetStringLength() == 0) {
      return fail(name, "is not a non-empty string");
    }
    out.assign(value->GetString(), value->GetStringLength());
    return std::nullopt;
  }

  // An exportTo list: `*`, `.`, `~` or namespace names.
  std::optional<Error> string_list(const json::Value& mesh, const char* name,
                                   std::vector<std::string>& out) const {
    const json::Value* value = member(mesh, name);
    if (value == nullptr) {
      return std::nullopt;
    }
    if (!value->IsArray()) {
      return fail(name, "is not a list");
    }
    std::vector<std::string> entries;
    for (const json::Value& entry : value->GetArray()) {
      if (!entry.IsString() || entry.GetStringLength() == 0) {
        return fail(name, "has an entry that is not a non-empty string");
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
