#include "mcp/stdio_server.hpp"

#include <string>
#include <utility>

#include <spdlog/spdlog.h>

namespace dockgate::mcp {

namespace {

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

// Collects one line at a time but never holds more than the limit: the excess of an
// oversized line is only counted, so a client cannot make us buffer an unbounded line.
class LineReader {
 public:
  LineReader(Session& session, std::size_t max_bytes) : session_(session), max_bytes_(max_bytes) {}

  void push(char c) {
    if (c == '\n') {
      finish_line();
      return;
    }
    ++size_;
    last_ = c;
    // One byte of slack for the '\r' of a CRLF line, stripped before the real size check.
    if (!oversized_ && line_.size() <= max_bytes_) {
      line_.push_back(c);
    } else if (!oversized_) {
      oversized_ = true;
      line_.clear();
      line_.shrink_to_fit();
    }
  }

  // A last line without a trailing newline is still a message.
  void finish_input() {
    if (size_ > 0) finish_line();
  }

 private:
  void finish_line() {
    if (oversized_) {
      std::size_t size = size_;
      if (last_ == '\r') --size;
      spdlog::warn("mcp: discarded a {} byte line (limit {})", size, max_bytes_);
      session_.receive_oversized(size);
    } else {
      if (!line_.empty() && line_.back() == '\r') line_.pop_back();
      if (!is_blank(line_)) session_.receive(line_);
    }
    line_.clear();
    size_ = 0;
    oversized_ = false;
    last_ = 0;
  }
  Session& session_;
  const std::size_t max_bytes_;
  std::string line_;
  std::size_t size_ = 0;
  bool oversized_ = false;
  char last_ = 0;
};

}  // namespace

void serve_stdio(std::istream& in, std::ostream& out, ToolService& tools, ServerIdentity identity,
                 SessionContext context, SessionLimits limits) {
  // The session serializes calls to this function, so `out` needs no lock of its own.
  auto send = [&out](std::string reply) {
    out << reply << '\n';
    out.flush();
  };
  Session session(tools, std::move(identity), std::move(context), limits, std::move(send));
  LineReader reader(session, limits.max_message_bytes);

  // Byte by byte through the stream buffer: sbumpc is an inline buffer read, and unlike
  // istream::read it returns as soon as a partial chunk from a pipe is available.
  std::streambuf* buffer = in.rdbuf();
  if (buffer != nullptr) {
    for (;;) {
      const auto c = buffer->sbumpc();
      if (std::char_traits<char>::eq_int_type(c, std::char_traits<char>::eof())) break;
      reader.push(std::char_traits<char>::to_char_type(c));
    }
  }
  reader.finish_input();
  spdlog::info("mcp: stdin closed; waiting for calls in flight");
  session.drain();
}

}  // namespace dockgate::mcp
