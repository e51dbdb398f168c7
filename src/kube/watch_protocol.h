#pragma once
// The JSON of the list/watch protocol, apart from the connection: one watch event (one line
// of a WATCH body) and one LIST page. No I/O: the loops (reflector.cpp) and the fuzz targets
// (fuzz/) run exactly this code on the bytes the API server sends.

#include <optional>
#include <string>
#include <vector>

#include "api_connection.h"  // ApiCallError
#include "meshward/core/json.h"
#include "meshward/model/object.h"
#include "object_store.h"

namespace meshward::kube {

/// The string member `name` of `object`, or "" when it is absent or not a string (API server
/// Status and event fields, read leniently).
std::string string_member(const json::Value& object, const char* name);

/// What a loop watches: one kind at one API path, in one namespace or all.
struct WatchTarget {
  model::Kind kind = model::Kind::Namespace;
  std::string group_version;  ///< "v1", "networking.istio.io/v1": stamped on list items.
  std::string path;           ///< Collection URL path, namespace included when scoped.
  std::string namespace_;     ///< "" = all namespaces (or a cluster-scoped kind).
  bool metadata_only = false;
};

/// One watch event, read.
struct WatchEvent {
  std::string type;  ///< "ADDED", "MODIFIED", "DELETED", "BOOKMARK", or what the server sent.
  bool gone = false; ///< An ERROR event with code 410: the history is compacted.
  /// ADDED/MODIFIED/DELETED: the object, when it decodes as the target's kind.
  std::optional<StoredObject> object;
  std::string resource_version;  ///< The event object's metadata.resourceVersion, or "".
};

/// Reads one event line, parsing it in place (`line` is overwritten). Throws ApiCallError
/// (naming `target.path`) for a line that is not a JSON object, an event without an object,
/// and an ERROR event other than 410.
WatchEvent parse_watch_event(std::string& line, const WatchTarget& target);

/// One LIST page, read.
struct ListPage {
  std::string resource_version;  ///< metadata.resourceVersion.
  std::string continue_token;    ///< metadata.continue ("" on the last page).
  std::vector<StoredObject> objects;  ///< The items that decode as the target's kind.
};

/// Reads one LIST page body (a 200 answer), parsing it in place (`body` is overwritten).
/// Throws ApiCallError (naming `target.path`) when it is not a JSON object with metadata.
ListPage decode_list_page(std::string& body, const WatchTarget& target);

}  // namespace meshward::kube
