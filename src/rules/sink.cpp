#include "meshward/rules/rule.h"

namespace meshward::rules {

void Sink::report(const RuleInfo& info, const model::Object& object, const model::Loc& loc,
                  std::string message) {
  report(info, object, loc, std::move(message), info.severity, {});
}

void Sink::report_missing(const RuleInfo& info, const model::Object& object,
                          const model::Loc& loc, std::string message) {
  report(info, object, loc, std::move(message));
  findings_.back().missing_reference = true;
}

void Sink::report(const RuleInfo& info, const model::Object& object, const model::Loc& loc,
                  std::string message, Severity severity, std::string_view reason) {
  std::optional<SourceRef> source;
  if (object.source) {
    source = SourceRef{object.source->file, loc.line != 0 ? loc.line : object.source->line};
  }
  Finding f = make_finding(info, object.ref(), loc.path, std::move(message), std::move(source));
  f.severity = severity;
  if (!reason.empty() && severity != info.severity) {
    f.message += " (";
    f.message += reason;
    f.message += ")";
  }
  findings_.push_back(std::move(f));
}

}  // namespace meshward::rules
