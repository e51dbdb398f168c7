#include "meshward/core/report.h"

#include <gtest/gtest.h>

#include "meshward/core/json.h"

namespace meshward {
namespace {

Finding sample(std::string code, Severity severity, std::string file, std::uint32_t line) {
  Finding f;
  f.code = std::move(code);
  f.severity = severity;
  f.rule = "virtualservice-subset-undefined";
  f.resource = ResourceRef{"networking.istio.io/v1", "VirtualService", "bookinfo", "reviews"};
  f.path = "spec.http[0].route[0].destination.subset";
  f.message = "subset v2 is defined by no DestinationRule";
  if (!file.empty()) {
    f.source = SourceRef{std::move(file), line};
  }
  return f;
}

TEST(FindingsJson, DesignContractShape) {
  Finding f = sample("MW2101", Severity::Error, "bookinfo.yaml", 42);
  f.istio_code = "IST0101";
  json::Document doc;
  doc.Parse(findings_to_json({f}).c_str());
  ASSERT_FALSE(doc.HasParseError());
  const auto& item = doc["findings"][0];
  EXPECT_STREQ(item["code"].GetString(), "MW2101");
  EXPECT_STREQ(item["severity"].GetString(), "error");
  EXPECT_STREQ(item["rule"].GetString(), "virtualservice-subset-undefined");
  EXPECT_STREQ(item["resource"]["apiVersion"].GetString(), "networking.istio.io/v1");
  EXPECT_STREQ(item["resource"]["kind"].GetString(), "VirtualService");
  EXPECT_STREQ(item["resource"]["namespace"].GetString(), "bookinfo");
  EXPECT_STREQ(item["resource"]["name"].GetString(), "reviews");
  EXPECT_STREQ(item["path"].GetString(), "spec.http[0].route[0].destination.subset");
  EXPECT_STREQ(item["istio_code"].GetString(), "IST0101");
  EXPECT_STREQ(item["source"]["file"].GetString(), "bookinfo.yaml");
  EXPECT_EQ(item["source"]["line"].GetUint(), 42u);
  EXPECT_EQ(doc["summary"]["errors"].GetUint(), 1u);
  EXPECT_EQ(doc["summary"]["warnings"].GetUint(), 0u);
  EXPECT_EQ(doc["summary"]["infos"].GetUint(), 0u);
}

TEST(FindingsJson, OptionalMembersOnlyWhenPresent) {
  json::Document doc;
  doc.Parse(findings_to_json({sample("MW1005", Severity::Warning, "", 0)}).c_str());
  const auto& item = doc["findings"][0];
  EXPECT_FALSE(item.HasMember("istio_code"));
  EXPECT_FALSE(item.HasMember("source"));
  EXPECT_EQ(doc["summary"]["warnings"].GetUint(), 1u);
}

TEST(FindingsJson, EscapesHostileText) {
  Finding f = sample("MW1002", Severity::Error, "a\"b.yaml", 1);
  f.message = std::string("quote \" backslash \\ newline \n nul ") + std::string(1, '\0') + " end";
  json::Document doc;
  const std::string text = findings_to_json({f});
  doc.Parse(text.c_str(), text.size());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(std::string(doc["findings"][0]["message"].GetString(),
                        doc["findings"][0]["message"].GetStringLength()),
            f.message);
}

TEST(FindingText, OneLineWithLocation) {
  EXPECT_EQ(finding_to_text(sample("MW2101", Severity::Error, "bookinfo.yaml", 42)),
            "bookinfo.yaml:42: error MW2101 VirtualService bookinfo/reviews "
            "spec.http[0].route[0].destination.subset: subset v2 is defined by no "
            "DestinationRule");
}

TEST(SortFindings, ByFileLineThenResource) {
  std::vector<Finding> findings = {sample("MW1", Severity::Error, "b.yaml", 1),
                                   sample("MW2", Severity::Error, "a.yaml", 9),
                                   sample("MW3", Severity::Error, "a.yaml", 2)};
  sort_findings(findings);
  EXPECT_EQ(findings[0].code, "MW3");
  EXPECT_EQ(findings[1].code, "MW2");
  EXPECT_EQ(findings[2].code, "MW1");
}

TEST(Severity, NamesRoundTrip) {
  for (Severity s : {Severity::Error, Severity::Warning, Severity::Info}) {
    EXPECT_EQ(parse_severity(severity_name(s)), s);
  }
  EXPECT_FALSE(parse_severity("fatal").has_value());
}

}  // namespace
}  // namespace meshward
