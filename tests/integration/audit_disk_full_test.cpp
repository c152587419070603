// A full disk under the audit log (auditd's disk_full_action, here "refuse"): calls are
// refused with an error that names the log and the reason, the engine is not touched, and
// calls work again once there is space. Needs root to mount a small tmpfs; skips otherwise.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "../unit/audit_chain_check.hpp"
#include "gate/engine_executor.hpp"
#include "gate/gate.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::optional<std::string> real_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

const char* kPolicy = R"(apiVersion: dockgate/v1
kind: Policy
name: t
rules:
  - {id: volumes, title: Volumes, effect: allow, match: {tools: [docker_volume_create]}}
)";

class AuditDiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!real_environment("DOCKER_HOST")) GTEST_SKIP() << "DOCKER_HOST is unset";
    if (::geteuid() != 0) GTEST_SKIP() << "not root: cannot mount a small tmpfs to fill";
    mount_point_ = fs::temp_directory_path() / ("dockgate-disk-full-" + std::to_string(::getpid()));
    fs::create_directories(mount_point_);
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=64k,mode=0700") != 0) {
      const std::string why = std::strerror(errno);
      fs::remove(mount_point_);
      mount_point_.clear();
      GTEST_SKIP() << "cannot mount a tmpfs here (" << why << ")";
    }
    mounted_ = true;
    auto config = engine::engine_config_from_environment(real_environment);
    ASSERT_TRUE(config) << config.error().message;
    engine_ = engine::EngineClient::create(*config).value();
    log_path_ = (mount_point_ / "audit.jsonl").string();
    audit_ = audit::AuditWriter::open(log_path_).value();
    policy_ = *policy::PolicySet::parse("t.yaml", kPolicy);
    executor_ = std::make_unique<EngineActionExecutor>(*engine_);
    gate_ = std::make_unique<Gate>(tools_, policy_, *audit_, *executor_);
  }

  void TearDown() override {
    gate_.reset();
    audit_.reset();
    for (const auto& volume : volumes_) (void)engine_->del("/volumes/" + volume + "?force=1");
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
    if (!mount_point_.empty()) fs::remove(mount_point_);
  }

  // Fills the tmpfs to the last byte, so the next audit write gets ENOSPC.
  void fill_the_disk() {
    std::ofstream filler(mount_point_ / "filler", std::ios::binary);
    const std::string block(1024, 'x');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) &&
           filler.flush()) {
    }
    std::ofstream last(mount_point_ / "filler-tail", std::ios::binary);
    while (last.put('x') && last.flush()) {
    }
  }

  void free_the_disk() {
    fs::remove(mount_point_ / "filler");
    fs::remove(mount_point_ / "filler-tail");
  }

  CallOutcome create_volume(const std::string& name) {
    volumes_.push_back(name);
    return gate_->call(CallContext{{"tester", {}}, "s1", "gtest", "1", "", nullptr},
                       "docker_volume_create",
                       {{"name", name}, {"labels", {{"dg-disk-full-test", "1"}}}});
  }

  bool volume_exists(const std::string& name) {
    auto found = engine_->get("/volumes/" + name);
    return found && found->status == 200;
  }

  fs::path mount_point_;
  bool mounted_ = false;
  std::string log_path_;
  std::unique_ptr<engine::EngineClient> engine_;
  tools::ToolRegistry tools_ = tools::ToolRegistry::with_builtin_tools();
  std::shared_ptr<const policy::PolicySet> policy_;
  std::unique_ptr<audit::AuditWriter> audit_;
  std::unique_ptr<EngineActionExecutor> executor_;
  std::unique_ptr<Gate> gate_;
  std::vector<std::string> volumes_;
};

TEST_F(AuditDiskFull, CallsAreRefusedWhileTheDiskIsFullAndWorkAgainAfter) {
  const std::string suffix = std::to_string(std::random_device{}());
  fill_the_disk();
  const std::string refused_name = "dg-disk-full-refused-" + suffix;
  auto refused = create_volume(refused_name);
  ASSERT_TRUE(refused.is_error) << refused.text;
  EXPECT_NE(refused.text.find("audit log cannot be written"), std::string::npos) << refused.text;
  EXPECT_NE(refused.text.find(log_path_), std::string::npos) << refused.text;
  EXPECT_NE(refused.text.find("No space left on device"), std::string::npos) << refused.text;
  EXPECT_NE(refused.text.find("nothing was sent to the engine"), std::string::npos);
  EXPECT_FALSE(volume_exists(refused_name)) << "the engine was called despite the refusal";
  EXPECT_EQ(audit_->head().seq, 0u) << "a failed write advanced the chain";

  free_the_disk();
  const std::string created_name = "dg-disk-full-created-" + suffix;
  auto created = create_volume(created_name);
  ASSERT_FALSE(created.is_error) << created.text;
  EXPECT_TRUE(volume_exists(created_name));
  const auto records = audit::testing::file_records(log_path_);
  ASSERT_EQ(records.size(), 2u);  // the refused call left nothing half-written behind
  EXPECT_EQ(records[0]["stage"], "intent");
  EXPECT_EQ(records[1]["created"], json({created_name}));
  EXPECT_EQ(audit::testing::chain_problem({log_path_}), "");
}

}  // namespace
}  // namespace dockgate::gate
