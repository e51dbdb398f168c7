#include "meshward/world/host_index.h"

#include <algorithm>

#include "meshward/world/host.h"

namespace meshward::world {

namespace {

// Orders strings by their reversed text, so that all strings sharing a suffix are adjacent.
bool reversed_less(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.rbegin(), a.rend(), b.rbegin(), b.rend());
}

template <class Entries>
void build(Entries& entries, std::vector<std::uint32_t>& rev,
           std::unordered_map<std::string_view, std::pair<std::uint32_t, std::uint32_t>>& ranges) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.text != b.text ? a.text < b.text : a.id < b.id;
  });
  ranges.reserve(entries.size());
  for (std::uint32_t i = 0; i < entries.size();) {
    std::uint32_t j = i + 1;
    while (j < entries.size() && entries[j].text == entries[i].text) {
      ++j;
    }
    ranges.emplace(entries[i].text, std::make_pair(i, j));
    i = j;
  }
  rev.resize(entries.size());
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    rev[i] = i;
  }
  std::stable_sort(rev.begin(), rev.end(), [&](std::uint32_t a, std::uint32_t b) {
    return reversed_less(entries[a].text, entries[b].text);
  });
}

// Appends ids of entries (through `rev`) whose text ends with `suffix`: one contiguous run in
// reversed order, starting where `suffix` itself would sort.
template <class Entries>
void ending_with(const Entries& entries, const std::vector<std::uint32_t>& rev,
                 std::string_view suffix, std::vector<std::uint32_t>& out) {
  auto lo = std::lower_bound(
      rev.begin(), rev.end(), suffix,
      [&](std::uint32_t i, std::string_view s) { return reversed_less(entries[i].text, s); });
  for (; lo != rev.end() && entries[*lo].text.ends_with(suffix); ++lo) {
    out.push_back(entries[*lo].id);
  }
}

}  // namespace

void HostIndex::add(std::string_view host, std::uint32_t id) {
  if (is_wildcard(host)) {
    wild_.push_back(Entry{host.substr(1), id});
  } else {
    exact_.push_back(Entry{host, id});
  }
}

void HostIndex::finish() {
  build(exact_, exact_rev_, exact_ranges_);
  build(wild_, wild_rev_, wild_ranges_);
  wild_lengths_.clear();
  for (const Entry& e : wild_) {
    wild_lengths_.push_back(static_cast<std::uint32_t>(e.text.size()));
  }
  std::sort(wild_lengths_.begin(), wild_lengths_.end());
  wild_lengths_.erase(std::unique(wild_lengths_.begin(), wild_lengths_.end()), wild_lengths_.end());
}

void HostIndex::match(std::string_view query, std::vector<std::uint32_t>& out) const {
  const auto take = [&](const std::vector<Entry>& entries,
                        const std::unordered_map<std::string_view, Range>& ranges,
                        std::string_view key) {
    if (const auto it = ranges.find(key); it != ranges.end()) {
      for (std::uint32_t i = it->second.first; i < it->second.second; ++i) {
        out.push_back(entries[i].id);
      }
    }
  };
  if (!is_wildcard(query)) {
    // Exact stored host: equality. Wildcard stored host `*s`: the query ends with `s`.
    take(exact_, exact_ranges_, query);
    for (const std::uint32_t len : wild_lengths_) {
      if (len > query.size()) {
        break;
      }
      take(wild_, wild_ranges_, query.substr(query.size() - len));
    }
    return;
  }
  const std::string_view q = query.substr(1);
  // Exact stored host: it ends with the query's suffix.
  ending_with(exact_, exact_rev_, q, out);
  // Wildcard stored host `*s`: the shorter suffix must end the longer one. Shorter stored
  // suffixes are probed by length; equal and longer ones are one reversed-order run.
  for (const std::uint32_t len : wild_lengths_) {
    if (len >= q.size()) {
      break;
    }
    take(wild_, wild_ranges_, q.substr(q.size() - len));
  }
  ending_with(wild_, wild_rev_, q, out);
}

}  // namespace meshward::world
