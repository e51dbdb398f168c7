#pragma once
// Generates realistic worlds for benchmarks: per application a Service, a VirtualService with
// header-matched and weighted routes, a DestinationRule with subsets and traffic policy; one
// Gateway per 20 applications binding their hosts; one ServiceEntry per 10 applications.

#include <cstddef>
#include <string>

namespace meshward::bench {

/// A `kind: List` JSON document of about `objects` objects, as `kubectl get -o json` writes.
std::string generate_world_json(std::size_t objects);

}  // namespace meshward::bench
