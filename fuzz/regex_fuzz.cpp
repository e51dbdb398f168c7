// libFuzzer entry point of the regex target; the body is meshward_fuzz_regex (bodies/regex.cpp).
#include "meshward_fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return meshward_fuzz_regex(data, size);
}
