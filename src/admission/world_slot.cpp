#include "meshward/admission/world_slot.h"

#include <utility>

#include "meshward/rules/run.h"

namespace meshward::admission {

std::string finding_identity(const Finding& f) {
  std::string id;
  id.reserve(f.code.size() + f.resource.kind.size() + f.resource.namespace_.size() +
             f.resource.name.size() + f.path.size() + f.message.size() + 5);
  for (const std::string* part :
       {&f.code, &f.resource.kind, &f.resource.namespace_, &f.resource.name, &f.path}) {
    id += *part;
    id += '\x1f';
  }
  id += f.message;
  return id;
}

std::shared_ptr<const EvaluatedWorld> evaluate_world(std::shared_ptr<const world::Snapshot> snapshot,
                                                     std::string source,
                                                     const translate::Options& translate) {
  auto w = std::make_shared<EvaluatedWorld>();
  w->translate = translate;
  // For the translator options every review against this world runs the checks with; filled
  // by the whole-world evaluation below already (the endpoints of every subset route), so the
  // first reviews find them too.
  rules::RunOptions options;
  options.translate = translate;
  w->endpoints = std::make_shared<translate::EndpointCache>(options.translate);
  options.endpoint_cache = w->endpoints.get();
  w->findings = rules::check_world(*snapshot, options);
  w->finding_ids.reserve(w->findings.size());
  for (const Finding& f : w->findings) {
    w->finding_ids.insert(finding_identity(f));
  }
  w->snapshot = std::move(snapshot);
  w->source = std::move(source);
  w->findings_cache = std::make_shared<FindingsCache>();
  return w;
}

void WorldSlot::publish(std::shared_ptr<const world::Snapshot> snapshot, std::string source) {
  // Evaluate outside the lock: readers keep getting the old world meanwhile.
  auto evaluated = evaluate_world(std::move(snapshot), std::move(source), options_);
  std::lock_guard lock(mutex_);
  auto mutable_world = std::const_pointer_cast<EvaluatedWorld>(evaluated);
  mutable_world->generation = ++generation_;
  current_ = std::move(evaluated);
}

std::shared_ptr<const EvaluatedWorld> WorldSlot::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

}  // namespace meshward::admission
