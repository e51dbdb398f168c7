// libFuzzer entry point of the kube_list target; the body is meshward_fuzz_kube_list (bodies/kube_list.cpp).
#include "meshward_fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return meshward_fuzz_kube_list(data, size);
}
