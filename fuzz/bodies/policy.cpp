// (e) A policy file (docs/policy.md), as `--policy FILE` reads it; a policy that parses is
// then asked what it does with a few findings in a few namespaces.

#include <string>

#include "common.h"
#include "meshward/admission/policy.h"

using namespace meshward;

int meshward_fuzz_policy(const std::uint8_t* data, std::size_t size) {
  auto policy = admission::parse_policy(fuzz::as_text(data, size), "policy.yaml");
  if (!policy) {
    MESHWARD_FUZZ_CHECK(!policy.error().message.empty(), "an error without a message");
    return 0;
  }
  for (const char* ns : {"", "default", "bookinfo", "legacy", "kube-system"}) {
    (void)policy->enforcement_for(ns);
  }
  for (const char* code : {"MW1005", "MW2101", "MW1201", "MW9999"}) {
    Finding f;
    f.code = code;
    for (const Severity s : {Severity::Error, Severity::Warning, Severity::Info}) {
      f.severity = s;
      (void)policy->action_for(f);
    }
  }
  return 0;
}
