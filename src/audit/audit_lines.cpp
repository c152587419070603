#include "audit/audit_lines.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

#include "audit/audit_chain.hpp"

namespace dockgate::audit {
namespace {

// Hashes an oversized line piece by piece; short lines use line_hash, the one definition.
class StreamingSha256 {
 public:
  StreamingSha256() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
  }
  void add(const char* data, std::size_t size) { EVP_DigestUpdate(context_.get(), data, size); }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_.get(), digest.data(), &size);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out.push_back(kHex[digest[i] >> 4]);
      out.push_back(kHex[digest[i] & 0x0f]);
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

constexpr std::size_t kChunk = 64u << 10;

}  // namespace

bool LogLineReader::next(LogLine& line) {
  line = LogLine{};
  std::streambuf* buffer = in_.rdbuf();
  if (buffer == nullptr || buffer->sgetc() == std::char_traits<char>::eof()) return false;
  line.number = ++number_;
  std::unique_ptr<StreamingSha256> overflow;
  for (;;) {
    const int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) break;
    if (c == '\n') {
      line.terminated = true;
      break;
    }
    ++line.length;
    if (overflow) {
      line.text.push_back(static_cast<char>(c));  // a small buffer, hashed a chunk at a time
      if (line.text.size() >= kChunk) {
        overflow->add(line.text.data(), line.text.size());
        line.text.clear();
      }
    } else if (line.text.size() < max_line_bytes_) {
      line.text.push_back(static_cast<char>(c));
    } else {
      overflow = std::make_unique<StreamingSha256>();
      overflow->add(line.text.data(), line.text.size());
      line.text.assign(1, static_cast<char>(c));
      line.text.shrink_to_fit();
      line.oversized = true;
    }
  }
  if (overflow) {
    overflow->add(line.text.data(), line.text.size());
    line.text.clear();
    line.hash = overflow->hex();
  } else {
    line.hash = line_hash(line.text);
  }
  return true;
}

}  // namespace dockgate::audit

namespace dockgate::audit {
namespace {

struct TooDeep {};

}  // namespace

Result<nlohmann::json> parse_record_line(std::string_view text) {
  using nlohmann::json;
  // The callback sees every value with its depth; throwing stops the parse at once.
  const json::parser_callback_t depth_guard = [](int depth, json::parse_event_t, json&) {
    if (depth > kMaxRecordDepth) throw TooDeep{};
    return true;
  };
  json record;
  try {
    record = json::parse(text.begin(), text.end(), depth_guard);
  } catch (const TooDeep&) {
    return make_error("not checked: JSON nested deeper than " + std::to_string(kMaxRecordDepth) +
                      " levels");
  } catch (const json::parse_error& e) {
    return make_error("not JSON (syntax error at byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception&) {
    // e.g. out_of_range 406: a number beyond a double ("1e999"), which dockgate never writes.
    return make_error("not JSON that dockgate writes (a number out of range)");
  }
  if (!record.is_object()) return make_error("not a JSON object");
  return record;
}

std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool c1 = byte == 0xc2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    } else if (c1) {
      const auto next = static_cast<unsigned char>(text[++i]);
      out += "\\u00";
      out.push_back(kHex[next >> 4]);
      out.push_back(kHex[next & 0x0f]);
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace dockgate::audit
