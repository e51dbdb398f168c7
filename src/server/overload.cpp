#include "meshward/server/overload.h"

#include <algorithm>
#include <cctype>

#include <boost/beast/http/field.hpp>

namespace meshward::server {

namespace http = boost::beast::http;
using std::chrono::milliseconds;

std::optional<milliseconds> parse_go_duration(std::string_view text) {
  // A sequence of decimal numbers, each with an optional fraction and a unit: "1h2m3.5s".
  if (text.empty() || text.size() > 64) {
    return std::nullopt;
  }
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    double value = 0;
    bool digits = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      value = value * 10 + (text[i] - '0');
      digits = true;
      ++i;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        value += (text[i] - '0') * scale;
        scale /= 10;
        digits = true;
        ++i;
      }
    }
    if (!digits) {
      return std::nullopt;
    }
    const std::string_view rest = text.substr(i);
    double unit_ms = 0;
    std::size_t unit_len = 0;
    // Longest units first: "ms" before "m", "ns"/"us" before "s".
    for (const auto& [name, ms] : {std::pair<std::string_view, double>{"ns", 1e-6},
                                   {"us", 1e-3},
                                   {"\xC2\xB5s", 1e-3},  // µs (micro sign)
                                   {"\xCE\xBCs", 1e-3},  // μs (Greek mu)
                                   {"ms", 1.0},
                                   {"s", 1e3},
                                   {"m", 60e3},
                                   {"h", 3600e3}}) {
      if (rest.substr(0, name.size()) == name) {
        unit_ms = ms;
        unit_len = name.size();
        break;
      }
    }
    if (unit_len == 0) {
      return std::nullopt;
    }
    i += unit_len;
    total_ms += value * unit_ms;
  }
  if (!(total_ms >= 1) || total_ms > 1e9) {
    return std::nullopt;
  }
  return milliseconds(static_cast<std::int64_t>(total_ms));
}

milliseconds request_timeout(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) {
    return kDefaultRequestTimeout;
  }
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    constexpr std::string_view kKey = "timeout=";
    if (param.substr(0, kKey.size()) == kKey) {
      if (auto d = parse_go_duration(param.substr(kKey.size()))) {
        return std::clamp(*d, milliseconds(1'000), milliseconds(30'000));
      }
      return kDefaultRequestTimeout;
    }
  }
  return kDefaultRequestTimeout;
}

milliseconds queue_budget(milliseconds timeout) {
  return std::max(timeout / 2, timeout - milliseconds(1'000));
}

Response shed_response(unsigned version, std::string_view message) {
  Response res = Router::error(version, 503, message);
  res.set(http::field::retry_after, "1");
  return res;
}

void EvalQueue::start(unsigned threads) {
  std::lock_guard lock(mutex_);
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    threads_.emplace_back([this] { work(); });
  }
}

void EvalQueue::stop() {
  std::deque<Item> dropped;
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(items_);
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) {
    t.join();
  }
  // `dropped` is destroyed here, outside the lock: a job may own the last reference to a
  // connection.
}

bool EvalQueue::push(std::chrono::steady_clock::time_point deadline, Job& job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || items_.size() + running_ >= limit_) {
      return false;
    }
    items_.push_back(Item{deadline, std::move(job)});
  }
  cv_.notify_one();
  return true;
}

std::size_t EvalQueue::depth() const {
  std::lock_guard lock(mutex_);
  return items_.size() + running_;
}

void EvalQueue::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !items_.empty(); });
    if (stopping_) {
      return;
    }
    Item item = std::move(items_.front());
    items_.pop_front();
    ++running_;
    lock.unlock();
    const bool expired = std::chrono::steady_clock::now() >= item.deadline;
    try {
      item.job(expired);
    } catch (...) {
      // Jobs answer their own errors (Session::evaluate); nothing may end this thread.
    }
    item.job = nullptr;  // Release what the job holds before counting it done.
    lock.lock();
    --running_;
  }
}

}  // namespace meshward::server
