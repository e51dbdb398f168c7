// libFuzzer entry point of the decode target; the body is meshward_fuzz_decode (bodies/decode.cpp).
#include "meshward_fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return meshward_fuzz_decode(data, size);
}
