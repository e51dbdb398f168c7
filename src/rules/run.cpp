#include "meshward/rules/run.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "meshward/rules/registry.h"
#include "meshward/translate/mesh_config.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

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
  Context ctx(view, nullptr, &options.translate, options.endpoint_cache);
  for (const Rule& rule : all_rules()) {
    if (rule.check_mesh && selected(rule, options)) {
      rule.check_mesh(ctx, sink);
    }
  }
  return sink.take();
}

std::vector<Finding> check_mesh_reading(const world::View& view, model::Kind changed,
                                        const RunOptions& options, const Focus* focus) {
  Sink sink;
  Context ctx(view, focus, &options.translate, options.endpoint_cache);
  for (const Rule& rule : all_rules()) {
    if (rule.check_mesh && rule.triggers().contains(changed) && selected(rule, options)) {
      rule.check_mesh(ctx, sink);
    }
  }
  return sink.take();
}

Result<std::vector<Finding>> check_paths_with_rule(const std::vector<std::string>& paths,
                                                  std::string_view rule,
                                                  const translate::Options& translate) {
  const Rule* found = find_rule(rule);
  if (found == nullptr) {
    return Error{"no rule has the code or name \"" + std::string(rule) + "\""};
  }
  auto loaded = world::load_paths(paths);
  if (!loaded) {
    return loaded.error();
  }
  std::vector<Finding> findings;
  for (Finding& f : loaded->findings) {
    if (f.code == found->info.code) {
      findings.push_back(std::move(f));
    }
  }
  const world::Snapshot snapshot(std::move(loaded->objects));
  RunOptions options;
  options.only = {std::string(found->info.code)};
  options.translate = translate;
  std::vector<Finding> checked = check_world(snapshot, options);
  findings.insert(findings.end(), std::make_move_iterator(checked.begin()),
                  std::make_move_iterator(checked.end()));
  sort_findings(findings);
  return findings;
}

Result<std::vector<Finding>> check_golden_case(const std::string& dir, const std::string& name,
                                               std::string_view rule) {
  translate::Options options;
  const std::string mesh_file = dir + "/" + std::string(kGoldenMeshConfig);
  if (std::ifstream in(mesh_file, std::ios::binary); in) {
    std::ostringstream text;
    text << in.rdbuf();
    auto mesh = translate::parse_mesh_config(text.str(), mesh_file);
    if (!mesh) {
      return mesh.error();
    }
    options.mesh = std::move(*mesh);
  }
  return check_paths_with_rule({dir + "/" + name + ".yaml"}, rule, options);
}

void drop_findings_on_rejected_fields(std::vector<Finding>& findings) {
  // Copies, not pointers: remove_if below moves the elements around.
  struct Rejected {
    ResourceRef resource;
    std::string path;
  };
  std::vector<Rejected> rejected;
  for (const Finding& f : findings) {
    if (f.code == "MW1002" || f.code == "MW1003") {
      rejected.push_back({f.resource, f.path});
    }
  }
  if (rejected.empty()) {
    return;
  }
  auto covered = [&](const Finding& f) {
    if (f.code.rfind("MW100", 0) == 0) {
      return false;  // decoder findings stay
    }
    for (const Rejected& r : rejected) {
      const bool same_object = r.resource.kind == f.resource.kind &&
                               r.resource.namespace_ == f.resource.namespace_ &&
                               r.resource.name == f.resource.name;
      // The check reports at the rejected field, or at its parent when it saw it as absent.
      const bool at_field = f.path == r.path;
      const bool at_parent = !f.path.empty() && r.path.size() > f.path.size() &&
                             r.path.compare(0, f.path.size(), f.path) == 0 &&
                             (r.path[f.path.size()] == '.' || r.path[f.path.size()] == '[');
      if (same_object && (at_field || at_parent)) {
        return true;
      }
    }
    return false;
  };
  findings.erase(std::remove_if(findings.begin(), findings.end(), covered), findings.end());
}

}  // namespace meshward::rules
