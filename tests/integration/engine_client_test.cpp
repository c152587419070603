// EngineClient against the real dev engine (scripts/dev-engine.sh): DOCKER_HOST,
// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH select it, DOCKGATE_TEST_UNIX_SOCKET names its
// socket. Tests that need it skip when those are unset. The local listeners that never
// answer need no engine at all.
#include <gtest/gtest.h>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine_client.hpp"
#include "engine/engine_config.hpp"

namespace dockgate::engine {
namespace {

namespace fs = std::filesystem;

const fs::path kRepo = DOCKGATE_SOURCE_DIR;
constexpr const char* kTestImage = "dockgate-test/busybox:root";

std::optional<std::string> real_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class DevEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) {
      GTEST_SKIP() << "DOCKER_HOST is unset: eval \"$(scripts/dev-engine.sh env)\"";
    }
    auto config = engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    config_ = *config;
  }

  std::unique_ptr<EngineClient> client_for(const EngineConfig& config) {
    auto client = EngineClient::create(config);
    EXPECT_TRUE(client) << client.error().message;
    return client ? std::move(client).value() : nullptr;
  }

  EngineConfig config_;
};

TEST_F(DevEngine, NegotiatesApi141) {
  auto client = client_for(config_);
  ASSERT_TRUE(client);
  auto version = client->negotiate_version();
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(*version, "1.41");
  EXPECT_EQ(client->negotiate_version().value(), "1.41");  // cached
}

TEST_F(DevEngine, ListsContainers) {
  auto client = client_for(config_);
  ASSERT_TRUE(client);
  auto response = client->get("/containers/json?all=1");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_TRUE(nlohmann::json::parse(response->body).is_array());
  EXPECT_TRUE(contains(response->content_type, "application/json"));
}

TEST_F(DevEngine, CallsFromSeveralThreadsAreIndependent) {
  auto client = client_for(config_);
  ASSERT_TRUE(client);
  std::vector<int> statuses(6, 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      auto response = client->get("/info");
      statuses[i] = response ? response->status : -1;
    });
  }
  for (auto& thread : threads) thread.join();
  for (int status : statuses) EXPECT_EQ(status, 200);
}

// Removes the container however the test ends.
struct ContainerCleanup {
  EngineClient& client;
  std::string id;
  ~ContainerCleanup() {
    if (!id.empty()) (void)client.del("/containers/" + id + "?force=1");
  }
};

TEST_F(DevEngine, CreatesListsInspectsAndRemovesAContainer) {
  auto client = client_for(config_);
  ASSERT_TRUE(client);
  const std::string name = "dockgate-engine-test-" + std::to_string(::getpid());
  ContainerCleanup cleanup{*client, {}};
  const nlohmann::json spec = {
      {"Image", kTestImage}, {"Cmd", {"true"}}, {"Labels", {{"dockgate.test", "1"}}}};
  auto created = client->post("/containers/create?name=" + name, spec);
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_EQ(created->status, 201) << created->error_message();
  cleanup.id = nlohmann::json::parse(created->body).at("Id").get<std::string>();

  // filters={"label":["dockgate.test=1"]}, URL-encoded
  auto listed = client->get(
      "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22dockgate.test%3D1%22%5D%7D");
  ASSERT_TRUE(listed) << listed.error().message;
  bool found = false;
  for (const auto& container : nlohmann::json::parse(listed->body)) {
    found = found || container.at("Id") == cleanup.id;
  }
  EXPECT_TRUE(found) << listed->body;

  auto inspected = client->get("/containers/" + cleanup.id + "/json");
  ASSERT_TRUE(inspected) << inspected.error().message;
  ASSERT_EQ(inspected->status, 200);
  const auto details = nlohmann::json::parse(inspected->body);
  EXPECT_EQ(details.at("Name"), "/" + name);
  EXPECT_EQ(details.at("Config").at("Labels").at("dockgate.test"), "1");

  auto removed = client->del("/containers/" + cleanup.id + "?force=1");
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(removed->status, 204) << removed->error_message();
  auto gone = client->get("/containers/" + cleanup.id + "/json");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  EXPECT_TRUE(contains(gone->error_message(), "No such container")) << gone->error_message();
  cleanup.id.clear();
}

TEST_F(DevEngine, OversizedChunkedAnswerIsRefusedAtTheBodyLimit) {
  auto config = config_;
  config.max_body_bytes = 1000;  // /version (~800 bytes) fits, /info (chunked, ~2 KB) not
  auto client = client_for(config);
  ASSERT_TRUE(client);
  auto response = client->get("/info");
  ASSERT_FALSE(response);
  EXPECT_TRUE(contains(response.error().message, "larger than the limit of 1000 bytes"))
      << response.error().message;
}

// Beast 1.74 alone lets these through (see transport.cpp); /version has a Content-Length.
TEST_F(DevEngine, OversizedContentLengthAnswerIsRefusedAtTheBodyLimit) {
  auto config = config_;
  config.max_body_bytes = 16;
  auto client = client_for(config);
  ASSERT_TRUE(client);
  auto version = client->negotiate_version();
  ASSERT_FALSE(version);
  EXPECT_TRUE(contains(version.error().message, "larger than the limit of 16 bytes"))
      << version.error().message;
}

TEST_F(DevEngine, RogueClientCertificateIsRefusedByTheEngine) {
  if (!config_.tls_verify) GTEST_SKIP() << "the dev engine is not reached over TLS";
  auto config = config_;
  config.cert_path = (kRepo / ".dev/certs/rogue-client").string();
  auto client = client_for(config);
  ASSERT_TRUE(client);
  auto version = client->negotiate_version();
  ASSERT_FALSE(version);
  const auto& message = version.error().message;
  EXPECT_TRUE(contains(message, "cannot reach engine at " + client->endpoint())) << message;
  EXPECT_TRUE(contains(message, "client certificate")) << message;
  EXPECT_TRUE(contains(message, config.cert_path)) << message;
}

// A DOCKER_CERT_PATH whose ca.pem is the rogue CA, with the good client identity.
class WrongCaFolder {
 public:
  explicit WrongCaFolder(const fs::path& good_client) {
    path_ = fs::temp_directory_path() / ("dockgate-wrong-ca-" + std::to_string(::getpid()));
    fs::create_directories(path_);
    fs::copy_file(kRepo / ".dev/certs/rogue-ca/ca.pem", path_ / "ca.pem");
    fs::copy_file(good_client / "cert.pem", path_ / "cert.pem");
    fs::copy_file(good_client / "key.pem", path_ / "key.pem");
  }
  ~WrongCaFolder() { fs::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

TEST_F(DevEngine, EngineSignedByAnotherCaFailsVerification) {
  if (!config_.tls_verify) GTEST_SKIP() << "the dev engine is not reached over TLS";
  WrongCaFolder certs(config_.cert_path);
  auto config = config_;
  config.cert_path = certs.path();
  auto client = client_for(config);
  ASSERT_TRUE(client);
  auto response = client->get("/containers/json");
  ASSERT_FALSE(response);
  const auto& message = response.error().message;
  EXPECT_TRUE(contains(message, "cannot reach engine at")) << message;
  EXPECT_TRUE(contains(message, "certificate verify failed")) << message;
  EXPECT_TRUE(contains(message, certs.path() + "/ca.pem")) << message;
}

TEST_F(DevEngine, HostNameNotInTheEnginesCertificateFailsVerification) {
  if (!config_.tls_verify || config_.host != "tcp://127.0.0.1:2376") {
    GTEST_SKIP() << "needs the dev engine on tcp://127.0.0.1:2376";
  }
  // The machine's own name usually resolves to 127.0.0.1 but is not in the engine's
  // certificate (which names 127.0.0.1 and localhost).
  char host_name[256] = {};
  ::gethostname(host_name, sizeof host_name - 1);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* addresses = nullptr;
  const bool loopback =
      ::getaddrinfo(host_name, nullptr, &hints, &addresses) == 0 &&
      reinterpret_cast<sockaddr_in*>(addresses->ai_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
  if (addresses) ::freeaddrinfo(addresses);
  if (!loopback || std::string(host_name) == "localhost") {
    GTEST_SKIP() << "this machine's name does not resolve to 127.0.0.1";
  }
  auto config = config_;
  config.host = "tcp://" + std::string(host_name) + ":2376";
  auto client = client_for(config);
  ASSERT_TRUE(client);
  auto response = client->get("/_ping");
  ASSERT_FALSE(response);
  EXPECT_TRUE(contains(response.error().message, "not issued for " + std::string(host_name)))
      << response.error().message;
}

TEST_F(DevEngine, EngineThatIsDownReadsConnectionRefused) {
  auto config = config_;
  config.host = config_.tls_verify ? "tcp://127.0.0.1:1" : "unix:///nonexistent/docker.sock";
  auto client = client_for(config);
  ASSERT_TRUE(client);
  auto version = client->negotiate_version();
  ASSERT_FALSE(version);
  const auto& message = version.error().message;
  EXPECT_TRUE(contains(message, "cannot reach engine at")) << message;
  EXPECT_TRUE(contains(message, config_.tls_verify ? "connection refused" : "no socket at"))
      << message;
}

TEST(DevEngineUnixSocket, ListsContainersOverTheSocket) {
  const auto socket = real_environment("DOCKGATE_TEST_UNIX_SOCKET");
  if (!socket) GTEST_SKIP() << "DOCKGATE_TEST_UNIX_SOCKET is unset";
  EngineConfig config;
  config.host = *socket;
  auto client = EngineClient::create(config);
  ASSERT_TRUE(client) << client.error().message;
  EXPECT_EQ((*client)->negotiate_version().value(), "1.41");
  auto response = (*client)->get("/containers/json");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
}

// A listener that accepts connections into its backlog but never reads or answers.
class SilentTcpListener {
 public:
  SilentTcpListener() {
    descriptor_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(descriptor_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(descriptor_, 4) != 0 ||
        ::getsockname(descriptor_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentTcpListener() { ::close(descriptor_); }
  int port() const { return port_; }

 private:
  int descriptor_ = -1;
  int port_ = 0;
};

TEST(EngineTimeouts, SilentTlsEngineTimesOutInTheHandshake) {
  const auto cert_path = kRepo / ".dev/certs/client";
  if (!fs::exists(cert_path / "ca.pem")) GTEST_SKIP() << "no dev certs; run scripts/dev-engine.sh";
  SilentTcpListener listener;
  EngineConfig config;
  config.host = "tcp://127.0.0.1:" + std::to_string(listener.port());
  config.tls_verify = true;
  config.cert_path = cert_path.string();
  config.connect_timeout = std::chrono::milliseconds(300);
  auto client = EngineClient::create(config);
  ASSERT_TRUE(client) << client.error().message;
  const auto started = std::chrono::steady_clock::now();
  auto version = (*client)->negotiate_version();
  ASSERT_FALSE(version);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_TRUE(contains(version.error().message, "no answer within 300ms"))
      << version.error().message;
}

TEST(EngineTimeouts, SilentUnixSocketTimesOutWaitingForTheAnswer) {
  const auto path = fs::temp_directory_path() / ("dockgate-silent-" + std::to_string(::getpid()));
  const int descriptor = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(descriptor, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(descriptor, 4), 0);
  EngineConfig config;
  config.host = "unix://" + path.string();
  config.read_timeout = std::chrono::milliseconds(300);
  auto client = EngineClient::create(config);
  ASSERT_TRUE(client) << client.error().message;
  auto version = (*client)->negotiate_version();
  ::close(descriptor);
  fs::remove(path);
  ASSERT_FALSE(version);
  EXPECT_TRUE(contains(version.error().message, "no answer within 300ms while waiting"))
      << version.error().message;
}

}  // namespace
}  // namespace dockgate::engine
