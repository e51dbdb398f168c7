#include "meshward/cli/commands.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include <gtest/gtest.h>

#include "meshward/cli/checks_doc.h"
#include "meshward/core/json.h"
#include "meshward/rules/registry.h"

namespace meshward::cli {
namespace {

const std::string kExamples = std::string(MESHWARD_SOURCE_DIR) + "/examples";

TEST(CheckCommand, UsageErrorsExitTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(check({}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("no input"), std::string::npos);
  EXPECT_EQ(check({"-f", "/does/not/exist"}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("/does/not/exist"), std::string::npos);
  EXPECT_EQ(check({"-f", kExamples, "-o", "xml"}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("text, json or sarif"), std::string::npos);
  EXPECT_EQ(check({"-f", kExamples, "--fail-on", "fatal"}, out, err), kExitUsage);
  EXPECT_EQ(check({"--bogus"}, out, err), kExitUsage);
}

// The world of tests/golden/check/mesh-subset-starting-*: the canary subset's only pod is
// not ready and its EndpointSlice entry names no `terminating` condition, which Istio 1.31
// reads as terminating (MW2116: the canary cluster stays empty) and earlier releases as
// merely unhealthy (no finding).
const std::string kStartingCanary =
    std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/mesh-subset-starting-1.31/input";

TEST(CheckCommand, IstioVersionMustBeAReproducedRelease) {
  for (const std::string bad : {"2.0", "1.9", "1.32", "one.fifteen", ""}) {
    std::ostringstream out, err;
    EXPECT_EQ(check({"-f", kStartingCanary, "--istio-version", bad}, out, err), kExitUsage) << bad;
    EXPECT_NE(err.str().find("--istio-version \"" + bad + "\" is not a release"),
              std::string::npos)
        << err.str();
    EXPECT_TRUE(out.str().empty()) << out.str();
  }
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", kStartingCanary, "--istio-version"}, out, err), kExitUsage);
}

// `meshward check <args> -o json`, expecting `expected_status`: how many findings have `code`.
std::size_t count_findings(std::vector<std::string> args, std::string_view code,
                           int expected_status) {
  args.insert(args.end(), {"-o", "json"});
  std::ostringstream out, err;
  EXPECT_EQ(check(args, out, err), expected_status) << out.str() << err.str();
  json::Document doc;
  doc.Parse(out.str().c_str());
  std::size_t n = 0;
  if (!doc.HasParseError()) {
    for (const auto& f : doc["findings"].GetArray()) {
      n += std::string_view(f["code"].GetString()) == code ? 1 : 0;
    }
  }
  return n;
}

TEST(CheckCommand, IstioVersionReachesTheMeshChecks) {
  const auto mw2116 = [](std::vector<std::string> extra, int expected_status) {
    extra.insert(extra.begin(), {"-f", kStartingCanary});
    return count_findings(std::move(extra), "MW2116", expected_status);
  };
  EXPECT_EQ(mw2116({"--istio-version", "1.31"}, kExitFindings), 1u);
  EXPECT_EQ(mw2116({"--istio-version", "1.31.2"}, kExitFindings), 1u);  // a patch is ignored
  EXPECT_EQ(mw2116({"--istio-version", "1.30"}, kExitOk), 0u);
  EXPECT_EQ(mw2116({"--istio-version", "1.10"}, kExitOk), 0u);
  EXPECT_EQ(mw2116({}, kExitOk), 0u);  // the default release, 1.30
}

TEST(CheckCommand, HelpNamesIstioVersion) {
  std::ostringstream out, err;
  EXPECT_EQ(check({"--help"}, out, err), kExitOk);
  EXPECT_NE(out.str().find("--istio-version"), std::string::npos) << out.str();
}

TEST(CheckCommand, BundledExamplesAreClean) {
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "-o", "json"}, out, err), kExitOk) << out.str();
  json::Document doc;
  doc.Parse(out.str().c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["findings"].Size(), 0u) << out.str();
  EXPECT_EQ(doc["summary"]["errors"].GetUint64(), 0u);
}

TEST(CheckCommand, FailOnThreshold) {
  // A warning-only input passes by default and fails with --fail-on warning.
  const std::string dir = std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/unknown-field-warns/input";
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", dir}, out, err), kExitOk) << out.str();
  EXPECT_NE(out.str().find("MW1005 warning"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find(" error "), std::string::npos) << out.str();
  EXPECT_EQ(check({"-f", dir, "--fail-on", "warning"}, out, err), kExitFindings);
  EXPECT_EQ(check({"-f", dir, "--fail-on", "info"}, out, err), kExitFindings);
  // none: report only.
  const std::string errors = std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/typo-hides-tls/input";
  EXPECT_EQ(check({"-f", errors}, out, err), kExitFindings);
  EXPECT_EQ(check({"-f", errors, "--fail-on", "none"}, out, err), kExitOk);
}

// A policy or mesh config file in a temporary file, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("meshward-check-" + std::to_string(::getpid()) + "-" + std::to_string(++count_) + ".yaml")) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int count_ = 0;
  std::filesystem::path path_;
};

TEST(CheckCommand, PolicyDecidesTheExitAndFailOnAddsAThreshold) {
  // One error (MW1107) and one warning (MW1005), both in namespace bookinfo.
  const std::string dir = std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/typo-hides-tls/input";
  std::ostringstream out, err;
  // The default policy denies errors: exit 1, as without a policy.
  TempFile defaults("");
  EXPECT_EQ(check({"-f", dir, "--policy", defaults.path()}, out, err), kExitFindings);
  // The error only warns: nothing would deny, so exit 0 -- unless --fail-on warning.
  TempFile relaxed("rules:\n  gateway-tls-missing: warn\n");
  out.str("");
  EXPECT_EQ(check({"-f", dir, "--policy", relaxed.path()}, out, err), kExitOk) << out.str();
  EXPECT_NE(out.str().find("MW1107 warning"), std::string::npos) << out.str();
  EXPECT_EQ(check({"-f", dir, "--policy", relaxed.path(), "--fail-on", "warning"}, out, err),
            kExitFindings);
  // The namespace is off: nothing is reported at all.
  TempFile off("namespaces:\n  bookinfo: off\n");
  out.str("");
  EXPECT_EQ(check({"-f", dir, "--policy", off.path(), "--fail-on", "info"}, out, err), kExitOk);
  EXPECT_NE(out.str().find("0 errors, 0 warnings, 0 infos in 1 objects from 1 file; 2 ignored by the policy"),
            std::string::npos)
      << out.str();
  // The warning raised to deny: exit 1 even with the error ignored.
  TempFile strict("rules:\n  MW1107: ignore\n  MW1005: deny\n");
  out.str("");
  EXPECT_EQ(check({"-f", dir, "--policy", strict.path(), "-o", "json"}, out, err), kExitFindings);
  json::Document doc;
  doc.Parse(out.str().c_str());
  ASSERT_FALSE(doc.HasParseError()) << out.str();
  ASSERT_EQ(doc["findings"].Size(), 1u);
  EXPECT_STREQ(doc["findings"][0]["code"].GetString(), "MW1005");
  EXPECT_STREQ(doc["findings"][0]["severity"].GetString(), "error");
}

TEST(CheckCommand, RequireEgressGatewayFailsOnDirectEgressUnlessARuleSaysOtherwise) {
  // tests/golden/check/policy-egress-required: two MESH_EXTERNAL entries, no egress gateway
  // (two MW2112 warnings), in namespaces shop and legacy.
  const std::string dir = std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/check/policy-egress-required/input";
  const auto run = [&](const std::string& policy_text, std::string& out_text) {
    TempFile policy(policy_text);
    std::ostringstream out, err;
    const int status = check({"-f", dir, "--policy", policy.path()}, out, err);
    out_text = out.str();
    return status;
  };
  std::string out;
  // Without the key (or false): warnings, exit 0.
  for (const char* text : {"", "requireEgressGateway: false\n"}) {
    EXPECT_EQ(run(text, out), kExitOk) << out;
    EXPECT_NE(out.find("0 errors, 2 warnings"), std::string::npos) << out;
  }
  // true: both are errors and fail the run.
  EXPECT_EQ(run("requireEgressGateway: true\n", out), kExitFindings) << out;
  EXPECT_NE(out.find("MW2112 error    ServiceEntry shop/payments-api"), std::string::npos) << out;
  EXPECT_NE(out.find("MW2112 error    ServiceEntry legacy/weather-api"), std::string::npos) << out;
  // A rules entry wins, whichever comes first in the file.
  EXPECT_EQ(run("rules: {MW2112: warn}\nrequireEgressGateway: true\n", out), kExitOk) << out;
  EXPECT_NE(out.find("0 errors, 2 warnings"), std::string::npos) << out;
  EXPECT_EQ(run("requireEgressGateway: true\nrules: {serviceentry-external-no-egress-gateway: ignore}\n", out),
            kExitOk)
      << out;
  EXPECT_NE(out.find("0 errors, 0 warnings, 0 infos in 2 objects from 1 file; 2 ignored by the policy"),
            std::string::npos)
      << out;
  // A bad value is a usage error.
  EXPECT_EQ(run("requireEgressGateway: yes\n", out), kExitUsage);
}

TEST(CheckCommand, BadTempFileIsAUsageError) {
  TempFile bad("rules:\n  MW9999: warn\n");
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "--policy", bad.path()}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("meshward check: --policy: " + bad.path() + ":2: rules: unknown rule \"MW9999\""),
            std::string::npos)
      << err.str();
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "--policy", "/does/not/exist.yaml"}, out, err), kExitUsage);
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "--fail-on", "sometimes"}, out, err), kExitUsage);
  EXPECT_EQ(check({"-f", kExamples + "/bookinfo", "--color", "sometimes"}, out, err), kExitUsage);
}

// A VirtualService routing to subset v1 of reviews, which only the DestinationRule in
// istio-config defines: istiod consults that namespace's rules for every client only when it
// is the root namespace (meshConfig.rootNamespace).
TEST(CheckCommand, MeshConfigReachesTheMeshChecks) {
  const std::string world = std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/translate/mesh-config";
  TempFile vs(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
)");
  const auto mw2101 = [&](std::vector<std::string> extra, int expected_status) {
    extra.insert(extra.begin(), {"-f", world + "/world.yaml", "-f", vs.path()});
    return count_findings(std::move(extra), "MW2101", expected_status);
  };
  EXPECT_EQ(mw2101({}, kExitFindings), 1u);
  EXPECT_EQ(mw2101({"--mesh-config", world + "/mesh.yaml"}, kExitOk), 0u);
  TempFile root_only("rootNamespace: istio-config\n");
  EXPECT_EQ(mw2101({"--mesh-config", root_only.path()}, kExitOk), 0u);

  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", world + "/world.yaml", "--mesh-config", "/does/not/exist"}, out, err),
            kExitUsage);
  EXPECT_NE(err.str().find("--mesh-config /does/not/exist: cannot read the file"),
            std::string::npos)
      << err.str();
  TempFile bad("outboundTrafficPolicy: {mode: NONE}\n");
  EXPECT_EQ(check({"-f", world + "/world.yaml", "--mesh-config", bad.path()}, out, err),
            kExitUsage);
  EXPECT_NE(err.str().find("outboundTrafficPolicy.mode is not ALLOW_ANY or REGISTRY_ONLY"),
            std::string::npos)
      << err.str();
}

// The real-world incident MW2118 exists for: a mesh with defaultServiceExportTo ["."] and an
// ingress gateway in a namespace of its own, which then sees none of the services it routes to.
TEST(CheckCommand, MeshExportDefaultsReachTheMeshChecks) {
  TempFile world(R"(apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-ingress}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*/shop.example.com"]}]
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: shop}
spec:
  selector: {app: shop}
  ports: [{name: http, port: 8080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-ingress/public]
  http:
  - route:
    - destination: {host: shop}
)");
  TempFile mesh("defaultServiceExportTo: [\".\"]\n");
  std::ostringstream out, err;
  EXPECT_EQ(check({"-f", world.path(), "-o", "json"}, out, err), kExitOk) << out.str();
  std::ostringstream out2, err2;
  EXPECT_EQ(check({"-f", world.path(), "-o", "json", "--mesh-config", mesh.path()}, out2, err2),
            kExitFindings)
      << err2.str();
  json::Document doc;
  doc.Parse(out2.str().c_str());
  ASSERT_FALSE(doc.HasParseError()) << out2.str();
  ASSERT_EQ(doc["findings"].Size(), 1u) << out2.str();
  const auto& f = doc["findings"][0];
  EXPECT_STREQ(f["code"].GetString(), "MW2118");
  EXPECT_NE(std::string(f["message"].GetString())
                .find("Service shop/shop names no exportTo, and the mesh's defaultServiceExportTo "
                      "(.) exports it only to shop, not to istio-ingress"),
            std::string::npos)
      << f["message"].GetString();
}

TEST(VersionCommand, TextAndJson) {
  std::ostringstream out, err;
  EXPECT_EQ(version({}, out, err), kExitOk);
  EXPECT_EQ(out.str().rfind("meshward ", 0), 0u);
  std::ostringstream json_out;
  EXPECT_EQ(version({"-o", "json"}, json_out, err), kExitOk);
  json::Document doc;
  doc.Parse(json_out.str().c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_TRUE(doc["version"].IsString());
}

}  // namespace
}  // namespace meshward::cli

namespace meshward::cli {
namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// docs/checks.md and docs/checks/*.md are what the generator makes of the registry and the
// golden cases, byte for byte; a page the generator no longer makes is stale too.
TEST(RulesCommand, CheckDocsAreWhatTheGeneratorWrites) {
  const std::filesystem::path docs = std::filesystem::path(MESHWARD_SOURCE_DIR) / "docs";
  auto pages = checks_doc(std::filesystem::path(MESHWARD_SOURCE_DIR) / "tests" / "golden" / "rules");
  ASSERT_TRUE(pages.ok()) << pages.error().message;
  const std::string regenerate = std::string("regenerate them from the repository root with `") +
                                 std::string(kChecksDocCommand) + "` (e.g. ./build/meshward rules ...)";
  std::set<std::string> generated;
  for (const DocPage& page : *pages) {
    generated.insert(page.path);
    ASSERT_TRUE(std::filesystem::exists(docs / page.path)) << "docs/" << page.path << " is missing: " << regenerate;
    // Compared line by line so that a failure names the first line that differs.
    const std::string committed = read_text(docs / page.path);
    if (committed != page.text) {
      std::istringstream a(committed), b(page.text);
      std::string la, lb;
      int line = 1;
      while (std::getline(a, la) && std::getline(b, lb) && la == lb) {
        ++line;
      }
      ADD_FAILURE() << "docs/" << page.path << " is stale (line " << line << " differs): " << regenerate
                    << "\n  committed: " << la.substr(0, 200) << "\n  generated: " << lb.substr(0, 200);
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(docs / "checks")) {
    EXPECT_TRUE(generated.count("checks/" + entry.path().filename().string()))
        << entry.path() << " is not generated any more: remove it";
  }
}

// Every registered check has its section, with a bad and a fixed manifest and what the
// check reports on the bad one; the index links every code to its section.
TEST(RulesCommand, CheckDocsShowEveryCheckWithItsExamples) {
  auto pages = checks_doc(std::filesystem::path(MESHWARD_SOURCE_DIR) / "tests" / "golden" / "rules");
  ASSERT_TRUE(pages.ok()) << pages.error().message;
  std::map<std::string, std::string> by_path;
  for (const DocPage& page : *pages) {
    by_path[page.path] = page.text;
  }
  ASSERT_EQ(by_path.size(), 5u);
  const std::string& index = by_path.at("checks.md");
  for (const rules::Rule& rule : rules::all_rules()) {
    const std::string code(rule.info.code);
    const std::string folder = code + "-" + std::string(rule.info.name);
    std::string anchor = folder;
    for (char& c : anchor) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string page;
    for (const auto& [path, text] : by_path) {
      if (path != "checks.md" && text.find("\n## " + code + " ") != std::string::npos) {
        EXPECT_TRUE(page.empty()) << code << " has a section in two pages";
        page = path;
      }
    }
    ASSERT_FALSE(page.empty()) << code << " has no section";
    const std::string& text = by_path.at(page);
    EXPECT_NE(index.find("| [" + code + "](" + page + "#" + anchor + ") |"), std::string::npos) << code;
    const std::string section = text.substr(text.find("\n## " + code + " "));
    const std::string own = section.substr(0, section.find("\n## ", 1));
    EXPECT_NE(own.find(std::string(rule.info.description)), std::string::npos) << code;
    EXPECT_NE(own.find("| " + std::string(severity_name(rule.info.severity)) + " | "), std::string::npos) << code;
    EXPECT_NE(own.find("**Bad**: [`fires.yaml`](../../tests/golden/rules/" + folder + "/fires.yaml); " + code +
                       " reports:\n\n- "),
              std::string::npos)
        << code;
    EXPECT_NE(own.find("**Fixed**: [`fixed.yaml`](../../tests/golden/rules/" + folder + "/fixed.yaml); " + code +
                       " reports nothing on it."),
              std::string::npos)
        << code;
    // Both manifests are shown, and the MeshConfig they are judged with when the case has one.
    std::size_t blocks = 0;
    for (auto at = own.find("\n```yaml\n"); at != std::string::npos; at = own.find("\n```yaml\n", at + 1)) {
      ++blocks;
    }
    const bool mesh_config = std::filesystem::exists(std::string(MESHWARD_SOURCE_DIR) +
                                                     "/tests/golden/rules/" + folder + "/mesh-config.yaml");
    EXPECT_EQ(blocks, mesh_config ? 3u : 2u) << code;
    EXPECT_EQ(own.find("Judged with the mesh's MeshConfig") != std::string::npos, mesh_config) << code;
  }
}

TEST(RulesCommand, MarkdownCatalogueListsEveryRule) {
  std::ostringstream out, err;
  ASSERT_EQ(rules_command({"-o", "md"}, out, err), kExitOk);
  const std::string table = out.str();
  EXPECT_EQ(table.rfind(std::string(kCatalogueHeader), 0), 0u) << table;
  std::size_t rows = 0;
  for (const rules::Rule& rule : rules::all_rules()) {
    EXPECT_NE(table.find(catalogue_row(rule, rule.info.code)), std::string::npos) << rule.info.code;
    ++rows;
  }
  EXPECT_EQ(static_cast<std::size_t>(std::count(table.begin(), table.end(), '\n')), rows + 2);
}

TEST(RulesCommand, WriteNeedsExamplesAndMarkdown) {
  std::ostringstream out, err;
  EXPECT_EQ(rules_command({"-o", "md", "--write", "/tmp"}, out, err), kExitUsage);
  EXPECT_EQ(rules_command({"--examples", "tests/golden/rules", "--write", "/tmp"}, out, err), kExitUsage);
  EXPECT_NE(err.str().find("--examples and --write go together, with -o md"), std::string::npos) << err.str();
  EXPECT_EQ(rules_command({"-o", "md", "--examples", "/does/not/exist", "--write", "/tmp"}, out, err),
            kExitUsage);
  EXPECT_NE(err.str().find("/does/not/exist: not a directory"), std::string::npos) << err.str();
}

TEST(RulesCommand, WriteWritesEveryPage) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("meshward-docs-" + std::to_string(::getpid()));
  std::ostringstream out, err;
  ASSERT_EQ(rules_command({"-o", "md", "--examples", std::string(MESHWARD_SOURCE_DIR) + "/tests/golden/rules",
                           "--write", dir.string()},
                          out, err),
            kExitOk)
      << err.str();
  auto pages = checks_doc(std::filesystem::path(MESHWARD_SOURCE_DIR) / "tests" / "golden" / "rules");
  ASSERT_TRUE(pages.ok());
  for (const DocPage& page : *pages) {
    EXPECT_EQ(read_text(dir / page.path), page.text) << page.path;
    EXPECT_NE(out.str().find("wrote " + (dir / page.path).string()), std::string::npos) << out.str();
  }
  std::filesystem::remove_all(dir);
}

TEST(RulesCommand, JsonListsEveryRule) {
  std::ostringstream out, err;
  ASSERT_EQ(rules_command({"-o", "json"}, out, err), kExitOk);
  json::Document doc;
  doc.Parse(out.str().c_str());
  ASSERT_TRUE(doc.IsArray());
  EXPECT_GT(doc.Size(), 100u);
  for (const auto& rule : doc.GetArray()) {
    EXPECT_TRUE(rule["code"].IsString());
    EXPECT_TRUE(rule["severity"].IsString());
    EXPECT_TRUE(rule["description"].IsString());
  }
}

}  // namespace
}  // namespace meshward::cli
