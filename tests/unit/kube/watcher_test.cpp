// The kube watcher against the in-test API server: after any sequence of changes and faults
// (pages, 410 Gone, ERROR events, dropped connections, split chunks, slow answers, a rotated
// token) the world it publishes equals the server's objects exactly, and admission decides
// against the new state.

#include "meshward/kube/watcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "kube_support/fake_api_server.h"
#include "meshward/admission/decide.h"
#include "meshward/admission/world_slot.h"
#include "meshward/core/json.h"
#include "meshward/model/decode.h"

namespace meshward::kube {
namespace {

namespace fs = std::filesystem;
using testing::FakeApiServer;
using std::chrono::milliseconds;

template <class Pred>
bool eventually(Pred pred, milliseconds limit = milliseconds(15'000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return pred();
}

std::string service(const std::string& ns, const std::string& name, int port = 80,
                    const std::string& app = "") {
  return R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","labels":{"app":")" + (app.empty() ? name : app) + R"("}},"spec":{"ports":[{"name":"http","port":)" +
         std::to_string(port) + R"(}],"selector":{"app":")" + name + R"("}}})";
}

std::string virtual_service(const std::string& ns, const std::string& name, const std::string& host,
                            const std::string& subset = "") {
  std::string destination = R"({"host":")" + host + R"(")";
  if (!subset.empty()) {
    destination += R"(,"subset":")" + subset + R"(")";
  }
  destination += "}";
  return R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":")" + name +
         R"(","namespace":")" + ns + R"("},"spec":{"hosts":[")" + host +
         R"("],"http":[{"route":[{"destination":)" + destination + "}]}]}}";
}

std::string destination_rule(const std::string& ns, const std::string& name, const std::string& host,
                             const std::string& subset) {
  return R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":")" + name +
         R"(","namespace":")" + ns + R"("},"spec":{"host":")" + host + R"(","subsets":[{"name":")" + subset +
         R"(","labels":{"version":")" + subset + R"("}}]}})";
}

std::string pod(const std::string& ns, const std::string& name, const std::string& app) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","labels":{"app":")" + app +
         R"("}},"spec":{"containers":[{"name":"c","image":"busybox"}]},"status":{"podIP":"10.0.0.7"}})";
}

std::string namespace_object(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name + R"("}})";
}

/// "ns/name@resourceVersion" of every object of a kind the server holds.
std::set<std::string> server_view(const FakeApiServer& server, model::Kind kind) {
  const auto& info = model::kind_info(kind);
  std::set<std::string> out;
  for (const std::string& text : server.objects(info.group, info.resource)) {
    json::Document doc;
    doc.Parse(text.c_str());
    const auto& meta = doc["metadata"];
    const std::string ns = meta.HasMember("namespace") ? meta["namespace"].GetString() : "";
    out.insert(ns + "/" + meta["name"].GetString() + "@" + meta["resourceVersion"].GetString());
  }
  return out;
}

/// The same view of a published world.
std::set<std::string> world_view(const world::Snapshot& snapshot, model::Kind kind) {
  std::set<std::string> out;
  for (const model::Object* object : snapshot.of_kind(kind)) {
    out.insert(object->meta.namespace_ + "/" + object->meta.name + "@" + object->meta.resource_version);
  }
  return out;
}

/// A log stream the watcher's threads write while the test reads it.
class SharedLog : public std::ostream {
 public:
  SharedLog() : std::ostream(&buffer_) {}
  std::string str() const {
    std::lock_guard lock(buffer_.mutex);
    return buffer_.text;
  }

 private:
  struct Buffer : std::streambuf {
    mutable std::mutex mutex;
    std::string text;
    int_type overflow(int_type c) override {
      if (c != traits_type::eof()) {
        std::lock_guard lock(mutex);
        text += static_cast<char>(c);
      }
      return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
      std::lock_guard lock(mutex);
      text.append(s, static_cast<std::size_t>(n));
      return n;
    }
  };
  Buffer buffer_;
};

/// The watcher under test with the newest snapshot it published.
class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("meshward-watch-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(counter_++));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    watcher_.reset();
    fs::remove_all(dir_);
  }

  ClusterConfig cluster_config() const {
    ClusterConfig config;
    config.host = "127.0.0.1";
    config.port = std::to_string(server_.port());
    config.ca_pem = server_.ca_pem();
    config.source = "test";
    return config;
  }

  WatchOptions fast_options() const {
    WatchOptions options;
    options.request_timeout = milliseconds(2'000);
    options.backoff_initial = milliseconds(20);
    options.backoff_max = milliseconds(200);
    options.publish_delay = milliseconds(5);
    options.log = &log_;
    return options;
  }

  void start(ClusterConfig config, WatchOptions options) {
    watcher_ = std::make_unique<Watcher>(std::move(config), std::move(options),
                                         [this](std::shared_ptr<const world::Snapshot> snapshot) {
                                           std::lock_guard lock(mutex_);
                                           latest_ = std::move(snapshot);
                                         });
    auto started = watcher_->start();
    ASSERT_TRUE(started) << started.error().message;
  }
  void start() { start(cluster_config(), fast_options()); }

  std::shared_ptr<const world::Snapshot> latest() {
    std::lock_guard lock(mutex_);
    return latest_;
  }

  /// Whether the newest world holds exactly the server's objects of every modelled kind.
  bool world_matches_server() {
    auto snapshot = latest();
    if (!snapshot) {
      return false;
    }
    for (const auto& info : model::kind_table()) {
      if (world_view(*snapshot, info.kind) != server_view(server_, info.kind)) {
        return false;
      }
    }
    return true;
  }

  /// Explains a mismatch in a failure message.
  std::string diff() {
    std::ostringstream out;
    auto snapshot = latest();
    for (const auto& info : model::kind_table()) {
      const auto want = server_view(server_, info.kind);
      const auto got = snapshot ? world_view(*snapshot, info.kind) : std::set<std::string>{};
      for (const auto& s : want) {
        if (got.count(s) == 0) {
          out << info.name << " missing " << s << "\n";
        }
      }
      for (const auto& s : got) {
        if (want.count(s) == 0) {
          out << info.name << " stale " << s << "\n";
        }
      }
    }
    out << "log:\n" << log_.str();
    return out.str();
  }

  const WatchStats* stats_of(const std::vector<WatchStats>& all, model::Kind kind) {
    for (const auto& s : all) {
      if (s.kind == kind) {
        return &s;
      }
    }
    return nullptr;
  }

  static inline int counter_ = 0;
  fs::path dir_;
  FakeApiServer server_;
  mutable SharedLog log_;
  std::mutex mutex_;
  std::shared_ptr<const world::Snapshot> latest_;
  std::unique_ptr<Watcher> watcher_;
};

TEST_F(WatcherTest, SyncsEveryKindThenPublishesWorldEqualToServer) {
  server_.put(namespace_object("bookinfo"));
  server_.put(service("bookinfo", "reviews"));
  server_.put(virtual_service("bookinfo", "reviews", "reviews"));
  server_.put(destination_rule("bookinfo", "reviews", "reviews", "v1"));
  start();
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  EXPECT_TRUE(world_matches_server()) << diff();
  EXPECT_EQ(latest()->size(), 4u);
  for (const auto& s : watcher_->stats()) {
    EXPECT_TRUE(s.synced) << model::kind_name(s.kind);
    EXPECT_FALSE(s.api_path.empty()) << model::kind_name(s.kind) << " should be served";
  }
  const auto vs = *stats_of(watcher_->stats(), model::Kind::VirtualService);
  EXPECT_EQ(vs.api_path, "/apis/networking.istio.io/v1/virtualservices");
  EXPECT_EQ(vs.objects, 1u);
  EXPECT_GE(vs.lists, 1u);
}

TEST_F(WatcherTest, AppliesAddedModifiedDeletedEvents) {
  server_.put(service("bookinfo", "reviews"));
  start();
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  server_.put(virtual_service("bookinfo", "reviews", "reviews"));
  server_.put(service("bookinfo", "ratings"));
  ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << diff();
  server_.put(virtual_service("bookinfo", "reviews", "reviews", "v2"));  // MODIFIED
  server_.remove("v1", "Service", "bookinfo", "ratings");                 // DELETED
  ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << diff();
  const auto* vs = latest()->find(model::Kind::VirtualService, "bookinfo", "reviews");
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ(latest()->find(model::Kind::Service, "bookinfo", "ratings"), nullptr);
  EXPECT_GE(stats_of(watcher_->stats(), model::Kind::Service)->events, 2u);
}

TEST_F(WatcherTest, ListsInPagesOfOneSnapshot) {
  for (int i = 0; i < 230; ++i) {
    server_.put(service("ns" + std::to_string(i % 7), "svc" + std::to_string(i)));
  }
  server_.set_max_page(40);
  auto options = fast_options();
  options.page_size = 100;
  start(cluster_config(), options);
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  EXPECT_TRUE(world_matches_server()) << diff();
  EXPECT_EQ(latest()->count(model::Kind::Service), 230u);
  // 230 objects in pages of at most 40: six pages for Services alone.
  EXPECT_GE(server_.stats().lists, 6u);
}

TEST_F(WatcherTest, RelistsAfterGoneAndDropsObjectsDeletedMeanwhile) {
  server_.put(service("a", "keep"));
  server_.put(service("a", "doomed"));
  start();
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  // Cut the streams, change things, forget the history: the resumed watch gets 410.
  server_.set_delay(milliseconds(300));  // Changes land before the watcher reconnects.
  server_.drop_connections();
  server_.remove("v1", "Service", "a", "doomed");
  server_.put(service("a", "born"));
  server_.compact();
  server_.set_delay(milliseconds(0));
  ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << diff();
  EXPECT_EQ(latest()->find(model::Kind::Service, "a", "doomed"), nullptr);
  EXPECT_NE(latest()->find(model::Kind::Service, "a", "born"), nullptr);
  EXPECT_GE(server_.stats().gone, 1u);
  ASSERT_TRUE(eventually([&] {
    std::uint64_t relists = 0;
    for (const auto& s : watcher_->stats()) {
      relists += s.relists;
    }
    return relists >= 1;
  })) << log_.str();
}

TEST_F(WatcherTest, ErrorEventOnAnOpenStreamRelists) {
  server_.put(service("a", "one"));
  start();
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  ASSERT_TRUE(eventually([&] { return server_.stats().open_watches >= 15; })) << log_.str();
  server_.compact();  // Open watches get ERROR 410 and end.
  server_.put(service("a", "two"));
  ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << diff();
  ASSERT_TRUE(eventually([&] { return stats_of(watcher_->stats(), model::Kind::Service)->relists >= 1; }))
      << log_.str();
  EXPECT_NE(log_.str().find("410"), std::string::npos);
}

TEST_F(WatcherTest, BookmarksAdvanceVersionWithoutPublishing) {
  server_.put(service("a", "one"));
  start();
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  ASSERT_TRUE(eventually([&] { return server_.stats().open_watches >= 15; }));
  // Change another kind so the server's version moves past the Service list's.
  server_.put(virtual_service("a", "vs", "one"));
  ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << diff();
  const auto publishes = watcher_->publishes();
  server_.bookmark();
  const std::string want = std::to_string(server_.resource_version());
  ASSERT_TRUE(eventually([&] {
    return stats_of(watcher_->stats(), model::Kind::Service)->resource_version == want;
  })) << log_.str();
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(watcher_->publishes(), publishes) << "a bookmark changes no object";
}

TEST_F(WatcherTest, ReassemblesEventsSplitAcrossChunks) {
  start();
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  server_.set_split_events(true);
  for (int i = 0; i < 40; ++i) {
    server_.put(virtual_service("split", "vs" + std::to_string(i), "h" + std::to_string(i) + ".example.com"));
  }
  ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << diff();
  EXPECT_EQ(latest()->count(model::Kind::VirtualService), 40u);
  for (const auto& s : watcher_->stats()) {
    EXPECT_EQ(s.errors, 0u) << model::kind_name(s.kind) << ": " << s.last_error;
  }
}

TEST_F(WatcherTest, RereadsRotatedTokenAfterUnauthorized) {
  const fs::path token = dir_ / "token";
  std::ofstream(token) << "first-token\n";
  server_.set_token("first-token");
  server_.put(service("a", "one"));
  auto config = cluster_config();
  config.token_file = token.string();
  start(config, fast_options());
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  // The kubelet rotates the projected token; the API server stops accepting the old one.
  std::ofstream(token, std::ios::trunc) << "second-token-longer\n";
  server_.set_token("second-token-longer");
  server_.drop_connections();
  server_.put(service("a", "two"));
  ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << diff();
  EXPECT_NE(latest()->find(model::Kind::Service, "a", "two"), nullptr);
}

TEST_F(WatcherTest, RecoversFromSlowAnswersThatTimeOut) {
  server_.put(service("a", "one"));
  server_.set_delay(milliseconds(700));
  auto options = fast_options();
  options.request_timeout = milliseconds(300);
  start(cluster_config(), options);
  ASSERT_TRUE(eventually([&] {
    for (const auto& s : watcher_->stats()) {
      if (s.errors > 0) {
        return true;
      }
    }
    return log_.str().find("discovery failed") != std::string::npos;
  })) << log_.str();
  EXPECT_FALSE(watcher_->synced());
  server_.set_delay(milliseconds(0));
  ASSERT_TRUE(eventually([&] { return watcher_->synced() && world_matches_server(); })) << diff();
}

TEST_F(WatcherTest, WatchesPodsAsMetadataOnly) {
  server_.put(pod("bookinfo", "reviews-v1-abc", "reviews"));
  start();
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  EXPECT_GE(server_.stats().metadata_only, 1u);
  const auto* p = latest()->find(model::Kind::Pod, "bookinfo", "reviews-v1-abc");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->meta.labels.at("app"), "reviews");
  server_.put(pod("bookinfo", "reviews-v1-def", "reviews"));
  ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << diff();
}

TEST_F(WatcherTest, SkipsKindsTheServerDoesNotServe) {
  // An Istio install without the security CRDs.
  std::vector<testing::FakeResource> resources;
  for (auto& r : FakeApiServer::default_resources()) {
    if (r.group != "security.istio.io") {
      resources.push_back(r);
    }
  }
  FakeApiServer partial(resources);
  partial.put(service("a", "one"));
  ClusterConfig config;
  config.host = "127.0.0.1";
  config.port = std::to_string(partial.port());
  config.ca_pem = partial.ca_pem();
  Watcher watcher(config, fast_options(), [](std::shared_ptr<const world::Snapshot>) {});
  ASSERT_TRUE(watcher.start());
  ASSERT_TRUE(eventually([&] { return watcher.synced(); })) << log_.str();
  const auto all = watcher.stats();
  EXPECT_TRUE(stats_of(all, model::Kind::AuthorizationPolicy)->api_path.empty());
  EXPECT_FALSE(stats_of(all, model::Kind::Service)->api_path.empty());
  EXPECT_NE(log_.str().find("AuthorizationPolicy"), std::string::npos);
  EXPECT_NE(watcher.metrics_text().find("meshward_watch_served{kind=\"AuthorizationPolicy\"} 0"),
            std::string::npos);
}

// Istio's CRDs installed after meshward: the skipped kinds are found on a later discovery
// and their objects join the world without a restart.
TEST_F(WatcherTest, WatchesKindsWhoseCrdsAppearLater) {
  std::vector<testing::FakeResource> core;
  for (auto& r : FakeApiServer::default_resources()) {
    if (r.group.find("istio.io") == std::string::npos) {
      core.push_back(r);
    }
  }
  FakeApiServer cluster(core);
  cluster.put(service("shop", "cart"));
  ClusterConfig config;
  config.host = "127.0.0.1";
  config.port = std::to_string(cluster.port());
  config.ca_pem = cluster.ca_pem();
  auto options = fast_options();
  options.rediscover_interval = milliseconds(100);
  std::mutex mutex;
  std::shared_ptr<const world::Snapshot> newest;
  Watcher watcher(config, options, [&](std::shared_ptr<const world::Snapshot> snapshot) {
    std::lock_guard lock(mutex);
    newest = std::move(snapshot);
  });
  ASSERT_TRUE(watcher.start());
  ASSERT_TRUE(eventually([&] { return watcher.synced(); })) << log_.str();
  EXPECT_TRUE(stats_of(watcher.stats(), model::Kind::VirtualService)->api_path.empty());

  cluster.serve(FakeApiServer::default_resources());  // helm install istio-base
  cluster.put(virtual_service("shop", "cart", "cart"));
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return newest && newest->find(model::Kind::VirtualService, "shop", "cart") != nullptr;
  })) << log_.str();
  EXPECT_EQ(stats_of(watcher.stats(), model::Kind::VirtualService)->api_path,
            "/apis/networking.istio.io/v1/virtualservices");
  EXPECT_NE(log_.str().find("kind now served by the API server"), std::string::npos);
}

TEST_F(WatcherTest, WatchesOnlyTheConfiguredNamespacesAndKinds) {
  server_.put(service("in", "one"));
  server_.put(service("out", "two"));
  server_.put(virtual_service("in", "vs", "one"));
  auto options = fast_options();
  options.namespaces = {"in"};
  options.kinds = {model::Kind::Service, model::Kind::Namespace};
  start(cluster_config(), options);
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  EXPECT_NE(latest()->find(model::Kind::Service, "in", "one"), nullptr);
  EXPECT_EQ(latest()->find(model::Kind::Service, "out", "two"), nullptr);
  EXPECT_EQ(latest()->count(model::Kind::VirtualService), 0u);
  EXPECT_EQ(stats_of(watcher_->stats(), model::Kind::Service)->api_path, "/api/v1/namespaces/in/services");
}

// The property the issue asks for: whatever happens, the world converges to the server's.
TEST_F(WatcherTest, ConvergesAfterRandomChangesAndFaults) {
  std::mt19937 random(20261126);
  auto options = fast_options();
  options.page_size = 7;
  start(cluster_config(), options);
  ASSERT_TRUE(eventually([&] { return watcher_->synced(); })) << log_.str();
  std::vector<std::pair<std::string, std::string>> names;  // ns, name of live VirtualServices
  for (int round = 0; round < 6; ++round) {
    for (int step = 0; step < 60; ++step) {
      const int op = static_cast<int>(random() % 100);
      const std::string ns = "ns" + std::to_string(random() % 3);
      if (op < 45 || names.empty()) {
        const std::string name = "vs" + std::to_string(random() % 40);
        server_.put(virtual_service(ns, name, name + ".example.com", random() % 2 ? "v1" : ""));
        names.emplace_back(ns, name);
      } else if (op < 65) {
        const auto& [rns, rname] = names[random() % names.size()];
        server_.remove("networking.istio.io/v1", "VirtualService", rns, rname);
      } else if (op < 80) {
        server_.put(service(ns, "svc" + std::to_string(random() % 10), 80 + static_cast<int>(random() % 3)));
      } else if (op < 85) {
        server_.compact();
      } else if (op < 90) {
        server_.drop_connections();
      } else if (op < 95) {
        server_.bookmark();
      } else {
        server_.set_split_events(random() % 2 == 0);
      }
    }
    ASSERT_TRUE(eventually([&] { return world_matches_server(); })) << "round " << round << "\n" << diff();
  }
  EXPECT_GE(server_.stats().gone, 1u);
}

// Admission reads the world the watcher publishes: a VirtualService routing to a subset is
// denied until the DestinationRule defining it arrives through the watch, then allowed.
TEST_F(WatcherTest, AdmissionDecidesAgainstTheNewState) {
  server_.put(namespace_object("shop"));
  server_.put(service("shop", "cart"));
  auto slot = std::make_shared<admission::WorldSlot>();
  watcher_ = std::make_unique<Watcher>(cluster_config(), fast_options(),
                                       [slot](std::shared_ptr<const world::Snapshot> snapshot) {
                                         slot->publish(std::move(snapshot), "kube: test");
                                       });
  ASSERT_TRUE(watcher_->start());
  ASSERT_TRUE(eventually([&] { return watcher_->synced() && slot->ready(); })) << log_.str();

  const std::string review =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
      R"("kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
      R"("resource":{"group":"networking.istio.io","version":"v1","resource":"virtualservices"},)"
      R"("namespace":"shop","name":"cart","operation":"CREATE","object":)" +
      virtual_service("shop", "cart", "cart", "v2") + "}}";
  // The subset does not exist yet: deny it here (by default it would only warn, as the
  // DestinationRule may be applied next).
  admission::Policy strict;
  strict.missing_references = admission::Action::Deny;
  auto before = admission::handle_review(review, slot->current().get(), strict);
  ASSERT_TRUE(before.decided) << before.error;
  EXPECT_FALSE(before.decision.response.allowed) << before.body;
  EXPECT_NE(before.body.find("MW2101"), std::string::npos) << before.body;

  const auto generation = slot->current()->generation;
  server_.put(destination_rule("shop", "cart", "cart", "v2"));
  ASSERT_TRUE(eventually([&] { return slot->current()->generation > generation; })) << log_.str();
  auto after = admission::handle_review(review, slot->current().get(), strict);
  ASSERT_TRUE(after.decided) << after.error;
  EXPECT_TRUE(after.decision.response.allowed) << after.body;
}

}  // namespace
}  // namespace meshward::kube
