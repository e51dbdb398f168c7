// libFuzzer entry point of the kube_watch target; the body is meshward_fuzz_kube_watch (bodies/kube_watch.cpp).
#include "meshward_fuzz/fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return meshward_fuzz_kube_watch(data, size);
}
