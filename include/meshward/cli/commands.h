#pragma once
// The meshward command line: `meshward serve | check | translate | rules | version | help`.
// Each command is a function of its arguments and two streams, so tests run them in-process.

#include <iosfwd>
#include <string>
#include <vector>

#include "meshward/cli/args.h"
#include "meshward/core/result.h"
#include "meshward/translate/options.h"

namespace meshward::cli {

/// Exit statuses shared by every command (docs/DESIGN.md): 0 nothing at or above the
/// failure threshold, 1 findings at or above it, 2 input or usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

/// `meshward check -f PATH... [-o text|json|sarif] [--fail-on SEVERITY|none] [--policy FILE]
/// [--color auto|always|never] [-n NAMESPACE] [--istio-version V]`. `out_is_terminal`: whether
/// `out` is a terminal (`--color auto` colours only then). `--istio-version` goes to the
/// translator options of the mesh checks (rules::RunOptions::translate).
int check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
          bool out_is_terminal = false);
/// `meshward rules [-o text|json|md]`: the check catalogue.
int rules_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
/// `meshward serve --world PATH [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]
/// [--client-ca FILE] [--policy FILE] [--threads N]`: the admission webhook; returns after SIGTERM/SIGINT.
int serve(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
/// `meshward translate -f PATH... --proxy sidecar:<ns>[,k=v...]|gateway:<ns>,k=v[,...]
/// [--type listeners|routes|clusters|endpoints|all] [-o table|json|yaml] [--istio-version V]`:
/// the Envoy configuration of one proxy, as istiod would build it.
int translate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
/// `meshward version [-o text|json]`.
int version(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// Runs the command named by argv[1]; returns the process exit status.
int run(int argc, char** argv);

/// The translator flags of `check`, `translate` and `serve`: `--istio-version X.Y` imitates
/// that release (Options::version_given set; the newest when absent), `--mesh-config FILE`
/// reads the mesh's MeshConfig (translate::parse_mesh_config; Istio's defaults when absent).
/// An Error (message without the command's name) when the release is not one meshward
/// reproduces or the file cannot be read or is not a MeshConfig.
Result<translate::Options> translator_flags(const Args& args);

}  // namespace meshward::cli
