// `meshward check` cost on generated worlds: every resource and mesh check over a loaded
// Snapshot (loading itself is decode_bench's subject). Baseline in the same run: one pass
// over the world that only counts objects by kind, so the ratio shows what the checks add.

#include <benchmark/benchmark.h>

#include <map>
#include <vector>

#include "gen_world.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/run.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::bench {
namespace {

std::shared_ptr<const world::Snapshot> load(std::size_t objects) {
  // One world per size, shared by the benchmarks.
  static std::map<std::size_t, std::shared_ptr<const world::Snapshot>> worlds;
  auto& w = worlds[objects];
  if (!w) {
    world::LoadResult loaded = world::load_text(generate_world_json(objects), "world.json");
    w = world::Snapshot::make(std::move(loaded.objects));
  }
  return w;
}

std::vector<const rules::Rule*> mesh_rules() {
  std::vector<const rules::Rule*> out;
  for (const rules::Rule& rule : rules::all_rules()) {
    if (rule.check_mesh) {
      out.push_back(&rule);
    }
  }
  return out;
}

void BM_CheckWorld(benchmark::State& state) {
  auto world = load(static_cast<std::size_t>(state.range(0)));
  std::size_t findings = 0;
  for (auto _ : state) {
    findings = rules::check_world(*world).size();
    benchmark::DoNotOptimize(findings);
  }
  const double n = static_cast<double>(world->size());
  state.counters["objects"] = n;
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["per_object"] = benchmark::Counter(
      n * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CheckWorld)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Each mesh check alone over the whole world: its rows across sizes show whether it stays
// linear (issue #5: no pairwise scans). Registered from main(), once every rule has.
void BM_MeshCheck(benchmark::State& state, const rules::Rule* rule_ptr) {
  auto world = load(static_cast<std::size_t>(state.range(0)));
  const rules::Rule& rule = *rule_ptr;
  std::size_t findings = 0;
  for (auto _ : state) {
    rules::Context ctx(*world);
    rules::Sink sink;
    rule.check_mesh(ctx, sink);
    findings = sink.findings().size();
    benchmark::DoNotOptimize(findings);
  }
  state.counters["findings"] = static_cast<double>(findings);
}

void BM_BaselineWalkWorld(benchmark::State& state) {
  auto world = load(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::size_t count = 0;
    for (std::size_t k = 0; k < model::kKindCount; ++k) {
      count += world->of_kind(static_cast<model::Kind>(k)).size();
    }
    benchmark::DoNotOptimize(count);
  }
}
BENCHMARK(BM_BaselineWalkWorld)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace meshward::bench

int main(int argc, char** argv) {
  for (const meshward::rules::Rule* rule : meshward::bench::mesh_rules()) {
    benchmark::RegisterBenchmark(("BM_MeshCheck/" + std::string(rule->info.code)).c_str(),
                                 meshward::bench::BM_MeshCheck, rule)
        ->Arg(1000)
        ->Arg(10000)
        ->Arg(100000)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
