// libFuzzer entry point of the policy target; the body is meshward_fuzz_policy (bodies/policy.cpp).
#include "meshward_fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return meshward_fuzz_policy(data, size);
}
