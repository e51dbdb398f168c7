// (d) A WATCH stream's body as the kube client reads it: one JSON event per line, applied to
// the object store the way a list/watch loop applies them (reflector.cpp), until the stream
// ends, an event cannot be read (the loop then drops the stream) or an ERROR 410 says the
// history is gone; then the store is turned into a world, as the publisher does.

#include "common.h"
#include "kube_common.h"
#include "kube/object_store.h"
#include "meshward/world/snapshot.h"

using namespace meshward;

int meshward_fuzz_kube_watch(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  const kube::WatchTarget target = fuzz::kube_target(text);
  kube::ObjectStore store;
  std::string resource_version;
  while (!text.empty()) {
    // ApiConnection::next_line: up to a newline, or the rest when the body ends without one.
    const auto newline = text.find('\n');
    std::string line(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty()) {
      continue;
    }
    kube::WatchEvent event;
    try {
      event = kube::parse_watch_event(line, target);
    } catch (const kube::ApiCallError&) {
      break;  // The loop records the error and watches again: this stream is over.
    }
    if (event.gone) {
      break;
    }
    if (event.type == "ADDED" || event.type == "MODIFIED") {
      if (event.object) {
        MESHWARD_FUZZ_CHECK(event.object->object->kind() == target.kind, "decoded as another kind");
        store.upsert(std::move(*event.object));
      }
    } else if (event.type == "DELETED") {
      if (event.object) {
        store.erase(model::key_of(*event.object->object));
      }
    }
    if (!event.resource_version.empty()) {
      resource_version = std::move(event.resource_version);
    }
  }
  const auto snapshot = world::Snapshot::make(store.objects());
  MESHWARD_FUZZ_CHECK(snapshot->size() == store.count(target.kind), "store and world disagree");
  return 0;
}
