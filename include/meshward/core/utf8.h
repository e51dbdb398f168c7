#pragma once
// UTF-8 repairs for decoded JSON strings.

#include <optional>
#include <string>
#include <string_view>

namespace meshward::utf8 {

/// RapidJSON 1.1 decodes a "\uDC00" escape, a lone UTF-16 low surrogate, into bytes that are
/// not UTF-8 (ED B0 80), which would then reach every message and answer that quotes the
/// string; Go's decoder, and so the API server, reads it as U+FFFD. Returns `s` with each such
/// sequence replaced by U+FFFD (EF BF BD, the same length), or nullopt when it holds none.
/// For SAX handlers (String, Key) of text whose raw bytes are valid UTF-8 (found by
/// fuzz_admission: an answer quoting such a key was not UTF-8).
std::optional<std::string> without_surrogates(std::string_view s);

}  // namespace meshward::utf8
