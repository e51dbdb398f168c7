#pragma once
// Types several Istio kinds share.

#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// networking.istio.io WorkloadSelector (Sidecar, ServiceEntry, EnvoyFilter, WorkloadGroup):
/// `labels`.
struct WorkloadSelector {
  Loc loc;
  StringMap labels;
};
void decode(ObjectReader& r, WorkloadSelector& out);

/// istio.type.v1beta1.WorkloadSelector (security kinds, DestinationRule): `matchLabels`.
struct LabelSelector {
  Loc loc;
  StringMap match_labels;
};
void decode(ObjectReader& r, LabelSelector& out);

/// istio.type.v1beta1.PolicyTargetReference (`targetRef`, `targetRefs`).
struct PolicyTargetReference {
  Loc loc;
  Field<std::string> group;
  Field<std::string> kind;
  Field<std::string> name;
  Field<std::string> namespace_;
};
void decode(ObjectReader& r, PolicyTargetReference& out);

}  // namespace meshward::model
