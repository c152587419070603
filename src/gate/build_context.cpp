#include "gate/build_context.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "gate/dockerignore.hpp"

namespace dockgate::gate {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

std::string errno_text() {
  return std::strerror(errno);
}

Result<std::string> read_all(int fd, std::uint64_t limit, const std::string& what) {
  std::string out;
  char buffer[65536];
  while (true) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) return make_error("cannot read " + what + ": " + errno_text());
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > limit) return make_error("too large");
  }
  return out;
}

class TarWriter {
 public:
  TarWriter(std::uint64_t max_bytes) : max_bytes_(max_bytes), archive_(archive_write_new()) {
    archive_write_set_format_pax_restricted(archive_.get());
    archive_write_set_bytes_in_last_block(archive_.get(), 1);
    archive_write_open(archive_.get(), this, nullptr, &TarWriter::on_write, nullptr);
  }

  Status add(const std::string& path, const struct stat& st, const std::string& data,
             const std::string& link_target = {}) {
    std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), path.c_str());
    archive_entry_set_mode(entry.get(), st.st_mode);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_mtime(entry.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    if (S_ISLNK(st.st_mode)) archive_entry_set_symlink(entry.get(), link_target.c_str());
    archive_entry_set_size(entry.get(),
                           S_ISREG(st.st_mode) ? static_cast<la_int64_t>(data.size()) : 0);
    if (archive_write_header(archive_.get(), entry.get()) != ARCHIVE_OK) return failure(path);
    if (S_ISREG(st.st_mode) && !data.empty() &&
        archive_write_data(archive_.get(), data.data(), data.size()) < 0)
      return failure(path);
    ++entries_;
    return Ok{};
  }

  Result<std::string> finish() {
    if (archive_write_close(archive_.get()) != ARCHIVE_OK) return failure("the end of the tar");
    return std::move(bytes_);
  }
  std::size_t entries() const { return entries_; }
  std::uint64_t remaining() const {
    return bytes_.size() >= max_bytes_ ? 0 : max_bytes_ - bytes_.size();
  }

 private:
  static la_ssize_t on_write(archive*, void* self, const void* data, size_t size) {
    auto* writer = static_cast<TarWriter*>(self);
    if (writer->bytes_.size() + size > writer->max_bytes_) {
      writer->too_large_ = true;
      return -1;
    }
    writer->bytes_.append(static_cast<const char*>(data), size);
    return static_cast<la_ssize_t>(size);
  }
  Error failure(const std::string& path) const {
    if (too_large_) return too_large(max_bytes_);
    const char* why = archive_error_string(archive_.get());
    return make_error("cannot pack " + path +
                      " into the build context: " + (why ? why : "libarchive failed"));
  }

 public:
  static Error too_large(std::uint64_t max_bytes) {
    const std::string limit = max_bytes >= (1u << 20) ? std::to_string(max_bytes >> 20) + " MiB"
                                                      : std::to_string(max_bytes) + " bytes";
    return make_error("the build context is larger than " + limit +
                      ": leave build outputs, dependencies and data out with a .dockerignore "
                      "file in the context folder");
  }

 private:
  std::uint64_t max_bytes_;
  std::string bytes_;
  std::size_t entries_ = 0;
  bool too_large_ = false;
  // Last, so it is destroyed first: archive_write_free() may still flush through on_write(),
  // which writes into the members above.
  std::unique_ptr<archive, ArchiveDeleter> archive_;
};

struct Walk {
  const DockerIgnore& ignore;
  const std::string& dockerfile;
  TarWriter& tar;
  std::uint64_t max_bytes;
};

Status pack_folder(Walk& walk, int dir_fd, const std::string& prefix) {
  const int listing_fd = ::dup(dir_fd);
  if (listing_fd < 0) return make_error("cannot read the folder " + prefix + ": " + errno_text());
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(listing_fd), &::closedir);
  if (!dir) {
    ::close(listing_fd);
    return make_error("cannot read the folder " + prefix + ": " + errno_text());
  }
  std::vector<std::string> names;
  while (const auto* entry = ::readdir(dir.get())) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string path = prefix.empty() ? name : prefix + "/" + name;
    if (path == walk.dockerfile) continue;  // packed first, from the bytes that were judged
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return make_error("cannot read " + path + " in the build context: " + errno_text());
    const bool always_sent = path == ".dockerignore";
    const bool excluded = !always_sent && walk.ignore.excluded(path);
    if (S_ISDIR(st.st_mode)) {
      if (excluded && !walk.ignore.has_exceptions()) continue;
      if (!excluded) {
        if (auto added = walk.tar.add(path, st, {}); !added) return added;
      }
      Fd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (child.fd < 0) return make_error("cannot open the folder " + path + ": " + errno_text());
      if (auto packed = pack_folder(walk, child.fd, path); !packed) return packed;
    } else if (excluded) {
      continue;
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(4096, '\0');
      const auto n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
      if (n < 0) return make_error("cannot read the link " + path + ": " + errno_text());
      target.resize(static_cast<std::size_t>(n));
      if (auto added = walk.tar.add(path, st, {}, target); !added) return added;
    } else if (S_ISREG(st.st_mode)) {
      Fd file(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
      if (file.fd < 0) return make_error("cannot open " + path + ": " + errno_text());
      auto data = read_all(file.fd, walk.tar.remaining(), path);
      if (!data) {
        return data.error().message == "too large" ? TarWriter::too_large(walk.max_bytes)
                                                   : data.error();
      }
      if (auto added = walk.tar.add(path, st, *data); !added) return added;
    }
    // Sockets, fifos and devices are left out: they are no content to build from.
  }
  return Ok{};
}

// Opens context/<relative> one component at a time, never through a symlink.
Result<int> open_beneath(int root_fd, const std::string& relative, int flags) {
  int current = ::dup(root_fd);
  std::size_t start = 0;
  while (true) {
    const auto slash = relative.find('/', start);
    const std::string part = relative.substr(start, slash - start);
    const bool last = slash == std::string::npos;
    if (part.empty() || part == "." || part == "..") {
      ::close(current);
      return make_error("dockerfile \"" + relative + "\" must be a plain path inside the context");
    }
    const int next = ::openat(current, part.c_str(),
                              (last ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
    const int saved = errno;
    ::close(current);
    if (next < 0) {
      errno = saved;
      return make_error("cannot open the Dockerfile \"" + relative + "\" in the context: " +
                        errno_text() + (saved == ELOOP ? " (symlinks are not followed)" : ""));
    }
    if (last) return next;
    current = next;
    start = slash + 1;
  }
}

}  // namespace

Result<ContextTar> make_context_tar(const std::string& context_dir, const std::string& dockerfile,
                                    std::uint64_t max_bytes) {
  Fd root(::open(context_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.fd < 0)
    return make_error("cannot open the build context " + context_dir + ": " + errno_text());
  ContextTar out;
  auto dockerfile_fd = open_beneath(root.fd, dockerfile, O_RDONLY | O_NONBLOCK);
  if (!dockerfile_fd) return dockerfile_fd.error();
  Fd dockerfile_file(*dockerfile_fd);
  struct stat dockerfile_stat {};
  if (::fstat(dockerfile_file.fd, &dockerfile_stat) != 0 || !S_ISREG(dockerfile_stat.st_mode))
    return make_error("the Dockerfile \"" + dockerfile + "\" is not a regular file");
  auto text = read_all(dockerfile_file.fd, std::min<std::uint64_t>(max_bytes, 1 << 20), dockerfile);
  if (!text) {
    return make_error(text.error().message == "too large"
                          ? "the Dockerfile \"" + dockerfile + "\" is larger than 1 MiB"
                          : text.error().message);
  }
  out.dockerfile = *text;

  std::string ignore_text;
  Fd ignore_file(
      ::openat(root.fd, ".dockerignore", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (ignore_file.fd >= 0) {
    auto read = read_all(ignore_file.fd, 1 << 20, ".dockerignore");
    if (!read) return make_error(".dockerignore cannot be read (or is larger than 1 MiB)");
    ignore_text = *read;
  } else if (errno != ENOENT) {
    return make_error(".dockerignore cannot be opened: " + errno_text() +
                      (errno == ELOOP ? " (it must not be a symlink)" : ""));
  }
  auto ignore = DockerIgnore::parse(ignore_text);
  if (!ignore) return ignore.error();

  TarWriter tar(max_bytes);
  if (auto added = tar.add(dockerfile, dockerfile_stat, out.dockerfile); !added)
    return added.error();
  Walk walk{*ignore, dockerfile, tar, max_bytes};
  if (auto packed = pack_folder(walk, root.fd, ""); !packed) return packed.error();
  out.entries = tar.entries();
  auto bytes = tar.finish();
  if (!bytes) return bytes.error();
  out.bytes = std::move(*bytes);
  return out;
}

}  // namespace dockgate::gate
