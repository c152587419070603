#include "audit/audit_writer.hpp"

#include <fcntl.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "audit/audit_chain.hpp"
#include "audit/audit_file.hpp"

namespace dockgate::audit {
namespace {

std::string system_error_text(int error_number) {
  return std::strerror(error_number);
}

int open_for_append(const std::string& path) {
  // O_RDWR, not O_WRONLY: the tail is read back at open to continue the chain.
  return ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

// Several dockgate processes may append to one log: Roo starts one stdio server per window,
// all with the default path. Each batch is written under an exclusive lock of the file (a
// blocking flock), after catching up with what the others appended or rotated meanwhile, so
// they extend one chain instead of forking it.
Status lock_file(int fd, const std::string& path) {
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR)
      return make_error("cannot lock the audit log " + path + ": " + system_error_text(errno));
  }
  return Ok{};
}

void unlock_file(int fd) {
  if (fd >= 0) ::flock(fd, LOCK_UN);
}

}  // namespace

AuditWriter::AuditWriter(std::string path, AuditWriterOptions options)
    : path_(std::move(path)), options_(std::move(options)) {
  head_.hash = std::string(kGenesisHash);
}

Result<std::unique_ptr<AuditWriter>> AuditWriter::open(const std::string& path,
                                                       AuditWriterOptions options) {
  std::error_code ec;
  const auto folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, ec);
  if (ec)
    return make_error("cannot create the audit log folder " + folder.string() + ": " +
                      ec.message());
  std::unique_ptr<AuditWriter> writer(new AuditWriter(path, std::move(options)));
  if (auto started = writer->start(); !started) return started.error();
  return writer;
}

// Finds where the chain stands: the last complete line of this file, or of its newest rotated
// sibling when this file is empty; cuts off a torn last line and records that it did.
Status AuditWriter::start() {
  file_.fd = open_for_append(path_);
  if (file_.fd < 0)
    return make_error("cannot open the audit log " + path_ + ": " + system_error_text(errno));
  struct stat info {};
  if (::fstat(file_.fd, &info) != 0)
    return make_error("cannot open the audit log " + path_ + ": " + system_error_text(errno));
  file_.regular = S_ISREG(info.st_mode);
  file_.started = now();
  if (!file_.regular) return Ok{};
  if (auto locked = lock_file(file_.fd, path_); !locked) return locked;
  std::uint64_t discarded = 0;
  auto found = find_chain_head(discarded);
  unlock_file(file_.fd);
  if (!found) return found;
  if (discarded > 0) {
    const auto recovery = recovery_record(
        discarded,
        "the log did not end with a newline: its last write was cut short (crash or kill); "
        "the incomplete line was removed");
    if (auto written = append(recovery); !written) return written;
  }
  return Ok{};
}

nlohmann::json AuditWriter::recovery_record(std::uint64_t discarded, std::string_view reason) {
  nlohmann::json recovery = {{"schema", kAuditSchemaVersion}, {"stage", "recovery"},
                             {"time", rfc3339_utc_ms(now())}, {"file", path_},
                             {"discarded_bytes", discarded},  {"reason", reason}};
  if (!torn_hash_.empty()) recovery["discarded_sha256"] = torn_hash_;
  return recovery;
}

// Under the file lock: where the chain stands in this file (or its newest rotated sibling when
// this file is empty); a torn last line is cut off and counted in `discarded`.
Status AuditWriter::find_chain_head(std::uint64_t& discarded) {
  struct stat info {};
  if (::fstat(file_.fd, &info) != 0)
    return make_error("cannot read the audit log " + path_ + ": " + system_error_text(errno));
  if (info.st_size == 0) detail::sync_folder_of(path_);  // a new log's name survives a crash

  auto tail = detail::read_tail(file_.fd, path_);
  if (!tail) return tail.error();
  discarded = tail->total_bytes - tail->complete_bytes;
  torn_hash_.clear();
  if (discarded > 0) {
    if (::ftruncate(file_.fd, static_cast<off_t>(tail->complete_bytes)) != 0 ||
        ::fdatasync(file_.fd) != 0) {
      return make_error("cannot cut the torn last line off the audit log " + path_ + ": " +
                        system_error_text(errno));
    }
    if (tail->torn.size() == discarded) torn_hash_ = line_hash(tail->torn);
    spdlog::warn(
        "audit log {} ended with an incomplete line ({} bytes; the last write was cut short, "
        "e.g. by a crash): cut it off and recorded a recovery record",
        path_, discarded);
  }
  file_.size = tail->complete_bytes;
  if (!tail->last_line.empty()) {
    if (auto continued = continue_chain_from(tail->last_line, true); !continued) return continued;
  } else if (const auto sibling = detail::newest_rotated_sibling(path_)) {
    const int fd = ::open(sibling->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return make_error("cannot read the rotated audit log " + *sibling +
                        " to continue its chain: " + system_error_text(errno));
    auto sibling_tail = detail::read_tail(fd, *sibling);
    ::close(fd);
    if (!sibling_tail) return sibling_tail.error();
    if (!sibling_tail->last_line.empty()) {
      if (auto continued = continue_chain_from(sibling_tail->last_line, false); !continued)
        return continued;
    }
  }
  if (file_.size > 0) file_.started = detail::first_record_time(file_.fd).value_or(now());
  return Ok{};
}

// Under the file lock, before a batch: another dockgate may have rotated the file (the path
// names another inode now) or appended to it (its size is not ours); then the chain goes on
// from what it wrote.
Status AuditWriter::catch_up_with_other_writers(std::uint64_t& discarded) {
  discarded = 0;
  if (!file_.regular) return Ok{};
  struct stat by_fd {
  }, by_path{};
  if (::fstat(file_.fd, &by_fd) != 0)
    return make_error("cannot read the audit log " + path_ + ": " + system_error_text(errno));
  const bool moved = ::stat(path_.c_str(), &by_path) != 0 || by_path.st_ino != by_fd.st_ino ||
                     by_path.st_dev != by_fd.st_dev;
  if (moved) {
    ::close(file_.fd);  // releases its lock
    file_.fd = -1;
    if (auto reopened = reopen_if_closed(); !reopened) return reopened;
    if (auto locked = lock_file(file_.fd, path_); !locked) return locked;
    if (::fstat(file_.fd, &by_fd) != 0)
      return make_error("cannot read the audit log " + path_ + ": " + system_error_text(errno));
  } else if (static_cast<std::uint64_t>(by_fd.st_size) == file_.size) {
    return Ok{};
  }
  spdlog::debug("audit log {} was {} by another dockgate: continuing its chain", path_,
                moved ? "rotated" : "extended");
  return find_chain_head(discarded);
}

Status AuditWriter::continue_chain_from(const std::string& line, bool this_file) {
  auto head = detail::head_of_line(line, path_);
  if (!head) return head.error();
  if (*head) {
    std::lock_guard lock(mutex_);
    head_ = **head;
    return Ok{};
  }
  if (!this_file) return Ok{};  // an unchained (schema 1) sibling: start a new chain
  // A schema 1 log: its records carry no chain. Move it aside whole so the chained log starts
  // in a file of its own, at seq 1.
  const std::string target = detail::rotated_name(path_, now());
  if (std::rename(path_.c_str(), target.c_str()) != 0)
    return make_error("cannot move the unchained (schema 1) audit log " + path_ + " aside to " +
                      target + ": " + system_error_text(errno));
  ::close(file_.fd);
  file_.fd = -1;
  spdlog::warn(
      "audit log {} holds schema 1 records (no hash chain): moved it to {}; the chain "
      "starts at seq 1 in a new file",
      path_, target);
  return reopen_if_closed();
}

AuditWriter::~AuditWriter() {
  if (head_.seq > 0) log_checkpoint(head_);
  if (file_.fd >= 0) ::close(file_.fd);
}

Status AuditWriter::append(const nlohmann::json& record) {
  Waiter me{&record};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  // Group commit: whoever finds no write in progress becomes the leader and writes every
  // queued record (its own among them) with one write() and one fdatasync(); the others wait
  // for it. A record is never acknowledged before its batch is on disk.
  while (!me.done) {
    if (leader_active_) {
      batch_done_.wait(lock);
      continue;
    }
    leader_active_ = true;
    std::vector<Waiter*> batch;
    batch.swap(queue_);
    lock.unlock();
    const Status result = write_batch(batch);
    lock.lock();
    for (auto* waiter : batch) {
      waiter->result = result;
      waiter->done = true;
    }
    leader_active_ = false;
    batch_done_.notify_all();
  }
  return me.result;
}

Status AuditWriter::write_batch(const std::vector<Waiter*>& batch) {
  Status written = reopen_if_closed();
  std::uint64_t discarded = 0;
  if (written && file_.regular) written = lock_file(file_.fd, path_);
  if (written) written = catch_up_with_other_writers(discarded);
  // Chained here, at write time, in file order: a record's prev is the hash of the line
  // written just before it. The new head is published only once the lines are on disk.
  ChainHead head = this->head();
  const std::uint64_t first_seq = head.seq + 1;
  std::string bytes;
  auto chain = [&](nlohmann::json chained) {
    chained["seq"] = head.seq + 1;
    chained["prev"] = head.hash;
    std::string line = canonical_line(chained);
    head = ChainHead{head.seq + 1, line_hash(line)};
    bytes += line;
    bytes.push_back('\n');
  };
  if (written && discarded > 0) {
    // Another dockgate died mid-write: its torn line is gone; say so in the chain.
    chain(recovery_record(discarded,
                          "another dockgate's last write to this log was cut short; the "
                          "incomplete line was removed"));
  }
  for (const auto* waiter : batch) chain(*waiter->record);
  if (written) written = rotate_if_due(bytes.size());
  if (written) written = write_lines(bytes);
  if (file_.regular) unlock_file(file_.fd);
  if (!written) {
    fail_or_halt(written.error().message);
    return written;
  }
  if (file_.failing) {
    spdlog::info("audit log {} is writable again (from seq {})", path_, first_seq);
    file_.failing = false;
  }
  const std::uint64_t every = options_.checkpoint_every;
  const bool checkpoint_due = every > 0 && (first_seq - 1) / every != head.seq / every;
  {
    std::lock_guard lock(mutex_);
    head_ = head;
  }
  if (checkpoint_due) log_checkpoint(head);
  return Ok{};
}

Status AuditWriter::write_lines(const std::string& bytes) {
  auto fail = [&](const std::string& what, int error_number) -> Status {
    // Cut the partial write off, so the file ends at the last good record and the next
    // batch continues the chain from there.
    if (file_.regular && ::ftruncate(file_.fd, static_cast<off_t>(file_.size)) != 0)
      file_.needs_truncate = true;
    return make_error(what + " the audit log " + path_ + ": " + system_error_text(error_number) +
                      " (the record was not written; the log ends at its last complete record)");
  };
  if (file_.needs_truncate) {
    if (::ftruncate(file_.fd, static_cast<off_t>(file_.size)) != 0)
      return fail("cannot cut a partly written record off", errno);
    file_.needs_truncate = false;
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = options_.write
                          ? options_.write(file_.fd, bytes.data() + done, bytes.size() - done)
                          : ::write(file_.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write", n == 0 ? EIO : errno);
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(file_.fd) != 0) return fail("cannot flush to disk", errno);
  file_.size += bytes.size();
  return Ok{};
}

Status AuditWriter::reopen_if_closed() {
  if (file_.fd >= 0) return Ok{};
  file_.fd = open_for_append(path_);
  if (file_.fd < 0)
    return make_error("cannot open the audit log " + path_ + ": " + system_error_text(errno));
  struct stat info {};
  ::fstat(file_.fd, &info);
  file_.size = static_cast<std::uint64_t>(info.st_size);
  file_.started = now();
  file_.needs_truncate = false;
  detail::sync_folder_of(path_);
  return Ok{};
}

Status AuditWriter::rotate_if_due(std::uint64_t incoming_bytes) {
  if (!file_.regular || file_.size == 0) return Ok{};
  const bool by_size = options_.max_bytes > 0 && file_.size + incoming_bytes > options_.max_bytes;
  const bool by_age = options_.max_age.count() > 0 && now() - file_.started >= options_.max_age;
  if (!by_size && !by_age) return Ok{};
  const std::string target = detail::rotated_name(path_, now());
  if (std::rename(path_.c_str(), target.c_str()) != 0)
    return make_error("cannot rotate the audit log " + path_ + " to " + target + ": " +
                      system_error_text(errno));
  // The new file is locked before the old one is let go: another dockgate that was waiting
  // for the old file's lock then finds it moved and queues for the new one.
  const int old_fd = file_.fd;
  file_.fd = -1;
  Status reopened = reopen_if_closed();
  if (reopened) reopened = lock_file(file_.fd, path_);
  ::close(old_fd);
  spdlog::info("audit log rotated ({}): {} -> {}; the chain continues after seq {}",
               by_size ? "size" : "age", path_, target, head().seq);
  return reopened;
}

void AuditWriter::fail_or_halt(const std::string& message) {
  if (options_.on_failure == AuditFailureAction::Halt) {
    spdlog::critical("{}; --audit-failure=halt: exiting rather than run calls without audit",
                     message);
    spdlog::default_logger()->flush();
    std::_Exit(3);
  }
  if (!file_.failing)
    spdlog::error("{}; calls are refused until the audit log can be written again", message);
  file_.failing = true;
}

ChainHead AuditWriter::head() const {
  std::lock_guard lock(mutex_);
  return head_;
}

std::string AuditWriter::checkpoint_text() const {
  const ChainHead at = head();
  std::string text =
      "audit checkpoint: file=" + path_ + " seq=" + std::to_string(at.seq) + " head=" + at.hash;
  if (!options_.hmac_key.empty())
    text += " hmac=" + checkpoint_hmac(options_.hmac_key, at.seq, at.hash);
  return text;
}

void AuditWriter::log_checkpoint(const ChainHead& head) const {
  std::string text =
      "audit checkpoint: file=" + path_ + " seq=" + std::to_string(head.seq) + " head=" + head.hash;
  if (!options_.hmac_key.empty())
    text += " hmac=" + checkpoint_hmac(options_.hmac_key, head.seq, head.hash);
  spdlog::info("{}", text);
}

std::chrono::system_clock::time_point AuditWriter::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

std::string rfc3339_utc_ms(std::chrono::system_clock::time_point when) {
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(when);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(ms);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  const auto millis = ms.time_since_epoch().count() % 1000;
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(millis));
  return out;
}

Result<std::string> read_hmac_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read the audit HMAC key file " + path);
  std::string key;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    key.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (key.size() > 4097) break;
  }
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (key.size() < 16 || key.size() > 4096)
    return make_error("the audit HMAC key file " + path + " holds " + std::to_string(key.size()) +
                      " bytes; a key is 16 to 4096 bytes (e.g. `openssl rand -hex 32 > " + path +
                      "`)");
  return key;
}

std::string checkpoint_hmac(const std::string& key, std::uint64_t seq, const std::string& head) {
  const std::string message = std::to_string(seq) + ":" + head;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

}  // namespace dockgate::audit
