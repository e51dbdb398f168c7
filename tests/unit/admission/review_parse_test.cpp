// parse_review() reads the body with its own RapidJSON parse (no line counting, no second walk
// of the DOM, reused buffers). These tests pin that it judges every body exactly as the file
// path (model::parse_stream) did before it: the same bodies accepted, the same first error,
// the same messages and offsets.

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/admission/review.h"
#include "meshward/core/json.h"
#include "meshward/model/document.h"

namespace meshward::admission {
namespace {

// What parse_review() answered before it parsed the body itself: the body-level checks on
// top of model::parse_stream(). Empty when the body is one JSON object (request checks follow).
std::string reference_body_error(std::string_view body) {
  if (body.empty()) {
    return "no body found: POST an AdmissionReview as application/json";
  }
  if (!valid_utf8(body)) {
    return "the body is not valid UTF-8";
  }
  model::ParsedStream parsed = model::parse_stream(body, "", model::InputFormat::Json, false);
  if (!parsed.findings.empty()) {
    return "the body is not a valid AdmissionReview JSON document: " + parsed.findings.front().message;
  }
  if (parsed.documents.size() != 1 || !parsed.documents.front().json) {
    return "the body must hold exactly one JSON document";
  }
  const json::Value& root = *parsed.documents.front().json;
  if (!root.IsObject()) {
    return std::string("the body must be a JSON object, got ") + json::type_name(root);
  }
  return {};
}

bool is_body_error(const std::string& message) {
  for (std::string_view prefix :
       {"no body found", "the body is not valid UTF-8", "the body is not a valid AdmissionReview JSON",
        "the body must hold exactly one", "the body must be a JSON object"}) {
    if (message.rfind(prefix, 0) == 0) {
      return true;
    }
  }
  return false;
}

void expect_same_as_reference(const std::string& body) {
  SCOPED_TRACE(::testing::PrintToString(body.substr(0, 200)));
  const std::string expected = reference_body_error(body);
  auto parsed = parse_review(body);
  if (!expected.empty()) {
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().message, expected);
  } else if (!parsed.ok()) {
    // One JSON object: whatever is wrong is in the request, not the body.
    EXPECT_FALSE(is_body_error(parsed.error().message)) << parsed.error().message;
  }
}

const std::string kGood =
    R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
    R"("kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
    R"("namespace":"bookinfo","name":"x","operation":"CREATE","userInfo":{"username":"u"},)"
    R"("object":{"apiVersion":"networking.istio.io/v1","kind":"VirtualService",)"
    R"("metadata":{"name":"x","namespace":"bookinfo","annotations":{"note":"NOTE"}},)"
    R"("spec":{"hosts":["x"],"http":[{"route":[{"destination":{"host":"x"}}]}]}},"oldObject":null}})";

std::string nested(std::size_t depth, std::string_view inner = "") {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}

std::string with_note(std::string_view note) {
  std::string body = kGood;
  body.replace(body.find("NOTE"), 4, note);
  return body;
}

TEST(ParseReview, BodyEdgeCasesMatchTheFileParser) {
  using namespace std::string_literals;
  const std::vector<std::string> bodies = {
      "",
      " \n\t\r ",
      "{not json",
      "this is not json",
      "\0{}"s,
      kGood,
      kGood + "\n\n  ",
      kGood + "\0garbage"s,
      kGood + "\0\xff"s,
      kGood + " " + kGood,
      kGood + " {\"a\":",
      kGood + " [",
      "[1,2]",
      "\"x\"",
      "42",
      "null",
      "{}",
      "{\"a\":1,}",
      nested(511, "1"),
      nested(512, "1"),
      nested(512),
      nested(513),
      std::string(600, '[') + "x",
      nested(600) + " {}",
      "{} " + nested(600),
      "{} " + nested(600) + " {",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)" + nested(10000) + "}",
      with_note("\xC3\x28"),
      with_note("\xC0\xAF"),
      with_note("\xED\xA0\x80"),
      with_note("\xF4\x90\x80\x80"),
      with_note("b\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80"),
      with_note("\\udc00"),
      with_note("\\ud800"),
      with_note("\\ud800\\udc00"),
      with_note("a\x01" "b"),
      with_note("a\\qb"),
      "{\xff",
      "{]\xff",
      "[1e400]",
      "[123456789012345678901234567890]",
      "[-0.0e-7, 1.5, -3]",
  };
  for (const std::string& body : bodies) {
    expect_same_as_reference(body);
  }
}

// Random bodies from JSON fragments, stray bytes and whitespace: syntax errors at every
// offset, several values, NUL bytes, invalid UTF-8 inside and outside strings.
TEST(ParseReview, RandomBodiesMatchTheFileParser) {
  using namespace std::string_literals;
  const std::vector<std::string> pieces = {
      "{", "}", "[", "]", ",", ":", "\"a\"", "\"k\":", "1", "-2.5e3", "true", "fals", "null",
      " ", "\n", "\t", "\0"s, "\xff", "\xC3\xA4", "\"\\u00e4\"", "\"", "\\", "\"\\ud800\"", "0x",
      "\"x\xC3\"", "{}", "[]", "\r\n"};
  std::mt19937 rng(20261126);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 40);
  for (int i = 0; i < 5000; ++i) {
    std::string body;
    for (int n = length(rng); n > 0; --n) {
      body += pieces[pick(rng)];
    }
    expect_same_as_reference(body);
    if (HasFatalFailure()) {
      return;
    }
  }
}

TEST(ParseReview, BodyLargerThanTheReusedBufferDecodes) {
  // A 300 KB annotation: the DOM outgrows the thread's buffer and spills into heap chunks.
  const std::string note(300 * 1024, 'n');
  for (int round = 0; round < 3; ++round) {  // and the buffer is reused afterwards
    auto big = parse_review(with_note(note));
    ASSERT_TRUE(big.ok()) << big.error().message;
    ASSERT_TRUE(big->object);
    EXPECT_EQ(big->object->meta.annotations.at("note").size(), note.size());
    auto small = parse_review(kGood);
    ASSERT_TRUE(small.ok()) << small.error().message;
    EXPECT_EQ(small->object->meta.annotations.at("note"), "NOTE");
  }
}

// A straightforward decoder to compare the validator's 16-byte ASCII skipping against.
bool reference_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + n >= text.size()) {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

TEST(ParseReview, Utf8ValidatorAtEveryOffsetOfALongAsciiRun) {
  const std::vector<std::string> inserts = {
      "\xC3\xA4", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xC3", "\xE2\x82", "\xF0\x9F\x98",
      "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xFF", "\xC3\x28"};
  for (const std::string& insert : inserts) {
    for (std::size_t before = 0; before <= 40; ++before) {
      for (std::size_t after : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{33}}) {
        const std::string text = std::string(before, 'a') + insert + std::string(after, 'b');
        EXPECT_EQ(valid_utf8(text), reference_utf8(text))
            << ::testing::PrintToString(insert) << " after " << before << " bytes, then " << after;
      }
    }
  }
  EXPECT_TRUE(valid_utf8(std::string(1000, 'x')));
  EXPECT_TRUE(valid_utf8(""));
}

}  // namespace
}  // namespace meshward::admission
