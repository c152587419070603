// The engine's multiplexed stdout/stderr stream (containers without a TTY, exec without a
// TTY): frames of an 8-byte header [stream 0/1/2, 0, 0, 0, big-endian uint32 size] and size
// bytes of payload. Fed piece by piece as the body arrives; keeps only the last max_bytes of
// each stream, so a stream of any length costs bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dockgate::gate {

// The last bytes of one output stream, and how much of it there was.
class StreamTail {
 public:
  explicit StreamTail(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  void append(std::string_view bytes);
  std::string text() const;  // the kept tail, starting at a line start when it was cut
  std::uint64_t total_bytes() const { return total_; }
  bool cut() const { return total_ > kept_size(); }
  std::size_t kept_size() const { return buffer_.size() - start_; }

 private:
  std::size_t max_bytes_;
  std::string buffer_;
  std::size_t start_ = 0;  // the kept tail is buffer_[start_..]; compacted now and then
  std::uint64_t total_ = 0;
};

class FrameDemuxer {
 public:
  // raw: the body is not multiplexed (a TTY container); everything is stdout.
  FrameDemuxer(std::size_t max_bytes_per_stream, bool raw)
      : stdout_(max_bytes_per_stream), stderr_(max_bytes_per_stream), raw_(raw) {}

  void feed(std::string_view bytes);

  const StreamTail& out() const { return stdout_; }
  const StreamTail& err() const { return stderr_; }
  // The body ended inside a frame (its header or payload): what arrived of it is kept.
  bool ended_mid_frame() const { return header_size_ != 0 || payload_left_ != 0; }
  // A header named a stream other than 0, 1 or 2: the rest could not be split and was
  // dropped (docker's stdcopy stops there too).
  bool malformed() const { return malformed_; }

 private:
  StreamTail stdout_;
  StreamTail stderr_;
  bool raw_;
  bool malformed_ = false;
  unsigned char header_[8] = {};
  std::size_t header_size_ = 0;
  std::uint32_t payload_left_ = 0;
  StreamTail* current_ = nullptr;
};

}  // namespace dockgate::gate
