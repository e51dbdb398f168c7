// libFuzzer entry point of the admission target; the body is meshward_fuzz_admission (bodies/admission.cpp).
#include "meshward_fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return meshward_fuzz_admission(data, size);
}
