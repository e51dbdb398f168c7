#include "meshward/admission/findings_cache.h"

#include <cstring>
#include <functional>
#include <utility>

namespace meshward::admission {

namespace {

// What the findings of an entry cost: their text and a fixed share for the containers.
std::size_t findings_bytes(const std::vector<Finding>& findings) {
  std::size_t bytes = 64;
  for (const Finding& f : findings) {
    bytes += sizeof(Finding) + f.code.size() + f.rule.size() + f.message.size() + f.path.size() +
             f.istio_code.size() + f.resource.kind.size() + f.resource.namespace_.size() +
             f.resource.name.size() + f.resource.api_version.size() +
             (f.source ? f.source->file.size() : 0);
  }
  return bytes;
}

}  // namespace

FindingsCache::Key FindingsCache::make_key(std::string_view text) {
  return Key{text, std::hash<std::string_view>{}(text)};
}

std::optional<std::vector<Finding>> FindingsCache::find(std::string_view key) const {
  if (key.empty() || key.size() > kMaxKeyBytes) {
    return std::nullopt;
  }
  const Key k = make_key(key);  // Hashed outside the lock.
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(k);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  return it->second.findings;
}

void FindingsCache::evict_oldest() {
  const auto it = entries_.find(order_.front());
  finding_bytes_ -= it->second.finding_bytes;
  entries_.erase(it);
  order_.pop_front();
}

void FindingsCache::put(std::string_view key, const std::vector<Finding>& findings) {
  if (key.empty() || key.size() > kMaxKeyBytes || key.size() > key_bytes_) {
    return;
  }
  const std::size_t bytes = findings_bytes(findings);
  if (bytes > finding_bytes_limit_) {
    return;
  }
  Key k = make_key(key);
  std::lock_guard lock(mutex_);
  if (entries_.count(k) != 0) {
    return;  // Another thread evaluated the same change meanwhile: same findings.
  }
  if (!ring_) {
    ring_.reset(new char[key_bytes_]);  // Uninitialised: pages are touched as keys arrive.
  }
  const char* ring = ring_.get();
  if (head_ + key.size() > key_bytes_) {
    // No room before the ring's end: the keys still there are the oldest; they go, and the
    // key starts over at the beginning.
    while (!order_.empty() && order_.front().text.data() >= ring + head_) {
      evict_oldest();
    }
    head_ = 0;
  }
  // The oldest keys lie from head_ on: those the new key overwrites go.
  while (!order_.empty() && order_.front().text.data() >= ring + head_ &&
         order_.front().text.data() < ring + head_ + key.size()) {
    evict_oldest();
  }
  while (!order_.empty() && finding_bytes_ + bytes > finding_bytes_limit_) {
    evict_oldest();
  }
  char* at = ring_.get() + head_;
  std::memcpy(at, key.data(), key.size());
  head_ += key.size();
  k.text = std::string_view(at, key.size());
  entries_.emplace(k, Entry{findings, bytes});
  order_.push_back(k);
  finding_bytes_ += bytes;
}

std::size_t FindingsCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t FindingsCache::finding_bytes() const {
  std::lock_guard lock(mutex_);
  return finding_bytes_;
}

}  // namespace meshward::admission
