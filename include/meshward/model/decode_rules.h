#pragma once
// Findings the decoder itself produces. They are resource checks (MW1xxx) like any other;
// the rule registry lists them beside the checks.

#include "meshward/core/diag.h"

namespace meshward::model {

inline constexpr RuleInfo kDocumentUnparseable{
    "MW1001", "document-unparseable", Family::Resource, Severity::Error,
    "A YAML or JSON document does not parse; nothing in it can be checked", ""};
inline constexpr RuleInfo kFieldWrongType{
    "MW1002", "field-wrong-type", Family::Resource, Severity::Error,
    "A field has the wrong type or a value its type cannot hold (Kubernetes rejects the object)",
    ""};
inline constexpr RuleInfo kEnumValueUnknown{
    "MW1003", "enum-value-unknown", Family::Resource, Severity::Error,
    "An enum field holds a value the API does not define", ""};
inline constexpr RuleInfo kFieldRequired{
    "MW1004", "field-required", Family::Resource, Severity::Error,
    "A required field is missing", ""};
inline constexpr RuleInfo kFieldUnknown{
    "MW1005", "field-unknown", Family::Resource, Severity::Warning,
    "A field the API does not define (often a typo); Kubernetes drops it silently", ""};
inline constexpr RuleInfo kFieldDuplicate{
    "MW1006", "field-duplicate", Family::Resource, Severity::Warning,
    "A key appears twice in one object; only the last one counts", ""};
inline constexpr RuleInfo kApiVersionUnsupported{
    "MW1007", "api-version-unsupported", Family::Resource, Severity::Error,
    "A known kind in an API version Istio does not serve", ""};
inline constexpr RuleInfo kDocumentTooComplex{
    "MW1008", "document-too-complex", Family::Resource, Severity::Error,
    "A document expands past the decoder's size limits (e.g. YAML alias bombs)", ""};

inline constexpr RuleInfo kObjectDuplicate{
    "MW1009", "object-duplicate", Family::Resource, Severity::Warning,
    "The same object (kind, namespace, name) is defined twice in the input; the last one is used",
    ""};

/// Every decoder rule, in code order.
inline constexpr const RuleInfo* kDecodeRules[] = {
    &kDocumentUnparseable, &kFieldWrongType, &kEnumValueUnknown,  &kFieldRequired,
    &kFieldUnknown,        &kFieldDuplicate, &kApiVersionUnsupported, &kDocumentTooComplex,
    &kObjectDuplicate};

}  // namespace meshward::model
