#include "meshward/cli/commands.h"

#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

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

Result<translate::Options> istio_version_flag(const Args& args) {
  translate::Options options;
  const auto text = args.value("istio-version");
  if (!text) {
    return options;
  }
  if (const auto version = translate::parse_istio_version(*text)) {
    options.version = *version;
    options.version_given = true;
    return options;
  }
  return Error{"--istio-version \"" + *text + "\" is not a release meshward reproduces (" +
               translate::to_string(translate::kOldestIstioVersion) + " to " +
               translate::to_string(translate::kNewestIstioVersion) + ", e.g. 1.15)"};
}

}  // namespace meshward::cli
