// `dockgate audit verify`: checks that audit log files form one unbroken hash chain as
// audit_chain.hpp defines it, and reports every place where they do not, as FILE:LINE.
// Streams: only the previous line's hash is kept, so a log larger than memory verifies.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_lines.hpp"
#include "audit/audit_writer.hpp"  // checkpoint_hmac
#include "common/result.hpp"

namespace dockgate::audit {

// A head hash an auditor noted earlier ("audit checkpoint: ... seq=S head=H hmac=M" in the
// service log). The record with that seq must still hash to `head`: nothing up to it changed.
struct Checkpoint {
  std::uint64_t seq = 0;
  std::string head;                 // lowercase hex SHA-256
  std::optional<std::string> hmac;  // lowercase hex HMAC-SHA256(key, "seq:head")
};

// "SEQ:HEAD" or "SEQ:HEAD:HMAC".
Result<Checkpoint> parse_checkpoint(const std::string& text);

struct VerifyOptions {
  std::vector<Checkpoint> checkpoints;
  std::optional<std::string> hmac_key;  // needed when a checkpoint carries an HMAC
  std::size_t max_line_bytes = kDefaultMaxLineBytes;
  std::size_t max_reports_per_kind = 100;  // beyond it, problems of that kind are only counted
};

struct ChainProblem {
  std::string file;
  std::uint64_t line = 0;  // 0: about the file or the chain as a whole
  std::string kind;        // stable, for --json: "not_json", "prev_mismatch", "seq_gap", ...
  std::string message;     // for a person
};

struct VerifyReport {
  std::vector<std::string> files;  // in chain order
  std::uint64_t records = 0;
  std::optional<std::uint64_t> first_seq, last_seq;  // the first and the highest
  std::string head;  // hash of the last line: compare it with the newest checkpoint
  std::vector<ChainProblem> problems;
  std::vector<ChainProblem> notes;                // not failures, e.g. a recovered torn write
  std::map<std::string, std::uint64_t> omitted;   // kind -> problems counted, not listed
  std::vector<std::string> checkpoints_verified;  // "seq 42 (with HMAC)"

  bool ok() const { return problems.empty() && omitted.empty(); }
};

// Checks lines fed in chain order; one instance per chain.
class ChainVerifier {
 public:
  explicit ChainVerifier(VerifyOptions options);
  void add_file(const std::string& name, std::istream& in);
  VerifyReport finish();

 private:
  // Each returns whether the line was a chained record.
  bool check_line(const std::string& file, const LogLine& line);
  bool check_record(const std::string& file, const LogLine& line, const nlohmann::json& record);
  void check_checkpoints(const std::string& file, std::uint64_t line, std::uint64_t seq,
                         const std::string& hash);
  void report(const std::string& file, std::uint64_t line, std::string kind, std::string message);
  void flush_held();

  VerifyOptions options_;
  VerifyReport report_;
  std::map<std::string, std::uint64_t> reported_per_kind_;
  std::uint64_t problems_counted_ = 0;
  // The chain so far: the hash of the line before this one, and of the last line that was
  // a record (they differ after a damaged line, which a recovery record may skip).
  std::string previous_line_hash_;
  std::string previous_record_hash_;
  bool previous_line_damaged_ = false;
  std::uint64_t damaged_lines_since_record_ = 0;
  bool previous_line_reported_ = false;
  std::string previous_file_;
  std::uint64_t previous_line_number_ = 0;
  std::optional<std::uint64_t> last_seq_;
  std::map<std::uint64_t, bool> checkpoint_seen_;
  // A prev mismatch is blamed on the previous record, unless the next line shows that this
  // record changed instead: it is held for one line before it is reported.
  struct HeldMismatch {
    std::string detected_file;
    std::uint64_t detected_line = 0;
    ChainProblem problem;
  };
  std::optional<HeldMismatch> held_;
};

// Opens the files, puts rotated siblings in chain order (by the seq of their first record)
// and verifies them. An error only when a file cannot be read at all.
Result<VerifyReport> verify_files(const std::vector<std::string>& paths,
                                  const VerifyOptions& options);

// "FILE:LINE: what" lines, then "OK: N records, seq A..B, head H" or "FAILED: ...".
std::string report_text(const VerifyReport& report);
nlohmann::json report_json(const VerifyReport& report);

}  // namespace dockgate::audit
