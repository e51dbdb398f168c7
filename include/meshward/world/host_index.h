#pragma once
// HostIndex: host name -> ids, answering "which ids have a host that host_matches(query)"
// with Istio's bidirectional wildcard semantics without scanning every host.
//
// Layout (all views, no copies of host text):
// - exact hosts: sorted by name with a hash map name -> range (exact queries), and the same
//   entries ordered by reversed name (wildcard queries `*.a.com` find every exact host ending in
//   `.a.com` as one contiguous range);
// - wildcard hosts, keyed by their suffix (`*.a.com` -> `.a.com`): a hash map suffix -> range
//   plus the distinct suffix lengths (an exact query `b.a.com` probes only its suffixes of those
//   lengths), and the suffixes ordered reversed (a wildcard query finds the longer wildcards it
//   overlaps as one range).
// A query costs O(#distinct wildcard lengths + log n + matches).

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace meshward::world {

/// See the file comment. Build with add() then finish(); afterwards the index is immutable and
/// queries are safe from any number of threads.
class HostIndex {
 public:
  /// Adds `host` for `id`. The host text is viewed, not copied: it must outlive the index.
  void add(std::string_view host, std::uint32_t id);
  /// Sorts and builds the lookup tables; call once, after the last add(), before queries.
  void finish();
  /// Appends to `out` the id of every entry whose host host_matches(query). An id appears
  /// once per matching host (so possibly several times); order unspecified.
  void match(std::string_view query, std::vector<std::uint32_t>& out) const;
  /// Number of (host, id) entries.
  std::size_t size() const { return exact_.size() + wild_.size(); }

 private:
  struct Entry {
    std::string_view text;  ///< Exact host, or the suffix of a wildcard (without the `*`).
    std::uint32_t id;
  };
  using Range = std::pair<std::uint32_t, std::uint32_t>;

  std::vector<Entry> exact_;              // sorted by text
  std::vector<std::uint32_t> exact_rev_;  // indexes into exact_, reversed order
  std::unordered_map<std::string_view, Range> exact_ranges_;
  std::vector<Entry> wild_;              // sorted by suffix
  std::vector<std::uint32_t> wild_rev_;  // indexes into wild_, reversed order
  std::unordered_map<std::string_view, Range> wild_ranges_;
  std::vector<std::uint32_t> wild_lengths_;  // distinct suffix lengths, ascending
};

}  // namespace meshward::world
