#pragma once
// One-line JSON logs, the format every long-running part (server, kube watcher) writes:
//   {"ts":"2026-11-25T20:21:28.123Z","level":"info","msg":"world loaded","objects":12}

#include <ostream>
#include <string>
#include <string_view>

namespace meshward {

/// "2026-11-25T20:21:28.123Z" (UTC, milliseconds).
std::string utc_timestamp();
/// `s` as a JSON string literal; control characters become spaces (log lines stay one line).
std::string json_quote(std::string_view s);
/// A log line without its newline; `extra` is appended inside the object as is
/// (",\"key\":value..." — build values with json_quote).
std::string log_line(std::string_view level, std::string_view msg, std::string_view extra = {});

/// Writes `line` and a newline to `out`, flushed, under one process-wide lock: the server's
/// threads and the kube watcher share stderr without interleaving their lines.
void write_log_line(std::ostream& out, std::string_view line);

}  // namespace meshward
