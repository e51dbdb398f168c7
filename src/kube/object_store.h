#pragma once
// ObjectStore: the watcher's current objects, keyed by kind/namespace/name, fed by every
// list/watch loop. Each entry keeps a hash of the object's content without the fields that
// change on every write (resourceVersion, managedFields) so that a write which changes
// nothing the checks read is not a change of the world.
//
// Thread safety: every method may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/object.h"

namespace meshward::kube {

struct StoredObject {
  model::ObjectPtr object;
  std::uint64_t content_hash = 0;
};

class ObjectStore {
 public:
  /// Sets one object. Returns true when its content changed (new, or a different hash).
  bool upsert(StoredObject entry);
  /// Removes one object. Returns true when it was there.
  bool erase(const model::ObjectKey& key);
  /// Replaces every object of `kind` in namespace `ns` ("" = all namespaces) with `objects`
  /// (the result of a complete LIST): objects absent from it are removed. Returns true when
  /// anything changed.
  bool replace(model::Kind kind, std::string_view ns, std::vector<StoredObject> objects);

  /// Every object, in key order (deterministic snapshots).
  std::vector<model::ObjectPtr> objects() const;
  /// Objects of one kind in `ns` ("" = all).
  std::size_t count(model::Kind kind, std::string_view ns = {}) const;
  /// Content changes so far (each upsert/erase/replace that returned true adds one).
  std::uint64_t changes() const;

  /// Blocks until changes() > `seen`, `timeout` passed or stop() was called; returns changes().
  std::uint64_t wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout);
  bool stopped() const;
  /// Wakes every wait_for_change() for good.
  void stop();

 private:
  void changed_locked();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<model::ObjectKey, StoredObject> objects_;
  std::uint64_t changes_ = 0;
  bool stopped_ = false;
};

}  // namespace meshward::kube
