#pragma once
// The one place RapidJSON is included. Our input is untrusted, so RapidJSON's internal
// assertions (plain assert(): abort in debug, undefined behaviour in release) are turned
// into exceptions that the module boundary catches and reports.

#include <stdexcept>
#include <string>

namespace meshward::json {
/// Thrown when RapidJSON's own precondition checks fail (misuse on unexpected input).
struct AssertionFailure : std::logic_error {
  using std::logic_error::logic_error;
};
}  // namespace meshward::json

#ifndef RAPIDJSON_ASSERT
#define RAPIDJSON_ASSERT(x) \
  ((x) ? static_cast<void>(0) : throw ::meshward::json::AssertionFailure("rapidjson: " #x))
#endif
#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
// A few RapidJSON asserts sit in noexcept functions, where this throw would terminate; the
// decoder checks types (IsX before GetX) so those are never reached from input.

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace meshward::json {
using Value = rapidjson::Value;
using Document = rapidjson::Document;
using Allocator = rapidjson::Document::AllocatorType;
using StringBuffer = rapidjson::StringBuffer;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using PrettyWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

/// Name of a JSON value's type as a user would say it ("string", "object", ...).
const char* type_name(const Value& v);

/// Serialises a value compactly.
std::string to_string(const Value& v);
}  // namespace meshward::json
