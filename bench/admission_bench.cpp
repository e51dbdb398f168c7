// Cost of one admission review (decide(): overlay, neighbourhood, focused mesh checks, diff,
// policy) against generated worlds of 1k, 10k and 100k objects, for UPDATE/CREATE/DELETE of
// the kinds the checks relate. Baseline in the same run: parsing the same review alone
// (parse_review), so the ratio says what deciding adds to reading the request, and the rows
// across world sizes say whether that depends on the world (it should not). BM_DecideEndpoints
// runs the same reviews in worlds whose applications have Pods and EndpointSlices (what MW2116
// judges by); BM_HandleReviewBookinfo is what bench/load.sh posts, on the Bookinfo example.
//
// `admission_bench --write-world=N` prints the generated world of about N objects (a `kind:
// List` JSON document) and exits: bench/load.sh serves it with --world-objects N.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
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

// One evaluated world per size (and with or without Pods and EndpointSlices), built on first
// use (evaluating 100k objects takes a while).
std::shared_ptr<const admission::EvaluatedWorld> world_of(std::size_t objects,
                                                          bool endpoints = false) {
  static std::map<std::pair<std::size_t, bool>, std::shared_ptr<const admission::EvaluatedWorld>>
      worlds;
  auto& w = worlds[{objects, endpoints}];
  if (!w) {
    world::LoadResult loaded =
        world::load_text(generate_world_json(objects, endpoints), "world.json");
    w = admission::evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "bench");
  }
  return w;
}

// The Bookinfo example world (examples/bookinfo: 8 Pods, an EndpointSlice, a Sidecar, a
// PeerAuthentication), what `scripts/run.sh` and bench/load.sh serve by default.
std::shared_ptr<const admission::EvaluatedWorld> bookinfo_world() {
  static const std::shared_ptr<const admission::EvaluatedWorld> w = [] {
    auto loaded = world::load_paths({std::string(MESHWARD_SOURCE_DIR) + "/examples/bookinfo"});
    if (!loaded) {
      std::fprintf(stderr, "admission_bench: cannot read examples/bookinfo\n");
      std::exit(2);
    }
    return admission::evaluate_world(world::Snapshot::make(std::move(loaded->objects)), "bench");
  }();
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

// `s` as a JSON string literal.
std::string quoted(const std::string& s) {
  json::StringBuffer buf;
  json::Writer w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buf.GetString(), buf.GetSize()};
}

// A VirtualService create as `kubectl apply` sends it (the review bench/load.sh posts, moved
// to app-7): ~3 KB with the last-applied-configuration annotation, managedFields and the
// request's resource, userInfo and options, most of which the decision never reads but the
// parse must get through.
// `host`, `ns` and the subsets routed to (jason, canary 90%, canary 10%) name the app: app-7 in
// team-7 for the generated worlds, reviews in bookinfo (v2, v1, v3) as bench/load.sh posts it.
std::string kubectl_create_review(const std::string& host = "app-7", const std::string& ns = "team-7",
                                  const std::string& jason = "v2", const std::string& canary = "v1",
                                  const std::string& canary10 = "v2") {
  const std::string name = host + "-bench";
  const std::string spec =
      R"({"hosts":[")" + name + R"("],"http":[{"name":"jason","match":[{"headers":{"end-user":{"exact":"jason"}}}],)"
      R"("route":[{"destination":{"host":")" + host + R"(","subset":")" + jason + R"("}}],"retries":{"attempts":3,"perTryTimeout":"1s",)"
      R"("retryOn":"5xx,connect-failure"},"timeout":"3s"},{"name":"canary","route":[{"destination":{"host":")" + host + R"(",)"
      R"("subset":")" + canary + R"("},"weight":90},{"destination":{"host":")" + host + R"(","subset":")" + canary10 +
      R"("},"weight":10}]}]})";
  const std::string last_applied =
      R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","spec":)" + spec +
      R"(,"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"("}})" + "\n";
  const std::string object =
      R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":")" + name + R"(",)"
      R"("namespace":")" + ns + R"(","generation":1,"uid":"0b5f3d8e-5d3c-4d6e-9b59-0f1c8d2a7e11",)"
      R"("creationTimestamp":"2026-11-25T20:00:00Z","labels":{"app":")" + host + R"(","team":")" + ns + R"("},)"
      R"("annotations":{"kubectl.kubernetes.io/last-applied-configuration":)" + quoted(last_applied) +
      R"(},"managedFields":[{"apiVersion":"networking.istio.io/v1","fieldsType":"FieldsV1",)"
      R"("manager":"kubectl-client-side-apply","operation":"Update","time":"2026-11-25T20:00:00Z",)"
      R"("fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}},)"
      R"("f:labels":{".":{},"f:app":{},"f:team":{}}},"f:spec":{".":{},"f:hosts":{},"f:http":{}}}}]},"spec":)" +
      spec + "}";
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)"
         R"("uid":"6f2d1c4e-1f0a-4a55-9b6b-2c7f9f1e0d42","kind":{"group":"networking.istio.io",)"
         R"("version":"v1","kind":"VirtualService"},"resource":{"group":"networking.istio.io","version":"v1",)"
         R"("resource":"virtualservices"},"requestKind":{"group":"networking.istio.io","version":"v1",)"
         R"("kind":"VirtualService"},"requestResource":{"group":"networking.istio.io","version":"v1",)"
         R"("resource":"virtualservices"},"name":")" + name + R"(","namespace":")" + ns + R"(","operation":"CREATE",)"
         R"("userInfo":{"username":"kubernetes-admin","groups":["system:masters","system:authenticated"]},)"
         R"("object":)" + object +
         R"(,"oldObject":null,"dryRun":false,"options":{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions",)"
         R"("fieldManager":"kubectl-client-side-apply","fieldValidation":"Strict"}}})";
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
    c.push_back({"vs-create-kubectl", kubectl_create_review()});
    return c;
  }();
  return all;
}

// `world` without its FindingsCache: every review is evaluated, as a change seen for the
// first time is.
admission::EvaluatedWorld without_reuse(const admission::EvaluatedWorld& world) {
  admission::EvaluatedWorld copy = world;
  copy.findings_cache.reset();
  return copy;
}

// Parse and decide review case range(1) against `world`, the row's body. With the world's
// FindingsCache every iteration after the first reuses the first one's findings.
void decide_rows(benchmark::State& state, const admission::EvaluatedWorld& world) {
  const Case& c = cases()[static_cast<std::size_t>(state.range(1))];
  const admission::Policy policy;
  std::size_t introduced = 0;
  for (auto _ : state) {
    auto parsed = admission::parse_review(c.body);
    admission::Decision d = admission::decide(*parsed, &world, policy);
    introduced = d.introduced.size();
    benchmark::DoNotOptimize(d);
  }
  state.SetLabel(c.label);
  state.counters["objects"] = static_cast<double>(world.snapshot->size());
  state.counters["introduced"] = static_cast<double>(introduced);
}

void BM_Decide(benchmark::State& state) {
  decide_rows(state, without_reuse(*world_of(static_cast<std::size_t>(state.range(0)))));
}

// The same review again and again, as a GitOps controller's periodic dry-runs send it: its
// findings come from the world's FindingsCache. BM_Decide with the same arguments is the
// baseline.
void BM_DecideRepeated(benchmark::State& state) {
  decide_rows(state, *world_of(static_cast<std::size_t>(state.range(0))));
}

// Every review a change not seen before: the bodies differ only in blanks, more of them than
// the FindingsCache holds, so each one is evaluated. With the cache in place (`cache`), this
// is what it costs a review it cannot answer (its lookup, then keeping the findings and
// evicting the oldest); BM_DecideDistinctBaseline, the same bodies without a cache, is the
// baseline (BM_Decide's one body stays in the CPU's caches, these do not).
void decide_distinct(benchmark::State& state, bool cache) {
  admission::EvaluatedWorld world = *world_of(static_cast<std::size_t>(state.range(0)));
  world.findings_cache = cache ? std::make_shared<admission::FindingsCache>() : nullptr;
  const Case& c = cases()[static_cast<std::size_t>(state.range(1))];
  constexpr std::size_t kVariants = 16384;
  std::vector<std::string> bodies;
  bodies.reserve(kVariants);
  for (std::size_t i = 0; i < kVariants; ++i) {
    // i written in binary as blanks and tabs after the opening brace: a distinct body each.
    std::string pad;
    for (std::size_t bits = i | kVariants; bits > 1; bits >>= 1) {
      pad += (bits & 1) ? '\t' : ' ';
    }
    bodies.push_back("{" + pad + c.body.substr(1));
  }
  const admission::Policy policy;
  std::size_t i = 0;
  std::size_t reused = 0;
  for (auto _ : state) {
    auto parsed = admission::parse_review(bodies[i++ % kVariants]);
    admission::Decision d = admission::decide(*parsed, &world, policy);
    reused += d.reused ? 1 : 0;
    benchmark::DoNotOptimize(d);
  }
  state.SetLabel(c.label);
  state.counters["reused"] = static_cast<double>(reused);
}

void BM_DecideDistinct(benchmark::State& state) { decide_distinct(state, true); }
void BM_DecideDistinctBaseline(benchmark::State& state) { decide_distinct(state, false); }

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
    for (std::int64_t i = 0; i < 7; ++i) {
      b->Args({objects, i});
    }
  }
}

// The same reviews in generated worlds whose applications have Pods and an EndpointSlice.
void BM_DecideEndpoints(benchmark::State& state) {
  decide_rows(state,
              without_reuse(*world_of(static_cast<std::size_t>(state.range(0)), /*endpoints=*/true)));
}

// BM_DecideEndpoints without the world's shared endpoint cache (each review collects the
// endpoints it asks for afresh, as before translate::EndpointCache): the cache's gain is the
// ratio of the two rows for the same arguments.
void BM_DecideEndpointsUncached(benchmark::State& state) {
  admission::EvaluatedWorld world =
      without_reuse(*world_of(static_cast<std::size_t>(state.range(0)), /*endpoints=*/true));
  world.endpoints.reset();
  decide_rows(state, world);
}

// What bench/load.sh posts, on the world it serves by default: the kubectl VirtualService
// create routing to reviews v2, v1 and v3 in Bookinfo, parse, decide and render (handle_review,
// the whole of POST /validate after transport). Baseline in the same run: parse_review alone.
const std::string& bookinfo_review() {
  static const std::string body = kubectl_create_review("reviews", "bookinfo", "v2", "v1", "v3");
  return body;
}

void handle_rows(benchmark::State& state, const admission::EvaluatedWorld& world) {
  const admission::Policy policy;
  std::size_t introduced = 0;
  for (auto _ : state) {
    admission::Exchange ex = admission::handle_review(bookinfo_review(), &world, policy);
    introduced = ex.decision.introduced.size();
    benchmark::DoNotOptimize(ex);
  }
  state.counters["objects"] = static_cast<double>(world.snapshot->size());
  state.counters["introduced"] = static_cast<double>(introduced);
}

void BM_HandleReviewBookinfo(benchmark::State& state) {
  handle_rows(state, without_reuse(*bookinfo_world()));
}

// The same, repeated: every answer after the first reuses its findings (FindingsCache).
void BM_HandleReviewBookinfoRepeated(benchmark::State& state) {
  handle_rows(state, *bookinfo_world());
}

void BM_BaselineParseReviewBookinfo(benchmark::State& state) {
  for (auto _ : state) {
    auto parsed = admission::parse_review(bookinfo_review());
    benchmark::DoNotOptimize(parsed);
  }
}

BENCHMARK(BM_Decide)->Apply(sizes_and_cases)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecideEndpoints)->Apply(sizes_and_cases)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecideEndpointsUncached)->Apply(sizes_and_cases)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecideRepeated)->Apply(sizes_and_cases)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecideDistinct)->Apply(sizes_and_cases)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecideDistinctBaseline)->Apply(sizes_and_cases)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HandleReviewBookinfo)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HandleReviewBookinfoRepeated)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BaselineParseReviewBookinfo)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BaselineParseReview)
    ->Args({0, 0})->Args({0, 1})->Args({0, 2})->Args({0, 3})->Args({0, 4})->Args({0, 5})->Args({0, 6})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meshward::bench

int main(int argc, char** argv) {
  constexpr std::string_view kWriteWorld = "--write-world=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.substr(0, kWriteWorld.size()) == kWriteWorld) {
      const long objects = std::strtol(argv[i] + kWriteWorld.size(), nullptr, 10);
      if (objects <= 0) {
        std::fprintf(stderr, "admission_bench: --write-world needs a positive number of objects\n");
        return 2;
      }
      const std::string world = meshward::bench::generate_world_json(static_cast<std::size_t>(objects));
      return std::fwrite(world.data(), 1, world.size(), stdout) == world.size() ? 0 : 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
