#include "meshward/core/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace meshward {

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string log_line(std::string_view level, std::string_view msg, std::string_view extra) {
  std::string line = "{\"ts\":\"" + utc_timestamp() + "\",\"level\":\"";
  line += level;
  line += "\",\"msg\":" + json_quote(msg);
  line += extra;
  line += '}';
  return line;
}

void write_log_line(std::ostream& out, std::string_view line) {
  // One write per line: std::cerr is unit-buffered, so `out << line << '\n'` would be two
  // write(2) calls for every logged request.
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line);
  buffer.push_back('\n');
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out.flush();
}

}  // namespace meshward
