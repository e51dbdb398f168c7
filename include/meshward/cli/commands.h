#pragma once
// The meshward command line: `meshward check | version | help`.

namespace meshward::cli {

/// Runs the command named by argv[1]; returns the process exit status.
int run(int argc, char** argv);

}  // namespace meshward::cli
