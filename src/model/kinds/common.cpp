#include "meshward/model/kinds/common.h"

namespace meshward::model {

void decode(ObjectReader& r, WorkloadSelector& out) { r.optional("labels", out.labels); }

void decode(ObjectReader& r, LabelSelector& out) { r.optional("matchLabels", out.match_labels); }

void decode(ObjectReader& r, PolicyTargetReference& out) {
  r.optional("group", out.group);
  r.optional("kind", out.kind);
  r.required("name", out.name);
  r.optional("namespace", out.namespace_);
}

}  // namespace meshward::model
