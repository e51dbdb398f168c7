// Two Gateways select the same gateway workload and declare servers on the same port (and
// bind) with overlapping hosts (the very same host for two TLS or two HTTP servers: for a
// wildcard and a more specific host Envoy picks the most specific SNI chain or vhost domain).
// pilot merges every Gateway a proxy selects, oldest first
// (mergeGateways, istio-translation.md §4.1): for TLS servers (HTTPS, TLS) a second server
// with a host already present on the port is skipped, so the newer Gateway's TLS settings and
// routes never apply; a plaintext server whose protocol differs from the first one on the port
// is skipped too; two plaintext HTTP servers merge into one RDS http.<port> where the routes
// of both Gateways' VirtualServices are concatenated into one vhost (a warning: order decides).
// Workloads are the Pods both selectors match when Pods are known, else overlapping
// selectors. istioctl analyze: IST0145 ConflictingGateways.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"
#include "meshward/translate/names.h"
#include "meshward/world/host.h"
#include "meshward/world/order.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2108", "gateway-conflict", Family::Mesh, Severity::Error,
                         "Two Gateways on the same workload declare the same port and host (the "
                         "newer server is dropped or merged)",
                         "IST0145"};

bool same_workload(const Context& ctx, bool pods_known, const model::Gateway& a,
                   const model::Gateway& b) {
  if (a.spec.selector.empty() || b.spec.selector.empty()) {
    return false;  // selector-less Gateways apply to every gateway: not this check's concern
  }
  if (pods_known) {
    for (const model::Object* pod :
         ctx.selected_by(Kind::Pod, "", world::to_labels(a.spec.selector))) {
      if (world::workload_matches(*pod, world::to_labels(b.spec.selector))) {
        return true;
      }
    }
    return false;
  }
  return world::selector_matches(a.spec.selector, b.spec.selector) ||
         world::selector_matches(b.spec.selector, a.spec.selector);
}

enum class Plain { Http, Tcp, Tls };

Plain plain_kind(const model::Server& s) {
  const auto proto = validate::parse_protocol(s.port->protocol.value);
  if (proto && (*proto == validate::Protocol::Https || *proto == validate::Protocol::Tls)) {
    return Plain::Tls;
  }
  if (s.tls && !s.tls->https_redirect.value) {
    return Plain::Tls;
  }
  if (proto && validate::is_http(*proto)) {
    return Plain::Http;
  }
  return Plain::Tcp;
}

std::optional<std::string> overlap(const model::Server& a, const std::string& a_ns,
                                   const std::string& host) {
  for (const auto& ah : a.hosts) {
    if (!ah.present) {
      continue;
    }
    const auto [ns, h] = mesh::split_server_host(mesh::sanitize_server_host(*ah, a_ns));
    if (world::host_matches(h, host)) {
      return *ah;
    }
  }
  return std::nullopt;
}

// The Gateways older than `b` with a server host overlapping one of b's, oldest first: the
// only ones a server of b can collide with (found by host, not by comparing every pair).
std::vector<const model::Gateway*> older_overlapping(const Context& ctx, const model::Gateway& b) {
  std::vector<const model::Object*> found;
  for (const model::Server& bs : b.spec.servers) {
    for (const auto& bh : bs.hosts) {
      if (!bh.present) {
        continue;
      }
      const std::string host =
          mesh::split_server_host(mesh::sanitize_server_host(*bh, b.meta.namespace_)).second;
      for (const model::Object* o : ctx.by_host(Kind::Gateway, host)) {
        if (world::stable_less(*o, b)) {
          found.push_back(o);
        }
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const model::Object* x, const model::Object* y) { return world::stable_less(*x, *y); });
  found.erase(std::unique(found.begin(), found.end()), found.end());
  std::vector<const model::Gateway*> out;
  for (const model::Object* o : found) {
    if (const auto* gw = o->as<model::Gateway>()) {
      out.push_back(gw);
    }
  }
  return out;
}

void check(const Context& ctx, Sink& out) {
  const bool pods_known = ctx.count(Kind::Pod) > 0;
  ctx.each<model::Gateway>([&](const model::Gateway& gateway) {
    const model::Gateway* b = &gateway;
    for (const model::Gateway* a : older_overlapping(ctx, *b)) {
      if (!same_workload(ctx, pods_known, *a, *b)) {
        continue;
      }
      for (const model::Server& bs : b->spec.servers) {
        if (!bs.port || !bs.port->number.present) {
          continue;
        }
        const std::uint32_t port = *bs.port->number;
        for (const auto& bh : bs.hosts) {
          if (!bh.present) {
            continue;
          }
          const auto [bns, host] =
              mesh::split_server_host(mesh::sanitize_server_host(*bh, b->meta.namespace_));
          for (const model::Server& as : a->spec.servers) {
            if (!as.port || !as.port->number.present || *as.port->number != port ||
                as.bind.value != bs.bind.value) {
              continue;
            }
            const auto other = overlap(as, a->meta.namespace_, host);
            if (!other) {
              continue;
            }
            const Plain ak = plain_kind(as);
            const Plain bk = plain_kind(bs);
            // Same protocol family: only the very same host collides (for a wildcard and a
            // more specific host, Envoy picks the most specific SNI chain / vhost domain).
            if (ak == bk && mesh::split_server_host(
                                mesh::sanitize_server_host(*other, a->meta.namespace_))
                                    .second != host) {
              continue;
            }
            const std::string head = "Gateway " + mesh::full_name(*a) +
                                     " (older) selects the same workload and also serves " +
                                     *other + " on port " + std::to_string(port) + ": ";
            if (ak == Plain::Http && bk == Plain::Http) {
              out.report(kInfo, *b, bh.loc,
                         head + "both servers merge into one gateway route (RDS http.<target port of " +
                             std::to_string(port) + ">), where the routes of "
                             "VirtualServices bound to either Gateway are concatenated into "
                             "vhost " + translate::vhost_name(host, port) +
                             " and the first matching route wins; bind the host in one Gateway",
                         Severity::Warning, "plaintext HTTP servers merge instead of dropping");
            } else if (ak == Plain::Tls && bk == Plain::Tls) {
              out.report(kInfo, *b, bh.loc,
                         head + "the gateway keeps the older server's filter chain for SNI " +
                             host + " and skips this one as a duplicate, so its TLS settings "
                             "and routes never apply");
            } else if (ak != bk) {
              out.report(kInfo, *b, bh.loc,
                         head + "the older server's protocol " + as.port->protocol.value +
                             " owns the port, so this " + bs.port->protocol.value +
                             " server is skipped and its clients get the other protocol");
            } else {
              continue;  // two plaintext TCP servers: not judged here
            }
            break;
          }
        }
      }
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::Gateway, Kind::Pod}, &check));

}  // namespace meshward::rules
