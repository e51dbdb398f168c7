#pragma once
// Helper the VirtualService TCP and TLS route checks (src/rules/resource/) share; internal,
// not a check: the L4 conditions common to L4MatchAttributes and TLSMatchAttributes
// (validateTCPMatch / validateTLSMatch, pkg/config/validation/validation.go).

#include <cstdint>
#include <string>
#include <vector>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/model/object.h"
#include "meshward/rules/rule.h"

namespace meshward::rules {

/// Reports (as `info`, on `object`) destinationSubnets that are not IPs/CIDRs, a non-zero port
/// outside 1..65535 and invalid sourceLabels keys or values of one L4/TLS match.
void check_l4_match(const RuleInfo& info, const model::Object& object,
                    const std::vector<model::Field<std::string>>& destination_subnets,
                    const model::Field<std::uint32_t>& port,
                    const model::StringMap& source_labels, Sink& out);

}  // namespace meshward::rules
