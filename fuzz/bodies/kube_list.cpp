// (d) A LIST page as the kube client reads it: decoded (items stamped with the loop's kind),
// replacing that kind's objects in the store, then turned into a world.

#include "common.h"
#include "kube_common.h"
#include "kube/object_store.h"
#include "meshward/world/snapshot.h"

using namespace meshward;

int meshward_fuzz_kube_list(const std::uint8_t* data, std::size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  const kube::WatchTarget target = fuzz::kube_target(text);
  std::string body(text);
  kube::ListPage page;
  try {
    page = kube::decode_list_page(body, target);
  } catch (const kube::ApiCallError&) {
    return 0;  // The loop records the error and lists again.
  }
  kube::ObjectStore store;
  const std::size_t items = page.objects.size();
  store.replace(target.kind, target.namespace_, std::move(page.objects));
  MESHWARD_FUZZ_CHECK(store.count(target.kind) <= items, "the store holds more than the page");
  const auto snapshot = world::Snapshot::make(store.objects());
  MESHWARD_FUZZ_CHECK(snapshot->size() == store.count(target.kind), "store and world disagree");
  return 0;
}
