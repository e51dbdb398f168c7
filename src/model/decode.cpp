#include "meshward/model/decode.h"

namespace meshward::model {

void decode(ObjectReader& r, ObjectMeta& out) {
  // metadata is validated by the API server and grows new fields; read what indexes and
  // checks need and accept the rest (managedFields, ownerReferences, finalizers, ...).
  r.ignore_unknown();
  r.optional("name", out.name);
  r.optional("namespace", out.namespace_);
  r.optional("uid", out.uid);
  r.optional("resourceVersion", out.resource_version);
  r.optional("creationTimestamp", out.creation_timestamp);
  r.optional("generation", out.generation);
  r.optional("labels", out.labels);
  r.optional("annotations", out.annotations);
}

namespace {

std::string_view group_of(std::string_view api_version) {
  auto slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

std::string_view version_of(std::string_view api_version) {
  auto slash = api_version.find('/');
  return slash == std::string_view::npos ? api_version : api_version.substr(slash + 1);
}

// The member named `name`, the last one when the key is repeated: Go's and Kubernetes' JSON
// decoders keep the last, as ObjectReader does for every field, so `kind: Service` followed by
// `kind: Gateway` is decoded as the Gateway the API server would store.
json::Value::ConstMemberIterator find_last(const json::Value& object, std::string_view name) {
  auto found = object.MemberEnd();
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == name) {
      found = it;
    }
  }
  return found;
}

bool is_list_kind(std::string_view kind) {
  return kind == "List" || (kind.size() > 4 && kind.substr(kind.size() - 4) == "List");
}

// Decodes one object whose apiVersion and kind are known strings. Returns nullptr (with
// findings, or silently for unknown kinds) when it cannot produce an object.
ObjectPtr decode_known(const json::Value& root, const Loc& root_loc, std::string_view api_version,
                       std::string_view kind, const DecodeOptions& options, DecodeContext& ctx,
                       std::size_t& skipped_unknown) {
  const KindInfo* info = find_kind(group_of(api_version), kind);
  if (info == nullptr) {
    ++skipped_unknown;
    return nullptr;
  }
  ObjectReader r(root, root_loc, ctx);
  r.ignore("apiVersion");
  r.ignore("kind");
  ctx.resource = ResourceRef{std::string(api_version), std::string(kind), "", ""};

  ObjectMeta meta;
  if (!r.required("metadata", meta)) {
    return nullptr;
  }
  if (meta.namespace_.empty() && info->namespaced) {
    meta.namespace_ = options.default_namespace;
  }
  ctx.resource.namespace_ = meta.namespace_;
  ctx.resource.name = meta.name;
  if (meta.name.empty()) {
    r.report_missing("metadata.name");
    return nullptr;
  }

  std::string_view version = version_of(api_version);
  bool served = false;
  for (auto v : info->versions) {
    served = served || (!v.empty() && v == version);
  }
  if (!served) {
    std::string list;
    for (auto v : info->versions) {
      if (!v.empty()) {
        list += list.empty() ? "" : ", ";
        list += std::string(info->group.empty() ? "" : std::string(info->group) + "/") + std::string(v);
      }
    }
    ctx.report(kApiVersionUnsupported, Loc{"apiVersion", root_loc.line},
               std::string(kind) + " is not served as " + std::string(api_version) +
                   " (served: " + list + ")");
    return nullptr;
  }

  std::shared_ptr<Object> object = info->decode(r);
  r.finish();
  object->api_version = std::string(api_version);
  object->meta = std::move(meta);
  if (!options.file.empty()) {
    object->source = SourceRef{options.file, root_loc.line};
  }
  object->sequence = options.sequence_base;
  return object;
}

void decode_root(const json::Value& root, const Loc& loc, const DecodeOptions& options,
                 DecodeContext& ctx, DecodeResult& out, int depth) {
  if (!root.IsObject()) {
    if (root.IsNull()) {
      return;  // An empty document ("---" followed by nothing) is not an error.
    }
    ctx.resource = ResourceRef{};
    ctx.report(kFieldWrongType, loc,
               std::string("a document must be a Kubernetes object, got ") + json::type_name(root));
    return;
  }
  auto api = find_last(root, "apiVersion");
  auto kind = find_last(root, "kind");
  const bool has_api = api != root.MemberEnd() && api->value.IsString();
  const bool has_kind = kind != root.MemberEnd() && kind->value.IsString();
  if (!has_api || !has_kind) {
    ctx.resource = ResourceRef{};
    ctx.report(kFieldRequired, loc,
               std::string("a Kubernetes object needs string fields apiVersion and kind (missing ") +
                   (!has_api ? "apiVersion" : "kind") + ")");
    return;
  }
  std::string_view api_version(api->value.GetString(), api->value.GetStringLength());
  std::string_view kind_name(kind->value.GetString(), kind->value.GetStringLength());

  if (is_list_kind(kind_name)) {
    auto items = find_last(root, "items");
    if (items == root.MemberEnd() || !items->value.IsArray()) {
      return;  // A list without items holds nothing to check.
    }
    if (depth > 4) {
      return;  // Lists of lists of lists: not something kubectl produces.
    }
    const bool own_maps = depth == 0 && options.item_lines != nullptr &&
                          options.item_lines->size() == items->value.Size();
    for (rapidjson::SizeType i = 0; i < items->value.Size(); ++i) {
      const json::Value& item = items->value[i];
      Loc item_loc{"", ctx.child_line(items->value, i, loc.line)};
      const LineMap* previous = own_maps ? ctx.set_lines(&(*options.item_lines)[i]) : nullptr;
      decode_root(item, item_loc, options, ctx, out, depth + 1);
      if (own_maps) {
        ctx.set_lines(previous);
      }
    }
    return;
  }
  DecodeOptions numbered = options;
  numbered.sequence_base = options.sequence_base + out.objects.size();
  ObjectPtr obj = decode_known(root, loc, api_version, kind_name, numbered, ctx, out.skipped_unknown);
  if (obj) {
    out.objects.push_back(std::move(obj));
  }
}

}  // namespace

void decode_document(const json::Value& root, const DecodeOptions& options, DecodeResult& out) {
  DecodeContext ctx(options.lines, out.findings);
  ctx.file = options.file;
  Loc loc{"", ctx.line_of(root, options.first_line)};
  try {
    decode_root(root, loc, options, ctx, out, 0);
  } catch (const json::AssertionFailure& e) {
    // Only reachable through a decoder bug on odd input; report instead of crashing.
    ctx.report(kFieldWrongType, loc, std::string("internal decoding error: ") + e.what());
  }
}

ObjectPtr decode_object(const json::Value& root, const DecodeOptions& options,
                        std::vector<Finding>& findings) {
  DecodeResult result;
  decode_document(root, options, result);
  findings.insert(findings.end(), result.findings.begin(), result.findings.end());
  if (result.objects.size() != 1) {
    return nullptr;
  }
  return result.objects.front();
}

}  // namespace meshward::model

#include "meshward/model/document.h"

namespace meshward::model {

DecodeResult decode_stream(std::string_view text, const DecodeOptions& options) {
  ParsedStream parsed = parse_stream(text, options.file);
  DecodeResult result;
  result.findings = std::move(parsed.findings);
  DecodeOptions per_document = options;
  for (const auto& doc : parsed.documents) {
    per_document.lines = &doc.lines;
    per_document.item_lines = doc.item_lines.empty() ? nullptr : &doc.item_lines;
    per_document.first_line = doc.first_line;
    decode_document(*doc.json, per_document, result);
  }
  return result;
}

}  // namespace meshward::model
