#include "meshward/server/metrics.h"

#include <chrono>
#include <cstdio>

#include "meshward/model/object.h"

namespace meshward::server {

namespace {

// Label values are escaped as the exposition format requires: \\, \" and \n.
std::string label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// One sample of metric `name`, without labels.
void sample(std::string& out, std::string_view name, std::uint64_t value) {
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

// A metric without labels: its header and its one sample.
void single(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::uint64_t value) {
  header(out, name, type, help);
  sample(out, name, value);
}

// A metric with one label: its header, then a sample per (label value, count) of `counts`.
template <class Counts>
void by_label(std::string& out, std::string_view name, std::string_view type, std::string_view help,
              std::string_view key, const Counts& counts) {
  header(out, name, type, help);
  for (const auto& [value, n] : counts) {
    out += name;
    out += '{';
    out += key;
    out += "=\"";
    out += label(value);
    out += "\"} ";
    out += std::to_string(n);
    out += '\n';
  }
}

}  // namespace

void Metrics::record_review(std::string_view kind, std::string_view operation,
                            std::string_view decision, double seconds) {
  std::lock_guard lock(mutex_);
  ++reviews_[{std::string(kind), std::string(operation), std::string(decision)}];
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) {
    ++i;
  }
  ++latency_buckets_[i];
  latency_sum_ += seconds;
  ++latency_count_;
}

void Metrics::record_findings(const std::vector<Finding>& findings) {
  if (findings.empty()) {
    return;
  }
  std::lock_guard lock(mutex_);
  for (const Finding& f : findings) {
    ++findings_[f.code];
  }
}

void Metrics::record_http_error(int status) {
  std::lock_guard lock(mutex_);
  ++http_errors_[status];
}

void Metrics::record_rejected(std::string_view reason) {
  std::lock_guard lock(mutex_);
  ++rejected_[std::string(reason)];
}

void Metrics::record_evicted(std::string_view state) {
  std::lock_guard lock(mutex_);
  ++evicted_[std::string(state)];
}

void Metrics::record_timeout(std::string_view phase) {
  std::lock_guard lock(mutex_);
  ++timeouts_[std::string(phase)];
}

void Metrics::record_shed(std::string_view reason) {
  std::lock_guard lock(mutex_);
  ++shed_[std::string(reason)];
}

void Metrics::record_world_reload(bool ok) {
  std::lock_guard lock(mutex_);
  ++(ok ? world_reloads_ok_ : world_reloads_failed_);
}

void Metrics::record_cert_reload(bool ok) {
  std::lock_guard lock(mutex_);
  ++(ok ? cert_reloads_ok_ : cert_reloads_failed_);
}

void Metrics::record_policy_reload(bool ok) {
  std::lock_guard lock(mutex_);
  ++(ok ? policy_reloads_ok_ : policy_reloads_failed_);
}

std::string Metrics::render(const MetricsSnapshot& snap) const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lock(mutex_);

  header(out, "meshward_admission_requests_total", "counter",
         "Admission reviews answered, by kind, operation and decision.");
  for (const auto& [k, n] : reviews_) {
    out += "meshward_admission_requests_total{kind=\"" + label(std::get<0>(k)) + "\",operation=\"" +
           label(std::get<1>(k)) + "\",decision=\"" + label(std::get<2>(k)) + "\"} " +
           std::to_string(n) + '\n';
  }

  header(out, "meshward_admission_duration_seconds", "histogram",
         "Time to decode, evaluate and render one admission review.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_buckets_[i];
    out += "meshward_admission_duration_seconds_bucket{le=\"" + number(kBuckets[i]) + "\"} " +
           std::to_string(cumulative) + '\n';
  }
  cumulative += latency_buckets_[kBuckets.size()];
  out += "meshward_admission_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + '\n';
  out += "meshward_admission_duration_seconds_sum " + number(latency_sum_) + '\n';
  out += "meshward_admission_duration_seconds_count " + std::to_string(latency_count_) + '\n';

  by_label(out, "meshward_admission_findings_total", "counter",
           "Findings introduced by admitted or refused changes, by code.", "code", findings_);

  header(out, "meshward_http_errors_total", "counter", "Non-200 HTTP answers, by status.");
  for (const auto& [status, n] : http_errors_) {
    out += "meshward_http_errors_total{status=\"" + std::to_string(status) + "\"} " +
           std::to_string(n) + '\n';
  }

  by_label(out, "meshward_connections_rejected_total", "counter",
           "Connections closed before HTTP: plaintext, handshake failure, connection limit.",
           "reason", rejected_);
  single(out, "meshward_review_findings_reused_total", "counter",
         "Reviews answered with the findings of an earlier review of the same change against the "
         "same world (GitOps dry-runs, retries): only the policy was applied anew.",
         findings_reused.load());
  single(out, "meshward_connections_active", "gauge", "Open connections.",
         connections_active.load());
  single(out, "meshward_connections_total", "counter", "Connections accepted.",
         connections_total.load());
  header(out, "meshward_connections", "gauge",
         "Open connections by state: handshake, new (no complete request yet), idle (keep-alive), "
         "reading, busy (answering), closing, evicted.");
  for (std::size_t i = 0; i < kConnStates; ++i) {
    out += "meshward_connections{state=\"" + std::string(conn_state_name(static_cast<ConnState>(i))) +
           "\"} " + std::to_string(connections_by_state[i].load()) + '\n';
  }
  by_label(out, "meshward_connections_evicted_total", "counter",
           "Connections closed to make room for a new one (at a connection bound), by the state they were in.",
           "state", evicted_);
  by_label(out, "meshward_connections_timed_out_total", "counter",
           "Connections cut by a deadline, by phase: handshake, header, idle, body, write, shutdown.",
           "phase", timeouts_);
  if (snap.connections_limit != 0) {
    single(out, "meshward_connections_limit", "gauge",
           "Bound on open connections (--max-connections).", snap.connections_limit);
    single(out, "meshward_connections_pending_limit", "gauge",
           "Bound on connections in the TLS handshake or before their first complete request header "
           "(--max-pending-connections).",
           snap.pending_connections_limit);
  }
  if (snap.queue_limit != 0) {
    single(out, "meshward_request_queue_limit", "gauge",
           "Bound on admission requests read and not yet answered (--max-queued-requests).",
           snap.queue_limit);
    single(out, "meshward_request_queue_depth", "gauge",
           "Admission requests read and not yet answered: waiting for or in evaluation.",
           snap.queue_depth);
  }
  if (snap.request_memory_limit != 0) {
    single(out, "meshward_request_memory_limit_bytes", "gauge",
           "Bound on the request bodies being read or waiting for evaluation (--max-request-memory).",
           snap.request_memory_limit);
    single(out, "meshward_request_memory_bytes", "gauge",
           "Bytes of request bodies being read or waiting for evaluation (Content-Length as announced).",
           snap.request_memory);
  }
  header(out, "meshward_requests_shed_total", "counter",
         "Requests answered 503 without evaluation, by reason: queue_full, expired (waited past the "
         "API server's timeout), memory (request memory bound).");
  for (const char* reason : {"queue_full", "expired", "memory"}) {
    const auto it = shed_.find(reason);
    out += std::string("meshward_requests_shed_total{reason=\"") + reason + "\"} " +
           std::to_string(it == shed_.end() ? 0 : it->second) + '\n';
  }

  header(out, "meshward_world_objects", "gauge", "Objects in the current world, by kind.");
  if (snap.world != nullptr && snap.world->snapshot) {
    std::map<std::string, std::uint64_t> by_kind;
    for (std::size_t i = 0; i < model::kKindCount; ++i) {
      const auto kind = static_cast<model::Kind>(i);
      by_kind[std::string(model::kind_name(kind))] = snap.world->snapshot->of_kind(kind).size();
    }
    for (const auto& [kind, n] : by_kind) {
      out += "meshward_world_objects{kind=\"" + kind + "\"} " + std::to_string(n) + '\n';
    }
  }
  single(out, "meshward_world_findings", "gauge", "Findings in the current world (pre-existing).",
         snap.world != nullptr ? snap.world->findings.size() : 0);
  single(out, "meshward_world_generation", "gauge", "Worlds published since start.",
         snap.world != nullptr ? snap.world->generation : 0);
  header(out, "meshward_world_reloads_total", "counter", "World reloads from files, by result.");
  out += "meshward_world_reloads_total{result=\"ok\"} " + std::to_string(world_reloads_ok_) + '\n';
  out += "meshward_world_reloads_total{result=\"error\"} " + std::to_string(world_reloads_failed_) + '\n';
  header(out, "meshward_policy_reloads_total", "counter",
         "Policy file reloads, by result (a failed reload keeps the previous policy).");
  out += "meshward_policy_reloads_total{result=\"ok\"} " + std::to_string(policy_reloads_ok_) + '\n';
  out += "meshward_policy_reloads_total{result=\"error\"} " + std::to_string(policy_reloads_failed_) + '\n';
  header(out, "meshward_watch_restarts_total", "counter",
         "Kubernetes watch restarts (no watcher in standalone mode).");
  out += "meshward_watch_restarts_total 0\n";

  header(out, "meshward_tls_certificate_expiry_seconds", "gauge",
         "Seconds until the serving certificate expires.");
  if (snap.cert_not_after != 0) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    out += "meshward_tls_certificate_expiry_seconds " +
           std::to_string(snap.cert_not_after - static_cast<std::int64_t>(now)) + '\n';
  }
  single(out, "meshward_tls_certificate_loads_total", "counter",
         "Serving certificates loaded (startup and reloads).", snap.cert_loads);
  single(out, "meshward_tls_certificate_reload_errors_total", "counter",
         "Certificate reloads that failed (the previous certificate stays in use).",
         cert_reloads_failed_);

  header(out, "meshward_build_info", "gauge", "Build information.");
  out += "meshward_build_info{version=\"" + label(snap.version) + "\",commit=\"" +
         label(snap.commit) + "\"} 1\n";
  return out;
}

}  // namespace meshward::server
