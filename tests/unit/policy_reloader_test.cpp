// PolicyReloader: notices changed policy files and hands the loaded result over; a file that
// does not load is handed over as an error (the gate keeps the last good policy).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "policy/policy_reloader.hpp"

namespace dockgate::policy {
namespace {

const char* kAllowPs = R"(apiVersion: dockgate/v1
kind: Policy
name: a
rules:
  - {id: ps, title: ps, effect: allow, match: {tools: [docker_ps]}}
)";
const char* kDenyAll = R"(apiVersion: dockgate/v1
kind: Policy
name: b
rules:
  - {id: images-only, title: images, effect: allow, match: {tools: [docker_images]}}
)";

class PolicyReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("dockgate-reloader-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
    path_ = (folder_ / "policy.yaml").string();
    write(kAllowPs);
    active_ = *PolicySet::load({path_});
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  void write(const std::string& text) {
    // Through a new file renamed over the old one, as editors and config tools do.
    const auto temp = path_ + ".tmp";
    std::ofstream(temp, std::ios::trunc) << text;
    std::filesystem::rename(temp, path_);
  }
  // What the gate does: keep the last good policy.
  PolicyReloader::Install install() {
    return [this](const PolicyReloader::Loaded& loaded, std::string_view trigger) {
      triggers_.emplace_back(trigger);
      ++reloads_;
      if (loaded) {
        active_ = *loaded;
      } else {
        errors_.push_back(loaded.error().message);
      }
    };
  }

  std::filesystem::path folder_;
  std::string path_;
  std::shared_ptr<const PolicySet> active_;
  std::vector<std::string> triggers_;
  std::vector<std::string> errors_;
  std::atomic<int> reloads_{0};
};

TEST_F(PolicyReloaderTest, UnchangedFilesAreNotReloaded) {
  PolicyReloader reloader({path_}, install());
  EXPECT_FALSE(reloader.reload_if_changed());
  EXPECT_TRUE(triggers_.empty());
}

TEST_F(PolicyReloaderTest, AChangedFileIsReloaded) {
  PolicyReloader reloader({path_}, install());
  const auto before = active_->sha256();
  write(kDenyAll);
  EXPECT_TRUE(reloader.reload_if_changed());
  EXPECT_EQ(triggers_, std::vector<std::string>{"file_changed"});
  EXPECT_NE(active_->sha256(), before);
  EXPECT_EQ(active_->rules().front().id, "images-only");
  EXPECT_FALSE(reloader.reload_if_changed());  // once per change
}

TEST_F(PolicyReloaderTest, ABrokenFileKeepsTheOldShaAndSaysWhereWithFileLineCol) {
  PolicyReloader reloader({path_}, install());
  const auto before = active_->sha256();
  write(
      "apiVersion: dockgate/v1\nkind: Policy\nname: x\nrules:\n  - {id: a, effect: allow, tite: "
      "x}\n");
  EXPECT_TRUE(reloader.reload_if_changed());
  EXPECT_EQ(active_->sha256(), before);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].rfind(path_ + ":5:", 0), 0u) << errors_[0];
  std::filesystem::remove(path_);  // a file that disappears is a broken policy too
  EXPECT_TRUE(reloader.reload_if_changed());
  EXPECT_EQ(active_->sha256(), before);
  EXPECT_EQ(errors_.size(), 2u);
}

TEST_F(PolicyReloaderTest, TheThreadPollsAndStopsPromptly) {
  PolicyReloader reloader({path_}, install(), std::chrono::milliseconds(50));
  reloader.start();
  write(kDenyAll);
  for (int i = 0; i < 100 && reloads_ == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto started = std::chrono::steady_clock::now();
  reloader.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  ASSERT_FALSE(triggers_.empty());
  EXPECT_EQ(active_->rules().front().id, "images-only");
}

}  // namespace
}  // namespace dockgate::policy
