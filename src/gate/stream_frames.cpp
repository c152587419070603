#include "gate/stream_frames.hpp"

#include <algorithm>

namespace dockgate::gate {

void StreamTail::append(std::string_view bytes) {
  total_ += bytes.size();
  if (max_bytes_ == 0) return;
  if (bytes.size() >= max_bytes_) {
    buffer_.assign(bytes.substr(bytes.size() - max_bytes_));
    start_ = 0;
    return;
  }
  buffer_.append(bytes);
  if (buffer_.size() - start_ > max_bytes_) start_ = buffer_.size() - max_bytes_;
  // Compact once the dropped prefix is as large as the tail: amortized linear.
  if (start_ >= max_bytes_) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
}

std::string StreamTail::text() const {
  std::string_view kept(buffer_);
  kept.remove_prefix(start_);
  if (cut()) {
    // A line cut in the middle reads as garbage; start at the next whole line if there is one.
    const auto newline = kept.find('\n');
    if (newline != std::string_view::npos && newline + 1 < kept.size()) {
      kept.remove_prefix(newline + 1);
    }
  }
  return std::string(kept);
}

void FrameDemuxer::feed(std::string_view bytes) {
  if (raw_) {
    stdout_.append(bytes);
    return;
  }
  while (!bytes.empty() && !malformed_) {
    if (payload_left_ > 0) {
      const auto take = std::min<std::size_t>(payload_left_, bytes.size());
      current_->append(bytes.substr(0, take));
      payload_left_ -= static_cast<std::uint32_t>(take);
      bytes.remove_prefix(take);
      continue;
    }
    const auto take = std::min(sizeof header_ - header_size_, bytes.size());
    std::copy_n(bytes.data(), take, header_ + header_size_);
    header_size_ += take;
    bytes.remove_prefix(take);
    if (header_size_ < sizeof header_) return;
    header_size_ = 0;
    switch (header_[0]) {
      case 0:  // stdin, echoed: docker's stdcopy writes it to stdout
      case 1:
        current_ = &stdout_;
        break;
      case 2:
        current_ = &stderr_;
        break;
      default:
        malformed_ = true;
        return;
    }
    payload_left_ = (std::uint32_t{header_[4]} << 24) | (std::uint32_t{header_[5]} << 16) |
                    (std::uint32_t{header_[6]} << 8) | std::uint32_t{header_[7]};
  }
}

}  // namespace dockgate::gate
