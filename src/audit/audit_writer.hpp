// The audit log: one JSON object per line, appended, each record on disk (fdatasync) before
// write() returns, so an intent record exists before the engine is touched.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace dockgate::audit {

// The record schema version, written into every record as "schema".
inline constexpr int kAuditSchemaVersion = 1;

class AuditWriter {
 public:
  // Opens (creating it with mode 0600, and its folder) the log for appending.
  static Result<std::unique_ptr<AuditWriter>> open(const std::string& path);
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Appends one record as a line and waits until it is on disk. Safe from several threads.
  // An error means the record may not be durable: the caller must not go on as if it were.
  Status append(const nlohmann::json& record);

  const std::string& path() const { return path_; }

 private:
  AuditWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  std::mutex mutex_;
  int fd_;
  std::string path_;
};

// "2026-11-27T18:19:36.123Z": RFC 3339, UTC, milliseconds.
std::string rfc3339_utc_ms(std::chrono::system_clock::time_point when);

}  // namespace dockgate::audit
