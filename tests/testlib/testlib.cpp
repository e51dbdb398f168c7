#include "testlib/testlib.h"

#include <fstream>
#include <sstream>

namespace meshward::testing {

model::DecodeResult decode_text(std::string_view text, const std::string& file) {
  model::DecodeOptions options;
  options.file = file;
  return model::decode_stream(text, options);
}

std::string describe(const std::vector<Finding>& findings) {
  std::ostringstream out;
  for (const auto& f : findings) {
    if (f.source) {
      out << f.source->file << ":" << f.source->line << " ";
    }
    out << f.code << " " << severity_name(f.severity) << " " << f.resource.kind << " "
        << f.resource.namespace_ << "/" << f.resource.name << " " << f.path << ": " << f.message
        << "\n";
  }
  return out.str();
}

bool has_finding(const std::vector<Finding>& findings, std::string_view code,
                 std::string_view path) {
  for (const auto& f : findings) {
    if (f.code == code && (path.empty() || f.path == path)) {
      return true;
    }
  }
  return false;
}

const Finding* find_finding(const std::vector<Finding>& findings, std::string_view code,
                            std::string_view path) {
  for (const auto& f : findings) {
    if (f.code == code && f.path == path) {
      return &f;
    }
  }
  return nullptr;
}

std::uint32_t finding_line(const std::vector<Finding>& findings, std::string_view code,
                           std::string_view path) {
  for (const auto& f : findings) {
    if (f.code == code && f.path == path && f.source) {
      return f.source->line;
    }
  }
  return 0;
}

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(MESHWARD_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace meshward::testing
