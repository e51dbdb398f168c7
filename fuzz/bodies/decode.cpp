// (a) A manifest file, as `meshward check -f` reads it: the YAML multi-document stream or
// JSON text (chosen by content, as for a file named *.yaml), decoded into the model, duplicates
// resolved, indexed into a world; the findings rendered as `-o json` does. Text that looks
// like JSON is also read as YAML (a superset), so the YAML path sees JSON-shaped input too.

#include <string>

#include "common.h"
#include "meshward/admission/review.h"
#include "meshward/core/report.h"
#include "meshward/model/decode.h"
#include "meshward/model/document.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

using namespace meshward;

int meshward_fuzz_decode(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);

  world::LoadResult loaded = world::load_text(text, "fuzz.yaml");
  for (const auto& object : loaded.objects) {
    MESHWARD_FUZZ_CHECK(object != nullptr, "null object from the loader");
  }
  const auto snapshot = world::Snapshot::make(loaded.objects);
  MESHWARD_FUZZ_CHECK(snapshot->objects().size() == loaded.objects.size(),
                      "the snapshot lost or added objects");

  const std::string report = findings_to_json(loaded.findings);
  MESHWARD_FUZZ_CHECK(fuzz::is_json(report), report);
  if (admission::valid_utf8(text)) {
    MESHWARD_FUZZ_CHECK(admission::valid_utf8(report), report);
  }

  // The same bytes through the YAML path when the loader took the JSON one.
  if (text.find_first_not_of(" \t\r\n") != std::string_view::npos &&
      (text[text.find_first_not_of(" \t\r\n")] == '{' || text[text.find_first_not_of(" \t\r\n")] == '[')) {
    model::ParsedStream parsed = model::parse_stream(text, "fuzz.yaml", model::InputFormat::Yaml);
    model::DecodeResult decoded;
    model::DecodeOptions options;
    options.file = "fuzz.yaml";
    for (const auto& doc : parsed.documents) {
      options.lines = &doc.lines;
      options.item_lines = doc.item_lines.empty() ? nullptr : &doc.item_lines;
      options.first_line = doc.first_line;
      model::decode_document(*doc.json, options, decoded);
    }
  }
  return 0;
}
