#include "meshward/rules/registry.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "meshward/model/decode_rules.h"

namespace meshward::rules {

namespace {

// Construct-on-first-use: registrations run during static initialisation, in an order the
// language does not fix, so the storage must exist before the first of them.
std::vector<Rule>& storage() {
  static std::vector<Rule> rules = [] {
    std::vector<Rule> decoder;
    for (const RuleInfo* info : model::kDecodeRules) {
      decoder.push_back(Rule{*info, KindSet{}, {}, {}, {}});
    }
    return decoder;
  }();
  return rules;
}

}  // namespace

std::string KindSet::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < model::kKindCount; ++i) {
    const auto k = static_cast<Kind>(i);
    if (contains(k)) {
      out += out.empty() ? "" : ",";
      out += model::kind_name(k);
    }
  }
  return out;
}

void register_rule(Rule rule) {
  auto& rules = storage();
  for (const Rule& existing : rules) {
    if (existing.info.code == rule.info.code || existing.info.name == rule.info.name) {
      std::fprintf(stderr, "meshward: rule %.*s (%.*s) registered twice: clashes with %.*s (%.*s)\n",
                   static_cast<int>(rule.info.code.size()), rule.info.code.data(),
                   static_cast<int>(rule.info.name.size()), rule.info.name.data(),
                   static_cast<int>(existing.info.code.size()), existing.info.code.data(),
                   static_cast<int>(existing.info.name.size()), existing.info.name.data());
      std::abort();
    }
  }
  // Kept sorted as rules register (all during static initialisation), so reading the
  // catalogue later is a plain read, safe from any number of request threads.
  auto at = std::upper_bound(rules.begin(), rules.end(), rule.info.code,
                             [](std::string_view code, const Rule& r) { return code < r.info.code; });
  rules.insert(at, std::move(rule));
}

const std::vector<Rule>& all_rules() { return storage(); }

const Rule* find_rule(std::string_view code_or_name) {
  for (const Rule& rule : all_rules()) {
    if (rule.info.code == code_or_name || rule.info.name == code_or_name) {
      return &rule;
    }
  }
  return nullptr;
}

}  // namespace meshward::rules
