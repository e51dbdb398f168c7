#include "meshward/cli/commands.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "meshward/translate/mesh_config.h"

namespace meshward::cli {

namespace {

constexpr const char* kUsage =
    "meshward: validates Istio configuration the way the mesh will see it.\n"
    "\n"
    "Usage: meshward <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  serve     run the admission webhook (HTTPS) on a world of manifests\n"
    "  check     read manifests (-f FILE|DIR|-) and report findings\n"
    "  translate print the Envoy configuration of one proxy (--proxy sidecar:NS|gateway:NS,...)\n"
    "  rules     list every check with its code, severity and description\n"
    "  version   print the version and build information\n"
    "  help      print this text; `meshward <command> --help` for a command's flags\n";

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "help" || words[0] == "--help" || words[0] == "-h") {
    std::cout << kUsage;
    return words.empty() ? kExitUsage : kExitOk;
  }
  const std::string command = words[0];
  std::vector<std::string> rest(words.begin() + 1, words.end());
  if (command == "serve") {
    return serve(rest, std::cout, std::cerr);
  }
  if (command == "check") {
    return check(rest, std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1);
  }
  if (command == "translate") {
    return translate_command(rest, std::cout, std::cerr);
  }
  if (command == "rules") {
    return rules_command(rest, std::cout, std::cerr);
  }
  if (command == "version" || command == "--version") {
    return version(rest, std::cout, std::cerr);
  }
  std::cerr << "meshward: unknown command \"" << command << "\"\n\n" << kUsage;
  return kExitUsage;
}

Result<translate::Options> translator_flags(const Args& args) {
  translate::Options options;
  if (const auto text = args.value("istio-version")) {
    const auto version = translate::parse_istio_version(*text);
    if (!version) {
      return Error{"--istio-version \"" + *text + "\" is not a release meshward reproduces (" +
                   translate::to_string(translate::kOldestIstioVersion) + " to " +
                   translate::to_string(translate::kNewestIstioVersion) + ", e.g. 1.15)"};
    }
    options.version = *version;
    options.version_given = true;
  }
  if (const auto path = args.value("mesh-config")) {
    std::ifstream in(*path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return Error{"--mesh-config " + *path + ": cannot read the file"};
    }
    auto mesh = translate::parse_mesh_config(text.str(), *path);
    if (!mesh) {
      return mesh.error();
    }
    options.mesh = std::move(*mesh);
  }
  return options;
}

}  // namespace meshward::cli
