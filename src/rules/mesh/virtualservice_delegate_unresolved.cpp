// A root VirtualService's HTTP route delegates (`http[].delegate`) to a VirtualService that
// istiod cannot merge in, so the route gives clients nothing: the delegate does not exist, has
// hosts (then it is an ordinary VirtualService, not a delegate), or is not exported to the
// root's namespace; or one of the delegate's routes has matches outside the delegating route's
// (a path prefix that is not under the root's, a regex on one side, a different port...), and
// istiod drops that route. Requests the author meant for those routes fall through to the
// root's later routes or get 404 NR. istiod logs it ("delegate virtual service ... not found",
// "HTTPMatchRequests conflict") and its webhook accepts both objects: nothing else says so.
// The merge is the translator's (translate/delegate.h), so what is reported is exactly what
// it leaves out of the routes.

#include <string>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/delegate.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2117", "virtualservice-delegate-unresolved", Family::Mesh,
                         Severity::Error,
                         "A VirtualService delegates an HTTP route to a VirtualService that is "
                         "missing, not a delegate or not exported to it, or whose routes match "
                         "outside the delegating route: istiod drops those routes (404 NR)",
                         ""};

void check(const Context& ctx, Sink& out) {
  // The merge reads other VirtualServices by name: the lookup is the translator's.
  const world::View& view = ctx.translator_view(KindSet{Kind::VirtualService});
  const world::ExportDefaults& exports = ctx.translate_options().mesh.exports;
  ctx.each<model::VirtualService>([&](const model::VirtualService& vs) {
    for (const translate::DelegateProblem& p : translate::merge_delegates(vs, view, exports).problems) {
      const model::HttpRoute& route = vs.spec.http[p.root_route];
      const std::string name = route.name.value.empty() ? "" : " " + route.name.value;
      std::string message;
      if (p.delegate_route == std::string::npos) {
        message = "HTTP route" + name + " delegates to VirtualService " + p.delegate + ", but " +
                  p.reason + ": istiod drops the route, so requests" +
                  mesh::describe_match(route) + " fall through to later routes or get 404 NR";
      } else {
        message = "route " + std::to_string(p.delegate_route) + " of delegate VirtualService " +
                  p.delegate + ", merged into HTTP route" + name + ", is dropped: " + p.reason +
                  " (istiod: HTTPMatchRequests conflict), so requests it was written for fall "
                  "through to later routes or get 404 NR";
      }
      if (p.missing) {
        out.report_missing(kInfo, vs, route.delegate->loc, std::move(message));
      } else {
        out.report(kInfo, vs, route.delegate->loc, std::move(message));
      }
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::VirtualService}, &check));

}  // namespace meshward::rules
