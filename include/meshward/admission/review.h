#pragma once
// AdmissionReview (admission.k8s.io/v1 and v1beta1): decoding the request the API server
// sends to `POST /validate` and rendering the answer in the version it was asked in.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/diag.h"
#include "meshward/core/result.h"
#include "meshward/model/object.h"

namespace meshward::admission {

/// The AdmissionReview API versions meshward speaks.
enum class ReviewVersion : std::uint8_t { V1, V1beta1 };

/// "admission.k8s.io/v1" or "admission.k8s.io/v1beta1".
std::string_view review_api_version(ReviewVersion v);

/// The operation a review asks about.
enum class Operation : std::uint8_t { Create, Update, Delete, Connect };

/// "CREATE", "UPDATE", "DELETE", "CONNECT".
std::string_view operation_name(Operation op);

/// request.kind: the group/version/kind of the object as the API server names it.
struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;
};

/// A decoded AdmissionReview request. Objects are decoded with the model; their decode
/// findings (unknown fields, wrong types) are kept for the decision.
struct Review {
  ReviewVersion version = ReviewVersion::V1;
  std::string uid;
  GroupVersionKind kind;
  std::string namespace_;  ///< request.namespace ("" for cluster-scoped kinds).
  std::string name;        ///< request.name (may be empty on CREATE with generateName).
  Operation operation = Operation::Create;
  bool dry_run = false;
  /// Whether meshward models request.kind; when false the objects are null and the review
  /// is allowed without checks (the webhook may be registered for more kinds than we read).
  bool modelled = false;
  model::ObjectPtr object;      ///< CREATE/UPDATE: the new object; else null.
  model::ObjectPtr old_object;  ///< UPDATE/DELETE: the object before; may be null.
  std::vector<Finding> object_findings;  ///< Decode findings of `object`.
  /// The body with the characters of request.uid cut out (and where they were): equal for
  /// two reviews exactly when their bodies differ in request.uid alone, so they introduce
  /// the same findings (FindingsCache). Empty for a body over FindingsCache::kMaxKeyBytes.
  std::string reuse_key;
};

/// A review that cannot be answered: the server turns it into HTTP 400 with a JSON body.
struct ReviewError {
  int http_status = 400;
  std::string message;
};

/// Parses an AdmissionReview JSON body. Every malformed input (invalid JSON or UTF-8, depth
/// past the parser's limit, wrong apiVersion/kind, no `request`, no `uid`, an unknown
/// operation, a missing object, an object whose kind differs from request.kind) yields an
/// Error whose message names the problem. Never throws.
Result<Review> parse_review(std::string_view body);

/// The answer to one review.
struct Response {
  bool allowed = true;
  /// metav1.Status code on deny, 0 when allowed. 403 for findings: Istio's webhook leaves
  /// the code unset and the API server then reports 403 Forbidden; we set it explicitly.
  int status_code = 0;
  std::string message;       ///< status.message on deny; empty when allowed.
  std::vector<std::string> warnings;
};

/// Renders `{"apiVersion": <asked>, "kind": "AdmissionReview", "response": {...}}` with
/// response.uid = `uid`.
std::string render_response(ReviewVersion version, std::string_view uid, const Response& response);

/// Renders the JSON error body for a non-200 answer: a metav1.Status
/// (`{"kind":"Status","apiVersion":"v1","status":"Failure","message":...,"reason":...,"code":N}`).
std::string render_error(int http_status, std::string_view message);

/// Whether `text` is valid UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool valid_utf8(std::string_view text);

}  // namespace meshward::admission
