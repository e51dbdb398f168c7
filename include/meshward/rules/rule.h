#pragma once
// What a check is: its metadata (RuleInfo, core/diag.h), the kinds it reads, and a function.
// Two families of functions:
//  - resource checks see one object alone (what Istio's own webhook rejects), and
//  - mesh checks see the whole world through a Context (what the object does to the mesh).
// Each check lives in one file under src/rules/<family>/ and registers itself with
// MESHWARD_REGISTER_RULE (registry.h); nothing else is edited to add one.

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/diag.h"
#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/translate/options.h"
#include "meshward/world/view.h"

namespace meshward::translate {
class EndpointCache;
}

namespace meshward::rules {

using model::Kind;

/// A set of kinds, for a rule's declared inputs.
class KindSet {
 public:
  constexpr KindSet() = default;
  constexpr KindSet(std::initializer_list<Kind> kinds) {
    for (Kind k : kinds) {
      bits_ |= bit(k);
    }
  }
  constexpr bool contains(Kind k) const { return (bits_ & bit(k)) != 0; }
  constexpr void add(Kind k) { bits_ |= bit(k); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint32_t bits() const { return bits_; }
  friend constexpr bool operator==(KindSet, KindSet) = default;
  /// Kind names, comma-separated, in Kind order.
  std::string to_string() const;

 private:
  static constexpr std::uint32_t bit(Kind k) { return 1u << static_cast<unsigned>(k); }
  std::uint32_t bits_ = 0;
};

/// Where checks put findings. Path and line come from the decoded field's Loc, the resource
/// and file from the object, so a check never builds a location by hand.
class Sink {
 public:
  /// Reports at `loc` inside `object` with the rule's default severity.
  void report(const RuleInfo& info, const model::Object& object, const model::Loc& loc,
              std::string message);
  /// Same with an explicit severity; `reason` says why it differs from the default.
  void report(const RuleInfo& info, const model::Object& object, const model::Loc& loc,
              std::string message, Severity severity, std::string_view reason);
  /// Reports that something `object` refers to does not exist (Finding::missing_reference):
  /// it may be applied right after.
  void report_missing(const RuleInfo& info, const model::Object& object, const model::Loc& loc,
                      std::string message);

  const std::vector<Finding>& findings() const { return findings_; }
  std::vector<Finding> take() { return std::move(findings_); }

 private:
  std::vector<Finding> findings_;
};

/// The subjects a focused run looks at: admission's neighbourhood of one change (focus.h).
/// Objects are named by key (looked up in the world the checks run on; a key it lacks is
/// skipped) or by whole kind.
class Focus {
 public:
  /// Adds the object `key`.
  void add(const model::ObjectKey& key) {
    keys_[static_cast<std::size_t>(key.kind)].push_back(key);
  }
  /// Adds every object of `kind`.
  void add_kind(Kind kind) { whole_.add(kind); }
  /// Whether every object of `kind` is in the focus.
  bool whole(Kind kind) const { return whole_.contains(kind); }
  /// The keys of `kind` added one by one (duplicates possible).
  const std::vector<model::ObjectKey>& keys(Kind kind) const {
    return keys_[static_cast<std::size_t>(kind)];
  }

 private:
  KindSet whole_;
  std::array<std::vector<model::ObjectKey>, model::kKindCount> keys_;
};

/// A mesh check's window on the world. It forwards to a world::View and records which kinds
/// a check read, so tests can compare that with the rule's declared inputs.
///
/// Subjects and lookups: a mesh check walks its *subjects* (the objects it reports on, or
/// whose findings it computes) with subjects() or each(), and reads everything else through
/// the lookups (find, by_host, routing_to, binding_gateway, selecting, ...), which always see
/// the whole world. With a Focus (admission), subjects() lists only the focused objects, so a
/// check costs what its subjects' lookups cost, not what the world holds. A check must
/// therefore compute a subject's findings from lookups only, never from state gathered while
/// walking the other subjects (see docs/rules.md, "Focus").
class Context {
 public:
  /// `translate`: the translator options checks that ask the translator use (RunOptions::
  /// translate); null = translate::Options{} (the newest release, default MeshConfig).
  /// `endpoints`: RunOptions::endpoint_cache (null: none).
  explicit Context(const world::View& view, const Focus* focus = nullptr,
                   const translate::Options* translate = nullptr,
                   translate::EndpointCache* endpoints = nullptr)
      : view_(view),
        focus_(focus),
        translate_(translate != nullptr ? translate : &kDefaults),
        endpoints_(endpoints) {}

  const world::View& view() const { return view_; }

  /// The Istio release and MeshConfig to translate with (`meshward check --istio-version`).
  const translate::Options& translate_options() const { return *translate_; }

  /// Endpoints shared across runs on one world, valid for this view (RunOptions::
  /// endpoint_cache), or null: hand it to the translate::Registry built on translator_view().
  translate::EndpointCache* endpoint_cache() const { return endpoints_; }

  /// The View to hand to the translator (translate::Registry, Scope, build_endpoints, ...).
  /// The translator reads the world directly, not through the lookups below, so the caller
  /// names the kinds its translator calls read (`reads`): they count as read, so the
  /// declared-inputs meta-test holds them to the rule's inputs like any other read. The
  /// translator's own lookups are indexed (by host, by key), so this does not make a check
  /// world-sized; walk subjects with subjects()/each() as usual.
  const world::View& translator_view(KindSet reads) const {
    for (std::size_t i = 0; i < model::kKindCount; ++i) {
      if (reads.contains(static_cast<Kind>(i))) {
        touch(static_cast<Kind>(i));
      }
    }
    return view_;
  }

  /// The objects of `kind` the check reports on, in stable order: every one, or in a focused
  /// run only those of the focus. Use it (or each()) for a check's outer loop.
  world::ObjectList subjects(Kind kind) const;

  /// Number of objects of `kind` (cheap; for "does the world hold any Pod" questions).
  std::size_t count(Kind kind) const {
    touch(kind);
    return view_.count(kind);
  }

  // Lookups: they see the whole world, focused or not.

  /// Every object of `kind`, focused or not: costs the size of the world, so never a check's
  /// outer loop (that is subjects()).
  world::ObjectList of_kind(Kind kind) const {
    touch(kind);
    return view_.of_kind(kind);
  }
  world::ObjectList in_namespace(Kind kind, std::string_view ns) const {
    touch(kind);
    return view_.in_namespace(kind, ns);
  }
  world::ObjectList by_host(Kind kind, std::string_view host) const {
    touch(kind);
    return view_.by_host(kind, host);
  }
  world::ObjectList routing_to(std::string_view host) const {
    touch(Kind::VirtualService);
    return view_.routing_to(host);
  }
  world::ObjectList binding_gateway(std::string_view ref) const {
    touch(Kind::VirtualService);
    return view_.binding_gateway(ref);
  }
  world::ObjectList selecting(Kind kind, std::string_view ns, const model::Labels& labels) const {
    touch(kind);
    return view_.selecting(kind, ns, labels);
  }
  world::ObjectList selected_by(Kind kind, std::string_view ns,
                                const model::Labels& selector) const {
    touch(kind);
    return view_.selected_by(kind, ns, selector);
  }
  world::ObjectList selectors_including(Kind kind, std::string_view ns,
                                        const model::Labels& labels) const {
    touch(kind);
    return view_.selectors_including(kind, ns, labels);
  }
  const model::Object* find(Kind kind, std::string_view ns, std::string_view name) const {
    touch(kind);
    return view_.find(kind, ns, name);
  }
  template <class T>
  const T* find_as(std::string_view ns, std::string_view name) const {
    touch(T::kKind);
    return view_.find_as<T>(ns, name);
  }
  /// Calls `fn(const T&)` for every subject of T's kind (subjects()).
  template <class T, class Fn>
  void each(Fn&& fn) const {
    for (const model::Object* o : subjects(T::kKind)) {
      fn(*o->as<T>());
    }
  }
  /// Whether `object` is exported to namespace `ns`, with the mesh's default*ExportTo
  /// (world::visible_to()).
  bool visible_to(const model::Object& object, std::string_view ns) const {
    return world::visible_to(object, ns, translate_->mesh.exports);
  }

  /// Kinds read so far.
  KindSet touched() const { return touched_; }

 private:
  void touch(Kind kind) const { touched_.add(kind); }
  static inline const translate::Options kDefaults{};
  const world::View& view_;
  const Focus* focus_;
  const translate::Options* translate_;
  translate::EndpointCache* endpoints_ = nullptr;
  mutable KindSet touched_;
};

using ObjectCheck = std::function<void(const model::Object&, Sink&)>;
using MeshCheck = std::function<void(const Context&, Sink&)>;

/// One registered check.
struct Rule {
  RuleInfo info;
  KindSet inputs;  ///< Kinds the check reads (for a resource check: the kind it checks).
  ObjectCheck check_object;  ///< Resource checks: called with each object of `inputs`.
  MeshCheck check_mesh;      ///< Mesh checks: called once per evaluation.
  /// The kinds whose change admission re-judges this mesh check for (check_mesh_reading);
  /// empty: every input. Narrower only for a check that would cost too much to run on every
  /// change of its inputs (the check's file says why): a change of one of its other inputs is
  /// then not reported against that change, only by whole-world runs (`meshward check`, the
  /// served world's findings) and when a trigger kind changes.
  KindSet admission_triggers;
  KindSet triggers() const { return admission_triggers.empty() ? inputs : admission_triggers; }
};

/// A resource check on objects of kind T: `fn(const T&, Sink&)`.
template <class T>
Rule resource_rule(const RuleInfo& info, void (*fn)(const T&, Sink&)) {
  Rule rule{info, KindSet{T::kKind}, {}, {}, {}};
  rule.check_object = [fn](const model::Object& object, Sink& out) {
    if (const T* typed = object.as<T>()) {
      fn(*typed, out);
    }
  };
  return rule;
}

/// A mesh check reading `inputs`.
inline Rule mesh_rule(const RuleInfo& info, KindSet inputs, void (*fn)(const Context&, Sink&)) {
  return Rule{info, inputs, {}, MeshCheck(fn), {}};
}

/// A mesh check reading `inputs` that admission re-judges only when one of `triggers` changes
/// (Rule::admission_triggers).
inline Rule mesh_rule(const RuleInfo& info, KindSet inputs, KindSet triggers,
                      void (*fn)(const Context&, Sink&)) {
  return Rule{info, inputs, {}, MeshCheck(fn), triggers};
}

}  // namespace meshward::rules
