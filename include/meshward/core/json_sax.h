#pragma once
// What the SAX handlers that build a DOM from untrusted JSON (model::parse_stream(), the
// admission body parser) do with each string and key they are handed.

#include "meshward/core/json.h"
#include "meshward/core/utf8.h"

namespace meshward::json {

/// Adds string `s` of `n` bytes to `doc` (a key when `key`), with the lone surrogates RapidJSON
/// decodes from "\uDC00" escapes as U+FFFD (utf8::without_surrogates()).
inline bool add_string(Document& doc, const char* s, rapidjson::SizeType n, bool copy, bool key) {
  if (auto fixed = utf8::without_surrogates({s, n})) {
    return key ? doc.Key(fixed->data(), n, true) : doc.String(fixed->data(), n, true);
  }
  return key ? doc.Key(s, n, copy) : doc.String(s, n, copy);
}

}  // namespace meshward::json
