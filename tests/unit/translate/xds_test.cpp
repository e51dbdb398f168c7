#include "meshward/translate/xds.h"

#include <gtest/gtest.h>

#include "meshward/translate/options.h"

namespace meshward::translate {
namespace {

VirtualHost vhost(std::string name, std::vector<std::string> domains) {
  VirtualHost vh;
  vh.name = std::move(name);
  vh.domains = std::move(domains);
  return vh;
}

TEST(SelectVirtualHost, ExactBeatsSuffixBeatsPrefixBeatsAny) {
  RouteConfiguration rc;
  rc.ignore_port_in_host_matching = true;
  rc.virtual_hosts = {vhost("any", {"*"}), vhost("prefix", {"api.*"}),
                      vhost("short-suffix", {"*.com"}), vhost("long-suffix", {"*.example.com"}),
                      vhost("exact", {"api.example.com"})};
  EXPECT_EQ(rc.select_virtual_host("api.example.com")->name, "exact");
  EXPECT_EQ(rc.select_virtual_host("API.Example.com:8080")->name, "exact");
  EXPECT_EQ(rc.select_virtual_host("www.example.com")->name, "long-suffix");
  EXPECT_EQ(rc.select_virtual_host("www.other.com")->name, "short-suffix");
  EXPECT_EQ(rc.select_virtual_host("api.internal")->name, "prefix");
  EXPECT_EQ(rc.select_virtual_host("db.internal")->name, "any");
}

TEST(SelectVirtualHost, NoneWhenNothingMatches) {
  RouteConfiguration rc;
  rc.virtual_hosts = {vhost("a", {"a.com"})};
  EXPECT_EQ(rc.select_virtual_host("b.com"), nullptr);
  // A wildcard needs at least one character in place of `*`.
  rc.virtual_hosts = {vhost("w", {"*.a.com"})};
  EXPECT_EQ(rc.select_virtual_host(".a.com"), nullptr);
}

TEST(SelectVirtualHost, PortMattersUnlessIgnored) {
  RouteConfiguration rc;
  rc.virtual_hosts = {vhost("plain", {"a.com"}), vhost("ported", {"a.com:80"})};
  EXPECT_EQ(rc.select_virtual_host("a.com:80")->name, "ported");
  rc.ignore_port_in_host_matching = true;
  EXPECT_EQ(rc.select_virtual_host("a.com:80")->name, "plain");
}

TEST(RouteMatch, CatchAll) {
  RouteMatch m;
  EXPECT_TRUE(m.is_catch_all());
  m.headers.push_back(HeaderMatcher{"end-user", StringMatcher{}, false, false});
  EXPECT_FALSE(m.is_catch_all());
  RouteMatch re;
  re.path_kind = RouteMatch::PathKind::SafeRegex;
  re.path = ".*";
  EXPECT_TRUE(re.is_catch_all());
  re.path = "/a.*";
  EXPECT_FALSE(re.is_catch_all());
}

TEST(RouteAction, ClustersListsEveryTarget) {
  RouteAction a;
  a.weighted_clusters = {ClusterWeight{"c1", 90, {}, {}}, ClusterWeight{"c2", 10, {}, {}}};
  EXPECT_EQ(a.clusters(), (std::vector<std::string>{"c1", "c2"}));
}

TEST(IstioVersion, ParsesReleasesInRange) {
  EXPECT_EQ(parse_istio_version("1.15"), (IstioVersion{1, 15}));
  EXPECT_EQ(parse_istio_version("v1.22.3"), (IstioVersion{1, 22}));
  EXPECT_FALSE(parse_istio_version("1.9"));
  EXPECT_FALSE(parse_istio_version("1.99"));
  EXPECT_FALSE(parse_istio_version("1"));
  EXPECT_FALSE(parse_istio_version("1.15x"));
  EXPECT_EQ(to_string(IstioVersion{1, 15}), "1.15");
}

TEST(Options, VersionPredicatesFollowTheReference) {
  Options old;
  old.version = {1, 15};
  EXPECT_TRUE(old.vhost_port_domains());
  EXPECT_TRUE(old.default_retry_on_503());
  EXPECT_EQ(old.config_api_version(), "v1alpha3");
  EXPECT_FALSE(old.absolute_fqdn_domain());
  Options now;
  EXPECT_FALSE(now.vhost_port_domains());
  EXPECT_FALSE(now.default_retry_on_503());
  EXPECT_EQ(now.config_api_version(), "v1");
  EXPECT_TRUE(now.absolute_fqdn_domain());
}

}  // namespace
}  // namespace meshward::translate
