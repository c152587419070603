#include "audit/audit_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <tuple>
#include <vector>

#include "audit/audit_chain.hpp"

namespace dockgate::audit::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = 64 * 1024;
// A record is a few KiB; a "line" longer than this is not one of ours.
constexpr std::uint64_t kMaxLineBytes = 64ull * 1024 * 1024;
constexpr std::size_t kMaxTornKept = 1024 * 1024;

Result<std::string> read_at(int fd, std::uint64_t offset, std::size_t size,
                            const std::string& path) {
  std::string bytes(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, bytes.data() + got, size - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error("cannot read the audit log " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

bool is_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "20261128T011500Z": the timestamp part of a rotated name.
bool is_rotation_stamp(std::string_view text) {
  return text.size() == 16 && is_digits(text.substr(0, 8)) && text[8] == 'T' &&
         is_digits(text.substr(9, 6)) && text[15] == 'Z';
}

}  // namespace

Result<LogTail> read_tail(int fd, const std::string& path) {
  struct stat info {};
  if (::fstat(fd, &info) != 0)
    return make_error("cannot read the audit log " + path + ": " + std::strerror(errno));
  LogTail tail;
  tail.total_bytes = static_cast<std::uint64_t>(info.st_size);
  // tail_bytes holds the file from `start` to its end, grown a chunk at a time backwards until
  // it holds the last complete line whole.
  std::uint64_t start = tail.total_bytes;
  std::string tail_bytes;
  while (true) {
    const auto last_newline = tail_bytes.rfind('\n');
    if (last_newline != std::string::npos) {
      const auto line_start =
          last_newline == 0 ? std::string::npos : tail_bytes.rfind('\n', last_newline - 1);
      if (line_start != std::string::npos || start == 0) {
        const std::size_t from = line_start == std::string::npos ? 0 : line_start + 1;
        tail.complete_bytes = start + last_newline + 1;
        tail.last_line = tail_bytes.substr(from, last_newline - from);
        tail.torn = tail_bytes.substr(last_newline + 1, kMaxTornKept);
        return tail;
      }
    } else if (start == 0) {
      tail.complete_bytes = 0;  // no complete line at all
      tail.torn = tail_bytes.substr(0, kMaxTornKept);
      return tail;
    }
    if (tail.total_bytes - start > kMaxLineBytes)
      return make_error("the audit log " + path + " ends with a line over 64 MiB: it is not a " +
                        "dockgate audit log, or it was damaged; move it aside");
    const std::uint64_t size = std::min<std::uint64_t>(kChunk, start);
    auto chunk = read_at(fd, start - size, static_cast<std::size_t>(size), path);
    if (!chunk) return chunk.error();
    start -= size;
    tail_bytes.insert(0, *chunk);
  }
}

Result<std::optional<ChainHead>> head_of_line(const std::string& line, const std::string& path) {
  const auto record = nlohmann::json::parse(line, nullptr, false);
  if (record.is_discarded() || !record.is_object())
    return make_error("the last line of the audit log " + path +
                      " is not a JSON record, so the hash chain cannot continue from it (the "
                      "file may have been altered): move it aside and start again");
  const auto seq = record.find("seq");
  if (seq == record.end()) return std::optional<ChainHead>{};
  if (!seq->is_number_unsigned() || seq->get<std::uint64_t>() == 0)
    return make_error("the last record of the audit log " + path +
                      " has a \"seq\" that is not a positive integer: move the file aside");
  return std::optional<ChainHead>(ChainHead{seq->get<std::uint64_t>(), line_hash(line)});
}

std::optional<std::chrono::system_clock::time_point> first_record_time(int fd) {
  auto head = read_at(fd, 0, kChunk, "");
  if (!head) return std::nullopt;
  const auto newline = head->find('\n');
  if (newline == std::string::npos) return std::nullopt;
  const auto record = nlohmann::json::parse(head->substr(0, newline), nullptr, false);
  if (!record.is_object() || !record.contains("time") || !record["time"].is_string())
    return std::nullopt;
  std::tm utc{};
  const std::string text = record["time"].get<std::string>();
  if (::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &utc) == nullptr) return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&utc));
}

std::string rotated_name(const std::string& path, std::chrono::system_clock::time_point when) {
  const fs::path file(path);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  const std::string base = file.stem().string() + "-" + stamp;
  const std::string ext = file.extension().string();
  std::string candidate = (file.parent_path() / (base + ext)).string();
  std::error_code ignored;
  for (int n = 1; fs::exists(candidate, ignored); ++n)
    candidate = (file.parent_path() / (base + "-" + std::to_string(n) + ext)).string();
  return candidate;
}

std::optional<std::string> newest_rotated_sibling(const std::string& path) {
  const fs::path file(path);
  const std::string prefix = file.stem().string() + "-";
  const std::string ext = file.extension().string();
  fs::path folder = file.parent_path();
  if (folder.empty()) folder = ".";
  // Newest: the latest stamp, then the highest -n (a second rotation within the same second).
  std::optional<std::tuple<std::string, unsigned long, std::string>> newest;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < prefix.size() + 16 + ext.size() || !name.starts_with(prefix) ||
        !name.ends_with(ext))
      continue;
    const std::string middle = name.substr(prefix.size(), name.size() - prefix.size() - ext.size());
    if (!is_rotation_stamp(std::string_view(middle).substr(0, 16))) continue;
    unsigned long n = 0;
    if (middle.size() > 16) {
      if (middle[16] != '-' || !is_digits(middle.substr(17)) || middle.size() > 26) continue;
      n = std::stoul(middle.substr(17));
    }
    auto key = std::make_tuple(middle.substr(0, 16), n, entry.path().string());
    if (!newest || key > *newest) newest = key;
  }
  if (!newest) return std::nullopt;
  return std::get<2>(*newest);
}

void sync_folder_of(const std::string& path) {
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace dockgate::audit::detail
