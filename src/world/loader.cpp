#include "meshward/world/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <vector>

#include "meshward/model/decode.h"
#include "meshward/model/decode_rules.h"

namespace meshward::world {

namespace fs = std::filesystem;

namespace {

bool is_manifest(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

Error too_large(const std::string& name, std::size_t limit) {
  return Error{"cannot read " + name + ": larger than the limit of " + std::to_string(limit) +
               " bytes for one input"};
}

// Reads `in` to its end, or fails once more than `limit` bytes came: whatever the stream
// is (a pipe, a device), memory stays bounded.
Result<std::string> read_stream(std::istream& in, const std::string& name, std::size_t limit,
                                std::string text = {}) {
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (text.size() + n > limit) {
      return too_large(name, limit);
    }
    text.append(buffer.data(), n);
  }
  if (in.bad()) {
    return Error{"cannot read " + name + ": read error"};
  }
  return text;
}

Result<std::string> read_file(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{"cannot read " + path + ": " + std::strerror(errno)};
  }
  std::string text;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    const auto size = fs::file_size(path, ec);
    if (!ec && size > limit) {
      return too_large(path, limit);  // Refused before reading any of it.
    }
    if (!ec) {
      text.reserve(static_cast<std::size_t>(size));
    }
  }
  return read_stream(in, path, limit, std::move(text));
}

void decode_into(std::string_view text, const std::string& name, const LoadOptions& options,
                 LoadResult& out) {
  model::DecodeOptions decode_options;
  decode_options.file = name;
  decode_options.default_namespace = options.default_namespace;
  decode_options.sequence_base = out.objects.size();
  model::DecodeResult decoded = model::decode_stream(text, decode_options);
  out.objects.insert(out.objects.end(), std::make_move_iterator(decoded.objects.begin()),
                     std::make_move_iterator(decoded.objects.end()));
  out.findings.insert(out.findings.end(), std::make_move_iterator(decoded.findings.begin()),
                      std::make_move_iterator(decoded.findings.end()));
  out.skipped_unknown += decoded.skipped_unknown;
  ++out.files;
}

// The same object twice: the later definition wins, as a second `kubectl apply` would, and
// the earlier one is reported so the user knows which copy meshward checked.
void resolve_duplicates(LoadResult& out) {
  std::map<model::ObjectKey, std::size_t> last;
  for (std::size_t i = 0; i < out.objects.size(); ++i) {
    last[model::key_of(*out.objects[i])] = i;
  }
  if (last.size() == out.objects.size()) {
    return;
  }
  std::vector<model::ObjectPtr> kept;
  kept.reserve(last.size());
  for (std::size_t i = 0; i < out.objects.size(); ++i) {
    const model::Object& obj = *out.objects[i];
    const std::size_t winner = last[model::key_of(obj)];
    if (winner == i) {
      kept.push_back(out.objects[i]);
      continue;
    }
    const model::Object& later = *out.objects[winner];
    std::string where = later.source ? later.source->file + ":" + std::to_string(later.source->line) : "later";
    out.findings.push_back(make_finding(model::kObjectDuplicate, obj.ref(), "",
                                        std::string(model::kind_name(obj.kind())) + " " +
                                            obj.meta.namespace_ + "/" + obj.meta.name +
                                            " is defined again at " + where + ", which is used",
                                        obj.source));
  }
  out.objects = std::move(kept);
}

}  // namespace

LoadResult load_text(std::string_view text, const std::string& name, const LoadOptions& options) {
  LoadResult out;
  decode_into(text, name, options, out);
  resolve_duplicates(out);
  return out;
}

Result<LoadResult> load_paths(const std::vector<std::string>& paths, const LoadOptions& options) {
  LoadResult out;
  for (const auto& path : paths) {
    if (path == "-") {
      auto text = read_stream(std::cin, "<stdin>", options.max_input_bytes);
      if (!text) {
        return text.error();
      }
      decode_into(*text, "<stdin>", options, out);
      continue;
    }
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      return Error{"cannot read " + path + ": no such file or directory"};
    }
    if (fs::is_directory(status)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && is_manifest(it->path())) {
          files.push_back(it->path());
        }
      }
      if (ec) {
        return Error{"cannot read directory " + path + ": " + ec.message()};
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        auto text = read_file(file.string(), options.max_input_bytes);
        if (!text) {
          return text.error();
        }
        decode_into(*text, file.string(), options, out);
      }
      continue;
    }
    auto text = read_file(path, options.max_input_bytes);
    if (!text) {
      return text.error();
    }
    decode_into(*text, path, options, out);
  }
  resolve_duplicates(out);
  return out;
}

}  // namespace meshward::world
