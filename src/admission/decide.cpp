#include "meshward/admission/decide.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <iterator>
#include <unordered_set>
#include <utility>

#include "meshward/rules/focus.h"
#include "meshward/rules/run.h"
#include "meshward/rules/validate.h"
#include "meshward/world/overlay.h"

namespace meshward::admission {

namespace {

// RE2 program instructions the checks of one review may compile in all (about 32 regexes
// that RE2 gives up on at rules::validate::kRegexMaxMem; thousands of ordinary ones).
constexpr std::size_t kReviewRegexInstructions = std::size_t{1} << 21;

// Upper bound for status.message; the API server echoes it to the client.
constexpr std::size_t kMaxDenyMessage = 16 * 1024;
// Upper bound for one finding's line in it.
constexpr std::size_t kMaxDenyLine = 1024;

std::string resource_text(const ResourceRef& r) {
  std::string s = r.kind;
  s += ' ';
  if (!r.namespace_.empty()) {
    s += r.namespace_;
    s += '/';
  }
  s += r.name;
  return s;
}

// Cuts `s` to at most `max` bytes at a UTF-8 boundary, preferring a word boundary, and marks
// the cut with "...".
std::string cut(std::string s, std::size_t max) {
  if (s.size() <= max) {
    return s;
  }
  constexpr std::string_view kEllipsis = "...";
  std::size_t end = max > kEllipsis.size() ? max - kEllipsis.size() : 0;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) {
    --end;  // Do not split a UTF-8 sequence.
  }
  const std::size_t space = s.rfind(' ', end);
  if (space != std::string::npos && space + 20 > end && space > 0) {
    end = space;
  }
  s.resize(end);
  s += kEllipsis;
  return s;
}

std::optional<model::ObjectKey> deleted_key(const Review& review) {
  if (review.old_object) {
    return model::key_of(*review.old_object);
  }
  auto kind = model::parse_kind(review.kind.kind);
  if (!kind || review.name.empty()) {
    return std::nullopt;
  }
  return model::ObjectKey{*kind, model::kind_is_namespaced(*kind) ? review.namespace_ : "",
                          review.name};
}

std::string deny_message(const std::vector<const Finding*>& denied) {
  std::string msg = "configuration is invalid: " + std::to_string(denied.size()) +
                    (denied.size() == 1 ? " error" : " errors") + " occurred:";
  std::size_t shown = 0;
  for (const Finding* f : denied) {
    std::string line = "\n\t* " + f->code + " " + resource_text(f->resource);
    if (!f->path.empty()) {
      line += " " + f->path;
    }
    line += ": " + f->message;
    // One line is cut to a share of the message, so a single finding about a huge name
    // cannot crowd out every reason (before, a 3 MB name left "1 error occurred: and 1 more").
    line = cut(std::move(line), kMaxDenyLine);
    if (msg.size() + line.size() > kMaxDenyMessage) {
      break;
    }
    msg += line;
    ++shown;
  }
  if (shown < denied.size()) {
    msg += "\n\t* and " + std::to_string(denied.size() - shown) + " more";
  }
  return msg;
}

// Whether `f` is about `object` (and not about another object the change affects).
bool about(const Finding& f, const model::Object& object) {
  return f.resource.kind == model::kind_name(object.kind()) &&
         f.resource.namespace_ == object.meta.namespace_ && f.resource.name == object.meta.name;
}

Decision allow(std::string reason) {
  Decision d;
  d.reason = std::move(reason);
  return d;
}

}  // namespace

std::string warning_text(const Finding& f, const WarningLimits& limits) {
  std::string prefix = f.code + " " + resource_text(f.resource) + ": ";
  // Aim at target_chars; a long name may push the line up to max_chars, never beyond.
  std::size_t budget = limits.target_chars;
  if (prefix.size() + 40 > budget) {
    budget = std::min(limits.max_chars, prefix.size() + 40);
  }
  return cut(prefix + f.message, budget);
}

std::vector<std::string> warning_list(const std::vector<Finding>& findings,
                                      const WarningLimits& limits) {
  std::vector<std::string> out;
  std::size_t total = 0;
  constexpr std::size_t kSummaryRoom = 24;  // "and 4294967295 more"
  for (std::size_t i = 0; i < findings.size(); ++i) {
    std::string w = warning_text(findings[i], limits);
    const bool last = i + 1 == findings.size();
    if (total + w.size() + (last ? 0 : kSummaryRoom) > limits.max_total) {
      out.push_back("and " + std::to_string(findings.size() - i) + " more");
      return out;
    }
    total += w.size();
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<Finding> introduced_findings(const Review& review, const EvaluatedWorld& world) {
  std::optional<world::Overlay> after;
  if (review.operation == Operation::Delete) {
    if (auto key = deleted_key(review)) {
      after.emplace(world::Overlay::erase(world.snapshot, *key));
    }
  } else if (review.object) {
    after.emplace(world::Overlay::put(world.snapshot, review.object));
  }
  std::vector<Finding> found;
  if (after) {
    // Only what the change can alter is evaluated: the mesh checks that read the changed
    // kind, each on the neighbourhood of the change (the changed object and the objects whose
    // checks read it, rules/focus.h), over the whole overlay world; the object's own resource
    // checks come below. Subtracting the base world's findings leaves what the change
    // introduces, anywhere: a DELETE or UPDATE that breaks another object is reported.
    const model::Object* changed = after->added() != nullptr ? after->added() : after->removed();
    if (changed != nullptr) {
      const rules::Focus focus =
          rules::change_focus(*world.snapshot, *after, after->removed(), after->added(),
                              world.translate.mesh);
      rules::RunOptions options;
      options.translate = world.translate;  // the release the world's findings were judged by
      if (!translate::EndpointCache::reads(changed->kind())) {
        // The overlay agrees with the world on every endpoint source: its endpoints are the
        // world's, shared with the other reviews against it.
        options.endpoint_cache = world.endpoints.get();
      }
      found = rules::check_mesh_reading(*after, changed->kind(), options, &focus);
    }
  }
  std::vector<Finding> out;
  std::unordered_set<std::string> seen;
  for (Finding& f : found) {
    std::string id = finding_identity(f);
    if (world.finding_ids.count(id) == 0 && seen.insert(std::move(id)).second) {
      out.push_back(std::move(f));
    }
  }
  if (review.object && review.operation != Operation::Delete) {
    // The object's own problems count even when the old version had them too (Istio's
    // webhook rejects an invalid object whatever was there before).
    std::vector<Finding> own = review.object_findings;
    std::vector<Finding> checked = rules::check_object(*review.object);
    own.insert(own.end(), std::make_move_iterator(checked.begin()),
               std::make_move_iterator(checked.end()));
    for (Finding& f : own) {
      if (seen.insert(finding_identity(f)).second) {
        out.push_back(std::move(f));
      }
    }
  }
  // As `meshward check` does: a field the decoder rejected is not reported again by a check
  // that saw it as absent.
  rules::drop_findings_on_rejected_fields(out);
  sort_findings(out);
  return out;
}

Decision decide(const Review& review, const EvaluatedWorld* world, const Policy& policy,
                const WarningLimits& limits) {
  if (review.operation == Operation::Connect) {
    return allow("unsupported_operation");
  }
  if (!review.modelled) {
    return allow("unmodelled_kind");
  }
  // Per-namespace enforcement: "off" skips the checks altogether; "warn" runs them but
  // nothing denies.
  const Enforcement enforcement = policy.enforcement_for(review.namespace_);
  if (enforcement == Enforcement::Off) {
    return allow("not_enforced");
  }
  const bool warn_only = enforcement == Enforcement::Warn;
  const std::string warn_only_note =
      "meshward enforcement is warn in namespace " +
      (review.namespace_.empty() ? std::string("(cluster scope)") : review.namespace_);
  Decision d;
  if (world == nullptr || !world->snapshot) {
    d.reason = "no_world";
    if (warn_only) {
      d.response.warnings.push_back(
          cut(warn_only_note + ": not checked, meshward has no world loaded yet", limits.max_chars));
      return d;
    }
    d.response.allowed = false;
    d.response.status_code = 503;
    d.response.message = "meshward has no world loaded yet; retry shortly";
    return d;
  }
  const bool writes = review.operation != Operation::Delete;
  if (writes && !review.object) {
    // The object did not decode (its findings say why); nothing to overlay.
    d.introduced = review.object_findings;
  } else if (auto kept = world->findings_cache ? world->findings_cache->find(review.reuse_key)
                                                : std::nullopt) {
    // The same change was reviewed against this world before (findings_cache.h).
    d.introduced = std::move(*kept);
    d.reused = true;
  } else {
    d.introduced = introduced_findings(review, *world);
    if (world->findings_cache) {
      world->findings_cache->put(review.reuse_key, d.introduced);
    }
  }

  const OptOut opt_out = opt_out_of(writes ? review.object.get() : review.old_object.get());
  // The object created or updated: what it refers to may be applied right after it.
  const model::Object* reviewed = writes ? review.object.get() : nullptr;
  std::vector<const Finding*> denied;
  std::vector<Finding> warned;
  std::size_t not_enforced = 0;  // Would-be denials that warn-only enforcement turned into warnings.
  std::size_t not_yet = 0;  // Would-be denials of missing references on the reviewed object.
  for (const Finding& f : d.introduced) {
    Action policy_action = Action::Ignore;
    if (!opt_out.skips(f)) {
      policy_action = policy.action_for(f);
      if (reviewed != nullptr && about(f, *reviewed)) {
        const Action lenient = policy.bounded_for_reviewed(f, policy_action);
        not_yet += policy_action == Action::Deny && lenient != Action::Deny ? 1 : 0;
        policy_action = lenient;
      }
    }
    const Action action = enforced(policy_action, enforcement);
    if (action == Action::Deny) {
      denied.push_back(&f);
    } else if (action == Action::Warn) {
      if (policy_action == Action::Deny) {
        // Would-be denials first: they matter most.
        warned.insert(warned.begin() + static_cast<std::ptrdiff_t>(not_enforced++), f);
      } else {
        warned.push_back(f);
      }
    } else {
      ++d.skipped;
    }
  }
  const bool undecodable = writes && !review.object && denied.empty();
  if (undecodable && !warn_only) {
    // Should the decoder give no error for an object it could not build, still refuse.
    d.response.allowed = false;
    d.response.status_code = 403;
    d.response.message = "could not decode the object of kind " + review.kind.kind;
    d.reason = "undecodable_object";
    return d;
  }
  d.denied = denied.size();
  d.warned = warned.size();
  d.response.warnings = warning_list(warned, limits);
  if (not_yet > 0) {
    d.response.warnings.insert(
        d.response.warnings.begin(),
        cut("meshward: " + std::to_string(not_yet) +
                (not_yet == 1
                     ? " finding names something not there yet: it only warns; apply "
                       "that too"
                     : " findings name things not there yet: they only warn; apply those "
                       "too") +
                " (policy missingReferences)",
            limits.max_chars));
  }
  if (warn_only && (not_enforced > 0 || undecodable)) {
    std::string note = warn_only_note + ": ";
    note += undecodable ? "the object could not be decoded"
                        : std::to_string(not_enforced) +
                              (not_enforced == 1 ? " finding that would deny is"
                                                 : " findings that would deny are") +
                              " only reported";
    d.response.warnings.insert(d.response.warnings.begin(), cut(std::move(note), limits.max_chars));
  }
  if (!opt_out.codes.empty()) {
    std::string codes;
    for (const auto& c : opt_out.codes) {
      codes += (codes.empty() ? "" : ",") + c;
    }
    d.response.warnings.insert(
        d.response.warnings.begin(),
        cut(opt_out.reason.empty()
                ? std::string(kSkipAnnotation) + " ignored: add a " +
                      std::string(kSkipReasonAnnotation) + " annotation saying why"
                : std::string(kSkipAnnotation) + ": " + codes + " not enforced (" +
                      opt_out.reason + ")",
            limits.max_chars));
  }
  if (!denied.empty()) {
    d.response.allowed = false;
    d.response.status_code = 403;
    d.response.message = deny_message(denied);
    d.reason = "denied";
  } else {
    d.reason = warned.empty() && !undecodable ? "allowed" : "warned";
  }
  return d;
}

Exchange handle_review(std::string_view body, const EvaluatedWorld* world, const Policy& policy,
                       const WarningLimits& limits) {
  Exchange ex;
  auto review = parse_review(body);
  if (!review) {
    ex.http_status = 400;
    ex.error = review.error().message;
    ex.body = render_error(400, ex.error);
    return ex;
  }
  ex.uid = review->uid;
  ex.kind = review->kind.kind;
  ex.operation = std::string(operation_name(review->operation));
  ex.namespace_ = review->namespace_;
  ex.name = review->name;
  ex.dry_run = review->dry_run;
  try {
    // One object can carry thousands of regexes, each a costly RE2 compile: bound their total
    // per review (docs/hardening.md, "Input limits").
    const rules::validate::RegexBudget regex_budget(kReviewRegexInstructions);
    ex.decision = decide(*review, world, policy, limits);
  } catch (const std::exception& e) {
    // A check that throws must not take the request down with it: refuse, say why.
    ex.decision = Decision{};
    ex.decision.response.allowed = false;
    ex.decision.response.status_code = 500;
    ex.decision.response.message = std::string("meshward failed to evaluate the request: ") + e.what();
    ex.decision.reason = "internal_error";
  }
  ex.decided = true;
  ex.body = render_response(review->version, review->uid, ex.decision.response);
  return ex;
}

}  // namespace meshward::admission
