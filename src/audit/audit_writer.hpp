// The audit log: one JSON object per line, hash-chained (audit_chain.hpp), appended, each
// record on disk (fdatasync) before append() returns, so an intent record exists before the
// engine is touched. Concurrent appends share one write()+fdatasync() (group commit).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace dockgate::audit {

// The record schema version, written into every record as "schema".
inline constexpr int kAuditSchemaVersion = 2;

// What to do when a record cannot be written (auditd's disk_full_action).
enum class AuditFailureAction {
  Refuse,  // the append fails; the caller refuses its call; later appends try again
  Halt,    // log and exit the process (status 3): no call runs without its record
};

struct AuditWriterOptions {
  std::uint64_t max_bytes = 0;            // rotate before a file would grow past it; 0: never
  std::chrono::seconds max_age{0};        // rotate a file older than this; 0: never
  std::uint64_t checkpoint_every = 1000;  // log a checkpoint every N records; 0: at close only
  std::string hmac_key;  // non-empty: checkpoints carry HMAC-SHA256(key, "seq:head")
  AuditFailureAction on_failure = AuditFailureAction::Refuse;
  // Tests only: the clock (rotation names and age) and write(2) (to make it fail).
  std::function<std::chrono::system_clock::time_point()> clock;
  std::function<ssize_t(int fd, const char* data, std::size_t size)> write;
};

// Where the chain stands: the last durable record.
struct ChainHead {
  std::uint64_t seq = 0;  // 0: nothing written yet
  std::string hash;       // line_hash of that record, or kGenesisHash
};

class AuditWriter {
 public:
  // Opens (creating it with mode 0600, and its folder) the log for appending, and continues the
  // chain of what is there: a torn last line (a crash mid-write) is cut off and a "recovery"
  // record says how many bytes went; an empty file continues its newest rotated sibling.
  static Result<std::unique_ptr<AuditWriter>> open(const std::string& path,
                                                   AuditWriterOptions options = {});
  // Logs a final checkpoint.
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // Adds "seq" and "prev" to the record, appends it as one line and waits until it is on disk.
  // Safe from several threads. An error means the record is not in the log (the chain did not
  // advance): the caller must not go on as if it were.
  Status append(const nlohmann::json& record);

  const std::string& path() const { return path_; }
  ChainHead head() const;
  // The service-log line of a checkpoint at the current head ("audit checkpoint: file=...").
  std::string checkpoint_text() const;

 private:
  struct Waiter {  // one append() call, blocked until its batch is on disk (or failed)
    const nlohmann::json* record;
    bool done = false;
    Status result = Ok{};
  };
  struct LogFile {  // only the leader touches it (leader_active_ is its lock)
    int fd = -1;
    std::uint64_t size = 0;  // bytes of complete, durable lines in the current file
    bool regular = true;     // /dev/full and the like: no truncation, no rotation
    std::chrono::system_clock::time_point started;  // for --audit-max-age
    bool failing = false;         // the last batch failed: say so once when writes work again
    bool needs_truncate = false;  // a failed write left bytes past `size` that must go first
  };

  AuditWriter(std::string path, AuditWriterOptions options);
  Status start();
  Status find_chain_head(std::uint64_t& discarded);
  Status catch_up_with_other_writers(std::uint64_t& discarded);
  nlohmann::json recovery_record(std::uint64_t discarded, std::string_view reason);
  Status continue_chain_from(const std::string& line, bool this_file);
  Status write_batch(const std::vector<Waiter*>& batch);
  Status write_lines(const std::string& bytes);
  Status rotate_if_due(std::uint64_t incoming_bytes);
  Status reopen_if_closed();
  void fail_or_halt(const std::string& message);
  void log_checkpoint(const ChainHead& head) const;
  std::chrono::system_clock::time_point now() const;

  const std::string path_;
  const AuditWriterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable batch_done_;
  std::vector<Waiter*> queue_;
  bool leader_active_ = false;
  ChainHead head_;         // written by the leader under mutex_, read by anyone under it
  std::string torn_hash_;  // SHA-256 of the last torn line cut off, for its recovery record
  LogFile file_;
};

// "2026-11-27T18:19:36.123Z": RFC 3339, UTC, milliseconds.
std::string rfc3339_utc_ms(std::chrono::system_clock::time_point when);

// Reads the HMAC key of checkpoints: the file's bytes without one trailing newline, 16 to 4096
// bytes, so `openssl rand -hex 32 > key` works.
Result<std::string> read_hmac_key_file(const std::string& path);

// Lowercase hex HMAC-SHA256(key, "<seq>:<head>"), as checkpoints carry it.
std::string checkpoint_hmac(const std::string& key, std::uint64_t seq, const std::string& head);

}  // namespace dockgate::audit
