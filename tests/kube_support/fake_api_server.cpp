// The in-test Kubernetes API server; fake_api_server.h says what it serves.
//
// Three parts:
//   - Store: the objects of every served resource, the global resourceVersion counter (like
//     etcd's revision), the event history since the last compaction, the snapshots that
//     paged lists read from, and the open watches. One mutex guards all of it, so an event
//     is recorded and queued to every matching watch in one step: a watch never misses or
//     duplicates an event, and events reach each watch in resourceVersion order.
//   - Connection: one TLS connection. It always keeps one read outstanding (the next
//     request, or the peer closing, as Go's net/http does to notice a client that went
//     away), answers requests one at a time, and streams a watch as chunked JSON lines. All
//     of a connection's handlers run on its own strand, so its state needs no lock.
//   - Core: TLS context, acceptor, the io_context and its two threads, settings, counters
//     and the router (URL + query + headers -> an answer or a watch).

#include <utility>  // First: Boost 1.74's Asio headers use std::exchange without including it.

#include "kube_support/fake_api_server.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <variant>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#ifndef MESHWARD_SOURCE_DIR
#error "MESHWARD_SOURCE_DIR must name the source tree (certs/gen-dev-certs.sh)"
#endif

namespace meshward::testing {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::beast::error_code;
using Request = http::request<http::string_body>;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// ---------------------------------------------------------------------------------------
// Small helpers: JSON, base64url, API versions.

void write_str(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

rapidjson::Document parse(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  return doc;
}

std::string_view member_str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) {
    return {};
  }
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

void set_member(rapidjson::Value& obj, const char* key, std::string_view value,
                rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value v(value.data(), static_cast<rapidjson::SizeType>(value.size()), alloc);
  auto it = obj.FindMember(key);
  if (it != obj.MemberEnd()) {
    it->value = std::move(v);
  } else {
    obj.AddMember(rapidjson::Value(key, alloc), std::move(v), alloc);
  }
}

/// A metav1.Status. Member order as kube-apiserver writes it.
std::string status_json(unsigned code, std::string_view reason, std::string_view message,
                        const std::function<void(JsonWriter&)>& details = {}) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("Status");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("metadata");
  w.StartObject();
  w.EndObject();
  w.Key("status");
  w.String("Failure");
  w.Key("message");
  write_str(w, message);
  w.Key("reason");
  write_str(w, reason);
  if (details) {
    w.Key("details");
    details(w);
  }
  w.Key("code");
  w.Uint(code);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string too_old_message(std::uint64_t requested, std::uint64_t compacted) {
  // The watch cache's wording: "too old resource version: <asked> (<oldest - 1>)".
  return "too old resource version: " + std::to_string(requested) + " (" +
         std::to_string(compacted) + ")";
}

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_encode(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Url[(acc >> bits) & 0x3F]);
    }
  }
  if (bits > 0) {
    out.push_back(kBase64Url[(acc << (6 - bits)) & 0x3F]);
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view in) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    auto pos = kBase64Url.find(c);
    if (pos == std::string_view::npos) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

/// Orders API versions as discovery does (k8s version priority): GA before beta before
/// alpha, higher numbers first; anything else last, alphabetically.
bool version_before(const std::string& a, const std::string& b) {
  struct Parsed {
    bool kube = false;
    int major = 0;
    int stage = 0;  // 2 = GA, 1 = beta, 0 = alpha
    int minor = 0;
  };
  auto parse_version = [](const std::string& v) {
    Parsed p;
    std::size_t i = 1;
    if (v.size() < 2 || v[0] != 'v' || !std::isdigit(static_cast<unsigned char>(v[1]))) {
      return p;
    }
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
      p.major = p.major * 10 + (v[i++] - '0');
    }
    std::string rest = v.substr(i);
    p.stage = 2;
    if (rest.rfind("alpha", 0) == 0) {
      p.stage = 0;
      rest = rest.substr(5);
    } else if (rest.rfind("beta", 0) == 0) {
      p.stage = 1;
      rest = rest.substr(4);
    }
    if (p.stage != 2 && (rest.empty() || !std::all_of(rest.begin(), rest.end(), ::isdigit))) {
      return p;
    }
    if (p.stage == 2 && !rest.empty()) {
      return p;
    }
    p.minor = rest.empty() ? 0 : std::stoi(rest);
    p.kube = true;
    return p;
  };
  Parsed pa = parse_version(a);
  Parsed pb = parse_version(b);
  if (pa.kube != pb.kube) {
    return pa.kube;
  }
  if (!pa.kube) {
    return a < b;
  }
  if (pa.stage != pb.stage) {
    return pa.stage > pb.stage;
  }
  if (pa.major != pb.major) {
    return pa.major > pb.major;
  }
  return pa.minor > pb.minor;
}

std::string group_version(const FakeResource& r) {
  return r.group.empty() ? r.version : r.group + "/" + r.version;
}

std::string resource_key(std::string_view group, std::string_view resource) {
  return std::string(group) + "/" + std::string(resource);
}

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// Full object JSON -> {"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
/// "metadata":{...}}: what a metadata-only client (as=PartialObjectMetadata) receives.
std::string partial_metadata(std::string_view full) {
  rapidjson::Document doc = parse(full);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("PartialObjectMetadata");
  w.Key("apiVersion");
  w.String("meta.k8s.io/v1");
  w.Key("metadata");
  auto it = doc.IsObject() ? doc.FindMember("metadata") : rapidjson::Value::MemberIterator();
  if (doc.IsObject() && it != doc.MemberEnd()) {
    it->value.Accept(w);
  } else {
    w.StartObject();
    w.EndObject();
  }
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

/// Full object JSON without kind/apiVersion: items of a typed list as kube-apiserver
/// writes them (the list carries the type; a client must not need it per item).
std::string without_type_meta(std::string_view full) {
  rapidjson::Document doc = parse(full);
  doc.RemoveMember("kind");
  doc.RemoveMember("apiVersion");
  return serialize(doc);
}

std::string event_line(std::string_view type, std::string_view object) {
  std::string line;
  line.reserve(object.size() + 32);
  line += R"({"type":")";
  line += type;
  line += R"(","object":)";
  line += object;
  line += "}\n";
  return line;
}

// ---------------------------------------------------------------------------------------
// Counters shared by the store, the connections and the router.

struct Counters {
  std::atomic<std::uint64_t> lists{0};
  std::atomic<std::uint64_t> watches{0};
  std::atomic<std::uint64_t> gone{0};
  std::atomic<std::uint64_t> unauthorized{0};
  std::atomic<std::uint64_t> metadata_only{0};
  std::atomic<std::uint64_t> open_watches{0};
};

/// Where the store delivers a watch's events: the connection streaming it. push() may be
/// called from any thread; `end` finishes the stream (final chunk) after `line`.
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  virtual void push(std::uint64_t watch_id, std::string line, bool end) = 0;
};

/// What a router asks the store to answer.
struct Answer {
  http::status status = http::status::ok;
  std::string body;
};

struct ListQuery {
  FakeResource resource;
  std::string ns;  ///< "" = every namespace (or cluster-scoped).
  std::size_t limit = 0;
  std::string continue_token;
  bool metadata_only = false;
};

struct WatchQuery {
  FakeResource resource;
  std::string ns;
  std::optional<std::uint64_t> from;  ///< nullopt = "0" or absent: current state, then live.
  bool metadata_only = false;
  bool bookmarks = false;
  std::chrono::seconds timeout{0};  ///< 0 = no timeout.
};

struct WatchOpened {
  std::uint64_t id = 0;
  std::vector<std::string> lines;  ///< Initial events, in order.
  bool end = false;                ///< The stream ends after them (410 ERROR).
};

// ---------------------------------------------------------------------------------------
// Store.

class Store {
 public:
  Store(std::vector<FakeResource> resources, Counters& counters) : counters_(counters) {
    serve(std::move(resources));
  }

  void serve(std::vector<FakeResource> resources) {
    std::lock_guard lock(mutex_);
    for (auto& r : resources) {
      auto same = [&r](const FakeResource& x) {
        return x.group == r.group && x.resource == r.resource;
      };
      auto it = std::find_if(resources_.begin(), resources_.end(), same);
      if (it != resources_.end()) {
        *it = r;  // Same resource at another version (a CRD upgrade): objects stay.
      } else {
        resources_.push_back(r);
      }
      auto& objs = objects_[resource_key(r.group, r.resource)];
      for (auto& [key, json] : objs) {
        rapidjson::Document doc = parse(json);
        set_member(doc, "apiVersion", group_version(r), doc.GetAllocator());
        json = serialize(doc);
      }
    }
  }

  std::vector<FakeResource> resources() const {
    std::lock_guard lock(mutex_);
    return resources_;
  }

  std::optional<FakeResource> find(std::string_view group, std::string_view version,
                                   std::string_view resource) const {
    std::lock_guard lock(mutex_);
    for (const auto& r : resources_) {
      if (r.group == group && r.version == version && r.resource == resource) {
        return r;
      }
    }
    return std::nullopt;
  }

  std::uint64_t put(std::string_view text) {
    rapidjson::Document doc = parse(text);
    if (doc.HasParseError() || !doc.IsObject()) {
      throw std::invalid_argument("FakeApiServer::put: not a JSON object");
    }
    std::string api_version(member_str(doc, "apiVersion"));
    std::string kind(member_str(doc, "kind"));
    auto meta = doc.FindMember("metadata");
    if (meta == doc.MemberEnd() || !meta->value.IsObject() ||
        member_str(meta->value, "name").empty()) {
      throw std::invalid_argument("FakeApiServer::put: metadata.name is required");
    }
    auto& alloc = doc.GetAllocator();
    std::string name(member_str(meta->value, "name"));
    std::string ns(member_str(meta->value, "namespace"));

    std::lock_guard lock(mutex_);
    const FakeResource* res = by_kind(api_version, kind);
    if (!res) {
      throw std::invalid_argument("FakeApiServer::put: " + api_version + " " + kind +
                                  " is not served");
    }
    if (res->namespaced) {
      if (ns.empty()) {
        ns = "default";
      }
      set_member(meta->value, "namespace", ns, alloc);
    } else {
      ns.clear();
      meta->value.RemoveMember("namespace");
    }
    auto& objs = objects_[resource_key(res->group, res->resource)];
    auto existing = objs.find({ns, name});
    std::uint64_t rv = ++rv_;
    if (existing != objs.end()) {
      // uid and creationTimestamp are immutable: an update keeps the stored ones.
      rapidjson::Document old = parse(existing->second);
      const auto& old_meta = old["metadata"];
      set_member(meta->value, "uid", member_str(old_meta, "uid"), alloc);
      set_member(meta->value, "creationTimestamp", member_str(old_meta, "creationTimestamp"),
                 alloc);
    } else {
      char uid[40];
      std::snprintf(uid, sizeof uid, "00000000-0000-4000-8000-%012llx",
                    static_cast<unsigned long long>(rv));
      set_member(meta->value, "uid", uid, alloc);
      set_member(meta->value, "creationTimestamp", now_rfc3339(), alloc);
    }
    set_member(meta->value, "resourceVersion", std::to_string(rv), alloc);
    std::string json = serialize(doc);
    const char* type = existing != objs.end() ? "MODIFIED" : "ADDED";
    objs[{ns, name}] = json;
    publish(Event{rv, type, resource_key(res->group, res->resource), ns, name, std::move(json)});
    return rv;
  }

  std::uint64_t remove(std::string_view api_version, std::string_view kind, std::string_view ns_in,
                       std::string_view name) {
    std::lock_guard lock(mutex_);
    const FakeResource* res = by_kind(api_version, kind);
    if (!res) {
      return 0;
    }
    std::string ns = res->namespaced ? (ns_in.empty() ? "default" : std::string(ns_in)) : "";
    auto& objs = objects_[resource_key(res->group, res->resource)];
    auto it = objs.find({ns, std::string(name)});
    if (it == objs.end()) {
      return 0;
    }
    // DELETED carries the last state, stamped with the deletion's resourceVersion.
    std::uint64_t rv = ++rv_;
    rapidjson::Document doc = parse(it->second);
    set_member(doc["metadata"], "resourceVersion", std::to_string(rv), doc.GetAllocator());
    objs.erase(it);
    publish(Event{rv, "DELETED", resource_key(res->group, res->resource), ns, std::string(name),
                  serialize(doc)});
    return rv;
  }

  std::vector<std::string> objects(std::string_view group, std::string_view resource) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    auto it = objects_.find(resource_key(group, resource));
    if (it != objects_.end()) {
      for (const auto& [key, json] : it->second) {
        out.push_back(json);
      }
    }
    return out;
  }

  std::optional<std::string> get(const FakeResource& r, const std::string& ns,
                                 const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(resource_key(r.group, r.resource));
    if (it == objects_.end()) {
      return std::nullopt;
    }
    auto obj = it->second.find({ns, name});
    if (obj == it->second.end()) {
      return std::nullopt;
    }
    return obj->second;
  }

  std::uint64_t resource_version() const {
    std::lock_guard lock(mutex_);
    return rv_;
  }

  /// One page of a list. The first page reads the current state; when more pages follow,
  /// that state is kept as a snapshot (shared by lists at the same resourceVersion) and the
  /// continue token names it, so every page comes from one consistent snapshot.
  Answer list(const ListQuery& q, std::size_t max_page) {
    const std::string key = resource_key(q.resource.group, q.resource.resource);
    std::lock_guard lock(mutex_);
    std::shared_ptr<const Snapshot> snapshot;
    std::uint64_t rv = rv_;
    std::optional<std::pair<std::string, std::string>> after;
    if (!q.continue_token.empty()) {
      auto token = decode_continue(q.continue_token);
      if (!token || token->key != key || token->ns != q.ns) {
        return {http::status::bad_request,
                status_json(400, "BadRequest", "continue key is not valid: invalid continue token")};
      }
      auto it = snapshots_.find({key, token->rv});
      if (token->rv < compacted_rv_ || it == snapshots_.end()) {
        ++counters_.gone;
        return {http::status::gone,
                status_json(410, "Expired",
                            "The provided continue parameter is too old to display a consistent "
                            "list result. You can start a new list without the continue "
                            "parameter, or use the continue token in this response to retrieve "
                            "the remainder of the results. Continuing with the provided token "
                            "results in an inconsistent list - objects that were created, "
                            "modified, or deleted between the time the first chunk was returned "
                            "and now may show up in the list.")};
      }
      snapshot = it->second;
      rv = token->rv;
      after = std::make_pair(token->after_ns, token->after_name);
    } else {
      auto current = std::make_shared<Snapshot>();
      auto objs = objects_.find(key);
      if (objs != objects_.end()) {
        for (const auto& [k, json] : objs->second) {
          current->push_back({k.first, k.second, json});
        }
      }
      snapshot = std::move(current);
    }

    std::size_t limit = q.limit;
    if (limit > 0 && max_page > 0) {
      limit = std::min(limit, max_page);  // The server may return fewer than asked.
    }
    std::vector<const Item*> page;
    std::size_t remaining = 0;
    for (const Item& item : *snapshot) {
      if (!q.ns.empty() && item.ns != q.ns) {
        continue;
      }
      if (after && std::make_pair(item.ns, item.name) <= *after) {
        continue;
      }
      if (limit == 0 || page.size() < limit) {
        page.push_back(&item);
      } else {
        ++remaining;
      }
    }
    std::string next;
    if (remaining > 0) {
      snapshots_.emplace(std::make_pair(key, rv), snapshot);
      next = encode_continue({rv, key, q.ns, page.back()->ns, page.back()->name});
    }

    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("kind");
    write_str(w, q.metadata_only ? "PartialObjectMetadataList" : q.resource.kind + "List");
    w.Key("apiVersion");
    write_str(w, q.metadata_only ? "meta.k8s.io/v1" : group_version(q.resource));
    w.Key("metadata");
    w.StartObject();
    w.Key("resourceVersion");
    write_str(w, std::to_string(rv));
    if (!next.empty()) {
      w.Key("continue");
      write_str(w, next);
      w.Key("remainingItemCount");
      w.Uint64(remaining);
    }
    w.EndObject();
    w.Key("items");
    w.StartArray();
    for (const Item* item : page) {
      std::string out = q.metadata_only ? partial_metadata(item->json) : without_type_meta(item->json);
      w.RawValue(out.data(), out.size(), rapidjson::kObjectType);
    }
    w.EndArray();
    w.EndObject();
    ++counters_.lists;
    if (q.metadata_only) {
      ++counters_.metadata_only;
    }
    return {http::status::ok, {buffer.GetString(), buffer.GetSize()}};
  }

  /// Registers a watch and returns its first events: the current objects as ADDED (from
  /// "0"/unset), the history after `from`, or one 410 ERROR when `from` is compacted.
  WatchOpened open_watch(std::weak_ptr<WatchSink> sink, const WatchQuery& q) {
    std::lock_guard lock(mutex_);
    WatchOpened opened;
    opened.id = ++next_watch_id_;
    Watch w{opened.id,
            resource_key(q.resource.group, q.resource.resource),
            q.ns,
            q.metadata_only,
            q.bookmarks,
            q.resource.kind,
            group_version(q.resource),
            rv_,
            std::move(sink)};
    if (q.from) {
      if (*q.from < compacted_rv_) {
        ++counters_.gone;
        opened.lines.push_back(error_410(*q.from));
        opened.end = true;
        return opened;
      }
      for (const Event& ev : history_) {
        if (ev.rv > *q.from && matches(w, ev)) {
          opened.lines.push_back(format(w, ev.type, ev.object));
        }
      }
    } else {
      // Synthetic ADDED for the current state (each with its own resourceVersion), then
      // live events: what RV "0" / unset mean for a watch.
      auto objs = objects_.find(w.key);
      if (objs != objects_.end()) {
        for (const auto& [k, json] : objs->second) {
          if (w.ns.empty() || k.first == w.ns) {
            opened.lines.push_back(format(w, "ADDED", json));
          }
        }
      }
    }
    watches_.push_back(std::move(w));
    return opened;
  }

  /// Stops routing events to a watch (idempotent).
  void close_watch(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    std::erase_if(watches_, [id](const Watch& w) { return w.id == id; });
  }

  /// Forgets every open watch (their connections are being cut).
  void drop_watches() {
    std::lock_guard lock(mutex_);
    watches_.clear();
  }

  void compact() {
    std::lock_guard lock(mutex_);
    compacted_rv_ = rv_;
    history_.clear();
    snapshots_.clear();
    for (const Watch& w : watches_) {
      if (auto sink = w.sink.lock()) {
        ++counters_.gone;
        sink->push(w.id, error_410(w.last_rv), true);
      }
    }
    watches_.clear();
  }

  void bookmark() {
    std::lock_guard lock(mutex_);
    for (Watch& w : watches_) {
      if (!w.bookmarks) {
        continue;
      }
      if (auto sink = w.sink.lock()) {
        rapidjson::StringBuffer buffer;
        JsonWriter jw(buffer);
        jw.StartObject();
        jw.Key("kind");
        write_str(jw, w.metadata_only ? "PartialObjectMetadata" : w.kind);
        jw.Key("apiVersion");
        write_str(jw, w.metadata_only ? "meta.k8s.io/v1" : w.api_version);
        jw.Key("metadata");
        jw.StartObject();
        jw.Key("resourceVersion");
        write_str(jw, std::to_string(rv_));
        jw.EndObject();
        jw.EndObject();
        sink->push(w.id, event_line("BOOKMARK", {buffer.GetString(), buffer.GetSize()}), false);
        w.last_rv = rv_;
      }
    }
  }

 private:
  struct Item {
    std::string ns;
    std::string name;
    std::string json;
  };
  using Snapshot = std::vector<Item>;

  struct Event {
    std::uint64_t rv;
    std::string type;
    std::string key;
    std::string ns;
    std::string name;
    std::string object;
  };

  struct Watch {
    std::uint64_t id;
    std::string key;
    std::string ns;
    bool metadata_only;
    bool bookmarks;
    std::string kind;
    std::string api_version;
    std::uint64_t last_rv;  ///< Of the last event queued: named by a later 410.
    std::weak_ptr<WatchSink> sink;
  };

  struct ContinueToken {
    std::uint64_t rv = 0;
    std::string key;
    std::string ns;
    std::string after_ns;
    std::string after_name;
  };

  // Opaque to clients, like the real one (base64url of JSON naming the snapshot's
  // resourceVersion and where the next page starts).
  static std::string encode_continue(const ContinueToken& t) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    w.Key("v");
    w.String("meta.k8s.io/v1");
    w.Key("rv");
    w.Uint64(t.rv);
    w.Key("res");
    write_str(w, t.key);
    w.Key("ns");
    write_str(w, t.ns);
    w.Key("start");
    w.StartArray();
    write_str(w, t.after_ns);
    write_str(w, t.after_name);
    w.EndArray();
    w.EndObject();
    return base64url_encode({buffer.GetString(), buffer.GetSize()});
  }

  static std::optional<ContinueToken> decode_continue(std::string_view text) {
    auto raw = base64url_decode(text);
    if (!raw) {
      return std::nullopt;
    }
    rapidjson::Document doc = parse(*raw);
    if (doc.HasParseError() || !doc.IsObject() || member_str(doc, "v") != "meta.k8s.io/v1" ||
        !doc.HasMember("rv") || !doc["rv"].IsUint64() || !doc.HasMember("start") ||
        !doc["start"].IsArray() || doc["start"].Size() != 2 || !doc["start"][0].IsString() ||
        !doc["start"][1].IsString()) {
      return std::nullopt;
    }
    ContinueToken t;
    t.rv = doc["rv"].GetUint64();
    t.key = member_str(doc, "res");
    t.ns = member_str(doc, "ns");
    t.after_ns = doc["start"][0].GetString();
    t.after_name = doc["start"][1].GetString();
    return t;
  }

  const FakeResource* by_kind(std::string_view api_version, std::string_view kind) const {
    for (const auto& r : resources_) {
      if (r.kind == kind && group_version(r) == api_version) {
        return &r;
      }
    }
    return nullptr;
  }

  static bool matches(const Watch& w, const Event& ev) {
    return w.key == ev.key && (w.ns.empty() || w.ns == ev.ns);
  }

  static std::string format(const Watch& w, std::string_view type, std::string_view object) {
    return event_line(type, w.metadata_only ? partial_metadata(object) : std::string(object));
  }

  std::string error_410(std::uint64_t requested) const {
    return event_line("ERROR",
                      status_json(410, "Expired", too_old_message(requested, compacted_rv_)));
  }

  // Records the event and queues it to every matching watch, under the lock.
  void publish(Event ev) {
    for (auto it = watches_.begin(); it != watches_.end();) {
      auto sink = it->sink.lock();
      if (!sink) {
        it = watches_.erase(it);
        continue;
      }
      if (matches(*it, ev)) {
        sink->push(it->id, format(*it, ev.type, ev.object), false);
        it->last_rv = ev.rv;
      }
      ++it;
    }
    history_.push_back(std::move(ev));
  }

  Counters& counters_;
  mutable std::mutex mutex_;
  std::vector<FakeResource> resources_;
  /// resource key -> (namespace, name) -> object JSON; the map order is the list order.
  std::map<std::string, std::map<std::pair<std::string, std::string>, std::string>> objects_;
  std::uint64_t rv_ = 1;            ///< Like etcd, the first revision is 1.
  std::uint64_t compacted_rv_ = 0;  ///< History holds every event with rv > this.
  std::vector<Event> history_;
  std::map<std::pair<std::string, std::uint64_t>, std::shared_ptr<const Snapshot>> snapshots_;
  std::vector<Watch> watches_;
  std::uint64_t next_watch_id_ = 0;
};

// ---------------------------------------------------------------------------------------
// Core: listener, threads, settings, router.

class Connection;

/// What the router decided: answer now, or stream a watch.
using Reply = std::variant<Answer, WatchQuery>;

class Core {
 public:
  explicit Core(std::vector<FakeResource> resources);
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  Store& store() { return store_; }
  const Store& store() const { return store_; }
  Counters& counters() { return counters_; }
  const Counters& counters() const { return counters_; }
  ssl::context& tls() { return tls_; }
  std::uint16_t port() const { return port_; }
  const std::string& ca_pem() const { return ca_pem_; }
  std::string ca_file() const { return (dir_ / "ca.crt").string(); }

  void set_token(std::string token) {
    std::lock_guard lock(settings_mutex_);
    token_ = std::move(token);
  }
  std::string token() const {
    std::lock_guard lock(settings_mutex_);
    return token_;
  }
  std::atomic<std::int64_t> delay_ms{0};
  std::atomic<bool> split_events{false};
  std::atomic<std::size_t> max_page{0};

  void drop_connections();
  Reply route(const Request& req);

 private:
  void accept();
  Answer discovery(const std::vector<std::string>& segments);
  Reply resource_request(const Request& req, const std::string& group, const std::string& version,
                         std::vector<std::string> rest,
                         const std::map<std::string, std::string>& query);

  Counters counters_;
  Store store_;
  std::filesystem::path dir_;
  std::string ca_pem_;
  ssl::context tls_{ssl::context::tls_server};
  mutable std::mutex settings_mutex_;
  std::string token_;
  // The io_context and the acceptor are destroyed first (explicitly, in ~Core), while the
  // store and the TLS context that connections use still exist.
  std::unique_ptr<net::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::mutex connections_mutex_;
  std::vector<std::weak_ptr<Connection>> connections_;
};

// ---------------------------------------------------------------------------------------
// Connection.

class Connection : public WatchSink, public std::enable_shared_from_this<Connection> {
 public:
  Connection(Core& core, tcp::socket&& socket)
      : core_(core),
        executor_(socket.get_executor()),
        stream_(std::move(socket), core.tls()),
        delay_timer_(executor_),
        watch_timer_(executor_) {}

  void start() {
    net::dispatch(executor_, [self = shared_from_this()] { self->on_start(); });
  }

  /// Any thread: cut the connection (no final chunk, no answer).
  void drop() {
    net::post(executor_, [self = shared_from_this()] { self->close(); });
  }

  void push(std::uint64_t watch_id, std::string line, bool end) override {
    net::post(executor_, [self = shared_from_this(), watch_id, line = std::move(line), end]() mutable {
      if (self->closed_ || !self->watching_ || watch_id != self->watch_id_) {
        return;  // A stream that already ended.
      }
      if (!line.empty()) {
        self->pending_.push_back(std::move(line));
      }
      if (end) {
        self->ending_ = true;
      }
      self->flush();
    });
  }

 private:
  void on_start() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
      if (ec || self->closed_) {
        return self->close();
      }
      beast::get_lowest_layer(self->stream_).expires_never();
      self->read();
    });
  }

  // One read is always outstanding: it brings the next request, or tells us the client
  // closed (even in the middle of a watch or a delayed answer).
  void read() {
    incoming_ = {};
    http::async_read(stream_, buffer_, incoming_,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                       if (self->closed_) {
                         return;
                       }
                       if (ec) {
                         return self->close();
                       }
                       self->requests_.push_back(std::move(self->incoming_));
                       self->next_request();
                       self->read();
                     });
  }

  void next_request() {
    if (busy_ || closed_ || requests_.empty()) {
      return;
    }
    busy_ = true;
    auto req = std::make_shared<Request>(std::move(requests_.front()));
    requests_.pop_front();
    auto delay = std::chrono::milliseconds(core_.delay_ms.load());
    if (delay.count() <= 0) {
      return handle(*req);
    }
    delay_timer_.expires_after(delay);
    delay_timer_.async_wait([self = shared_from_this(), req](error_code ec) {
      if (!ec && !self->closed_) {
        self->handle(*req);
      }
    });
  }

  void handle(const Request& req) {
    keep_alive_ = req.keep_alive();
    Reply reply = core_.route(req);
    if (auto* watch = std::get_if<WatchQuery>(&reply)) {
      start_watch(*watch);
    } else {
      answer(std::move(std::get<Answer>(reply)));
    }
  }

  void answer(Answer a) {
    auto res = std::make_shared<http::response<http::string_body>>(a.status, 11);
    res->set(http::field::content_type, "application/json");
    res->set(http::field::cache_control, "no-cache, private");
    res->keep_alive(keep_alive_);
    res->body() = std::move(a.body);
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](error_code ec, std::size_t) {
      if (self->closed_) {
        return;
      }
      if (ec || !self->keep_alive_) {
        return self->close();
      }
      self->busy_ = false;
      self->next_request();
    });
  }

  void start_watch(const WatchQuery& q) {
    WatchOpened opened = core_.store().open_watch(weak_from_this(), q);
    watch_id_ = opened.id;
    watching_ = true;
    header_sent_ = false;
    writing_ = false;
    ending_ = opened.end;
    pending_.assign(std::make_move_iterator(opened.lines.begin()),
                    std::make_move_iterator(opened.lines.end()));
    ++core_.counters().watches;
    ++core_.counters().open_watches;
    if (q.metadata_only) {
      ++core_.counters().metadata_only;
    }
    if (q.timeout.count() > 0 && !ending_) {
      watch_timer_.expires_after(q.timeout);
      watch_timer_.async_wait([self = shared_from_this(), id = watch_id_](error_code ec) {
        if (ec || self->closed_ || !self->watching_ || id != self->watch_id_) {
          return;
        }
        // timeoutSeconds: stop taking events, send what is queued and the final chunk.
        self->core_.store().close_watch(id);
        self->ending_ = true;
        self->flush();
      });
    }
    serializer_.reset();  // It refers to head_.
    head_.emplace(http::status::ok, 11);
    head_->set(http::field::content_type, "application/json");
    head_->set(http::field::cache_control, "no-cache, private");
    head_->keep_alive(keep_alive_);
    head_->chunked(true);
    serializer_.emplace(*head_);
    http::async_write_header(stream_, *serializer_,
                             [self = shared_from_this()](error_code ec, std::size_t) {
                               if (self->closed_) {
                                 return;
                               }
                               if (ec) {
                                 return self->close();
                               }
                               self->header_sent_ = true;
                               self->flush();
                             });
  }

  // Writes what is queued as chunks (framed by hand: several chunks may go in one write),
  // then the final chunk once the stream is ending.
  void flush() {
    if (closed_ || !watching_ || !header_sent_ || writing_) {
      return;
    }
    bool final_chunk = false;
    if (!pending_.empty()) {
      out_ = frame_events();
    } else if (ending_) {
      out_ = "0\r\n\r\n";
      final_chunk = true;
    } else {
      return;
    }
    writing_ = true;
    net::async_write(stream_, net::buffer(out_),
                     [self = shared_from_this(), final_chunk](error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (self->closed_) {
                         return;
                       }
                       if (ec) {
                         return self->close();
                       }
                       if (final_chunk) {
                         return self->finish_watch();
                       }
                       self->flush();
                     });
  }

  static void append_chunk(std::string& out, std::string_view data) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    out += size;
    out += data;
    out += "\r\n";
  }

  // Normally one event per chunk. With split events, chunk boundaries follow a fixed
  // five-event pattern over everything queued, so one burst shows every case a client must
  // handle: an event in three pieces (the first is just "{"), an event whose "\n" comes
  // alone, two whole events in one chunk, and a chunk holding the end of one event and the
  // start of the next.
  std::string frame_events() {
    std::string out;
    if (!core_.split_events.load()) {
      for (const auto& line : pending_) {
        append_chunk(out, line);
      }
      pending_.clear();
      return out;
    }
    std::string data;
    std::vector<std::size_t> cuts;  // Chunk ends, as offsets into data.
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const std::size_t start = data.size();
      const std::size_t len = pending_[i].size();
      const std::size_t end = start + len;
      data += pending_[i];
      const bool last = i + 1 == pending_.size();
      switch (split_pattern_++ % 5) {
        case 0:  // "{" | first half | second half
          cuts.push_back(start + 1);
          if (len / 2 > 1) {
            cuts.push_back(start + len / 2);
          }
          cuts.push_back(end);
          break;
        case 1:  // the line | "\n"
          cuts.push_back(end - 1);
          cuts.push_back(end);
          break;
        case 2:  // no cut at the end: this event and the next share a chunk
          if (last) {
            cuts.push_back(end);
          }
          break;
        case 3:  // (rest of the previous event +) this whole event
          cuts.push_back(end);
          break;
        default:  // first half | second half + the start of the next event
          cuts.push_back(start + len / 2);
          if (last) {
            cuts.push_back(end);
          }
          break;
      }
    }
    pending_.clear();
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
      if (cut > from) {
        append_chunk(out, std::string_view(data).substr(from, cut - from));
        from = cut;
      }
    }
    return out;
  }

  void finish_watch() {
    end_watch();
    busy_ = false;
    if (!keep_alive_) {
      return close();
    }
    next_request();  // Keep-alive: the connection serves the next request.
  }

  void end_watch() {
    if (!watching_) {
      return;
    }
    core_.store().close_watch(watch_id_);
    watching_ = false;
    header_sent_ = false;
    ending_ = false;
    pending_.clear();
    watch_timer_.cancel();
    --core_.counters().open_watches;
  }

  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    end_watch();
    delay_timer_.cancel();
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  Core& core_;
  net::any_io_executor executor_;  ///< The connection's strand.
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  Request incoming_;
  std::deque<Request> requests_;
  net::steady_timer delay_timer_;
  net::steady_timer watch_timer_;
  bool closed_ = false;
  bool busy_ = false;  ///< A request is being answered (delay, answer or watch).
  bool keep_alive_ = true;

  // The watch being streamed, if any.
  std::uint64_t watch_id_ = 0;
  bool watching_ = false;
  bool header_sent_ = false;
  bool writing_ = false;
  bool ending_ = false;
  std::deque<std::string> pending_;
  std::string out_;
  std::size_t split_pattern_ = 0;
  std::optional<http::response<http::empty_body>> head_;
  std::optional<http::response_serializer<http::empty_body>> serializer_;
};

// ---------------------------------------------------------------------------------------
// Core implementation.

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::filesystem::path make_temp_dir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "meshward-fake-apiserver-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    throw std::runtime_error("FakeApiServer: cannot create a temporary directory");
  }
  return tmpl;
}

// The CA and serving certificate, made by certs/gen-dev-certs.sh. The script runs six
// openssl commands (a few hundred milliseconds, more on a busy machine) and a test binary
// starts many servers, so it runs once per process; every server copies the result into its
// own temporary directory. The directory is removed at exit.
const std::filesystem::path& generated_certs() {
  static std::filesystem::path dir;
  static std::once_flag once;
  std::call_once(once, [] {
    std::filesystem::path made = make_temp_dir();
    const std::string command = "bash '" MESHWARD_SOURCE_DIR "/certs/gen-dev-certs.sh' '" +
                                made.string() + "' >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) {
      std::error_code ignored;
      std::filesystem::remove_all(made, ignored);
      throw std::runtime_error("FakeApiServer: certs/gen-dev-certs.sh failed");
    }
    dir = made;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    });
  });
  return dir;
}

Core::Core(std::vector<FakeResource> resources) : store_(std::move(resources), counters_) {
  const std::filesystem::path& certs = generated_certs();
  dir_ = make_temp_dir();
  try {
    for (const char* file : {"ca.crt", "tls.crt", "tls.key"}) {
      std::filesystem::copy_file(certs / file, dir_ / file);
    }
    ca_pem_ = read_file(dir_ / "ca.crt");
    tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls_.use_certificate_chain_file((dir_ / "tls.crt").string());
    tls_.use_private_key_file((dir_ / "tls.key").string(), ssl::context::pem);

    ioc_ = std::make_unique<net::io_context>(2);
    work_.emplace(ioc_->get_executor());
    acceptor_.emplace(net::make_strand(*ioc_));
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_->open(endpoint.protocol());
    acceptor_->set_option(net::socket_base::reuse_address(true));
    acceptor_->bind(endpoint);
    acceptor_->listen();
    port_ = acceptor_->local_endpoint().port();
  } catch (...) {
    acceptor_.reset();
    ioc_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
  accept();
  for (int i = 0; i < 2; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          ioc_->run();
          return;
        } catch (const std::exception& e) {
          std::cerr << "FakeApiServer: handler threw: " << e.what() << "\n";
        }
      }
    });
  }
}

Core::~Core() {
  // Stop the threads, then destroy the io_context: that destroys every pending handler and
  // with them the connections (their sockets close). No thread outlives this.
  work_.reset();
  ioc_->stop();
  for (auto& t : threads_) {
    t.join();
  }
  acceptor_.reset();
  ioc_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void Core::accept() {
  acceptor_->async_accept(net::make_strand(*ioc_), [this](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_->is_open()) {
      return;
    }
    if (!ec) {
      // Like Go's net/http (and so kube-apiserver): no Nagle delay on small writes.
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto connection = std::make_shared<Connection>(*this, std::move(socket));
      {
        std::lock_guard lock(connections_mutex_);
        std::erase_if(connections_, [](const auto& c) { return c.expired(); });
        connections_.push_back(connection);
      }
      connection->start();
    }
    accept();
  });
}

void Core::drop_connections() {
  // Unroute first, so an event put after this call never reaches a stream being cut.
  store_.drop_watches();
  std::vector<std::weak_ptr<Connection>> connections;
  {
    std::lock_guard lock(connections_mutex_);
    connections = connections_;
  }
  for (auto& weak : connections) {
    if (auto c = weak.lock()) {
      c->drop();
    }
  }
}

std::string percent_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() &&
               std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= s.size()) {
    auto to = s.find(sep, from);
    if (to == std::string_view::npos) {
      to = s.size();
    }
    out.emplace_back(s.substr(from, to - from));
    from = to + 1;
  }
  return out;
}

std::string trim_lower(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

enum class Shape { kFull, kMetadata, kNotAcceptable };

/// Content negotiation over the Accept list, in order (client-go lists protobuf first, then
/// JSON with as=..., then plain JSON): the first clause the fake can serve wins. `as_kind`
/// is PartialObjectMetadataList for lists and PartialObjectMetadata for watches and gets.
Shape negotiate(std::string_view accept, std::string_view as_kind) {
  if (trim_lower(accept).empty()) {
    return Shape::kFull;
  }
  const std::string want = trim_lower(as_kind);
  for (const auto& clause : split(accept, ',')) {
    auto parts = split(clause, ';');
    const std::string type = trim_lower(parts[0]);
    if (type != "application/json" && type != "application/*" && type != "*/*") {
      continue;
    }
    std::map<std::string, std::string> params;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      auto eq = parts[i].find('=');
      if (eq != std::string::npos) {
        params[trim_lower(parts[i].substr(0, eq))] = trim_lower(parts[i].substr(eq + 1));
      }
    }
    if (params.count("q") && std::strtod(params["q"].c_str(), nullptr) <= 0.0) {
      continue;
    }
    if (!params.count("as")) {
      return Shape::kFull;
    }
    if (params["as"] == want && params["g"] == "meta.k8s.io" && params["v"] == "v1") {
      return Shape::kMetadata;
    }
  }
  return Shape::kNotAcceptable;
}

Answer not_found() {
  return {http::status::not_found,
          status_json(404, "NotFound", "the server could not find the requested resource",
                      [](JsonWriter& w) {
                        w.StartObject();
                        w.EndObject();
                      })};
}

Answer bad_request(std::string_view message) {
  return {http::status::bad_request, status_json(400, "BadRequest", message)};
}

void write_resource_list(JsonWriter& w, const std::string& gv,
                         const std::vector<FakeResource>& resources) {
  w.StartObject();
  w.Key("kind");
  w.String("APIResourceList");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("groupVersion");
  write_str(w, gv);
  w.Key("resources");
  w.StartArray();
  for (const auto& r : resources) {
    std::string singular = trim_lower(r.kind);
    w.StartObject();
    w.Key("name");
    write_str(w, r.resource);
    w.Key("singularName");
    write_str(w, singular);
    w.Key("namespaced");
    w.Bool(r.namespaced);
    w.Key("kind");
    write_str(w, r.kind);
    w.Key("verbs");
    w.StartArray();
    w.String("get");
    w.String("list");
    w.String("watch");
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void write_group(JsonWriter& w, const std::string& group, std::vector<std::string> versions,
                 bool with_type) {
  std::sort(versions.begin(), versions.end(), version_before);
  w.StartObject();
  if (with_type) {
    w.Key("kind");
    w.String("APIGroup");
    w.Key("apiVersion");
    w.String("v1");
  }
  w.Key("name");
  write_str(w, group);
  w.Key("versions");
  w.StartArray();
  for (const auto& v : versions) {
    w.StartObject();
    w.Key("groupVersion");
    write_str(w, group + "/" + v);
    w.Key("version");
    write_str(w, v);
    w.EndObject();
  }
  w.EndArray();
  w.Key("preferredVersion");
  w.StartObject();
  w.Key("groupVersion");
  write_str(w, group + "/" + versions.front());
  w.Key("version");
  write_str(w, versions.front());
  w.EndObject();
  w.EndObject();
}

Answer Core::discovery(const std::vector<std::string>& seg) {
  const std::vector<FakeResource> all = store_.resources();
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  auto ok = [&buffer] { return Answer{http::status::ok, {buffer.GetString(), buffer.GetSize()}}; };
  auto in_gv = [&all](const std::string& g, const std::string& v) {
    std::vector<FakeResource> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const FakeResource& r) { return r.group == g && r.version == v; });
    return out;
  };
  // Groups (not core) in order of first appearance, each with its versions.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& r : all) {
    if (r.group.empty()) {
      continue;
    }
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&r](const auto& g) { return g.first == r.group; });
    if (it == groups.end()) {
      groups.push_back({r.group, {}});
      it = groups.end() - 1;
    }
    if (std::find(it->second.begin(), it->second.end(), r.version) == it->second.end()) {
      it->second.push_back(r.version);
    }
  }

  if (seg[0] == "api" && seg.size() == 1) {
    w.StartObject();
    w.Key("kind");
    w.String("APIVersions");
    w.Key("versions");
    w.StartArray();
    w.String("v1");
    w.EndArray();
    w.Key("serverAddressByClientCIDRs");
    w.StartArray();
    w.StartObject();
    w.Key("clientCIDR");
    w.String("0.0.0.0/0");
    w.Key("serverAddress");
    write_str(w, "127.0.0.1:" + std::to_string(port_));
    w.EndObject();
    w.EndArray();
    w.EndObject();
    return ok();
  }
  if (seg[0] == "api") {  // /api/v1
    write_resource_list(w, "v1", in_gv("", "v1"));
    return ok();
  }
  if (seg.size() == 1) {  // /apis
    w.StartObject();
    w.Key("kind");
    w.String("APIGroupList");
    w.Key("apiVersion");
    w.String("v1");
    w.Key("groups");
    w.StartArray();
    for (const auto& [group, versions] : groups) {
      write_group(w, group, versions, false);
    }
    w.EndArray();
    w.EndObject();
    return ok();
  }
  auto group = std::find_if(groups.begin(), groups.end(),
                            [&seg](const auto& g) { return g.first == seg[1]; });
  if (group == groups.end()) {
    return not_found();
  }
  if (seg.size() == 2) {  // /apis/<g>
    write_group(w, group->first, group->second, true);
    return ok();
  }
  auto resources = in_gv(seg[1], seg[2]);  // /apis/<g>/<v>
  if (resources.empty()) {
    return not_found();
  }
  write_resource_list(w, seg[1] + "/" + seg[2], resources);
  return ok();
}

Reply Core::route(const Request& req) {
  // Authentication comes before everything, as in kube-apiserver.
  if (const std::string expected = token(); !expected.empty()) {
    auto it = req.find(http::field::authorization);
    if (it == req.end() || it->value() != "Bearer " + expected) {
      ++counters_.unauthorized;
      return Answer{http::status::unauthorized, status_json(401, "Unauthorized", "Unauthorized")};
    }
  }
  if (req.method() != http::verb::get) {
    return Answer{http::status::method_not_allowed,
                  status_json(405, "MethodNotAllowed",
                              "the server does not allow this method on the requested resource")};
  }
  std::string_view target(req.target().data(), req.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  std::map<std::string, std::string> query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    for (const auto& pair : split(target.substr(q + 1), '&')) {
      if (pair.empty()) {
        continue;
      }
      auto eq = pair.find('=');
      query[percent_decode(pair.substr(0, eq))] =
          eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
    }
  }
  std::vector<std::string> seg = split(path, '/');
  if (seg.empty() || !seg.front().empty()) {
    return not_found();
  }
  seg.erase(seg.begin());
  while (!seg.empty() && seg.back().empty()) {
    seg.pop_back();
  }
  if (seg.empty()) {
    return not_found();
  }
  if (seg[0] == "api") {
    if (seg.size() == 1 || (seg.size() == 2 && seg[1] == "v1")) {
      return discovery(seg);
    }
    if (seg[1] != "v1") {
      return not_found();
    }
    return resource_request(req, "", "v1", {seg.begin() + 2, seg.end()}, query);
  }
  if (seg[0] == "apis") {
    if (seg.size() <= 3) {
      return discovery(seg);
    }
    return resource_request(req, seg[1], seg[2], {seg.begin() + 3, seg.end()}, query);
  }
  return not_found();
}

Reply Core::resource_request(const Request& req, const std::string& group,
                             const std::string& version, std::vector<std::string> rest,
                             const std::map<std::string, std::string>& query) {
  // [res] | [res, name] | [namespaces, ns, res] | [namespaces, ns, res, name]
  std::string ns;
  std::string resource;
  std::string name;
  bool in_namespace = false;
  if (rest.size() >= 3 && rest.size() <= 4 && rest[0] == "namespaces") {
    in_namespace = true;
    ns = rest[1];
    resource = rest[2];
    name = rest.size() == 4 ? rest[3] : "";
  } else if (rest.size() <= 2) {
    resource = rest[0];
    name = rest.size() == 2 ? rest[1] : "";
  } else {
    return not_found();  // Subresources are not served.
  }
  auto res = store_.find(group, version, resource);
  if (!res || (in_namespace && !res->namespaced) ||
      (!in_namespace && !name.empty() && res->namespaced)) {
    return not_found();
  }
  auto param = [&query](const std::string& key) {
    auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  };
  auto accept_it = req.find(http::field::accept);
  std::string_view accept = accept_it == req.end()
                                ? std::string_view()
                                : std::string_view(accept_it->value().data(), accept_it->value().size());
  const std::string watch = param("watch");
  const bool is_watch = watch == "1" || watch == "true";
  const bool is_list = name.empty() && !is_watch;
  Shape shape = negotiate(accept, is_list ? "PartialObjectMetadataList" : "PartialObjectMetadata");
  if (shape == Shape::kNotAcceptable) {
    return Answer{http::status::not_acceptable,
                  status_json(406, "NotAcceptable",
                              "only the following media types are accepted: application/json")};
  }
  const bool metadata_only = shape == Shape::kMetadata;

  if (!name.empty()) {
    auto object = store_.get(*res, ns, name);
    if (!object) {
      const std::string qualified = res->group.empty() ? res->resource : res->resource + "." + res->group;
      return Answer{http::status::not_found,
                    status_json(404, "NotFound", qualified + " \"" + name + "\" not found",
                                [&](JsonWriter& w) {
                                  w.StartObject();
                                  w.Key("name");
                                  write_str(w, name);
                                  w.Key("group");
                                  write_str(w, res->group);
                                  w.Key("kind");
                                  write_str(w, res->resource);
                                  w.EndObject();
                                })};
    }
    if (metadata_only) {
      ++counters_.metadata_only;
      return Answer{http::status::ok, partial_metadata(*object)};
    }
    return Answer{http::status::ok, *object};
  }

  auto parse_uint = [](const std::string& s) -> std::optional<std::uint64_t> {
    if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), ::isdigit)) {
      return std::nullopt;
    }
    return std::stoull(s);
  };
  if (is_watch) {
    WatchQuery q;
    q.resource = *res;
    q.ns = ns;
    q.metadata_only = metadata_only;
    const std::string bookmarks = param("allowWatchBookmarks");
    q.bookmarks = bookmarks == "true" || bookmarks == "1";
    if (const std::string rv = param("resourceVersion"); !rv.empty() && rv != "0") {
      auto from = parse_uint(rv);
      if (!from) {
        return bad_request("invalid resource version: \"" + rv + "\"");
      }
      q.from = from;
    }
    if (const std::string t = param("timeoutSeconds"); !t.empty()) {
      auto seconds = parse_uint(t);
      if (!seconds) {
        return bad_request("invalid timeoutSeconds: \"" + t + "\"");
      }
      q.timeout = std::chrono::seconds(*seconds);
    }
    return q;
  }

  ListQuery q;
  q.resource = *res;
  q.ns = ns;
  q.metadata_only = metadata_only;
  q.continue_token = param("continue");
  if (const std::string limit = param("limit"); !limit.empty()) {
    auto n = parse_uint(limit);
    if (!n) {
      return bad_request("invalid limit: \"" + limit + "\"");
    }
    q.limit = static_cast<std::size_t>(*n);
  }
  return store_.list(q, max_page.load());
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The public face.

struct FakeApiServer::Impl {
  explicit Impl(std::vector<FakeResource> resources) : core(std::move(resources)) {}
  Core core;
};

FakeApiServer::FakeApiServer() : FakeApiServer(default_resources()) {}

FakeApiServer::FakeApiServer(std::vector<FakeResource> resources)
    : impl_(std::make_unique<Impl>(std::move(resources))) {}

FakeApiServer::~FakeApiServer() = default;

std::vector<FakeResource> FakeApiServer::default_resources() {
  return {
      {"", "v1", "namespaces", "Namespace", false},
      {"", "v1", "services", "Service", true},
      {"", "v1", "endpoints", "Endpoints", true},
      {"", "v1", "pods", "Pod", true},
      {"discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true},
      {"networking.istio.io", "v1", "gateways", "Gateway", true},
      {"networking.istio.io", "v1", "virtualservices", "VirtualService", true},
      {"networking.istio.io", "v1", "destinationrules", "DestinationRule", true},
      {"networking.istio.io", "v1", "serviceentries", "ServiceEntry", true},
      {"networking.istio.io", "v1", "sidecars", "Sidecar", true},
      {"networking.istio.io", "v1", "workloadentries", "WorkloadEntry", true},
      {"networking.istio.io", "v1alpha3", "envoyfilters", "EnvoyFilter", true},
      {"security.istio.io", "v1", "peerauthentications", "PeerAuthentication", true},
      {"security.istio.io", "v1", "requestauthentications", "RequestAuthentication", true},
      {"security.istio.io", "v1", "authorizationpolicies", "AuthorizationPolicy", true},
  };
}

void FakeApiServer::serve(std::vector<FakeResource> resources) {
  impl_->core.store().serve(std::move(resources));
}

std::uint16_t FakeApiServer::port() const { return impl_->core.port(); }

std::string FakeApiServer::url() const { return "https://127.0.0.1:" + std::to_string(port()); }

const std::string& FakeApiServer::ca_pem() const { return impl_->core.ca_pem(); }

std::string FakeApiServer::ca_file() const { return impl_->core.ca_file(); }

void FakeApiServer::set_token(std::string token) { impl_->core.set_token(std::move(token)); }

std::uint64_t FakeApiServer::put(std::string_view object_json) {
  return impl_->core.store().put(object_json);
}

std::uint64_t FakeApiServer::remove(std::string_view api_version, std::string_view kind,
                                    std::string_view ns, std::string_view name) {
  return impl_->core.store().remove(api_version, kind, ns, name);
}

std::vector<std::string> FakeApiServer::objects(std::string_view group,
                                                std::string_view resource) const {
  return impl_->core.store().objects(group, resource);
}

std::uint64_t FakeApiServer::resource_version() const {
  return impl_->core.store().resource_version();
}

void FakeApiServer::compact() { impl_->core.store().compact(); }

void FakeApiServer::drop_connections() { impl_->core.drop_connections(); }

void FakeApiServer::bookmark() { impl_->core.store().bookmark(); }

void FakeApiServer::set_delay(std::chrono::milliseconds delay) {
  impl_->core.delay_ms.store(delay.count());
}

void FakeApiServer::set_split_events(bool split) { impl_->core.split_events.store(split); }

void FakeApiServer::set_max_page(std::size_t items) { impl_->core.max_page.store(items); }

FakeApiStats FakeApiServer::stats() const {
  const Counters& c = impl_->core.counters();
  FakeApiStats s;
  s.lists = c.lists.load();
  s.watches = c.watches.load();
  s.gone = c.gone.load();
  s.unauthorized = c.unauthorized.load();
  s.metadata_only = c.metadata_only.load();
  s.open_watches = c.open_watches.load();
  return s;
}

}  // namespace meshward::testing
