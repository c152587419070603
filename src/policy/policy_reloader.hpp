// Reloads the policy while dockgate runs: on SIGHUP, and when a policy file changes (its
// mtime, size or inode, looked at every poll interval). What to do with the result is the
// caller's (the gate swaps it in atomically, or keeps the last good policy and records why):
// this component only notices and loads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.hpp"
#include "policy/policy.hpp"

namespace dockgate::policy {

class PolicyReloader {
 public:
  using Loaded = Result<std::shared_ptr<const PolicySet>>;
  // trigger: "sighup" or "file_changed". Called on the reloader's thread.
  using Install = std::function<void(const Loaded& loaded, std::string_view trigger)>;

  PolicyReloader(std::vector<std::string> paths, Install install,
                 std::chrono::milliseconds poll_interval = std::chrono::seconds(2));
  ~PolicyReloader();
  PolicyReloader(const PolicyReloader&) = delete;
  PolicyReloader& operator=(const PolicyReloader&) = delete;

  // Blocks SIGHUP in the calling thread, and so in every thread it starts afterwards: call it
  // first thing in main, so that SIGHUP is only ever taken by the reloader's thread
  // (sigtimedwait) and never ends the process.
  static void block_sighup();

  // Starts the thread: SIGHUP (when block_sighup() was called) and file polling.
  void start();
  void stop();  // idempotent; joins within a fraction of a second

  // One look at the files: reloads when any changed since the last look. Returns whether it
  // reloaded (whatever the result). The thread calls it every poll interval; tests call it.
  bool reload_if_changed();
  void reload(std::string_view trigger);

 private:
  struct FileStamp {
    bool exists = false;
    std::int64_t mtime_ns = 0;
    std::int64_t size = 0;
    std::uint64_t inode = 0;
    bool operator==(const FileStamp&) const = default;
  };
  std::vector<FileStamp> stamps() const;
  void run();

  std::vector<std::string> paths_;
  Install install_;
  std::chrono::milliseconds poll_interval_;
  std::vector<FileStamp> last_stamps_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace dockgate::policy
