#include "proto_merge.h"

#include <array>
#include <string_view>

namespace meshward::translate::detail {

namespace {

using json::Value;

std::string_view text(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

const Value* find(const Value& obj, std::string_view key) {
  if (!obj.IsObject()) {
    return nullptr;
  }
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

Value* find(Value& obj, std::string_view key) {
  return const_cast<Value*>(find(static_cast<const Value&>(obj), key));
}

std::string_view type_url(const Value& v) {
  const Value* t = find(v, "@type");
  return t != nullptr && t->IsString() ? text(*t) : std::string_view();
}

// Fields of the Envoy API that are protobuf maps: a merge replaces their entries whole
// (google.protobuf.Struct, the value of filter_metadata, is a map too).
bool is_map_field(std::string_view key) {
  constexpr std::array<std::string_view, 5> kMaps{
      "filter_metadata", "typed_filter_metadata", "typed_per_filter_config",
      "typed_extension_protocol_options", "fields"};
  for (std::string_view m : kMaps) {
    if (key == m) {
      return true;
    }
  }
  return false;
}

// The JSON kinds protobuf JSON tells apart: numbers and strings are interchangeable (int64,
// enums by name or number); null reads as the field's default.
enum class Kind : std::uint8_t { Null, Object, Array, Bool, Scalar };

Kind kind_of(const Value& v) {
  if (v.IsNull()) {
    return Kind::Null;
  }
  if (v.IsObject()) {
    return Kind::Object;
  }
  if (v.IsArray()) {
    return Kind::Array;
  }
  if (v.IsBool()) {
    return Kind::Bool;
  }
  return Kind::Scalar;
}

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::Object:
      return "an object";
    case Kind::Array:
      return "a list";
    case Kind::Bool:
      return "a boolean";
    case Kind::Scalar:
      return "a string or number";
    case Kind::Null:
      break;
  }
  return "null";
}

std::string join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

// Patch fields whose kind differs from the generated field's. Does not look inside map
// entries or inside an Any of another type (their fields belong to other messages).
void kind_conflicts(const Value& base, const Value& patch, const std::string& path,
                    std::vector<std::string>& out) {
  if (!base.IsObject() || !patch.IsObject()) {
    return;
  }
  for (const auto& m : patch.GetObject()) {
    const std::string_view key = text(m.name);
    const Value* b = find(base, key);
    if (b == nullptr || key == "@type") {
      continue;
    }
    const Kind bk = kind_of(*b);
    const Kind pk = kind_of(m.value);
    const std::string where = join(path, key);
    if (bk != pk && bk != Kind::Null && pk != Kind::Null) {
      out.push_back("`" + where + "` is " + std::string(kind_name(pk)) + " in the patch but " +
                    std::string(kind_name(bk)) +
                    " in the generated config: istiod's webhook rejects the value, and no proxy "
                    "gets this patch");
      continue;
    }
    if (pk == Kind::Object && !is_map_field(key) && type_url(*b) == type_url(m.value)) {
      kind_conflicts(*b, m.value, where, out);
    }
  }
}

void merge_message(Value& base, const Value& patch, json::Allocator& a) {
  for (const auto& m : patch.GetObject()) {
    const std::string_view key = text(m.name);
    Value* b = find(base, key);
    if (b == nullptr) {
      base.AddMember(Value(m.name, a), Value(m.value, a), a);
      continue;
    }
    if (key == "@type") {
      continue;  // The generated object's type stays (istiod swaps the patch's type URL).
    }
    if (m.value.IsObject() && b->IsObject()) {
      if (is_map_field(key)) {
        for (const auto& entry : m.value.GetObject()) {
          if (Value* e = find(*b, text(entry.name))) {
            *e = Value(entry.value, a);
          } else {
            b->AddMember(Value(entry.name, a), Value(entry.value, a), a);
          }
        }
      } else if (!type_url(*b).empty() || !type_url(m.value).empty()) {
        *b = Value(m.value, a);  // An Any is two scalars (type_url, value): replaced whole.
      } else {
        merge_message(*b, m.value, a);
      }
    } else if (m.value.IsArray() && b->IsArray()) {
      for (const auto& item : m.value.GetArray()) {
        b->PushBack(Value(item, a), a);
      }
    } else if (!m.value.IsNull()) {
      *b = Value(m.value, a);
    }
  }
}

// MergeAnyWithAny(dst, src): both unmarshalled to their messages, then merged.
std::vector<std::string> merge_typed_configs(Value& base, const Value& patch, json::Allocator& a,
                                             std::string_view where) {
  std::vector<std::string> problems;
  kind_conflicts(base, patch, std::string(where), problems);
  if (problems.empty()) {
    merge_message(base, patch, a);
  }
  return problems;
}

std::vector<std::string> merge_filter(Value& base, const Value& patch, json::Allocator& a) {
  Value* typed = find(base, "typed_config");
  if (typed == nullptr) {
    return {"the filter has no typed_config, so istiod skips this MERGE"};
  }
  const Value* user_typed = find(patch, "typed_config");
  if (user_typed != nullptr && user_typed->IsObject() &&
      type_url(*user_typed) != type_url(*typed) && !type_url(*user_typed).empty()) {
    return {"typed_config is `" + std::string(type_url(*user_typed)) + "` but the filter's is `" +
            std::string(type_url(*typed)) +
            "`: istiod swaps the type URL and reads the patch's fields as the filter's type, by "
            "field number, so the merge is dropped or sets other fields than written"};
  }
  std::vector<std::string> problems;
  if (user_typed != nullptr && user_typed->IsObject()) {
    problems = merge_typed_configs(*typed, *user_typed, a, "typed_config");
    if (!problems.empty()) {
      return problems;
    }
  }
  const Value* name = find(patch, "name");
  if (name != nullptr && name->IsString() && name->GetStringLength() > 0) {
    if (Value* n = find(base, "name")) {
      *n = Value(*name, a);
    }
  }
  return problems;
}

// The transport socket of `base` a patch's transport socket merges into, or nullptr:
// mergeTransportSocketCluster / mergeTransportSocketListener.
Value* socket_to_merge(Value& base, const Value& patch_socket, bool is_cluster) {
  const Value* name = find(patch_socket, "name");
  const std::string_view wanted = name != nullptr && name->IsString() ? text(*name) : "";
  auto same_name = [&](const Value& socket) {
    const Value* n = find(socket, "name");
    return n != nullptr && n->IsString() && text(*n) == wanted;
  };
  Value* matches = is_cluster ? find(base, "transport_socket_matches") : nullptr;
  if (matches != nullptr && matches->IsArray() && !matches->Empty()) {
    for (auto& m : matches->GetArray()) {
      if (Value* socket = find(m, "transport_socket"); socket != nullptr && same_name(*socket)) {
        return socket;
      }
    }
    return nullptr;
  }
  Value* socket = find(base, "transport_socket");
  return socket != nullptr && same_name(*socket) ? socket : nullptr;
}

std::vector<std::string> merge_socket_owner(Value& base, const Value& patch, json::Allocator& a,
                                            bool is_cluster) {
  const Value* patch_socket = find(patch, "transport_socket");
  Value* socket = patch_socket != nullptr ? socket_to_merge(base, *patch_socket, is_cluster)
                                          : nullptr;
  Value* typed = socket != nullptr ? find(*socket, "typed_config") : nullptr;
  const Value* user_typed = socket != nullptr ? find(*patch_socket, "typed_config") : nullptr;
  // A cluster's socket merge needs both typed configs, else the whole patch merges; a filter
  // chain's socket of the same name ends the merge either way.
  if (socket == nullptr || (is_cluster && (typed == nullptr || user_typed == nullptr))) {
    std::vector<std::string> problems;
    kind_conflicts(base, patch, "", problems);
    if (problems.empty()) {
      merge_message(base, patch, a);
    }
    return problems;
  }
  std::vector<std::string> problems;
  std::string others;
  for (const auto& m : patch.GetObject()) {
    if (text(m.name) != "transport_socket") {
      others += (others.empty() ? "`" : ", `") + std::string(text(m.name)) + "`";
    }
  }
  if (typed != nullptr && user_typed != nullptr) {
    if (type_url(*typed) != type_url(*user_typed)) {
      return {"transport_socket typed_config is `" + std::string(type_url(*user_typed)) +
              "` but the generated socket's is `" + std::string(type_url(*typed)) +
              "`: istiod's merge fails and it drops the whole patch"};
    }
    problems = merge_typed_configs(*typed, *user_typed, a, "transport_socket.typed_config");
  }
  if (!others.empty() && problems.empty()) {
    problems.push_back("istiod merges only the transport socket of a patch that names the "
                       "generated one, so its other fields (" + others + ") are ignored");
  }
  return problems;
}

}  // namespace

std::vector<std::string> merge_patch(json::Value& base, const json::Value& patch,
                                     json::Allocator& allocator, MergeStyle style) {
  if (!base.IsObject() || !patch.IsObject()) {
    return {};
  }
  switch (style) {
    case MergeStyle::Filter:
      return merge_filter(base, patch, allocator);
    case MergeStyle::Cluster:
      return merge_socket_owner(base, patch, allocator, true);
    case MergeStyle::FilterChain:
      return merge_socket_owner(base, patch, allocator, false);
    case MergeStyle::Message:
      break;
  }
  std::vector<std::string> problems;
  kind_conflicts(base, patch, "", problems);
  if (problems.empty()) {
    merge_message(base, patch, allocator);
  }
  return problems;
}

}  // namespace meshward::translate::detail
