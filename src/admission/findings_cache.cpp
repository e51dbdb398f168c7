#include "meshward/admission/findings_cache.h"

#include <utility>

namespace meshward::admission {

namespace {

// What an entry costs: its key twice (the map and the eviction order), its findings' text and
// a fixed share for the containers.
std::size_t entry_bytes(std::string_view key, const std::vector<Finding>& findings) {
  std::size_t bytes = 2 * key.size() + 128;
  for (const Finding& f : findings) {
    bytes += sizeof(Finding) + f.code.size() + f.rule.size() + f.message.size() + f.path.size() +
             f.istio_code.size() + f.resource.kind.size() + f.resource.namespace_.size() +
             f.resource.name.size() + f.resource.api_version.size() +
             (f.source ? f.source->file.size() : 0);
  }
  return bytes;
}

}  // namespace

std::optional<std::vector<Finding>> FindingsCache::find(std::string_view key) const {
  if (key.empty()) {
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  // unordered_map<std::string> has no heterogeneous lookup in C++20's libstdc++ 12: the
  // temporary string costs one copy of the key, far less than the evaluation it saves.
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    return std::nullopt;
  }
  return it->second.findings;
}

void FindingsCache::put(std::string_view key, const std::vector<Finding>& findings) {
  if (key.empty() || key.size() > kMaxKeyBytes) {
    return;
  }
  const std::size_t bytes = entry_bytes(key, findings);
  if (bytes > max_bytes_) {
    return;
  }
  std::lock_guard lock(mutex_);
  auto [it, added] = entries_.try_emplace(std::string(key));
  if (!added) {
    return;  // Another thread evaluated the same change meanwhile: same findings.
  }
  it->second.findings = findings;
  it->second.bytes = bytes;
  order_.emplace_back(key);
  bytes_ += bytes;
  while (bytes_ > max_bytes_ && !order_.empty()) {
    const auto oldest = entries_.find(order_.front());
    bytes_ -= oldest->second.bytes;
    entries_.erase(oldest);
    order_.pop_front();
  }
}

std::size_t FindingsCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t FindingsCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace meshward::admission
