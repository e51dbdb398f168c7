// `meshward check` cost on generated worlds: every resource and mesh check over a loaded
// Snapshot (loading itself is decode_bench's subject). Baseline in the same run: one pass
// over the world that only counts objects by kind, so the ratio shows what the checks add.

#include <benchmark/benchmark.h>

#include "gen_world.h"
#include "meshward/rules/run.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::bench {
namespace {

std::shared_ptr<const world::Snapshot> load(std::size_t objects) {
  world::LoadResult loaded = world::load_text(generate_world_json(objects), "world.json");
  return world::Snapshot::make(std::move(loaded.objects));
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

BENCHMARK_MAIN();
