#include "meshward/cli/commands.h"

#include <iostream>

namespace meshward::cli {

int run(int argc, char** argv) {
  (void)argc;
  (void)argv;
  std::cout << "meshward\n";
  return 0;
}

}  // namespace meshward::cli
