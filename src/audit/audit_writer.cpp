#include "audit/audit_writer.hpp"

#include "audit/audit_chain.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dockgate::audit {
namespace {

std::string system_error_text(int error_number) {
  return std::strerror(error_number);
}

}  // namespace

Result<std::unique_ptr<AuditWriter>> AuditWriter::open(const std::string& path) {
  std::error_code ec;
  const auto folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, ec);
  if (ec)
    return make_error("cannot create the audit log folder " + folder.string() + ": " +
                      ec.message());
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error("cannot open the audit log " + path + ": " + system_error_text(errno));
  return std::unique_ptr<AuditWriter>(new AuditWriter(fd, path));
}

AuditWriter::~AuditWriter() {
  ::close(fd_);
}

Status AuditWriter::append(const nlohmann::json& record) {
  std::string line = canonical_line(record);
  line.push_back('\n');
  std::lock_guard lock(mutex_);
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("cannot write the audit log " + path_ + ": " + system_error_text(errno));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    return make_error("cannot flush the audit log " + path_ +
                      " to disk: " + system_error_text(errno));
  }
  return Ok{};
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

}  // namespace dockgate::audit
