// Decoding and indexing whole worlds from JSON: the cost of loading a cluster's Istio config
// (a `kubectl get -o json` List) into a Snapshot; and from YAML, as `meshward check` and
// `serve --world` read manifests, against yaml-cpp reading the same text alone.
//
// Reports per size: time per object (Google Benchmark's timing over repeated loads) and the
// peak resident memory of one load, measured in a forked child so each size starts clean.

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include "gen_world.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::bench {
namespace {

std::size_t load_world(const std::string& text, const char* file = "world.json") {
  world::LoadResult loaded = world::load_text(text, file);
  auto snapshot = world::Snapshot::make(std::move(loaded.objects));
  return snapshot->objects().size();
}

long status_kib(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) {
    return -1;
  }
  char line[256];
  long value = -1;
  const std::size_t n = std::strlen(field);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, field, n) == 0) {
      value = std::strtol(line + n + 1, nullptr, 10);
    }
  }
  std::fclose(f);
  return value;
}

// Run as `decode_bench --peak-rss N` in a fresh process: generate the text, reset the
// peak-RSS mark (Linux clear_refs 5), load once, and print how far RSS rose above what
// the process held before loading.
int peak_rss_child(std::size_t objects) {
  const std::string text = generate_world_json(objects);
  const long before = status_kib("VmRSS:");
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
  benchmark::DoNotOptimize(load_world(text));
  const long peak = status_kib("VmHWM:");
  std::printf("%ld\n", peak - before);
  return 0;
}

// Peak RSS (KiB) a fresh process adds while loading a world of `objects` objects.
long peak_rss_kib_of_load(std::size_t objects) {
  // popen runs a shell, for which /proc/self/exe would be the shell: resolve it here.
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    return -1;
  }
  self[n] = '\0';
  const std::string command = std::string(self) + " --peak-rss " + std::to_string(objects);
  std::FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) {
    return -1;
  }
  long kib = -1;
  if (std::fscanf(p, "%ld", &kib) != 1) {
    kib = -1;
  }
  pclose(p);
  return kib;
}

void BM_DecodeAndIndexJson(benchmark::State& state) {
  const std::string text = generate_world_json(static_cast<std::size_t>(state.range(0)));
  std::size_t objects = 0;
  for (auto _ : state) {
    objects = load_world(text);
    benchmark::DoNotOptimize(objects);
  }
  const double n = static_cast<double>(objects);
  state.counters["objects"] = n;
  state.counters["per_object"] =
      benchmark::Counter(n * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  const long peak_kib = peak_rss_kib_of_load(static_cast<std::size_t>(state.range(0)));
  state.counters["peak_rss_MiB"] = static_cast<double>(peak_kib) / 1024.0;
  state.counters["input_MiB"] = static_cast<double>(text.size()) / (1024.0 * 1024.0);
  state.counters["rss_B_per_object"] = static_cast<double>(peak_kib) * 1024.0 / n;
}
BENCHMARK(BM_DecodeAndIndexJson)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Baseline in the same run: RapidJSON parsing the same text into a DOM and nothing else, so
// decode+index cost can be read as a ratio to raw parsing.
void BM_BaselineRapidJsonParse(benchmark::State& state) {
  const std::string text = generate_world_json(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    json::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(text.c_str(), text.size());
    benchmark::DoNotOptimize(doc.IsObject());
  }
}
BENCHMARK(BM_BaselineRapidJsonParse)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Block-style YAML for a JSON value, as a manifest is written (keys quoted only where YAML
// needs it; every string quoted, so none turns into a number or a boolean).
void write_yaml(const json::Value& v, std::size_t indent, std::string& out) {
  const std::string pad(indent, ' ');
  auto scalar = [&](const json::Value& s) {
    if (s.IsString()) {
      out += '"';
      for (const char* c = s.GetString(); *c != '\0'; ++c) {
        if (*c == '"' || *c == '\\') {
          out += '\\';
        }
        out += *c;
      }
      out += '"';
    } else if (s.IsBool()) {
      out += s.GetBool() ? "true" : "false";
    } else if (s.IsNull()) {
      out += "null";
    } else if (s.IsInt64()) {
      out += std::to_string(s.GetInt64());
    } else {
      out += std::to_string(s.GetDouble());
    }
  };
  auto empty_container = [](const json::Value& c) {
    return (c.IsObject() && c.MemberCount() == 0) || (c.IsArray() && c.Empty());
  };
  auto value_after = [&](const json::Value& c) {
    if (empty_container(c)) {
      out += c.IsObject() ? " {}\n" : " []\n";
    } else if (c.IsObject() || c.IsArray()) {
      out += '\n';
      write_yaml(c, indent + 2, out);
    } else {
      out += ' ';
      scalar(c);
      out += '\n';
    }
  };
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      out += pad;
      out += m.name.GetString();
      out += ':';
      value_after(m.value);
    }
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      out += pad;
      out += '-';
      value_after(item);
    }
  }
}

// The generated world as a multi-document YAML stream, one object per document.
std::string generate_world_yaml(std::size_t objects) {
  json::Document list;
  list.Parse(generate_world_json(objects).c_str());
  std::string out;
  for (const auto& item : list["items"].GetArray()) {
    out += "---\n";
    write_yaml(item, 0, out);
  }
  return out;
}

void BM_DecodeAndIndexYaml(benchmark::State& state) {
  const std::string text = generate_world_yaml(static_cast<std::size_t>(state.range(0)));
  std::size_t objects = 0;
  for (auto _ : state) {
    objects = load_world(text, "world.yaml");
    benchmark::DoNotOptimize(objects);
  }
  state.counters["objects"] = static_cast<double>(objects);
  state.counters["per_object"] =
      benchmark::Counter(static_cast<double>(objects) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["input_MiB"] = static_cast<double>(text.size()) / (1024.0 * 1024.0);
}
BENCHMARK(BM_DecodeAndIndexYaml)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Baseline in the same run: yaml-cpp's own LoadAll over the same stream, nothing else.
void BM_BaselineYamlCppLoadAll(benchmark::State& state) {
  const std::string text = generate_world_yaml(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(YAML::LoadAll(text).size());
  }
}
BENCHMARK(BM_BaselineYamlCppLoadAll)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace meshward::bench

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--peak-rss") == 0) {
    return meshward::bench::peak_rss_child(std::strtoul(argv[2], nullptr, 10));
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
