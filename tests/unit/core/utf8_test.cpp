#include "meshward/core/utf8.h"

#include <gtest/gtest.h>

#include "meshward/core/json.h"

namespace meshward::utf8 {
namespace {

TEST(Utf8, LoneSurrogatesFromEscapesBecomeTheReplacementCharacter) {
  // What RapidJSON 1.1 makes of "a\udc00b" and "\udfff": CESU bytes, not UTF-8.
  json::Document doc;
  doc.Parse(R"(["a\udc00b", "\udfff", "\ud83d\ude00", "\u00e9\u20ac"])");
  ASSERT_FALSE(doc.HasParseError());
  const auto text = [&](int i) { return std::string(doc[i].GetString(), doc[i].GetStringLength()); };
  EXPECT_EQ(without_surrogates(text(0)), std::optional<std::string>("a\xEF\xBF\xBD" "b"));
  EXPECT_EQ(without_surrogates(text(1)), std::optional<std::string>("\xEF\xBF\xBD"));
  // A surrogate pair is one valid character; other characters are left alone.
  EXPECT_EQ(without_surrogates(text(2)), std::nullopt);
  EXPECT_EQ(without_surrogates(text(3)), std::nullopt);
  EXPECT_EQ(without_surrogates("\xED\x9F\xBF"), std::nullopt);  // U+D7FF, just below them
  EXPECT_EQ(without_surrogates(""), std::nullopt);
}

}  // namespace
}  // namespace meshward::utf8
