// fuzz_seeds OUTDIR [TARGET...]: writes the generated seeds of each target (all by default)
// into OUTDIR/<target>/, one file per seed (fuzz/seed.sh calls it).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "meshward_fuzz/fuzz.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUTDIR [TARGET...]\n");
    return 2;
  }
  namespace fs = std::filesystem;
  std::vector<std::string> names(argv + 2, argv + argc);
  if (names.empty()) {
    for (const auto& t : meshward::fuzz::targets()) {
      names.emplace_back(t.name);
    }
  }
  const std::string root = meshward::fuzz::source_dir();
  for (const auto& name : names) {
    const fs::path dir = fs::path(argv[1]) / name;
    fs::create_directories(dir);
    const auto seeds = meshward::fuzz::seeds(name, root);
    for (const auto& seed : seeds) {
      std::ofstream out(dir / seed.name, std::ios::binary | std::ios::trunc);
      out.write(seed.data.data(), static_cast<std::streamsize>(seed.data.size()));
      if (!out) {
        std::fprintf(stderr, "fuzz_seeds: cannot write %s\n", (dir / seed.name).c_str());
        return 1;
      }
    }
    std::printf("%s: %zu seeds\n", name.c_str(), seeds.size());
  }
  return 0;
}
