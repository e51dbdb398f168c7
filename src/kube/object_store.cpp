#include "object_store.h"

#include <utility>

namespace meshward::kube {

void ObjectStore::changed_locked() {
  ++changes_;
  cv_.notify_all();
}

bool ObjectStore::upsert(StoredObject entry) {
  if (!entry.object) {
    return false;
  }
  std::lock_guard lock(mutex_);
  auto [it, inserted] = objects_.try_emplace(model::key_of(*entry.object));
  const bool changed = inserted || it->second.content_hash != entry.content_hash;
  it->second = std::move(entry);  // Kept even when unchanged: the newest decoded object.
  if (changed) {
    changed_locked();
  }
  return changed;
}

bool ObjectStore::erase(const model::ObjectKey& key) {
  std::lock_guard lock(mutex_);
  if (objects_.erase(key) == 0) {
    return false;
  }
  changed_locked();
  return true;
}

bool ObjectStore::replace(model::Kind kind, std::string_view ns, std::vector<StoredObject> objects) {
  std::map<model::ObjectKey, StoredObject> fresh;
  for (auto& entry : objects) {
    if (entry.object) {
      auto key = model::key_of(*entry.object);
      fresh.insert_or_assign(std::move(key), std::move(entry));
    }
  }
  std::lock_guard lock(mutex_);
  bool changed = false;
  // Objects of this kind (and namespace) are contiguous in key order: kind first, then ns.
  const model::ObjectKey first{kind, std::string(ns), ""};
  auto it = objects_.lower_bound(first);
  while (it != objects_.end() && it->first.kind == kind && (ns.empty() || it->first.namespace_ == ns)) {
    auto found = fresh.find(it->first);
    if (found == fresh.end()) {
      it = objects_.erase(it);  // Deleted while we were not watching.
      changed = true;
      continue;
    }
    if (found->second.content_hash != it->second.content_hash) {
      changed = true;
    }
    it->second = std::move(found->second);
    fresh.erase(found);
    ++it;
  }
  for (auto& [key, entry] : fresh) {
    objects_.insert_or_assign(key, std::move(entry));
    changed = true;
  }
  if (changed) {
    changed_locked();
  }
  return changed;
}

std::vector<model::ObjectPtr> ObjectStore::objects() const {
  std::lock_guard lock(mutex_);
  std::vector<model::ObjectPtr> out;
  out.reserve(objects_.size());
  for (const auto& [key, entry] : objects_) {
    out.push_back(entry.object);
  }
  return out;
}

std::size_t ObjectStore::count(model::Kind kind, std::string_view ns) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto it = objects_.lower_bound(model::ObjectKey{kind, std::string(ns), ""});
       it != objects_.end() && it->first.kind == kind && (ns.empty() || it->first.namespace_ == ns);
       ++it) {
    ++n;
  }
  return n;
}

std::uint64_t ObjectStore::changes() const {
  std::lock_guard lock(mutex_);
  return changes_;
}

std::uint64_t ObjectStore::wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [&] { return stopped_ || changes_ > seen; });
  return changes_;
}

bool ObjectStore::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

void ObjectStore::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  cv_.notify_all();
}

}  // namespace meshward::kube
