#include "tls/context_registry.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "unit/tls/handshake_fixture.h"

namespace telecert::tls {
namespace {

using testing::definition;

constexpr std::string_view kServerName = "sbc1.example.com";

class ContextRegistryTest : public ::testing::Test {
 protected:
  ContextRegistryTest() {
    material_.contexts = {
        ContextMaterial{
            definition("default"), pki_.identity(pki_.server, "factory"), {pki_.root.certificate}},
        ContextMaterial{
            definition("sip"), pki_.identity(pki_.server, "sbc1"), {pki_.root.certificate}}};
    material_.bindings = {{"sip-tls", "sip"}};
  }

  // Changes the material the loader hands out next (as the store would after an import).
  void edit(const std::function<void(RegistryMaterial&)>& change) {
    std::lock_guard lock(material_mutex_);
    change(material_);
  }
  ContextMaterial& sip(RegistryMaterial& material) { return material.contexts[1]; }

  testing::Pki pki_;
  std::mutex material_mutex_;
  RegistryMaterial material_;  // guarded by material_mutex_
  bool loader_fails_ = false;  // guarded by material_mutex_
  ContextRegistry registry_{[this]() -> Result<RegistryMaterial> {
                              std::lock_guard lock(material_mutex_);
                              if (loader_fails_) return fail(ErrorCode::Storage, "store locked");
                              return material_;
                            },
                            testing::dependencies()};
};

TEST_F(ContextRegistryTest, RefreshPublishesEveryContextAndUnboundServicesUseDefault) {
  EXPECT_EQ(registry_.for_service("sip-tls"), nullptr);  // nothing before the first refresh
  auto rebuilt = registry_.refresh();
  ASSERT_TRUE(rebuilt.has_value()) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, (std::vector<std::string>{"default", "sip"}));
  ASSERT_NE(registry_.for_context("sip"), nullptr);
  EXPECT_EQ(registry_.for_service("sip-tls"), registry_.for_context("sip"));
  EXPECT_EQ(registry_.for_service("web-admin"), registry_.for_context("default"));
  EXPECT_EQ(registry_.for_service("sip-tls")->identity_name(), "sbc1");
  EXPECT_EQ(registry_.for_context("missing"), nullptr);
}

TEST_F(ContextRegistryTest, RefreshRebuildsOnlyTheContextsWhoseMaterialChanged) {
  ASSERT_TRUE(registry_.refresh().has_value());
  const auto default_before = registry_.for_context("default");
  const auto sip_before = registry_.for_context("sip");
  auto unchanged = registry_.refresh();
  ASSERT_TRUE(unchanged.has_value());
  EXPECT_TRUE(unchanged->empty());
  EXPECT_EQ(registry_.for_context("sip"), sip_before);

  const auto renewed = pki_.leaf(std::string(kServerName));
  edit(
      [&](RegistryMaterial& material) { sip(material).identity = pki_.identity(renewed, "sbc1"); });
  auto rebuilt = registry_.refresh();
  ASSERT_TRUE(rebuilt.has_value()) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, std::vector<std::string>{"sip"});
  EXPECT_EQ(registry_.for_context("default"), default_before);
  EXPECT_NE(registry_.for_context("sip"), sip_before);
}

TEST_F(ContextRegistryTest, FailingRebuildKeepsThePreviousSnapshotAndReturnsTheError) {
  ASSERT_TRUE(registry_.refresh().has_value());
  const auto sip_before = registry_.for_context("sip");
  edit([&](RegistryMaterial& material) {
    sip(material).identity->key = pki_.client.key;  // not the certificate's key
    material.contexts.push_back(ContextMaterial{definition("broken"), std::nullopt, {}});
    material.contexts.back().definition.ciphers = "NOT-A-CIPHER";
  });
  auto refused = registry_.refresh();
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("'sip'"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("'broken'"), std::string::npos) << refused.error().message;
  EXPECT_EQ(registry_.for_context("sip"), sip_before);
  EXPECT_EQ(registry_.for_context("broken"), nullptr);
  EXPECT_NE(registry_.for_context("default"), nullptr);
}

TEST_F(ContextRegistryTest, LoaderErrorLeavesThePublishedStateAlone) {
  ASSERT_TRUE(registry_.refresh().has_value());
  const auto sip_before = registry_.for_context("sip");
  edit([&](RegistryMaterial&) { loader_fails_ = true; });
  auto refused = registry_.refresh();
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::Storage);
  EXPECT_EQ(registry_.for_service("sip-tls"), sip_before);
}

// Small TLS records back and forth: without this, delayed ACKs cost 40 ms per handshake.
void no_delay(int fd) {
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

// A loopback TCP server whose every connection takes the SSL_CTX bound to "sip-tls" at accept
// time and echoes bytes until the peer closes.
class EchoServer {
 public:
  explicit EchoServer(const ContextRegistry& registry) : registry_(registry) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(listener_, reinterpret_cast<sockaddr*>(&address), length);
    listen(listener_, 64);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~EchoServer() {
    stop_ = true;
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (auto& handler : handlers_) handler.join();
    close(listener_);
  }
  int port() const { return port_; }
  int failed_handshakes() const { return failed_; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd ready{listener_, POLLIN, 0};
      if (poll(&ready, 1, 50) <= 0) continue;
      const int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      handlers_.emplace_back([this, fd] { serve(fd); });
    }
  }
  void serve(int fd) {
    testing::set_timeouts(fd, std::chrono::seconds(5));
    no_delay(fd);
    pki::Owned<SSL> connection;
    {
      // The snapshot is dropped at once: the SSL must keep what it needs on its own.
      auto snapshot = registry_.for_service("sip-tls");
      if (snapshot) connection = snapshot->new_server().value_or(nullptr);
    }
    if (connection && SSL_set_fd(connection.get(), fd) == 1 && SSL_accept(connection.get()) == 1) {
      char buffer[64];
      int read = 0;
      while ((read = SSL_read(connection.get(), buffer, sizeof buffer)) > 0) {
        if (SSL_write(connection.get(), buffer, read) != read) break;
      }
    } else {
      ++failed_;
    }
    close(fd);
  }

  const ContextRegistry& registry_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> handlers_;  // guarded by mutex_
};

// A client connection to the echo server, verifying it as sbc1.example.com.
struct Client {
  int fd = -1;
  pki::Owned<SSL> ssl;
  bool connected = false;

  Client(const ContextSnapshot& context, int port) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    testing::set_timeouts(fd, std::chrono::seconds(5));
    no_delay(fd);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
    ssl = context.new_client(verify::DnsName{std::string(kServerName)}).value_or(nullptr);
    connected = ssl && SSL_set_fd(ssl.get(), fd) == 1 && SSL_connect(ssl.get()) == 1;
  }
  ~Client() {
    if (ssl) SSL_shutdown(ssl.get());
    if (fd >= 0) close(fd);
  }
  bool echo(std::string_view text) const {
    std::string back(text.size(), '\0');
    return SSL_write(ssl.get(), text.data(), static_cast<int>(text.size())) ==
               static_cast<int>(text.size()) &&
           SSL_read(ssl.get(), back.data(), static_cast<int>(back.size())) ==
               static_cast<int>(back.size()) &&
           back == text;
  }
  std::string leaf_fingerprint() const {
    X509* peer = SSL_get0_peer_certificate(ssl.get());
    if (peer == nullptr) return {};
    X509_up_ref(peer);
    return pki::Certificate::adopt(pki::Owned<X509>(peer)).sha256_fingerprint();
  }
};

TEST_F(ContextRegistryTest, HotSwapOfTheIdentityFailsNoHandshakeAndLaterOnesSeeTheNewLeaf) {
  ASSERT_TRUE(registry_.refresh().has_value());
  auto client_context =
      testing::build(ContextMaterial{definition("client"), std::nullopt, {pki_.root.certificate}});
  ASSERT_TRUE(client_context);
  const std::string old_leaf = pki_.server.certificate.sha256_fingerprint();
  const auto renewed = pki_.leaf(std::string(kServerName));
  const std::string new_leaf = renewed.certificate.sha256_fingerprint();

  EchoServer server(registry_);
  Client in_flight(*client_context, server.port());
  ASSERT_TRUE(in_flight.connected);
  ASSERT_TRUE(in_flight.echo("before"));

  std::atomic<bool> swapped{false};
  std::atomic<bool> stop{false};
  std::atomic<int> before = 0, after = 0, failures = 0, stale_after_swap = 0;
  std::thread client_loop([&] {
    while (!stop) {
      const bool swap_done = swapped;  // read before the handshake starts
      Client client(*client_context, server.port());
      if (!client.connected || !client.echo("ping")) {
        ++failures;
        continue;
      }
      const std::string leaf = client.leaf_fingerprint();
      if (swap_done) {
        ++after;
        if (leaf != new_leaf) ++stale_after_swap;
      } else {
        ++before;
        if (leaf != old_leaf && leaf != new_leaf) ++failures;
      }
    }
  });
  const auto wait_for = [&](std::atomic<int>& counter, int count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (counter < count && failures == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  wait_for(before, 20);
  edit(
      [&](RegistryMaterial& material) { sip(material).identity = pki_.identity(renewed, "sbc1"); });
  auto rebuilt = registry_.refresh();
  swapped = true;
  wait_for(after, 20);
  stop = true;
  client_loop.join();

  ASSERT_TRUE(rebuilt.has_value()) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, std::vector<std::string>{"sip"});  // "default" did not change
  EXPECT_GE(before, 20);
  EXPECT_GE(after, 20);
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(server.failed_handshakes(), 0);
  EXPECT_EQ(stale_after_swap, 0);
  // The connection made before the swap goes on with the old certificate.
  EXPECT_TRUE(in_flight.echo("after the swap"));
  EXPECT_EQ(in_flight.leaf_fingerprint(), old_leaf);
}

}  // namespace
}  // namespace telecert::tls
