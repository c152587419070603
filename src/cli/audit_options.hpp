// The audit log's rotation, checkpoint and failure settings of `dockgate serve`, from the
// --audit-* flags and the config file's `audit:` block.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "audit/audit_writer.hpp"
#include "common/result.hpp"

namespace dockgate::cli {

// Everything of audit::AuditWriterOptions a user sets; the HMAC key is read from its file
// when given, so a missing or malformed key stops the start, not the first checkpoint.
struct AuditSettings {
  audit::AuditWriterOptions writer;
  std::string hmac_key_file;
};

// "1048576", "64k", "100M", "2G" (powers of 1024): 4 KiB to 1 TiB. `what` names the flag or
// key in messages.
Result<std::uint64_t> parse_audit_max_bytes(const std::string& text, const std::string& what);
// "90s", "30m", "24h", "7d": 1 minute to 366 days.
Result<std::chrono::seconds> parse_audit_max_age(const std::string& text, const std::string& what);
// "refuse" or "halt".
Result<audit::AuditFailureAction> parse_audit_failure(const std::string& text,
                                                      const std::string& what);
// 0 (only at shutdown) to 100000000.
Result<std::uint64_t> parse_audit_checkpoint_every(const std::string& text,
                                                   const std::string& what);

// The config file's `audit:` map: max_bytes, max_age, failure, checkpoint_every,
// hmac_key_file. `file` names the config file in messages (file:line:col).
Status apply_audit_config(const YAML::Node& node, const std::string& file, AuditSettings& settings);

// Reads the HMAC key file named in settings, if any, into settings.writer.hmac_key.
Status load_audit_hmac_key(AuditSettings& settings);

}  // namespace dockgate::cli
