#include <ostream>

#include "meshward/cli/args.h"
#include "meshward/cli/commands.h"
#include "meshward/core/json.h"

#ifndef MESHWARD_VERSION
#define MESHWARD_VERSION "0.0.0"
#endif
#ifndef MESHWARD_GIT_COMMIT
#define MESHWARD_GIT_COMMIT "unknown"
#endif

namespace meshward::cli {

int version(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  const std::vector<FlagSpec> specs = {{"output", "o", true, "text (default) or json"},
                                       {"help", "h", false, "show this help"}};
  auto args = Args::parse(words, specs);
  if (!args) {
    err << "meshward version: " << args.error().message << "\n";
    return kExitUsage;
  }
  if (args->has("help")) {
    out << "Usage: meshward version [flags]\n\n" << describe_flags(specs);
    return kExitOk;
  }
  const std::string format = args->value("output").value_or("text");
#if defined(__clang__)
  const std::string compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  const std::string compiler = "gcc " __VERSION__;
#else
  const std::string compiler = "unknown";
#endif
  if (format == "json") {
    json::StringBuffer buffer;
    json::PrettyWriter w(buffer);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("version");
    w.String(MESHWARD_VERSION);
    w.Key("commit");
    w.String(MESHWARD_GIT_COMMIT);
    w.Key("compiler");
    w.String(compiler.c_str());
    w.Key("cplusplus");
    w.Int64(__cplusplus);
    w.EndObject();
    out << buffer.GetString() << "\n";
    return kExitOk;
  }
  if (format != "text") {
    err << "meshward version: --output must be text or json\n";
    return kExitUsage;
  }
  out << "meshward " << MESHWARD_VERSION << " (commit " << MESHWARD_GIT_COMMIT << ", " << compiler
      << ")\n";
  return kExitOk;
}

}  // namespace meshward::cli
