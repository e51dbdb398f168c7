// libFuzzer entry point of the kubeconfig target; the body is meshward_fuzz_kubeconfig (bodies/kubeconfig.cpp).
#include "meshward_fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return meshward_fuzz_kubeconfig(data, size);
}
