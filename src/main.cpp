#include "meshward/cli/commands.h"

int main(int argc, char** argv) { return meshward::cli::run(argc, argv); }
