// Cost of one admission review (decide(): overlay, neighbourhood, focused mesh checks, diff,
// policy) against generated worlds of 1k, 10k and 100k objects, for UPDATE/CREATE/DELETE of
// the kinds the checks relate. Baseline in the same run: parsing the same review alone
// (parse_review), so the ratio says what deciding adds to reading the request, and the rows
// across world sizes say whether that depends on the world (it should not).

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gen_world.h"
#include "meshward/admission/decide.h"
#include "meshward/admission/review.h"
#include "meshward/admission/world_slot.h"
#include "meshward/core/json.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::bench {
namespace {

// One evaluated world per size, built on first use (evaluating 100k objects takes a while).
std::shared_ptr<const admission::EvaluatedWorld> world_of(std::size_t objects) {
  static std::map<std::size_t, std::shared_ptr<const admission::EvaluatedWorld>> worlds;
  auto& w = worlds[objects];
  if (!w) {
    world::LoadResult loaded = world::load_text(generate_world_json(objects), "world.json");
    w = admission::evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "bench");
  }
  return w;
}

// The JSON of generated object `kind` `name` (as every generated world holds it).
std::string generated_object(const std::string& kind, const std::string& name) {
  static const std::string list = generate_world_json(1000);
  json::Document doc;
  doc.Parse(list.c_str(), list.size());
  for (const json::Value& item : doc["items"].GetArray()) {
    if (kind == item["kind"].GetString() && name == item["metadata"]["name"].GetString()) {
      return json::to_string(item);
    }
  }
  return {};
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

struct Case {
  const char* label;
  std::string body;
};

std::string review(const std::string& op, const std::string& group, const std::string& version,
                   const std::string& kind, const std::string& ns, const std::string& name,
                   const std::string& object, const std::string& old_object) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"b-1","kind":{"group":")" +
         group + R"(","version":")" + version + R"(","kind":")" + kind + R"("},"namespace":")" +
         ns + R"(","name":")" + name + R"(","operation":")" + op +
         R"(","userInfo":{"username":"bench"},"object":)" + object + R"(,"oldObject":)" +
         old_object + "}}";
}

// The reviews measured: everyday changes to objects of app-7 (namespace team-7) and its
// Gateway, some allowed, some introducing findings on other objects.
const std::vector<Case>& cases() {
  static const std::vector<Case> all = [] {
    const std::string net = "networking.istio.io";
    const std::string vs = generated_object("VirtualService", "app-7");
    const std::string dr = generated_object("DestinationRule", "app-7");
    const std::string svc = generated_object("Service", "app-7");
    const std::string gw = generated_object("Gateway", "gw-0");
    std::vector<Case> c;
    c.push_back({"vs-update", review("UPDATE", net, "v1", "VirtualService", "team-7", "app-7",
                                     replaced(vs, R"("weight":90)", R"("weight":80)"), vs)});
    c.push_back({"vs-create", review("CREATE", net, "v1", "VirtualService", "team-7", "app-7b",
                                     replaced(replaced(vs, R"("name":"app-7")", R"("name":"app-7b")"),
                                              R"("subset":"v2")", R"("subset":"v3")"),
                                     "null")});
    c.push_back({"dr-update-breaks-vs",
                 review("UPDATE", net, "v1", "DestinationRule", "team-7", "app-7",
                        replaced(dr, R"(,{"name":"v2","labels":{"version":"v2"}})", ""), dr)});
    c.push_back({"dr-delete", review("DELETE", net, "v1", "DestinationRule", "team-7", "app-7",
                                     "null", dr)});
    c.push_back({"service-update", review("UPDATE", "", "v1", "Service", "team-7", "app-7",
                                          replaced(svc, R"("port":8080)", R"("port":8081)"), svc)});
    c.push_back({"gateway-update", review("UPDATE", net, "v1", "Gateway", "istio-system", "gw-0",
                                          replaced(gw, R"("app-7.example.com",)", ""), gw)});
    return c;
  }();
  return all;
}

void BM_Decide(benchmark::State& state) {
  const auto world = world_of(static_cast<std::size_t>(state.range(0)));
  const Case& c = cases()[static_cast<std::size_t>(state.range(1))];
  const admission::Policy policy;
  std::size_t introduced = 0;
  for (auto _ : state) {
    auto parsed = admission::parse_review(c.body);
    admission::Decision d = admission::decide(*parsed, world.get(), policy);
    introduced = d.introduced.size();
    benchmark::DoNotOptimize(d);
  }
  state.SetLabel(c.label);
  state.counters["objects"] = static_cast<double>(world->snapshot->size());
  state.counters["introduced"] = static_cast<double>(introduced);
}

void BM_BaselineParseReview(benchmark::State& state) {
  const Case& c = cases()[static_cast<std::size_t>(state.range(1))];
  for (auto _ : state) {
    auto parsed = admission::parse_review(c.body);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetLabel(c.label);
}

void sizes_and_cases(benchmark::internal::Benchmark* b) {
  for (std::int64_t objects : {1000, 10000, 100000}) {
    for (std::int64_t i = 0; i < 6; ++i) {
      b->Args({objects, i});
    }
  }
}

BENCHMARK(BM_Decide)->Apply(sizes_and_cases)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BaselineParseReview)
    ->Args({0, 0})->Args({0, 1})->Args({0, 2})->Args({0, 3})->Args({0, 4})->Args({0, 5})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meshward::bench

BENCHMARK_MAIN();
