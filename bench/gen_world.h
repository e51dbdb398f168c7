#pragma once
// Generates realistic worlds for benchmarks: per application a Service, a VirtualService with
// header-matched and weighted routes, a DestinationRule with subsets and traffic policy; one
// Gateway per 20 applications binding their hosts; one ServiceEntry per 10 applications.
// With endpoints, each application also has two Pods (version v1 and v2) and the EndpointSlice
// listing them, so the checks that read endpoints (MW2116) have something to judge.

#include <cstddef>
#include <string>

namespace meshward::bench {

/// A `kind: List` JSON document of about `objects` objects, as `kubectl get -o json` writes.
/// `endpoints`: also Pods and an EndpointSlice per application (fewer applications for the
/// same number of objects).
std::string generate_world_json(std::size_t objects, bool endpoints = false);

}  // namespace meshward::bench
