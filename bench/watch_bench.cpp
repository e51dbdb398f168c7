// Time from start to ready (every kind listed, the first world published and evaluated) when
// `meshward serve` syncs from an API server holding N objects, beside loading the same
// objects from text in the same run — the cost of the network, TLS, paging and watch set-up
// over the decode + index + evaluate that both do. Half the objects are Pods with full specs
// on the server, watched as metadata only. Counters: rss_MiB, what the process holds more
// once synced (the watcher's store, the snapshot and its evaluated findings; the in-process
// API server's own objects are there before the watcher starts and are not counted).

#include <malloc.h>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "gen_world.h"
#include "kube_support/fake_api_server.h"
#include "meshward/admission/world_slot.h"
#include "meshward/core/json.h"
#include "meshward/kube/watcher.h"
#include "meshward/world/loader.h"

namespace meshward::bench {
namespace {

std::string pod(std::size_t i) {
  const std::string app = "app-" + std::to_string(i / 2);
  const std::string ns = "team-" + std::to_string((i / 2) % 50);
  const std::string name = app + "-" + std::to_string(i % 2) + "-7d9f8c6b5-x" + std::to_string(i);
  // A realistic injected pod: two containers, env, mounts, status with conditions.
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","labels":{"app":")" + app + R"(","version":"v)" + std::to_string(i % 2 + 1) +
         R"(","security.istio.io/tlsMode":"istio","service.istio.io/canonical-name":")" + app +
         R"("},"annotations":{"sidecar.istio.io/status":"{\"initContainers\":[\"istio-init\"],\"containers\":[\"istio-proxy\"],\"volumes\":[\"istio-envoy\",\"istio-data\",\"istio-podinfo\",\"istio-token\",\"istiod-ca-cert\"]}"},)"
         R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":")" + app + R"(-7d9f8c6b5","uid":"0b8c","controller":true}]},)"
         R"("spec":{"containers":[{"name":"app","image":"registry.example.com/)" + app +
         R"(:1.4.2","ports":[{"containerPort":8080,"protocol":"TCP"}],"env":[{"name":"LOG_LEVEL","value":"info"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],"resources":{"requests":{"cpu":"100m","memory":"128Mi"}},"volumeMounts":[{"name":"kube-api-access","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","readOnly":true}]},)"
         R"({"name":"istio-proxy","image":"docker.io/istio/proxyv2:1.30.0","args":["proxy","sidecar","--domain","$(POD_NAMESPACE).svc.cluster.local","--proxyLogLevel=warning"],"ports":[{"containerPort":15090,"name":"http-envoy-prom","protocol":"TCP"}],"env":[{"name":"ISTIO_META_WORKLOAD_NAME","value":")" + app +
         R"("},{"name":"PILOT_CERT_PROVIDER","value":"istiod"},{"name":"CA_ADDR","value":"istiod.istio-system.svc:15012"}],"readinessProbe":{"httpGet":{"path":"/healthz/ready","port":15021},"periodSeconds":15}}],)"
         R"("serviceAccountName":"default","nodeName":"node-)" + std::to_string(i % 40) +
         R"("},"status":{"phase":"Running","podIP":"10.244.)" + std::to_string((i / 250) % 256) + "." +
         std::to_string(i % 250 + 1) +
         R"(","conditions":[{"type":"Ready","status":"True"},{"type":"ContainersReady","status":"True"}]}})";
}

long rss_kib() {
  long kib = -1;
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      if (std::sscanf(line, "VmRSS: %ld", &kib) == 1) {
        break;
      }
    }
    std::fclose(f);
  }
  return kib;
}

/// The objects of a benchmark world: generate_world_json's items, then as many Pods.
std::vector<std::string> world_objects(std::size_t objects) {
  std::vector<std::string> out;
  json::Document doc;
  const std::string text = generate_world_json(objects / 2);
  doc.Parse(text.c_str(), text.size());
  for (const auto& item : doc["items"].GetArray()) {
    out.push_back(json::to_string(item));
  }
  const std::size_t pods = objects > out.size() ? objects - out.size() : 0;
  for (std::size_t i = 0; i < pods; ++i) {
    out.push_back(pod(i));
  }
  return out;
}

/// One API server per size, filled once.
testing::FakeApiServer& server_with(std::size_t objects) {
  static std::map<std::size_t, std::unique_ptr<testing::FakeApiServer>> servers;
  auto& server = servers[objects];
  if (!server) {
    server = std::make_unique<testing::FakeApiServer>();
    for (const std::string& object : world_objects(objects)) {
      server->put(object);
    }
  }
  return *server;
}

void BM_SyncFromApiServer(benchmark::State& state) {
  const auto objects = static_cast<std::size_t>(state.range(0));
  testing::FakeApiServer& server = server_with(objects);
  kube::ClusterConfig config;
  config.host = "127.0.0.1";
  config.port = std::to_string(server.port());
  config.ca_pem = server.ca_pem();
  std::size_t world_size = 0;
  double rss_mib = 0;
  for (auto _ : state) {
    malloc_trim(0);
    const long before = rss_kib();
    auto slot = std::make_shared<admission::WorldSlot>();
    kube::Watcher watcher(config, {}, [&](std::shared_ptr<const world::Snapshot> snapshot) {
      slot->publish(std::move(snapshot), "bench");
    });
    if (!watcher.start()) {
      state.SkipWithError("watcher did not start");
      return;
    }
    while (!watcher.synced()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    state.PauseTiming();
    world_size = slot->current()->snapshot->size();
    malloc_trim(0);
    rss_mib = static_cast<double>(rss_kib() - before) / 1024.0;
    watcher.stop();
    state.ResumeTiming();
  }
  state.counters["objects"] = static_cast<double>(world_size);
  state.counters["rss_MiB"] = rss_mib;
}
BENCHMARK(BM_SyncFromApiServer)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(2);

// Baseline: the same objects from one JSON List (Pods with their specs, which the decoder
// skips), decoded, indexed and evaluated in-process.
void BM_BaselineLoadSameWorldFromText(benchmark::State& state) {
  const auto objects = static_cast<std::size_t>(state.range(0));
  std::string text = R"({"apiVersion":"v1","kind":"List","items":[)";
  bool first = true;
  for (const std::string& object : world_objects(objects)) {
    text += (first ? "" : ",") + object;
    first = false;
  }
  text += "]}";
  std::size_t world_size = 0;
  for (auto _ : state) {
    world::LoadResult loaded = world::load_text(text, "world.json");
    auto evaluated = admission::evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "bench");
    world_size = evaluated->snapshot->size();
    benchmark::DoNotOptimize(evaluated);
  }
  state.counters["objects"] = static_cast<double>(world_size);
}
BENCHMARK(BM_BaselineLoadSameWorldFromText)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace meshward::bench

BENCHMARK_MAIN();
