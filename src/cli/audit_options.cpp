#include "cli/audit_options.hpp"

#include <cctype>
#include <limits>
#include <set>

namespace dockgate::cli {
namespace {

constexpr std::uint64_t kMinMaxBytes = 4096;
constexpr std::uint64_t kMaxMaxBytes = 1ull << 40;  // 1 TiB
constexpr std::uint64_t kMaxCheckpointEvery = 100'000'000;
constexpr std::size_t kMaxValueLength = 32;

// The leading decimal digits of text and what follows them; nullopt when there are none or
// they overflow.
std::optional<std::pair<std::uint64_t, std::string>> number_and_unit(const std::string& text) {
  std::size_t i = 0;
  std::uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return std::nullopt;
  return std::pair{value, text.substr(i)};
}

std::string shown(const std::string& text) {
  // Hostile input is echoed short and without control characters.
  std::string out;
  for (char c : text.substr(0, kMaxValueLength))
    out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : '?');
  if (text.size() > kMaxValueLength) out += "...";
  return "'" + out + "'";
}

std::string mark_text(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

}  // namespace

Result<std::uint64_t> parse_audit_max_bytes(const std::string& text, const std::string& what) {
  const auto error = [&] {
    return make_error(what + ": " + shown(text) +
                      " is not a size from 4k to 1T: give bytes or a number with k, M or G, "
                      "e.g. 100M");
  };
  if (text.size() > kMaxValueLength) return error();
  const auto parsed = number_and_unit(text);
  if (!parsed) return error();
  auto [value, unit] = *parsed;
  std::uint64_t scale = 1;
  if (unit == "k" || unit == "K")
    scale = 1ull << 10;
  else if (unit == "m" || unit == "M")
    scale = 1ull << 20;
  else if (unit == "g" || unit == "G")
    scale = 1ull << 30;
  else if (unit == "t" || unit == "T")
    scale = 1ull << 40;
  else if (!unit.empty())
    return error();
  if (value > kMaxMaxBytes / scale) return error();
  value *= scale;
  if (value < kMinMaxBytes || value > kMaxMaxBytes) return error();
  return value;
}

Result<std::chrono::seconds> parse_audit_max_age(const std::string& text, const std::string& what) {
  const auto error = [&] {
    return make_error(what + ": " + shown(text) +
                      " is not a duration from 1m to 366d: a number with s, m, h or d, e.g. 24h");
  };
  if (text.size() > kMaxValueLength) return error();
  const auto parsed = number_and_unit(text);
  if (!parsed) return error();
  const auto [value, unit] = *parsed;
  std::uint64_t scale = 0;
  if (unit == "s")
    scale = 1;
  else if (unit == "m")
    scale = 60;
  else if (unit == "h")
    scale = 3600;
  else if (unit == "d")
    scale = 86400;
  else
    return error();
  constexpr std::uint64_t kMaxSeconds = 366ull * 86400;
  if (value > kMaxSeconds / scale || value * scale < 60) return error();
  return std::chrono::seconds(static_cast<std::int64_t>(value * scale));
}

Result<audit::AuditFailureAction> parse_audit_failure(const std::string& text,
                                                      const std::string& what) {
  if (text == "refuse") return audit::AuditFailureAction::Refuse;
  if (text == "halt") return audit::AuditFailureAction::Halt;
  return make_error(what + ": " + shown(text) +
                    " is not an action: refuse (refuse calls while the log cannot be written) or "
                    "halt (exit)");
}

Result<std::uint64_t> parse_audit_checkpoint_every(const std::string& text,
                                                   const std::string& what) {
  const auto parsed = text.size() > kMaxValueLength ? std::nullopt : number_and_unit(text);
  if (!parsed || !parsed->second.empty() || parsed->first > kMaxCheckpointEvery)
    return make_error(what + ": " + shown(text) +
                      " is not a record count from 0 (only at shutdown) to 100000000");
  return parsed->first;
}

Status apply_audit_config(const YAML::Node& node, const std::string& file,
                          AuditSettings& settings) {
  if (!node.IsMap())
    return make_error(mark_text(file, node.Mark()) +
                      ": audit must be a map of max_bytes, max_age, failure, checkpoint_every, "
                      "hmac_key_file");
  static const std::set<std::string> kKeys = {"max_bytes", "max_age", "failure", "checkpoint_every",
                                              "hmac_key_file"};
  for (const auto& entry : node) {
    const auto key = entry.first.Scalar();
    if (!kKeys.contains(key))
      return make_error(mark_text(file, entry.first.Mark()) + ": unknown audit key " + shown(key) +
                        " (expected max_bytes, max_age, failure, checkpoint_every, "
                        "hmac_key_file)");
    if (!entry.second.IsScalar())
      return make_error(mark_text(file, entry.second.Mark()) + ": wrong type: audit." + key +
                        " must be a single value");
  }
  auto scalar = [&](const char* key) { return node[key].Scalar(); };
  auto where = [&](const char* key) {
    return mark_text(file, node[key].Mark()) + ": audit." + key;
  };
  if (node["max_bytes"]) {
    auto value = parse_audit_max_bytes(scalar("max_bytes"), where("max_bytes"));
    if (!value) return value.error();
    settings.writer.max_bytes = *value;
  }
  if (node["max_age"]) {
    auto value = parse_audit_max_age(scalar("max_age"), where("max_age"));
    if (!value) return value.error();
    settings.writer.max_age = *value;
  }
  if (node["failure"]) {
    auto value = parse_audit_failure(scalar("failure"), where("failure"));
    if (!value) return value.error();
    settings.writer.on_failure = *value;
  }
  if (node["checkpoint_every"]) {
    auto value =
        parse_audit_checkpoint_every(scalar("checkpoint_every"), where("checkpoint_every"));
    if (!value) return value.error();
    settings.writer.checkpoint_every = *value;
  }
  if (node["hmac_key_file"]) settings.hmac_key_file = scalar("hmac_key_file");
  return Ok{};
}

Status load_audit_hmac_key(AuditSettings& settings) {
  if (settings.hmac_key_file.empty()) return Ok{};
  auto key = audit::read_hmac_key_file(settings.hmac_key_file);
  if (!key) return key.error();
  settings.writer.hmac_key = std::move(*key);
  return Ok{};
}

}  // namespace dockgate::cli
