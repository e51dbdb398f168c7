#include "meshward/admission/review.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "meshward/admission/findings_cache.h"
#include "meshward/core/json.h"
#include "meshward/core/json_sax.h"
#include "meshward/model/decode.h"
#include "meshward/model/document.h"

namespace meshward::admission {

namespace {

Error fail(std::string message) { return Error{std::move(message)}; }

std::string_view str(const json::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// A member, or nullptr when absent. A repeated key reads as its last occurrence, as the API
// server's JSON decoder and model::decode_document() read it.
const json::Value* member(const json::Value& obj, const char* name) {
  const std::string_view key(name);
  const json::Value* found = nullptr;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (str(it->name) == key) {
      found = &it->value;
    }
  }
  return found;
}

Result<std::string> string_member(const json::Value& obj, const char* name, const char* where,
                                  bool required) {
  const json::Value* v = member(obj, name);
  if (v == nullptr || v->IsNull()) {
    if (required) {
      return fail(std::string(where) + "." + name + " is missing");
    }
    return std::string();
  }
  if (!v->IsString()) {
    return fail(std::string(where) + "." + name + " must be a string, got " + json::type_name(*v));
  }
  return std::string(str(*v));
}

std::string_view group_of(std::string_view api_version) {
  auto slash = api_version.find('/');
  return slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
}

// Decodes request.object / request.oldObject. Returns an Error for a shape problem (not an
// object, kind mismatch); null object when the field is absent or null.
Result<model::ObjectPtr> decode_embedded(const json::Value& request, const char* field,
                                         const Review& review, std::vector<Finding>* findings) {
  const json::Value* v = member(request, field);
  if (v == nullptr || v->IsNull()) {
    return model::ObjectPtr();
  }
  const std::string where = std::string("request.") + field;
  if (!v->IsObject()) {
    return fail(where + " must be an object, got " + json::type_name(*v));
  }
  auto api = string_member(*v, "apiVersion", where.c_str(), true);
  if (!api) {
    return api.error();
  }
  auto kind = string_member(*v, "kind", where.c_str(), true);
  if (!kind) {
    return kind.error();
  }
  if (*kind != review.kind.kind || group_of(*api) != review.kind.group) {
    return fail(where + " is " + *api + " " + *kind + " but request.kind is " +
                (review.kind.group.empty() ? "" : review.kind.group + "/") + review.kind.version +
                " " + review.kind.kind);
  }
  model::DecodeOptions options;
  options.default_namespace = review.namespace_.empty() ? "default" : review.namespace_;
  // The object under review is the newest in the world: where creation times tie (or are
  // absent, as in manifests), precedence rules (oldest VirtualService wins a host) must
  // rank it after every object already there.
  options.sequence_base = std::numeric_limits<std::uint64_t>::max() / 2;
  std::vector<Finding> scratch;
  model::ObjectPtr obj = model::decode_object(*v, options, findings ? *findings : scratch);
  if (!obj) {
    // A modelled kind that does not decode as one object: its findings say why (the
    // decision denies on them); keep going with no object.
    return model::ObjectPtr();
  }
  return obj;
}

Result<Review> parse_request(const json::Value& root) {
  Review review;
  const json::Value* api = member(root, "apiVersion");
  const json::Value* kind = member(root, "kind");
  if (api == nullptr || !api->IsString()) {
    return fail("apiVersion is missing; expected admission.k8s.io/v1 or admission.k8s.io/v1beta1");
  }
  if (str(*api) == "admission.k8s.io/v1") {
    review.version = ReviewVersion::V1;
  } else if (str(*api) == "admission.k8s.io/v1beta1") {
    review.version = ReviewVersion::V1beta1;
  } else {
    return fail("apiVersion \"" + std::string(str(*api)) +
                "\" is not supported; expected admission.k8s.io/v1 or admission.k8s.io/v1beta1");
  }
  if (kind == nullptr || !kind->IsString() || str(*kind) != "AdmissionReview") {
    return fail("kind must be AdmissionReview");
  }
  const json::Value* request = member(root, "request");
  if (request == nullptr || request->IsNull()) {
    return fail("the AdmissionReview has no request");
  }
  if (!request->IsObject()) {
    return fail(std::string("request must be an object, got ") + json::type_name(*request));
  }
  auto uid = string_member(*request, "uid", "request", true);
  if (!uid) {
    return uid.error();
  }
  if (uid->empty()) {
    return fail("request.uid is empty");
  }
  review.uid = std::move(*uid);

  const json::Value* gvk = member(*request, "kind");
  if (gvk == nullptr || !gvk->IsObject()) {
    return fail("request.kind is missing or not an object");
  }
  auto group = string_member(*gvk, "group", "request.kind", false);
  auto version = string_member(*gvk, "version", "request.kind", false);
  auto kind_name = string_member(*gvk, "kind", "request.kind", true);
  for (auto* r : {&group, &version, &kind_name}) {
    if (!*r) {
      return r->error();
    }
  }
  review.kind = {std::move(*group), std::move(*version), std::move(*kind_name)};
  if (review.kind.kind.empty()) {
    return fail("request.kind.kind is empty");
  }

  auto op = string_member(*request, "operation", "request", true);
  if (!op) {
    return op.error();
  }
  if (*op == "CREATE") {
    review.operation = Operation::Create;
  } else if (*op == "UPDATE") {
    review.operation = Operation::Update;
  } else if (*op == "DELETE") {
    review.operation = Operation::Delete;
  } else if (*op == "CONNECT") {
    review.operation = Operation::Connect;
  } else {
    return fail("request.operation \"" + *op + "\" is not CREATE, UPDATE, DELETE or CONNECT");
  }
  auto ns = string_member(*request, "namespace", "request", false);
  auto name = string_member(*request, "name", "request", false);
  if (!ns) {
    return ns.error();
  }
  if (!name) {
    return name.error();
  }
  review.namespace_ = std::move(*ns);
  review.name = std::move(*name);
  if (const json::Value* dry = member(*request, "dryRun"); dry != nullptr && !dry->IsNull()) {
    if (!dry->IsBool()) {
      return fail(std::string("request.dryRun must be a boolean, got ") + json::type_name(*dry));
    }
    review.dry_run = dry->GetBool();
  }
  if (review.operation == Operation::Connect) {
    return review;  // Nothing to decode: CONNECT is allowed without checks.
  }

  // Istio looks kinds up by group and kind, ignoring the version, so a new API version is
  // not rejected for being new.
  review.modelled = model::find_kind(review.kind.group, review.kind.kind) != nullptr;
  const bool needs_object =
      review.operation == Operation::Create || review.operation == Operation::Update;
  const json::Value* object = member(*request, "object");
  if (needs_object && (object == nullptr || object->IsNull())) {
    return fail("request.object is missing for " + std::string(operation_name(review.operation)));
  }
  if (!review.modelled) {
    return review;
  }
  auto obj = decode_embedded(*request, "object", review, &review.object_findings);
  if (!obj) {
    return obj.error();
  }
  review.object = std::move(*obj);
  auto old = decode_embedded(*request, "oldObject", review, nullptr);
  if (!old) {
    return old.error();
  }
  review.old_object = std::move(*old);
  return review;
}

// Parsing the body. model::parse_stream() is the path for files: it counts lines as it reads
// and walks the finished DOM again to pair values with lines and measure depth. A review
// needs neither the lines nor the second walk, and its DOM is thrown away once decoded, so
// the body is parsed here directly, with the same RapidJSON flags and the same outcome for
// every input (the same documents accepted, the same first error, the same messages and
// offsets; tests/unit/admission pins them).

// In situ: strings are unescaped where they are, in the thread's copy of the body, and the DOM
// points at them instead of copying each twice (the reader's stack, then the DOM's pool).
constexpr unsigned kJsonFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag |
                                rapidjson::kParseInsituFlag;

// Per-thread buffers reused by every review parsed on the thread: the DOM's first memory
// chunk (large enough for a kubectl-sized review with managedFields), the reader, whose
// stack (open containers) keeps its capacity between parses, and the copy of the body the
// parse unescapes strings in (ending in a NUL: BodyStream reads up to it without a bounds
// check).
// Allocated on first use, so threads that never parse a review pay nothing.
struct ParseScratch {
  static constexpr std::size_t kPoolBytes = 64 * 1024;
  std::unique_ptr<char[]> pool{new char[kPoolBytes]};
  std::optional<rapidjson::Reader> reader{std::in_place};
  std::string text;

  // The reader's stack grows with the longest string and the deepest nesting, both bounded
  // by the body's size: after a body larger than the pool, start a fresh reader so one huge
  // review does not pin its memory to the thread.
  void after(std::string_view body) {
    if (body.size() > kPoolBytes) {
      reader.emplace();
      text = std::string();
    }
  }
};

ParseScratch& parse_scratch() {
  thread_local ParseScratch scratch;
  return scratch;
}

// The body as a RapidJSON in-situ stream over a copy that ends in a NUL (a std::string's):
// reads stop at the first NUL, the end or one inside the body (the parse ends there, as with
// RapidJSON's own InsituStringStream); each string is unescaped over its own bytes; offsets
// from the body's start. No line counting. Checking only for the NUL, not for the end as
// well, made the parse 8% faster; parsing in situ, 10% more (admission_bench).
class BodyStream {
 public:
  using Ch = char;
  explicit BodyStream(std::string& text) : begin_(text.data()), cur_(begin_) {}
  Ch Peek() const { return *cur_; }
  Ch Take() { return *cur_ == '\0' ? '\0' : *cur_++; }
  std::size_t Tell() const { return static_cast<std::size_t>(cur_ - begin_); }
  // Write side: a string's unescaped bytes go over the string itself (never past the read
  // position: unescaping only shortens).
  Ch* PutBegin() { return dst_ = cur_; }
  void Put(Ch c) { *dst_++ = c; }
  void Flush() {}
  std::size_t PutEnd(Ch* begin) { return static_cast<std::size_t>(dst_ - begin); }

 private:
  char* begin_;
  char* cur_;
  char* dst_ = nullptr;
};

// Where the characters of request.uid are in the body (between its quotes), for
// Review::reuse_key; begin == end == npos when the body has none.
struct UidSpan {
  std::size_t begin = std::string_view::npos;
  std::size_t end = std::string_view::npos;
  bool found() const { return begin != std::string_view::npos; }
};

// Forwards SAX events to the Document and records the deepest value (the root is at depth 1),
// which parse_stream() measures on the finished DOM (ParseLimits::max_depth), and where
// request.uid's characters are: for a repeated key, its last occurrence, as member() reads it.
class DepthCounter {
 public:
  using Ch = char;
  // `body`: the text as received (the stream's copy is rewritten as strings are unescaped).
  DepthCounter(json::Document& doc, std::string_view body, const BodyStream& stream)
      : doc_(doc), body_(body), stream_(stream),
        // A lone surrogate can only come from a \u escape (the body is valid UTF-8): without
        // one, no string needs json::add_string's repair.
        escapes_(body.find("\\u") != std::string_view::npos) {}
  bool Null() { return value(), doc_.Null(); }
  bool Bool(bool b) { return value(), doc_.Bool(b); }
  bool Int(int i) { return value(), doc_.Int(i); }
  bool Uint(unsigned u) { return value(), doc_.Uint(u); }
  bool Int64(std::int64_t i) { return value(), doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return value(), doc_.Uint64(u); }
  bool Double(double d) { return value(), doc_.Double(d); }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) { return value(), doc_.RawNumber(s, n, copy); }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) {
    if (expect_uid_) {
      uid_string();
    }
    return fits(n) && (value(), add(s, n, copy, /*key=*/false));
  }
  bool StartObject() {
    const bool request = expect_request_;
    value();
    ++open_;
    in_request_ = in_request_ || (request && open_ == 2);
    return doc_.StartObject();
  }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) {
    const std::string_view key(s, n);
    if (open_ == 1) {
      expect_request_ = key == "request";
      if (expect_request_) {
        uid_ = {};  // A repeated "request": only the last one counts.
      }
    } else if (open_ == 2 && in_request_ && key == "uid") {
      expect_uid_ = true;
      uid_key_end_ = stream_.Tell();
    }
    return fits(n) && add(s, n, copy, /*key=*/true);
  }
  bool EndObject(rapidjson::SizeType n) {
    if (open_ == 2) {
      in_request_ = false;
    }
    return --open_, doc_.EndObject(n);
  }
  bool StartArray() { return value(), ++open_, doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return --open_, doc_.EndArray(n); }
  std::size_t max_depth() const { return max_depth_; }
  /// Length of the string over ParseLimits::max_string_bytes that stopped the parse, or 0.
  std::size_t long_string() const { return long_string_; }
  const UidSpan& uid() const { return uid_; }

 private:
  void value() {
    max_depth_ = std::max(max_depth_, open_ + 1);
    expect_request_ = false;
    if (expect_uid_) {
      expect_uid_ = false;
      uid_ = {};  // Not a string: the review is refused (request.uid must be a string).
    }
  }
  // request.uid's value, a string, has just been read: the stream is past its closing quote,
  // and its opening quote is the first one after the key (past blanks and the colon).
  void uid_string() {
    expect_uid_ = false;
    const std::size_t open_quote = body_.find('"', uid_key_end_);
    const std::size_t close_quote = stream_.Tell() - 1;
    if (open_quote < close_quote) {
      uid_ = {open_quote + 1, close_quote};
    } else {
      uid_ = {};
    }
  }
  bool add(const Ch* s, rapidjson::SizeType n, bool copy, bool key) {
    if (escapes_) {
      return json::add_string(doc_, s, n, copy, key);
    }
    return key ? doc_.Key(s, n, copy) : doc_.String(s, n, copy);
  }
  bool fits(rapidjson::SizeType n) {
    if (n <= model::ParseLimits{}.max_string_bytes) {
      return true;
    }
    long_string_ = n;
    return false;
  }
  json::Document& doc_;
  std::string_view body_;
  const BodyStream& stream_;
  const bool escapes_;
  std::size_t long_string_ = 0;
  std::size_t open_ = 0;
  std::size_t max_depth_ = 0;
  bool expect_request_ = false;  // The root's "request" key was just read.
  bool in_request_ = false;      // Inside the root's "request" object.
  bool expect_uid_ = false;      // Its "uid" key was just read.
  std::size_t uid_key_end_ = 0;  // Where that key's closing quote ends.
  UidSpan uid_;
};

// Parses the JSON values in `body` as parse_stream(body, "", Json, false) does: values
// separated by whitespace until the end; a syntax error, a NUL byte or a string longer than
// ParseLimits::max_string_bytes ends the parse; a value nested deeper than the limit is an
// error and is skipped. Returns how many values parsed (the first is in `first`, where its
// request.uid is in `uid`), or the first error's message. The parse runs in situ over
// `scratch.text`, a copy of `body`; `first` points into it.
Result<std::size_t> parse_body(std::string_view body, ParseScratch& scratch, json::Document& first,
                               UidSpan& uid) {
  const std::size_t max_depth = model::ParseLimits{}.max_depth;
  scratch.text.assign(body.data(), body.size());
  BodyStream stream(scratch.text);
  std::optional<std::string> error;
  std::size_t documents = 0;
  std::optional<json::Document> extra;  // Values after the first: parsed only to be judged.
  while (true) {
    while (stream.Peek() == ' ' || stream.Peek() == '\n' || stream.Peek() == '\r' ||
           stream.Peek() == '\t') {
      stream.Take();
    }
    if (stream.Peek() == '\0') {
      if (stream.Tell() < body.size() && !error) {
        error = "JSON does not parse: " + model::nul_byte_message(stream.Tell());
      }
      break;
    }
    json::Document* doc = &first;
    if (documents > 0) {
      doc = &extra.emplace();
    }
    DepthCounter counter(*doc, body, stream);
    rapidjson::ParseResult result;
    auto generate = [&](json::Document&) {
      result = scratch.reader->Parse<kJsonFlags>(stream, counter);
      return !result.IsError();
    };
    doc->Populate(generate);
    if (documents == 0) {
      uid = counter.uid();
    }
    if (result.IsError()) {
      if (!error) {
        const std::size_t nul = body.find('\0');
        if (counter.long_string() != 0) {
          error = model::string_limit_message(counter.long_string(),
                                              model::ParseLimits{}.max_string_bytes);
        } else if (nul != std::string_view::npos && nul <= result.Offset()) {
          error = "JSON does not parse: " + model::nul_byte_message(nul);
        } else {
          error = std::string("JSON does not parse: ") + rapidjson::GetParseError_En(result.Code()) +
                  " (offset " + std::to_string(result.Offset()) + ")";
        }
      }
      break;  // Nothing after a syntax error is read.
    }
    if (counter.max_depth() > max_depth) {
      if (!error) {
        error = model::depth_limit_message(max_depth);
      }
      continue;
    }
    ++documents;
  }
  if (error) {
    return Error{std::move(*error)};
  }
  return documents;
}

void write_string(json::Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 413:
      return "RequestEntityTooLarge";
    case 415:
      return "UnsupportedMediaType";
    case 431:
      return "RequestHeaderFieldsTooLarge";
    case 503:
      return "ServiceUnavailable";
    default:
      return status >= 500 ? "InternalError" : "BadRequest";
  }
}

}  // namespace

std::string_view review_api_version(ReviewVersion v) {
  return v == ReviewVersion::V1 ? "admission.k8s.io/v1" : "admission.k8s.io/v1beta1";
}

std::string_view operation_name(Operation op) {
  switch (op) {
    case Operation::Create:
      return "CREATE";
    case Operation::Update:
      return "UPDATE";
    case Operation::Delete:
      return "DELETE";
    case Operation::Connect:
      return "CONNECT";
  }
  return "UNKNOWN";
}

bool valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Review bodies are almost all ASCII: skip 16 bytes at a time while no byte has its top
    // bit set, so this pass costs next to nothing beside the parse.
    while (end - p >= 16) {
      std::uint64_t a = 0;
      std::uint64_t b = 0;
      std::memcpy(&a, p, 8);
      std::memcpy(&b, p + 8, 8);
      if (((a | b) & 0x8080808080808080ull) != 0) {
        break;
      }
      p += 16;
    }
    if (p == end) {
      break;
    }
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= n) {
      return false;
    }
    for (std::size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

Result<Review> parse_review(std::string_view body) {
  if (body.empty()) {
    return fail("no body found: POST an AdmissionReview as application/json");
  }
  if (!valid_utf8(body)) {
    return fail("the body is not valid UTF-8");
  }
  try {
    ParseScratch& scratch = parse_scratch();
    // The DOM lives only for this call (the decoder copies what it keeps), so it is built in
    // the thread's reusable buffer; a body too big for it spills into heap chunks that the
    // allocator frees on return.
    json::Allocator pool(scratch.pool.get(), ParseScratch::kPoolBytes);
    json::Document doc(&pool);
    UidSpan uid;
    auto parsed = parse_body(body, scratch, doc, uid);
    scratch.after(body);
    if (!parsed) {
      return fail("the body is not a valid AdmissionReview JSON document: " + parsed.error().message);
    }
    if (*parsed != 1) {
      return fail("the body must hold exactly one JSON document");
    }
    const json::Value& root = doc;
    if (!root.IsObject()) {
      return fail(std::string("the body must be a JSON object, got ") + json::type_name(root));
    }
    auto review = parse_request(root);
    if (review && uid.found() && body.size() <= FindingsCache::kMaxKeyBytes) {
      // The body without the uid's characters; the length of what precedes them fixes where
      // the cut was, so two bodies share a key only when they differ in request.uid alone.
      const std::string_view before = body.substr(0, uid.begin);
      const std::string_view after = body.substr(uid.end);
      std::string& key = review->reuse_key;
      key.reserve(body.size() + 12);
      key = std::to_string(before.size());
      key += ':';
      key += before;
      key += after;
    }
    return review;
  } catch (const std::exception& e) {
    return fail(std::string("could not decode the AdmissionReview: ") + e.what());
  }
}

std::string render_response(ReviewVersion version, std::string_view uid, const Response& response) {
  json::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  w.Key("apiVersion");
  write_string(w, review_api_version(version));
  w.Key("kind");
  w.String("AdmissionReview");
  w.Key("response");
  w.StartObject();
  w.Key("uid");
  write_string(w, uid);
  w.Key("allowed");
  w.Bool(response.allowed);
  if (!response.allowed) {
    w.Key("status");
    w.StartObject();
    w.Key("code");
    w.Int(response.status_code != 0 ? response.status_code : 403);
    w.Key("reason");
    write_string(w, reason_phrase(response.status_code != 0 ? response.status_code : 403));
    w.Key("message");
    write_string(w, response.message);
    w.EndObject();
  }
  if (!response.warnings.empty()) {
    w.Key("warnings");
    w.StartArray();
    for (const auto& s : response.warnings) {
      write_string(w, s);
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string render_error(int http_status, std::string_view message) {
  json::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  w.Key("kind");
  w.String("Status");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("status");
  w.String("Failure");
  w.Key("message");
  // Messages may quote user input; keep the body valid UTF-8 whatever it held.
  if (valid_utf8(message)) {
    write_string(w, message);
  } else {
    w.String("(message not valid UTF-8)");
  }
  w.Key("reason");
  write_string(w, reason_phrase(http_status));
  w.Key("code");
  w.Int(http_status);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace meshward::admission
