// libFuzzer entry point of the http target; the body is meshward_fuzz_http (bodies/http.cpp).
#include "meshward_fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return meshward_fuzz_http(data, size);
}
