#include "audit/audit_verify.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "audit/audit_chain.hpp"

namespace dockgate::audit {
namespace {

using nlohmann::json;

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::optional<std::uint64_t> record_seq(const json& record) {
  const auto seq = record.find("seq");
  if (seq == record.end() || !seq->is_number_unsigned()) return std::nullopt;
  const auto value = seq->get<std::uint64_t>();
  if (value == 0) return std::nullopt;
  return value;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

std::string where(const std::string& file, std::uint64_t line) {
  return line == 0 ? file : file + ":" + std::to_string(line);
}

}  // namespace

Result<Checkpoint> parse_checkpoint(const std::string& text) {
  const auto usage = [&](const std::string& why) {
    return make_error("--checkpoint '" + printable(text.substr(0, 200)) + "': " + why +
                      " (expected SEQ:HEAD or SEQ:HEAD:HMAC, HEAD and HMAC as 64 hex digits)");
  };
  const auto first = text.find(':');
  if (first == std::string::npos) return usage("no ':' after the seq");
  Checkpoint checkpoint;
  const char* begin = text.data();
  const auto [end, error] = std::from_chars(begin, begin + first, checkpoint.seq);
  if (error != std::errc() || end != begin + first || first == 0 || checkpoint.seq == 0)
    return usage("the seq must be a whole number from 1 to 18446744073709551615");
  const auto second = text.find(':', first + 1);
  checkpoint.head = lowercase(
      text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1));
  if (!is_sha256_hex(checkpoint.head)) return usage("the head must be 64 hex digits");
  if (second != std::string::npos) {
    auto hmac = lowercase(text.substr(second + 1));
    if (!is_sha256_hex(hmac)) return usage("the HMAC must be 64 hex digits");
    checkpoint.hmac = std::move(hmac);
  }
  return checkpoint;
}

ChainVerifier::ChainVerifier(VerifyOptions options)
    : options_(std::move(options)),
      previous_line_hash_(kGenesisHash),
      previous_record_hash_(kGenesisHash) {
  for (const auto& checkpoint : options_.checkpoints) {
    checkpoint_seen_[checkpoint.seq] = false;
    if (!checkpoint.hmac) continue;
    const std::string label = "--checkpoint " + std::to_string(checkpoint.seq);
    if (!options_.hmac_key) {
      report(label, 0, "checkpoint_hmac", "carries an HMAC but no key was given (--hmac-key-file)");
    } else if (const auto expected =
                   checkpoint_hmac(*options_.hmac_key, checkpoint.seq, checkpoint.head);
               expected.size() != checkpoint.hmac->size() ||
               // Constant time, as any HMAC comparison should be.
               CRYPTO_memcmp(expected.data(), checkpoint.hmac->data(), expected.size()) != 0) {
      report(label, 0, "checkpoint_hmac",
             "the HMAC does not match seq and head under this key: the checkpoint was not "
             "written by dockgate with this key (forged, or the wrong key file)");
    }
  }
}

void ChainVerifier::report(const std::string& file, std::uint64_t line, std::string kind,
                           std::string message) {
  ++problems_counted_;
  if (reported_per_kind_[kind]++ >= options_.max_reports_per_kind) {
    ++report_.omitted[kind];
    return;
  }
  report_.problems.push_back({file, line, std::move(kind), std::move(message)});
}

void ChainVerifier::add_file(const std::string& name, std::istream& in) {
  report_.files.push_back(name);
  LogLineReader reader(in, options_.max_line_bytes);
  for (LogLine line; reader.next(line);) {
    const auto before = problems_counted_;
    const bool chained = check_line(name, line);
    // A damaged line may have been a record: the seq after it may skip over it.
    damaged_lines_since_record_ = chained ? 0 : damaged_lines_since_record_ + 1;
    previous_line_damaged_ = !chained;
    previous_line_reported_ = problems_counted_ != before;
    if (held_ && !(held_->detected_file == name && held_->detected_line == line.number))
      flush_held();  // the line after the held mismatch agreed with its neighbour
    previous_line_hash_ = line.hash;
    previous_file_ = name;
    previous_line_number_ = line.number;
  }
}

bool ChainVerifier::check_line(const std::string& file, const LogLine& line) {
  if (!line.terminated) {
    report(file, line.number, "torn_line",
           "the last line has no newline: a write was cut short (crash, full disk) or the file "
           "was truncated; dockgate records a recovery when it next opens the log");
  }
  if (line.oversized) {
    report(file, line.number, "oversized_line",
           "a line of " + std::to_string(line.length) + " bytes, over the " +
               std::to_string(options_.max_line_bytes) + "-byte limit: not checked");
    return false;
  }
  auto record = parse_record_line(line.text);
  if (!record) {
    report(file, line.number, "not_json", record.error().message);
    return false;
  }
  return check_record(file, line, *record);
}

bool ChainVerifier::check_record(const std::string& file, const LogLine& line, const json& record) {
  const auto seq = record_seq(record);
  const auto prev = record.find("prev");
  if (!seq || prev == record.end() || !prev->is_string() ||
      !is_sha256_hex(prev->get_ref<const std::string&>())) {
    report(file, line.number, "not_chained",
           "a record without a valid seq and prev: written before the hash chain (schema 1), or "
           "edited");
    return false;
  }
  ++report_.records;
  if (!report_.first_seq) report_.first_seq = *seq;
  report_.last_seq = std::max(report_.last_seq.value_or(0), *seq);
  report_.head = line.hash;
  if (canonical_line(record) != line.text) {
    report(file, line.number, "not_canonical",
           "record seq " + std::to_string(*seq) +
               " is not in canonical form (spacing, key order or escaping changed): it was "
               "edited");
  }
  const auto& prev_hash = prev->get_ref<const std::string&>();
  // Damaged lines since the last record may have been records: the seq may skip over them.
  const std::uint64_t base = last_seq_.value_or(0);
  const std::uint64_t highest_expected =
      saturating_add(saturating_add(base, 1), damaged_lines_since_record_);
  bool check_link = false;
  const bool anchored =
      !last_seq_ &&
      std::any_of(options_.checkpoints.begin(), options_.checkpoints.end(),
                  [&](const Checkpoint& c) { return c.seq + 1 == *seq && c.head == prev_hash; });
  if (anchored) {
    checkpoint_seen_[*seq - 1] = true;
    report_.checkpoints_verified.push_back("seq " + std::to_string(*seq - 1) +
                                           " (the chain starts after it)");
  } else if (*seq > base && *seq <= highest_expected) {
    check_link = true;
  } else if (!last_seq_) {
    report(file, line.number, "chain_start",
           "the chain starts at seq " + std::to_string(*seq) +
               ", not 1: the records before it (older rotated files?) are missing; pass them "
               "too, or --checkpoint " +
               std::to_string(*seq - 1) + ":HEAD from an earlier verification");
  } else if (*seq > highest_expected) {
    const auto from = base + 1, to = *seq - 1;
    report(file, line.number, "seq_gap",
           "seq jumps from " + std::to_string(base) + " to " + std::to_string(*seq) + ": record" +
               (from == to ? " " + std::to_string(from) + " is"
                           : "s " + std::to_string(from) + ".." + std::to_string(to) + " are") +
               " missing here (deleted, or moved)");
  } else {
    report(file, line.number, "seq_order",
           "seq " + std::to_string(*seq) + " comes after seq " + std::to_string(base) +
               ": records were reordered or duplicated");
  }
  if (check_link) {
    const bool linked = prev_hash == previous_line_hash_ ||
                        (previous_line_damaged_ && prev_hash == previous_record_hash_);
    if (!linked && previous_line_number_ == 0) {
      report(file, line.number, "prev_mismatch",
             "the first record's prev is not the genesis hash (64 zeros): it was edited");
    } else if (!linked && held_ && held_->detected_file == previous_file_ &&
               held_->detected_line == previous_line_number_) {
      // The previous record disagrees with both neighbours: it is the one that changed
      // (its prev too), not the record before it.
      held_.reset();
      report(previous_file_, previous_line_number_, "prev_mismatch",
             "record seq " + std::to_string(base) +
                 " was changed after it was written: its prev is not the previous record's "
                 "hash, and its hash is not the prev of the next record (" +
                 where(file, line.number) + ")");
    } else if (!linked && !previous_line_reported_) {
      // Editing a record changes its hash, which only the next record's prev reveals: the
      // edit is at the previous line, unless the next line disagrees with it too (above).
      flush_held();
      held_ = HeldMismatch{file, line.number,
                           ChainProblem{previous_file_, previous_line_number_, "prev_mismatch",
                                        "record seq " + std::to_string(base) +
                                            " was changed after it was written: its hash is "
                                            "not the prev of the next record (" +
                                            where(file, line.number) + ")"}};
    }
  }
  const auto stage = record.find("stage");
  if (stage != record.end() && *stage == "recovery" &&
      report_.notes.size() < options_.max_reports_per_kind) {
    const auto bytes = record.find("discarded_bytes");
    report_.notes.push_back({file, line.number, "recovered",
                             "dockgate recovered from a torn write here" +
                                 (bytes != record.end() && bytes->is_number_unsigned()
                                      ? ": " + std::to_string(bytes->get<std::uint64_t>()) +
                                            " bytes of an incomplete line were cut off"
                                      : std::string()) +
                                 " (a crash mid-write, not tampering)"});
  }
  last_seq_ = std::max(base, *seq);
  previous_record_hash_ = line.hash;
  check_checkpoints(file, line.number, *seq, line.hash);
  return true;
}

void ChainVerifier::check_checkpoints(const std::string& file, std::uint64_t line,
                                      std::uint64_t seq, const std::string& hash) {
  for (const auto& checkpoint : options_.checkpoints) {
    if (checkpoint.seq != seq) continue;
    checkpoint_seen_[seq] = true;
    if (checkpoint.head == hash) {
      report_.checkpoints_verified.push_back("seq " + std::to_string(seq) +
                                             (checkpoint.hmac ? " (with HMAC)" : ""));
    } else {
      report(file, line, "checkpoint_mismatch",
             "record seq " + std::to_string(seq) + " hashes to " + hash +
                 ", not the checkpoint's " + checkpoint.head +
                 ": this record or one before it was changed since the checkpoint");
    }
  }
}

void ChainVerifier::flush_held() {
  if (!held_) return;
  auto problem = std::move(held_->problem);
  held_.reset();
  report(problem.file, problem.line, problem.kind, problem.message);
}

VerifyReport ChainVerifier::finish() {
  flush_held();
  // In chain order (a held mismatch is reported a line late); --checkpoint problems last.
  const auto order = [&](const ChainProblem& p) {
    const auto file = std::find(report_.files.begin(), report_.files.end(), p.file);
    return std::make_pair(file - report_.files.begin(), p.line);
  };
  std::stable_sort(
      report_.problems.begin(), report_.problems.end(),
      [&](const ChainProblem& a, const ChainProblem& b) { return order(a) < order(b); });
  for (const auto& [seq, seen] : checkpoint_seen_) {
    if (seen) continue;
    std::string range = report_.first_seq ? "seq " + std::to_string(*report_.first_seq) + ".." +
                                                std::to_string(*report_.last_seq)
                                          : "no records";
    report("--checkpoint " + std::to_string(seq), 0, "checkpoint_not_found",
           "no record with this seq in these files (they hold " + range +
               "): pass the file that holds it");
  }
  return std::move(report_);
}

namespace {

// The seq of a file's first record, to put rotated siblings in chain order.
std::optional<std::uint64_t> first_seq_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LogLineReader reader(in, 1u << 20);
  LogLine line;
  if (!reader.next(line) || line.oversized) return std::nullopt;
  auto record = parse_record_line(line.text);
  return record ? record_seq(*record) : std::nullopt;
}

}  // namespace

Result<VerifyReport> verify_files(const std::vector<std::string>& paths,
                                  const VerifyOptions& options) {
  std::vector<std::pair<std::optional<std::uint64_t>, std::string>> ordered;
  for (const auto& path : paths)
    ordered.emplace_back(paths.size() > 1 ? first_seq_of(path) : std::nullopt, path);
  // Only when every file says where it starts; otherwise the order given is the best guess.
  if (std::all_of(ordered.begin(), ordered.end(), [](const auto& f) { return f.first; })) {
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return *a.first < *b.first; });
  }
  ChainVerifier verifier(options);
  for (const auto& [seq, path] : ordered) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("cannot read the audit log " + path + ": " + std::strerror(errno));
    verifier.add_file(path, in);
    if (in.bad()) return make_error("cannot read the audit log " + path + ": read error");
  }
  return verifier.finish();
}

std::string report_text(const VerifyReport& report) {
  std::ostringstream out;
  for (const auto& p : report.problems)
    out << printable(where(p.file, p.line)) << ": " << p.message << "\n";
  for (const auto& [kind, count] : report.omitted)
    out << "... and " << count << " more problem(s) of kind " << kind << "\n";
  for (const auto& n : report.notes)
    out << "note: " << printable(where(n.file, n.line)) << ": " << n.message << "\n";
  for (const auto& c : report.checkpoints_verified) out << "checkpoint " << c << ": ok\n";
  std::string range;
  if (report.first_seq)
    range = ", seq " + std::to_string(*report.first_seq) + ".." + std::to_string(*report.last_seq) +
            ", head " + report.head;
  if (report.ok()) {
    out << "OK: " << report.records << " records" << range << "\n";
  } else {
    std::uint64_t problems = report.problems.size();
    for (const auto& [kind, count] : report.omitted) problems += count;
    out << "FAILED: " << problems << " problem(s) in " << report.files.size() << " file(s), "
        << report.records << " records" << range << "\n";
  }
  return out.str();
}

json report_json(const VerifyReport& report) {
  json problems = json::array();
  for (const auto& p : report.problems)
    problems.push_back(
        {{"file", p.file}, {"line", p.line}, {"kind", p.kind}, {"message", p.message}});
  json notes = json::array();
  for (const auto& n : report.notes)
    notes.push_back({{"file", n.file}, {"line", n.line}, {"kind", n.kind}, {"message", n.message}});
  json out = {{"ok", report.ok()},
              {"files", report.files},
              {"records", report.records},
              {"problems", problems},
              {"omitted", report.omitted},
              {"notes", notes},
              {"checkpoints_verified", report.checkpoints_verified}};
  out["first_seq"] = report.first_seq ? json(*report.first_seq) : json(nullptr);
  out["last_seq"] = report.last_seq ? json(*report.last_seq) : json(nullptr);
  out["head"] = report.first_seq ? json(report.head) : json(nullptr);
  return out;
}

}  // namespace dockgate::audit
