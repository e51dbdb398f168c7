#include "watch_protocol.h"

#include <functional>
#include <string_view>

#include "meshward/core/json.h"
#include "meshward/model/decode.h"

namespace meshward::kube {

std::string string_member(const json::Value& object, const char* name) {
  if (object.IsObject()) {
    const auto it = object.FindMember(name);
    if (it != object.MemberEnd() && it->value.IsString()) {
      return {it->value.GetString(), it->value.GetStringLength()};
    }
  }
  return {};
}

namespace {

const json::Value* member(const json::Value& object, const char* name) {
  if (!object.IsObject()) {
    return nullptr;
  }
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

/// The hash of what the checks can see of an object: everything but the fields the API
/// server rewrites on every write that changes nothing else.
std::uint64_t content_hash(json::Value& object, model::Kind kind) {
  if (auto it = object.FindMember("metadata"); it != object.MemberEnd() && it->value.IsObject()) {
    it->value.RemoveMember("resourceVersion");
    it->value.RemoveMember("managedFields");
  }
  if (kind != model::Kind::Pod) {  // Pod status holds the pod IPs; other kinds' status is ours to ignore.
    object.RemoveMember("status");
  }
  json::StringBuffer buffer;
  json::Writer writer(buffer);
  object.Accept(writer);
  return std::hash<std::string_view>{}(std::string_view(buffer.GetString(), buffer.GetSize()));
}

/// Decodes one object of the loop's kind. List items and metadata-only objects do not say
/// their kind (or say PartialObjectMetadata), so the loop's kind is stamped on first.
std::optional<StoredObject> decode_item(json::Value& object, json::Allocator& alloc,
                                        const WatchTarget& target) {
  if (!object.IsObject()) {
    return std::nullopt;
  }
  const std::string_view kind_name = model::kind_name(target.kind);
  object.RemoveMember("apiVersion");
  object.RemoveMember("kind");
  object.AddMember("apiVersion", json::Value(target.group_version.c_str(), alloc), alloc);
  object.AddMember("kind",
                   json::Value(kind_name.data(), static_cast<rapidjson::SizeType>(kind_name.size()), alloc),
                   alloc);
  std::vector<Finding> findings;  // Content problems are the checks' business, not the watch's.
  model::DecodeOptions options;
  auto decoded = model::decode_object(object, options, findings);
  if (!decoded) {
    return std::nullopt;
  }
  return StoredObject{std::move(decoded), content_hash(object, target.kind)};
}

}  // namespace

WatchEvent parse_watch_event(std::string& line, const WatchTarget& target) {
  json::Document doc;
  if (doc.ParseInsitu(line.data()).HasParseError() || !doc.IsObject()) {
    throw ApiCallError("WATCH " + target.path + ": an event is not a JSON object");
  }
  WatchEvent event;
  event.type = string_member(doc, "type");
  auto object_it = doc.FindMember("object");
  if (object_it == doc.MemberEnd() || !object_it->value.IsObject()) {
    throw ApiCallError("WATCH " + target.path + ": event " + event.type + " has no object");
  }
  json::Value& object = object_it->value;
  if (event.type == "ERROR") {
    const json::Value* code = member(object, "code");
    if (code != nullptr && code->IsInt() && code->GetInt() == 410) {
      event.gone = true;
      return event;
    }
    throw ApiCallError("WATCH " + target.path + ": ERROR event: " + string_member(object, "message"));
  }
  // Before decoding: the content hash takes resourceVersion out of the object.
  if (const json::Value* metadata = member(object, "metadata")) {
    event.resource_version = string_member(*metadata, "resourceVersion");
  }
  if (event.type == "ADDED" || event.type == "MODIFIED" || event.type == "DELETED") {
    event.object = decode_item(object, doc.GetAllocator(), target);
  }
  return event;
}

ListPage decode_list_page(std::string& body, const WatchTarget& target) {
  json::Document doc;
  if (doc.ParseInsitu(body.data()).HasParseError() || !doc.IsObject()) {
    throw ApiCallError("LIST " + target.path + ": the answer is not a JSON object");
  }
  const json::Value* metadata = member(doc, "metadata");
  if (metadata == nullptr) {
    throw ApiCallError("LIST " + target.path + ": the answer has no metadata");
  }
  ListPage page;
  page.resource_version = string_member(*metadata, "resourceVersion");
  page.continue_token = string_member(*metadata, "continue");
  auto items = doc.FindMember("items");
  if (items != doc.MemberEnd() && items->value.IsArray()) {
    for (auto& item : items->value.GetArray()) {
      if (auto decoded = decode_item(item, doc.GetAllocator(), target)) {
        page.objects.push_back(std::move(*decoded));
      }
    }
  }
  return page;
}

}  // namespace meshward::kube
