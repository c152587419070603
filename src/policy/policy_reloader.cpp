#include "policy/policy_reloader.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>

namespace dockgate::policy {

PolicyReloader::PolicyReloader(std::vector<std::string> paths, Install install,
                               std::chrono::milliseconds poll_interval)
    : paths_(std::move(paths)),
      install_(std::move(install)),
      poll_interval_(poll_interval),
      last_stamps_(stamps()) {}

PolicyReloader::~PolicyReloader() {
  stop();
}

void PolicyReloader::block_sighup() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::vector<PolicyReloader::FileStamp> PolicyReloader::stamps() const {
  std::vector<FileStamp> out;
  for (const auto& path : paths_) {
    struct stat info {};
    FileStamp stamp;
    if (::stat(path.c_str(), &info) == 0) {
      stamp.exists = true;
      stamp.mtime_ns =
          static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
      stamp.size = info.st_size;
      stamp.inode = info.st_ino;
    }
    out.push_back(stamp);
  }
  return out;
}

void PolicyReloader::reload(std::string_view trigger) {
  install_(PolicySet::load(paths_), trigger);
}

bool PolicyReloader::reload_if_changed() {
  auto now = stamps();
  if (now == last_stamps_) return false;
  last_stamps_ = std::move(now);
  reload("file_changed");
  return true;
}

void PolicyReloader::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void PolicyReloader::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

// Short waits for SIGHUP, so that stop() is prompt; a file look every poll interval.
void PolicyReloader::run() {
  sigset_t hangup;
  sigemptyset(&hangup);
  sigaddset(&hangup, SIGHUP);
  auto next_look = std::chrono::steady_clock::now() + poll_interval_;
  while (!stopping_) {
    const timespec slice{0, 200'000'000};
    if (::sigtimedwait(&hangup, nullptr, &slice) == SIGHUP) {
      last_stamps_ = stamps();  // this reload covers any change made so far
      reload("sighup");
    }
    if (std::chrono::steady_clock::now() >= next_look) {
      reload_if_changed();
      next_look = std::chrono::steady_clock::now() + poll_interval_;
    }
  }
}

}  // namespace dockgate::policy
