#include "reflector.h"

#include <algorithm>
#include <functional>
#include <iterator>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "meshward/core/json.h"
#include "meshward/core/log.h"
#include "meshward/model/decode.h"

namespace meshward::kube {

namespace {

// Large lists arrive a page at a time; a page of 500 big objects stays far below this.
constexpr std::size_t kPageBodyLimit = 256 * 1024 * 1024;
// One watch event is one object; Kubernetes caps objects at ~1.5 MiB (etcd's request limit).
constexpr std::size_t kEventLimit = 16 * 1024 * 1024;

constexpr std::string_view kAcceptJson = "application/json";
// client-go's metadata client asks like this; a server that cannot answer as metadata falls
// back to full objects, which decode the same way.
constexpr std::string_view kAcceptMetadataList =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
constexpr std::string_view kAcceptMetadata =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

/// "403 Forbidden: virtualservices is forbidden: ..." from a refused call's Status body.
std::string describe_status(unsigned status, const std::string& body) {
  std::string message;
  json::Document doc;
  if (!doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size()).HasParseError()) {
    message = string_member(doc, "message");
  }
  if (message.empty()) {
    message = body.substr(0, 200);
  }
  return "HTTP " + std::to_string(status) + (message.empty() ? "" : ": " + message);
}

}  // namespace

void WatchContext::log(std::string_view level, std::string_view msg, std::string_view extra) const {
  if (options.log == nullptr) {
    return;
  }
  write_log_line(*options.log, log_line(level, msg, extra));
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      current_(initial_),
      random_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
  // Jitter in [current/2, current]: loops that failed together do not retry together.
  const auto base = current_.count();
  std::uniform_int_distribution<long long> jitter(base / 2, base);
  const auto delay = std::chrono::milliseconds(jitter(random_));
  current_ = std::min(current_ * 2, max_);
  return delay;
}

void Backoff::reset() { current_ = initial_; }

net::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
  net::steady_timer timer(co_await net::this_coro::executor);
  timer.expires_after(delay);
  co_await timer.async_wait(net::use_awaitable);
}

Reflector::Reflector(WatchTarget target, const WatchContext& context)
    : target_(std::move(target)), context_(context) {
  stats_.kind = target_.kind;
  stats_.namespace_ = target_.namespace_;
  stats_.api_path = target_.path;
}

WatchStats Reflector::stats() const {
  std::lock_guard lock(stats_mutex_);
  WatchStats out = stats_;
  out.synced = synced_.load();
  out.objects = context_.store.count(target_.kind, target_.namespace_);
  return out;
}

void Reflector::log_event(std::string_view level, std::string_view msg, std::string_view extra) const {
  context_.log(level, msg,
               ",\"kind\":" + json_quote(model::kind_name(target_.kind)) +
                   ",\"namespace\":" + json_quote(target_.namespace_) + std::string(extra));
}

void Reflector::record_error(const std::string& message) {
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.errors;
    stats_.last_error = message;
  }
  log_event("warn", "watch call failed; retrying", ",\"error\":" + json_quote(message));
}

net::awaitable<std::string> Reflector::list_fully(ApiConnection& connection) {
  // A continue token expires when etcd compacts under a long list (about 5 minutes); start
  // again a few times, then give up to the backoff rather than hammer etcd.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (auto version = co_await list(connection)) {
      co_return *version;
    }
  }
  throw ApiCallError("LIST " + target_.path + ": continue token expired three times in a row");
}

net::awaitable<void> Reflector::run() {
  ApiConnection connection(co_await net::this_coro::executor, context_.tls, context_.config,
                           context_.tokens);
  Backoff backoff(context_.options.backoff_initial, context_.options.backoff_max);
  bool relist = true;
  bool gone = false;       // The coming list replaces history that a 410 declared lost.
  int failed_watches = 0;  // Consecutive failed watches from the same resourceVersion.
  for (;;) {
    try {
      if (relist) {
        resource_version_ = co_await list_fully(connection);
        {
          std::lock_guard lock(stats_mutex_);
          ++stats_.lists;
          stats_.relists += gone ? 1 : 0;
          stats_.resource_version = resource_version_;
        }
        if (!synced_.exchange(true)) {
          log_event("info", "watch synced",
                    ",\"objects\":" + std::to_string(context_.store.count(target_.kind, target_.namespace_)) +
                        ",\"resourceVersion\":" + json_quote(resource_version_));
        }
        relist = false;
        gone = false;
        failed_watches = 0;
      }
      const WatchResult result = co_await watch(connection);
      if (result.events > 0) {
        backoff.reset();  // Only a watch that delivered something proves the path healthy.
        failed_watches = 0;
      }
      if (result.gone) {
        log_event("info", "watch history expired (410); listing again",
                  ",\"resourceVersion\":" + json_quote(resource_version_));
        relist = true;
        gone = true;
        if (result.events > 0) {
          continue;  // A normal compaction: list again at once.
        }
        // 410 straight away, again: the list takes longer than the server keeps history.
      } else if (result.events > 0 || result.lasted >= std::chrono::seconds(1)) {
        continue;  // A clean end (timeoutSeconds): watch again from where it stopped.
      } else {
        // client-go's "very short watch": closed at once with nothing in it. Something
        // between us and the API server is wrong; do not spin on it.
        record_error("WATCH " + target_.path + ": closed at once without events");
      }
    } catch (const ApiCallError& e) {
      record_error(e.what());
      // A stream that fails at the same place again and again (an event we cannot read)
      // would never move on: after three, list again instead.
      if (!relist && ++failed_watches >= 3) {
        relist = true;
        failed_watches = 0;
      }
    } catch (const std::exception& e) {
      // Anything else (memory, a header over Beast's limits) must not end the loop: a dead
      // loop would leave its kind frozen while still looking synced.
      connection.close();
      record_error(std::string("unexpected: ") + e.what());
      relist = true;
    }
    co_await sleep_for(backoff.next());
  }
}

net::awaitable<std::optional<std::string>> Reflector::list(ApiConnection& connection) {
  const auto& options = context_.options;
  std::vector<StoredObject> objects;
  std::string continue_token;
  std::string version;
  do {
    std::string target = target_.path + "?limit=" + std::to_string(options.page_size);
    if (!continue_token.empty()) {
      target += "&continue=" + url_encode(continue_token);
    }
    ApiResponse response = co_await connection.get(
        target, target_.metadata_only ? kAcceptMetadataList : kAcceptJson, options.request_timeout,
        kPageBodyLimit);
    if (response.status == 410 && !continue_token.empty()) {
      co_return std::nullopt;
    }
    if (response.status == 401) {
      context_.tokens.invalidate();  // The token may have rotated under us.
    }
    if (response.status != 200) {
      throw ApiCallError("LIST " + target_.path + ": " + describe_status(response.status, response.body));
    }
    ListPage page = decode_list_page(response.body, target_);
    version = std::move(page.resource_version);
    continue_token = std::move(page.continue_token);
    std::move(page.objects.begin(), page.objects.end(), std::back_inserter(objects));
  } while (!continue_token.empty());
  context_.store.replace(target_.kind, target_.namespace_, std::move(objects));
  co_return version;
}

net::awaitable<Reflector::WatchResult> Reflector::watch(ApiConnection& connection) {
  const auto& options = context_.options;
  const auto started = std::chrono::steady_clock::now();
  WatchResult result;
  // Spread the watches' ends over [timeout, timeout + 10%] so they do not all reopen at once;
  // at least a second.
  static thread_local std::minstd_rand random(std::random_device{}());
  const long long base = std::max<long long>(1, options.watch_timeout.count());
  const long long seconds = std::uniform_int_distribution<long long>(base, base + base / 10)(random);
  const std::string target = target_.path + "?watch=1&allowWatchBookmarks=true&resourceVersion=" +
                             url_encode(resource_version_) + "&timeoutSeconds=" + std::to_string(seconds);
  ApiResponse response = co_await connection.open_stream(
      target, target_.metadata_only ? kAcceptMetadata : kAcceptJson, options.request_timeout);
  if (response.status == 410) {
    result.gone = true;
    co_return result;
  }
  if (response.status == 401) {
    context_.tokens.invalidate();
  }
  if (response.status != 200) {
    throw ApiCallError("WATCH " + target_.path + ": " + describe_status(response.status, response.body));
  }
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.watches;
  }
  // Silence longer than the server's own timeout means the stream is dead (TCP keepalive,
  // set on the connection, notices a vanished peer sooner).
  const auto idle = std::chrono::seconds(seconds) + options.request_timeout;
  while (auto line = co_await connection.next_line(idle, kEventLimit)) {
    if (line->empty()) {
      continue;
    }
    if (apply_event(*line)) {
      connection.close();  // The server ends the stream after the ERROR; do not wait for it.
      result.gone = true;
      break;
    }
    ++result.events;
  }
  result.lasted = std::chrono::steady_clock::now() - started;
  co_return result;
}

bool Reflector::apply_event(std::string& line) {
  WatchEvent event = parse_watch_event(line, target_);
  if (event.gone) {
    return true;
  }
  if (event.type == "ADDED" || event.type == "MODIFIED") {
    if (event.object) {
      context_.store.upsert(std::move(*event.object));
    }
  } else if (event.type == "DELETED") {
    if (event.object) {
      context_.store.erase(model::key_of(*event.object->object));
    }
  } else if (event.type != "BOOKMARK") {
    // client-go skips what it does not know; a newer server must not stall the loop.
    log_event("warn", "unknown watch event type skipped", ",\"type\":" + json_quote(event.type));
  }
  if (!event.resource_version.empty()) {
    resource_version_ = std::move(event.resource_version);
  }
  std::lock_guard lock(stats_mutex_);
  ++stats_.events;
  stats_.resource_version = resource_version_;
  return false;
}

}  // namespace meshward::kube
