#pragma once
// The neighbourhood of one change: which subjects of the mesh checks can have different
// findings after an object is created, replaced or deleted. Admission runs the mesh checks
// focused on it (Context::subjects()), so a review costs what the change touches, not what
// the world holds.
//
// A subject's findings depend on the subject itself and on what its lookups return. One
// change alters the answer of a lookup only if the lookup can return the changed object
// (before or after the change), so the subjects to revisit are the changed object and the
// objects whose lookups can reach it: the "readers" of the changed object, found through the
// same world indexes read in reverse (a DestinationRule's readers are the VirtualServices
// routing to its host, a Gateway's the VirtualServices binding it, a Pod's the Gateways and
// policies selecting it, ...). The table in focus.cpp lists each relation with the checks
// that read it; a check reading the world in a new way adds its relation there (the
// admission property test compares focused and whole-world results on random changes).

#include "meshward/model/object.h"
#include "meshward/rules/rule.h"
#include "meshward/world/view.h"

namespace meshward::rules {

/// The subjects whose mesh findings can differ between `before` and `after`, where `after` is
/// `before` with `old_version` (an object of `before`; null on create) replaced by
/// `new_version` (an object of `after`; null on delete): both versions, the readers of the old
/// version in `before` and of the new version in `after`, and whole kinds when the change
/// flips a world-wide fact a check judges by (the first Pod or workload of the world).
/// `mesh`: the MeshConfig the checks judge by (its root namespace's policies reach every
/// namespace; its extension providers' services are read by every CUSTOM policy).
Focus change_focus(const world::View& before, const world::View& after,
                   const model::Object* old_version, const model::Object* new_version,
                   const translate::MeshConfig& mesh);

}  // namespace meshward::rules
