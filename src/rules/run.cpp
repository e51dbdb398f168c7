#include "meshward/rules/run.h"

#include <algorithm>

#include "meshward/rules/registry.h"

namespace meshward::rules {

namespace {

bool selected(const Rule& rule, const RunOptions& options) {
  if (options.only.empty()) {
    return true;
  }
  return std::any_of(options.only.begin(), options.only.end(), [&](const std::string& s) {
    return rule.info.code == s || rule.info.name == s;
  });
}

void run_object_checks(const model::Object& object, const RunOptions& options, Sink& sink) {
  for (const Rule& rule : all_rules()) {
    if (rule.check_object && rule.inputs.contains(object.kind()) && selected(rule, options)) {
      rule.check_object(object, sink);
    }
  }
}

}  // namespace

std::vector<Finding> check_object(const model::Object& object, const RunOptions& options) {
  Sink sink;
  run_object_checks(object, options, sink);
  return sink.take();
}

std::vector<Finding> check_world(const world::View& view, const RunOptions& options) {
  Sink sink;
  for (std::size_t i = 0; i < model::kKindCount; ++i) {
    for (const model::Object* object : view.of_kind(static_cast<Kind>(i))) {
      run_object_checks(*object, options, sink);
    }
  }
  Context ctx(view);
  for (const Rule& rule : all_rules()) {
    if (rule.check_mesh && selected(rule, options)) {
      rule.check_mesh(ctx, sink);
    }
  }
  return sink.take();
}

}  // namespace meshward::rules
