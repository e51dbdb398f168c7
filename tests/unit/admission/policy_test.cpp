// The policy file (parse errors with file:line, every key) and its per-namespace
// enforcement in decide().

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "meshward/admission/decide.h"
#include "meshward/admission/policy.h"
#include "meshward/admission/review.h"
#include "meshward/rules/registry.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::admission {
namespace {

namespace fs = std::filesystem;

// The example of docs/policy.md (and of the chart's ConfigMap).
constexpr const char* kExample = R"(# severity -> action (deny|warn|ignore); these are the defaults
severities:
  error: deny
  warning: warn
  info: ignore
# per-rule override, by code or rule name
rules:
  MW2112: warn
  gateway-conflict: ignore
# per-namespace enforcement
namespaces:
  legacy: warn
  sandbox: off
# namespaces not listed use this
defaultEnforcement: enforce
# true: MW2112 (traffic to a MESH_EXTERNAL host that no egress gateway carries) is an error
requireEgressGateway: false
)";

// The error text of parsing `text` as "policy.yaml" (empty when it parses).
std::string error_of(const std::string& text) {
  auto parsed = parse_policy(text, "policy.yaml");
  return parsed.ok() ? std::string() : parsed.error().message;
}

// Found by fuzz_policy: yaml-cpp 0.7 loops forever (allocating) on a ',' where a token starts
// outside a flow collection; such a file is an error, not a hung reload.
TEST(PolicyFile, TextYamlCppWouldLoopOnIsAnError) {
  for (const std::string text : {"!!ma,a", ",", "\"x\","}) {
    auto parsed = parse_policy(text, "policy.yaml");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().message.find("unexpected ','"), std::string::npos)
        << parsed.error().message;
  }
}

TEST(PolicyFile, ReadsEveryKeyOfTheDocumentedExample) {
  auto parsed = parse_policy(kExample, "policy.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Policy& p = *parsed;
  EXPECT_EQ(p.on_error, Action::Deny);
  EXPECT_EQ(p.on_warning, Action::Warn);
  EXPECT_EQ(p.on_info, Action::Ignore);
  // Rules are keyed by code, whichever way the file names them.
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules.at("MW2112"), Action::Warn);
  EXPECT_EQ(p.rules.count("gateway-conflict"), 0u);
  EXPECT_EQ(p.rules.at("MW2108"), Action::Ignore);  // gateway-conflict
  // `off` is the word, not YAML 1.1's boolean false.
  EXPECT_EQ(p.enforcement_for("legacy"), Enforcement::Warn);
  EXPECT_EQ(p.enforcement_for("sandbox"), Enforcement::Off);
  EXPECT_EQ(p.enforcement_for("bookinfo"), Enforcement::Enforce);
  EXPECT_EQ(p.default_enforcement, Enforcement::Enforce);
}

TEST(PolicyFile, TheDocumentedExampleIsAValidFile) {
  std::ifstream in(fs::path(MESHWARD_SOURCE_DIR) / "docs" / "policy.md");
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const auto start = text.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = text.find("```\n", start + 8);
  ASSERT_NE(end, std::string::npos);
  const std::string example = text.substr(start + 8, end - start - 8);
  auto parsed = parse_policy(example, "docs/policy.md");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->rules.at("MW2112"), Action::Warn);
  EXPECT_FALSE(parsed->require_egress_gateway);
  EXPECT_EQ(parsed->enforcement_for("sandbox"), Enforcement::Off);
}

TEST(PolicyFile, SeveritiesAndDefaultEnforcementChangeTheDefaults) {
  auto parsed = parse_policy("severities: {error: warn, info: warn}\ndefaultEnforcement: off\n"
                             "namespaces: {prod: enforce}\n",
                             "p.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->on_error, Action::Warn);
  EXPECT_EQ(parsed->on_warning, Action::Warn);  // not given: the default
  EXPECT_EQ(parsed->on_info, Action::Warn);
  EXPECT_EQ(parsed->enforcement_for("prod"), Enforcement::Enforce);
  EXPECT_EQ(parsed->enforcement_for("anything-else"), Enforcement::Off);
}

TEST(PolicyFile, EmptyFileAndEmptySectionsAreTheDefaults) {
  for (const char* text : {"", "# nothing yet\n", "---\n", "rules:\nnamespaces:\n"}) {
    auto parsed = parse_policy(text, "p.yaml");
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message;
    EXPECT_EQ(parsed->on_error, Action::Deny);
    EXPECT_TRUE(parsed->rules.empty());
    EXPECT_TRUE(parsed->namespaces.empty());
    EXPECT_EQ(parsed->default_enforcement, Enforcement::Enforce);
  }
}

// A finding of `code` at `severity` (only what the policy reads).
Finding finding_of(const std::string& code, const std::string& rule, Severity severity) {
  Finding f;
  f.code = code;
  f.rule = rule;
  f.severity = severity;
  return f;
}

TEST(PolicyFile, RequireEgressGatewayMakesMW2112AnError) {
  const Finding egress =
      finding_of("MW2112", "serviceentry-external-no-egress-gateway", Severity::Warning);
  const Finding other = finding_of("MW1005", "field-unknown", Severity::Warning);

  // Absent or false: MW2112 is the warning its rule declares.
  for (const char* text : {"", "requireEgressGateway: false\n"}) {
    auto p = parse_policy(text, "p.yaml");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_FALSE(p->require_egress_gateway) << text;
    EXPECT_EQ(p->severity_for(egress), Severity::Warning) << text;
    EXPECT_EQ(p->action_for(egress), Action::Warn) << text;
  }

  // true: an error, with the error action (deny by default); other warnings stay warnings.
  auto required = parse_policy("requireEgressGateway: true\n", "p.yaml");
  ASSERT_TRUE(required.ok()) << required.error().message;
  EXPECT_TRUE(required->require_egress_gateway);
  EXPECT_EQ(required->severity_for(egress), Severity::Error);
  EXPECT_EQ(required->action_for(egress), Action::Deny);
  EXPECT_EQ(required->severity_for(other), Severity::Warning);
  EXPECT_EQ(required->action_for(other), Action::Warn);

  // The error action is the file's: with errors only warned about, MW2112 warns.
  auto lenient = parse_policy("requireEgressGateway: true\nseverities: {error: warn}\n", "p.yaml");
  ASSERT_TRUE(lenient.ok()) << lenient.error().message;
  EXPECT_EQ(lenient->action_for(egress), Action::Warn);

  // A rules entry for MW2112 (by code or by name) wins over requireEgressGateway.
  for (const char* text : {"requireEgressGateway: true\nrules: {MW2112: warn}\n",
                           "rules:\n  serviceentry-external-no-egress-gateway: warn\n"
                           "requireEgressGateway: true\n"}) {
    auto p = parse_policy(text, "p.yaml");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->action_for(egress), Action::Warn) << text;
  }
  auto ignored = parse_policy("requireEgressGateway: true\nrules: {MW2112: ignore}\n", "p.yaml");
  ASSERT_TRUE(ignored.ok()) << ignored.error().message;
  EXPECT_EQ(ignored->action_for(egress), Action::Ignore);
  // And the other way: an override can deny MW2112 without requireEgressGateway.
  auto denied = parse_policy("rules: {MW2112: deny}\n", "p.yaml");
  ASSERT_TRUE(denied.ok()) << denied.error().message;
  EXPECT_EQ(denied->action_for(egress), Action::Deny);
}

TEST(PolicyFile, MissingReferencesBoundsWhatAMissingReferenceDoesToItsOwnObject) {
  Finding missing;
  missing.code = "MW2101";
  missing.rule = "virtualservice-subset-undefined";
  missing.severity = Severity::Error;
  missing.missing_reference = true;
  Finding other = missing;
  other.missing_reference = false;
  const Policy defaults;
  EXPECT_EQ(defaults.missing_references, Action::Warn);
  EXPECT_EQ(defaults.action_for(missing), Action::Deny);  // about another object
  EXPECT_EQ(defaults.action_for_reviewed(missing), Action::Warn);
  EXPECT_EQ(defaults.action_for_reviewed(other), Action::Deny);
  auto strict = parse_policy("missingReferences: deny\n", "p.yaml");
  ASSERT_TRUE(strict.ok()) << strict.error().message;
  EXPECT_EQ(strict->action_for_reviewed(missing), Action::Deny);
  auto quiet = parse_policy("missingReferences: ignore\n", "p.yaml");
  ASSERT_TRUE(quiet.ok()) << quiet.error().message;
  EXPECT_EQ(quiet->action_for_reviewed(missing), Action::Ignore);
  // Never harsher than the severity's action, and a rule override wins.
  auto mild = parse_policy("severities: {error: ignore}\n", "p.yaml");
  EXPECT_EQ(mild->action_for_reviewed(missing), Action::Ignore);
  auto pinned = parse_policy("rules: {virtualservice-subset-undefined: deny}\n", "p.yaml");
  EXPECT_EQ(pinned->action_for_reviewed(missing), Action::Deny);
  EXPECT_EQ(error_of("missingReferences: block\n"),
            "policy.yaml:1: missingReferences: unknown action \"block\" (expected deny, warn or ignore)");
}

TEST(PolicyFile, RequireEgressGatewayNamesTheRegisteredCheck) {
  const rules::Rule* rule = rules::find_rule(kEgressGatewayRule);
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->info.name, "serviceentry-external-no-egress-gateway");
}

TEST(PolicyFile, ErrorsNameTheFileAndLine) {
  EXPECT_EQ(error_of("severities:\n  error: deny\nrulez:\n  MW2112: warn\n"),
            "policy.yaml:3: unknown key \"rulez\" (expected severities, rules, namespaces, "
            "defaultEnforcement, requireEgressGateway or missingReferences)");
  EXPECT_EQ(error_of("severities:\n  critical: deny\n"),
            "policy.yaml:2: severities: unknown severity \"critical\" (expected error, warning or info)");
  EXPECT_EQ(error_of("severities:\n  error: block\n"),
            "policy.yaml:2: severities.error: unknown action \"block\" (expected deny, warn or ignore)");
  EXPECT_EQ(error_of("rules:\n  MW9999: warn\n"),
            "policy.yaml:2: rules: unknown rule \"MW9999\" (not a code or name that `meshward rules` "
            "lists)");
  EXPECT_EQ(error_of("rules:\n  MW2112: [warn]\n"),
            "policy.yaml:2: rules.MW2112: unknown action a list (expected deny, warn or ignore)");
  EXPECT_EQ(error_of("namespaces:\n  Legacy: warn\n"),
            "policy.yaml:2: namespaces: \"Legacy\" is not a namespace name (lowercase letters, "
            "digits and '-', at most 63)");
  EXPECT_EQ(error_of("namespaces:\n  legacy: deny\n"),
            "policy.yaml:2: namespaces.legacy: unknown enforcement \"deny\" (expected enforce, warn "
            "or off)");
  EXPECT_EQ(error_of("defaultEnforcement: strict\n"),
            "policy.yaml:1: defaultEnforcement: unknown enforcement \"strict\" (expected enforce, "
            "warn or off)");
  EXPECT_EQ(error_of("- severities\n"),
            "policy.yaml:1: the policy must be a mapping of names to values, got a list");
  EXPECT_EQ(error_of("rules: MW2112\n"),
            "policy.yaml:1: rules must be a mapping of names to values, got \"MW2112\"");
  // Only the words true and false: YAML 1.1's yes/no/on/off are not read as booleans.
  EXPECT_EQ(error_of("requireEgressGateway: yes\n"),
            "policy.yaml:1: requireEgressGateway: unknown value \"yes\" (expected true or false)");
  EXPECT_EQ(error_of("requireEgressGateway:\n"),
            "policy.yaml:1: requireEgressGateway: unknown value nothing (expected true or false)");
  EXPECT_EQ(error_of("requireEgressGateway: true\nrequireEgressGateway: false\n"),
            "policy.yaml:2: \"requireEgressGateway\" is given twice (first at line 1)");
}

TEST(PolicyFile, ARuleOrKeyGivenTwiceIsAnError) {
  // The same rule by code and by name: one of the two would be lost.
  auto parsed = parse_policy("rules:\n  MW1201: warn\n  virtualservice-route-action-missing: ignore\n",
                             "policy.yaml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message,
            "policy.yaml:3: rules: MW1201 (virtualservice-route-action-missing) is set twice "
            "(first at line 2)");
  EXPECT_EQ(error_of("namespaces:\n  legacy: warn\nnamespaces:\n  sandbox: off\n"),
            "policy.yaml:3: \"namespaces\" is given twice (first at line 1)");
}

TEST(PolicyFile, EveryProblemIsReportedOnItsOwnLine) {
  EXPECT_EQ(error_of("rules:\n  MW9998: warn\n  MW9999: warn\nextra: 1\n"),
            "policy.yaml:2: rules: unknown rule \"MW9998\" (not a code or name that `meshward rules` "
            "lists)\n"
            "policy.yaml:3: rules: unknown rule \"MW9999\" (not a code or name that `meshward rules` "
            "lists)\n"
            "policy.yaml:4: unknown key \"extra\" (expected severities, rules, namespaces, "
            "defaultEnforcement, requireEgressGateway or missingReferences)");
}

TEST(PolicyFile, YamlSyntaxErrorsAndSeveralDocuments) {
  const std::string syntax = error_of("rules:\n  MW2112: warn\n  - broken\n");
  EXPECT_EQ(syntax.rfind("policy.yaml:3: YAML does not parse: ", 0), 0u) << syntax;
  EXPECT_EQ(error_of("rules: {}\n---\nrules: {}\n"),
            "policy.yaml:3: one YAML document expected, found 2");
}

TEST(PolicyFile, LoadNamesAnUnreadableFile) {
  auto missing = load_policy_file("/does/not/exist/policy.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/does/not/exist/policy.yaml: cannot read"),
            std::string::npos)
      << missing.error().message;
  auto directory = load_policy_file(fs::temp_directory_path().string());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("is a directory"), std::string::npos);

  const fs::path file = fs::temp_directory_path() / ("meshward-policy-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(file) << kExample;
  auto loaded = load_policy_file(file.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->enforcement_for("sandbox"), Enforcement::Off);
  std::ofstream(file, std::ios::trunc) << "namespaces:\n  sandbox: of\n";
  auto bad = load_policy_file(file.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind(file.string() + ":2: ", 0), 0u) << bad.error().message;
  fs::remove(file);
}

TEST(PolicyEnforcement, WarnTurnsDenialsIntoWarningsAndOffIgnoresAll) {
  for (Action a : {Action::Deny, Action::Warn, Action::Ignore}) {
    EXPECT_EQ(enforced(a, Enforcement::Enforce), a);
    EXPECT_EQ(enforced(a, Enforcement::Off), Action::Ignore);
  }
  EXPECT_EQ(enforced(Action::Deny, Enforcement::Warn), Action::Warn);
  EXPECT_EQ(enforced(Action::Warn, Enforcement::Warn), Action::Warn);
  EXPECT_EQ(enforced(Action::Ignore, Enforcement::Warn), Action::Ignore);
}

// A world with one Service per namespace the tests create VirtualServices in.
std::shared_ptr<const EvaluatedWorld> test_world() {
  static const auto world = [] {
    std::string text;
    for (const char* ns : {"bookinfo", "legacy", "sandbox"}) {
      text += std::string("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ") + ns +
              "}\nspec:\n  ports: [{port: 9080, name: http}]\n  selector: {app: web}\n---\n";
    }
    auto loaded = world::load_text(text, "world.yaml");
    EXPECT_TRUE(loaded.findings.empty());
    return evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "test");
  }();
  return world;
}

// A CREATE of VirtualService `ns`/web whose only HTTP route has no action (MW1201, an error)
// and, with `typo`, an unknown field (MW1005, a warning).
std::string broken_vs_review(const std::string& ns, bool typo = false) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
         R"("kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
         R"("resource":{"group":"networking.istio.io","version":"v1","resource":"virtualservices"},)"
         R"("namespace":")" +
         ns + R"(","name":"web","operation":"CREATE","object":{"apiVersion":"networking.istio.io/v1",)"
              R"("kind":"VirtualService","metadata":{"name":"web","namespace":")" +
         ns + R"("},"spec":{"hosts":["web"],"http":[{"name":"no-action")" +
         (typo ? R"(,"retires":{})" : "") + "}]}}}}";
}

Decision decide_text(const std::string& body, const Policy& policy) {
  auto review = parse_review(body);
  EXPECT_TRUE(review.ok()) << review.error().message;
  return decide(*review, test_world().get(), policy);
}

TEST(PolicyEnforcement, DecideFollowsTheRequestNamespace) {
  auto policy = parse_policy(kExample, "policy.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;

  // Enforced (not listed): the error denies.
  Decision enforced_ns = decide_text(broken_vs_review("bookinfo"), *policy);
  EXPECT_FALSE(enforced_ns.response.allowed);
  EXPECT_EQ(enforced_ns.reason, "denied");
  EXPECT_NE(enforced_ns.response.message.find("MW1201"), std::string::npos);

  // warn: allowed; the would-be denial comes first among the warnings, after a note.
  Decision warn_ns = decide_text(broken_vs_review("legacy", true), *policy);
  EXPECT_TRUE(warn_ns.response.allowed);
  EXPECT_EQ(warn_ns.reason, "warned");
  EXPECT_EQ(warn_ns.denied, 0u);
  ASSERT_EQ(warn_ns.response.warnings.size(), 3u);
  EXPECT_EQ(warn_ns.response.warnings[0],
            "meshward enforcement is warn in namespace legacy: 1 finding that would deny is only "
            "reported");
  EXPECT_EQ(warn_ns.response.warnings[1].rfind("MW1201 VirtualService legacy/web: ", 0), 0u)
      << warn_ns.response.warnings[1];
  EXPECT_EQ(warn_ns.response.warnings[2].rfind("MW1005 VirtualService legacy/web: ", 0), 0u)
      << warn_ns.response.warnings[2];

  // off: allowed without a look.
  Decision off_ns = decide_text(broken_vs_review("sandbox", true), *policy);
  EXPECT_TRUE(off_ns.response.allowed);
  EXPECT_EQ(off_ns.reason, "not_enforced");
  EXPECT_TRUE(off_ns.response.warnings.empty());
  EXPECT_TRUE(off_ns.introduced.empty());
}

TEST(PolicyEnforcement, DefaultEnforcementCoversUnlistedNamespaces) {
  auto policy = parse_policy("defaultEnforcement: warn\nnamespaces: {bookinfo: enforce}\n", "p.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  EXPECT_FALSE(decide_text(broken_vs_review("bookinfo"), *policy).response.allowed);
  EXPECT_TRUE(decide_text(broken_vs_review("legacy"), *policy).response.allowed);
}

TEST(PolicyEnforcement, WarnNamespaceWithoutAWorldIsAllowedWithAWarning) {
  auto policy = parse_policy("namespaces: {legacy: warn}\n", "p.yaml");
  ASSERT_TRUE(policy.ok());
  auto review = parse_review(broken_vs_review("legacy"));
  ASSERT_TRUE(review.ok());
  Decision d = decide(*review, nullptr, *policy);
  EXPECT_TRUE(d.response.allowed);
  EXPECT_EQ(d.reason, "no_world");
  ASSERT_EQ(d.response.warnings.size(), 1u);
  EXPECT_NE(d.response.warnings[0].find("not checked"), std::string::npos);
  // Enforced namespaces stay fail-closed.
  auto enforced_review = parse_review(broken_vs_review("bookinfo"));
  ASSERT_TRUE(enforced_review.ok());
  EXPECT_FALSE(decide(*enforced_review, nullptr, *policy).response.allowed);
}

// A CREATE of ServiceEntry `ns`/api for the MESH_EXTERNAL host api.example.com on port 443,
// in a world without an egress gateway: sidecars reach it directly (MW2112).
std::string external_entry_review(const std::string& ns) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u2",)"
         R"("kind":{"group":"networking.istio.io","version":"v1","kind":"ServiceEntry"},)"
         R"("resource":{"group":"networking.istio.io","version":"v1","resource":"serviceentries"},)"
         R"("namespace":")" +
         ns + R"(","name":"api","operation":"CREATE","object":{"apiVersion":"networking.istio.io/v1",)"
              R"("kind":"ServiceEntry","metadata":{"name":"api","namespace":")" +
         ns + R"("},"spec":{"hosts":["api.example.com"],"location":"MESH_EXTERNAL",)"
              R"("resolution":"DNS","ports":[{"number":443,"name":"tls","protocol":"TLS"}]}}}})";
}

TEST(PolicyEnforcement, RequireEgressGatewayDeniesDirectEgress) {
  // Default: MW2112 is a warning; the entry is allowed.
  auto defaults = parse_policy("", "p.yaml");
  ASSERT_TRUE(defaults.ok());
  Decision allowed = decide_text(external_entry_review("bookinfo"), *defaults);
  EXPECT_TRUE(allowed.response.allowed);
  EXPECT_EQ(allowed.reason, "warned");
  ASSERT_EQ(allowed.response.warnings.size(), 1u);
  EXPECT_EQ(allowed.response.warnings[0].rfind("MW2112 ServiceEntry bookinfo/api: ", 0), 0u)
      << allowed.response.warnings[0];

  // requireEgressGateway: the same change is denied, naming MW2112.
  auto required = parse_policy("requireEgressGateway: true\nnamespaces: {legacy: warn}\n", "p.yaml");
  ASSERT_TRUE(required.ok()) << required.error().message;
  Decision denied = decide_text(external_entry_review("bookinfo"), *required);
  EXPECT_FALSE(denied.response.allowed);
  EXPECT_EQ(denied.reason, "denied");
  EXPECT_EQ(denied.denied, 1u);
  EXPECT_NE(denied.response.message.find("MW2112 ServiceEntry bookinfo/api"), std::string::npos)
      << denied.response.message;
  // Namespace enforcement still applies after it: in a warn namespace it is only reported.
  Decision warned = decide_text(external_entry_review("legacy"), *required);
  EXPECT_TRUE(warned.response.allowed);
  ASSERT_EQ(warned.response.warnings.size(), 2u);
  EXPECT_NE(warned.response.warnings[0].find("1 finding that would deny is only reported"),
            std::string::npos)
      << warned.response.warnings[0];

  // A rules entry for the check wins over requireEgressGateway.
  auto overridden = parse_policy(
      "requireEgressGateway: true\nrules: {serviceentry-external-no-egress-gateway: warn}\n", "p.yaml");
  ASSERT_TRUE(overridden.ok()) << overridden.error().message;
  Decision kept = decide_text(external_entry_review("bookinfo"), *overridden);
  EXPECT_TRUE(kept.response.allowed);
  ASSERT_EQ(kept.response.warnings.size(), 1u);
  EXPECT_EQ(kept.response.warnings[0].rfind("MW2112 ", 0), 0u);
}

TEST(PolicyEnforcement, RuleOverrideByNameFromTheFile) {
  auto policy = parse_policy("rules:\n  virtualservice-route-action-missing: warn\n", "p.yaml");
  ASSERT_TRUE(policy.ok()) << policy.error().message;
  Decision d = decide_text(broken_vs_review("bookinfo"), *policy);
  EXPECT_TRUE(d.response.allowed);
  ASSERT_FALSE(d.response.warnings.empty());
  EXPECT_EQ(d.response.warnings[0].rfind("MW1201 ", 0), 0u);
}

}  // namespace
}  // namespace meshward::admission
