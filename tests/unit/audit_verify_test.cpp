#include <gtest/gtest.h>

#include <sstream>

#include "audit/audit_verify.hpp"
#include "audit_log_builder.hpp"

namespace dockgate::audit {
namespace {

using nlohmann::json;
using testing::ChainedLog;
using testing::TempFolder;

ChainedLog six_records() {
  ChainedLog log;
  log.add_call("c1", "2026-11-27T10:00:00.000Z", "alice", "docker_ps", "allow", "ok");
  log.add_call("c2", "2026-11-27T11:00:00.000Z", "bob", "docker_run", "deny", "denied");
  log.add_call("c3", "2026-11-28T09:00:00.000Z", "alice", "docker_logs", "allow", "ok");
  return log;
}

VerifyReport verify_text(const std::string& text, VerifyOptions options = {}) {
  ChainVerifier verifier(std::move(options));
  std::istringstream in(text);
  verifier.add_file("audit.jsonl", in);
  return verifier.finish();
}

std::string lines_of(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// "line:kind" of every problem, to compare in one assertion.
std::vector<std::string> where_and_what(const VerifyReport& report) {
  std::vector<std::string> out;
  for (const auto& p : report.problems) out.push_back(std::to_string(p.line) + ":" + p.kind);
  return out;
}

using Problems = std::vector<std::string>;

TEST(AuditVerify, UntouchedLogIsOkWithRangeAndHead) {
  const auto log = six_records();
  const auto report = verify_text(log.text());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.records, 6u);
  EXPECT_EQ(report_text(report), "OK: 6 records, seq 1..6, head " + log.hash_of_line(5) + "\n");
}

TEST(AuditVerify, EmptyLogIsOkWithNoRecords) {
  const auto report = verify_text("");
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report_text(report), "OK: 0 records\n");
}

TEST(AuditVerify, EditedValueIsReportedAtTheEditedLine) {
  const auto log = six_records();
  auto lines = log.lines;
  auto record = json::parse(lines[2]);  // line 3
  record["principal"]["name"] = "mallory";
  lines[2] = canonical_line(record);  // the forger even keeps the canonical form
  const auto report = verify_text(lines_of(lines));
  EXPECT_EQ(where_and_what(report), (Problems{"3:prev_mismatch"}));
  EXPECT_NE(report.problems[0].message.find("record seq 3 was changed"), std::string::npos);
  EXPECT_NE(report_text(report).find("audit.jsonl:3: record seq 3 was changed"), std::string::npos);
  EXPECT_NE(report_text(report).find("FAILED: 1 problem(s)"), std::string::npos);
}

TEST(AuditVerify, EditedPrevIsReportedAtItsOwnLineNotTheLineBefore) {
  auto lines = six_records().lines;
  auto record = json::parse(lines[2]);  // line 3: its prev and its hash now disagree
  record["prev"] = std::string(64, 'e');
  lines[2] = canonical_line(record);
  const auto report = verify_text(lines_of(lines));
  EXPECT_EQ(where_and_what(report), (Problems{"3:prev_mismatch"}));
  EXPECT_NE(report.problems[0].message.find("record seq 3 was changed after it was written: its "
                                            "prev is not the previous record's hash"),
            std::string::npos);
}

TEST(AuditVerify, EditedLastButOneRecordIsReportedAfterTheLastLine) {
  auto lines = six_records().lines;
  auto record = json::parse(lines[4]);
  record["result"] = "forged";
  lines[4] = canonical_line(record);
  EXPECT_EQ(where_and_what(verify_text(lines_of(lines))), (Problems{"5:prev_mismatch"}));
}

TEST(AuditVerify, ReformattedRecordIsNotCanonical) {
  auto lines = six_records().lines;
  lines[3].insert(1, " ");  // {" schema"... is still JSON, but not the line that was hashed
  const auto report = verify_text(lines_of(lines));
  EXPECT_EQ(where_and_what(report), (Problems{"4:not_canonical"}));
}

TEST(AuditVerify, EditedFirstPrevIsReportedAtLineOne) {
  auto lines = six_records().lines;
  auto first = json::parse(lines[0]);
  first["prev"] = std::string(64, 'a');
  lines[0] = canonical_line(first);
  EXPECT_EQ(where_and_what(verify_text(lines_of(lines))), (Problems{"1:prev_mismatch"}));
}

TEST(AuditVerify, DeletedRecordIsASeqGapAtTheLineWhereItWas) {
  auto lines = six_records().lines;
  lines.erase(lines.begin() + 2);  // record 3
  const auto report = verify_text(lines_of(lines));
  EXPECT_EQ(where_and_what(report), (Problems{"3:seq_gap"}));
  EXPECT_NE(report.problems[0].message.find("record 3 is missing"), std::string::npos);
}

TEST(AuditVerify, DeletedFirstRecordMeansTheChainDoesNotStartAtOne) {
  auto lines = six_records().lines;
  lines.erase(lines.begin());
  EXPECT_EQ(where_and_what(verify_text(lines_of(lines))), (Problems{"1:chain_start"}));
}

TEST(AuditVerify, SwappedRecordsAreReportedAtBothLines) {
  auto lines = six_records().lines;
  std::swap(lines[2], lines[3]);
  EXPECT_EQ(where_and_what(verify_text(lines_of(lines))), (Problems{"3:seq_gap", "4:seq_order"}));
}

TEST(AuditVerify, TornLastLineIsReported) {
  const auto log = six_records();
  const std::string text = log.text() + log.lines[0].substr(0, 20);  // no '\n'
  EXPECT_EQ(where_and_what(verify_text(text)), (Problems{"7:torn_line", "7:not_json"}));
}

TEST(AuditVerify, RecoveredTornWriteIsANoteNotAFailure) {
  ChainedLog log;
  log.add_call("c1", "2026-11-27T10:00:00.000Z", "alice", "docker_ps", "allow", "ok");
  // The server died mid-write; on restart it ended the fragment and chained past it.
  std::string text = log.text() + "{\"schema\":2,\"sta\n";
  log.add({{"schema", 2}, {"stage", "recovery"}, {"time", "2026-11-27T10:05:00.000Z"}});
  text += log.lines.back() + "\n";
  const auto report = verify_text(text);
  EXPECT_EQ(where_and_what(report), (Problems{"3:not_json"}));
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_EQ(report.notes[0].line, 4u);
}

TEST(AuditVerify, WritersRecoveryRecordIsANote) {
  ChainedLog log;
  log.add_call("c1", "2026-11-27T10:00:00.000Z", "alice", "docker_ps", "allow", "ok");
  // As the writer does: the torn fragment cut off, then a recovery record chained on.
  log.add({{"schema", 2}, {"stage", "recovery"}, {"discarded_bytes", 17}});
  const auto report = verify_text(log.text());
  EXPECT_TRUE(report.ok());
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report_text(report).find("note: audit.jsonl:3: dockgate recovered from a torn write "
                                     "here: 17 bytes"),
            std::string::npos);
}

TEST(AuditVerify, RecordsWithoutSeqAreNotChained) {
  const std::string text = "{\"schema\":1,\"stage\":\"intent\"}\n";
  EXPECT_EQ(where_and_what(verify_text(text)), (Problems{"1:not_chained"}));
}

TEST(AuditVerify, GarbageLineIsReportedOnceAndTheChainGoesOn) {
  auto lines = six_records().lines;
  lines[1] = "not json at all";
  EXPECT_EQ(where_and_what(verify_text(lines_of(lines))), (Problems{"2:not_json"}));
}

TEST(AuditVerify, HostileLinesAreReportedNotFatal) {
  auto lines = six_records().lines;
  lines[0] = std::string(10u << 20, 'x');       // a 10 MB line
  lines[1] = std::string(100000, '[');          // deeply nested
  lines[2] = std::string("{\"a\":\"\0\"}", 9);  // a NUL byte
  lines[3] = "{\"a\":\"\xff\xfe\"}";            // invalid UTF-8
  lines[4] = std::string(200000, '{');          // deeper objects
  lines[5] = "{\"a\":2525e2008}";               // a number beyond a double (found by fuzzing)
  const auto report = verify_text(lines_of(lines));
  EXPECT_EQ(where_and_what(report), (Problems{"1:not_json", "2:not_json", "3:not_json",
                                              "4:not_json", "5:not_json", "6:not_json"}));
  EXPECT_NE(report.problems[1].message.find("nested deeper than 512"), std::string::npos);
}

TEST(AuditVerify, OversizedLineIsSkippedButStillHashedForTheChain) {
  ChainedLog log;
  log.add({{"schema", 2}, {"stage", "intent"}, {"arguments", {{"blob", std::string(5000, 'a')}}}});
  log.add({{"schema", 2}, {"stage", "outcome"}});
  VerifyOptions options;
  options.max_line_bytes = 1000;
  const auto report = verify_text(log.text(), options);
  EXPECT_EQ(where_and_what(report), (Problems{"1:oversized_line"}));
  EXPECT_EQ(report.records, 1u);  // line 2 was checked, and its prev matched the big line
}

TEST(AuditVerify, ProblemsBeyondTheLimitPerKindAreCounted) {
  auto lines = six_records().lines;
  for (auto& line : lines) line.insert(1, " ");
  VerifyOptions options;
  options.max_reports_per_kind = 2;
  const auto report = verify_text(lines_of(lines), options);
  EXPECT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.omitted.at("not_canonical"), 4u);
  EXPECT_NE(report_text(report).find("... and 4 more problem(s) of kind not_canonical"),
            std::string::npos);
}

TEST(AuditVerify, RotatedFilesInAnyOrderVerifyAsOneChain) {
  const auto log = six_records();
  TempFolder folder;
  const auto old_file = folder.write("audit-20261127T120000Z.jsonl", log.text(0, 4));
  const auto live_file = folder.write("audit.jsonl", log.text(4));
  auto report = verify_files({live_file, old_file}, {});
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok()) << report_text(*report);
  EXPECT_EQ(report->files, (std::vector<std::string>{old_file, live_file}));
  EXPECT_EQ(report->last_seq, 6u);
}

TEST(AuditVerify, DeletionAcrossRotatedFilesIsReportedInTheRightFile) {
  auto lines = six_records().lines;
  TempFolder folder;
  const auto old_file =
      folder.write("audit-20261127T120000Z.jsonl", lines_of({lines[0], lines[1]}));
  const auto live_file = folder.write("audit.jsonl", lines_of({lines[3], lines[4], lines[5]}));
  auto report = verify_files({old_file, live_file}, {});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].file, live_file);
  EXPECT_EQ(report->problems[0].line, 1u);
  EXPECT_EQ(report->problems[0].kind, "seq_gap");
}

TEST(AuditVerify, MissingFileIsAnError) {
  auto report = verify_files({"/nonexistent/audit.jsonl"}, {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("cannot read the audit log /nonexistent/audit.jsonl"),
            std::string::npos);
}

TEST(AuditVerify, CheckpointMatchesTheRecordWithItsSeq) {
  const auto log = six_records();
  VerifyOptions options;
  options.checkpoints.push_back({4, log.hash_of_line(3), std::nullopt});
  const auto report = verify_text(log.text(), options);
  EXPECT_TRUE(report.ok()) << report_text(report);
  EXPECT_NE(report_text(report).find("checkpoint seq 4: ok"), std::string::npos);
}

TEST(AuditVerify, CheckpointCatchesAChainRewrittenAfterAnEdit) {
  const auto original = six_records();
  // The attacker edits record 2 and recomputes every seq and prev after it.
  ChainedLog forged;
  for (std::size_t i = 0; i < original.lines.size(); ++i) {
    auto record = json::parse(original.lines[i]);
    record.erase("seq");
    record.erase("prev");
    if (i == 1) record["result"] = "engine_error";
    forged.add(record);
  }
  EXPECT_TRUE(verify_text(forged.text()).ok());  // the chain alone cannot tell
  VerifyOptions options;
  options.checkpoints.push_back({4, original.hash_of_line(3), std::nullopt});
  EXPECT_EQ(where_and_what(verify_text(forged.text(), options)),
            (Problems{"4:checkpoint_mismatch"}));
}

TEST(AuditVerify, CheckpointBeyondTheFilesIsReported) {
  VerifyOptions options;
  options.checkpoints.push_back({99, std::string(64, 'a'), std::nullopt});
  const auto report = verify_text(six_records().text(), options);
  EXPECT_EQ(where_and_what(report), (Problems{"0:checkpoint_not_found"}));
  EXPECT_NE(report_text(report).find("--checkpoint 99: no record with this seq"),
            std::string::npos);
}

TEST(AuditVerify, CheckpointAnchorsALogWhoseOlderFilesWerePruned) {
  const auto log = six_records();
  VerifyOptions options;
  options.checkpoints.push_back({3, log.hash_of_line(2), std::nullopt});
  const auto report = verify_text(log.text(3), options);
  EXPECT_TRUE(report.ok()) << report_text(report);
  options.checkpoints[0].head = std::string(64, 'b');
  EXPECT_EQ(where_and_what(verify_text(log.text(3), options)),
            (Problems{"1:chain_start", "0:checkpoint_not_found"}));
}

TEST(AuditVerify, CheckpointHmacMatchesOnlyUnderTheKey) {
  const auto log = six_records();
  const std::string head = log.hash_of_line(5);
  VerifyOptions options;
  options.hmac_key = "s3cret";
  options.checkpoints.push_back({6, head, checkpoint_hmac("s3cret", 6, head)});
  EXPECT_TRUE(verify_text(log.text(), options).ok());
  options.hmac_key = "another key";
  EXPECT_EQ(where_and_what(verify_text(log.text(), options)), (Problems{"0:checkpoint_hmac"}));
  options.hmac_key.reset();
  EXPECT_EQ(where_and_what(verify_text(log.text(), options)), (Problems{"0:checkpoint_hmac"}));
}

TEST(AuditVerify, HmacIsHexHmacSha256OfSeqColonHead) {
  // openssl dgst -sha256 -hmac key <<< -n "1:<64 zeros>"
  EXPECT_EQ(checkpoint_hmac("key", 1, std::string(kGenesisHash)).size(), 64u);
  EXPECT_NE(checkpoint_hmac("key", 1, std::string(kGenesisHash)),
            checkpoint_hmac("key", 2, std::string(kGenesisHash)));
}

TEST(AuditVerify, JsonReportHasTheProblemsAndTheRange) {
  auto lines = six_records().lines;
  lines.erase(lines.begin() + 2);
  const auto out = report_json(verify_text(lines_of(lines)));
  EXPECT_EQ(out["ok"], false);
  EXPECT_EQ(out["problems"][0]["line"], 3);
  EXPECT_EQ(out["problems"][0]["kind"], "seq_gap");
  EXPECT_EQ(out["first_seq"], 1);
  EXPECT_EQ(out["last_seq"], 6);
}

TEST(Checkpoint, ParsesSeqHeadAndOptionalHmac) {
  const std::string head(64, 'a');
  auto plain = parse_checkpoint("42:" + head);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->seq, 42u);
  EXPECT_EQ(plain->head, head);
  EXPECT_FALSE(plain->hmac);
  auto with_hmac = parse_checkpoint("42:" + std::string(64, 'A') + ":" + std::string(64, 'C'));
  ASSERT_TRUE(with_hmac.ok());
  EXPECT_EQ(with_hmac->head, head);  // case-insensitive, kept lowercase
  EXPECT_EQ(*with_hmac->hmac, std::string(64, 'c'));
}

TEST(Checkpoint, RejectsWrongTypesMissingPartsAndHostileValues) {
  const std::string head(64, 'a');
  const std::vector<std::string> bad_values = {"",
                                               "42",
                                               "yesterday:" + head,
                                               "0:" + head,
                                               "-1:" + head,
                                               "99999999999999999999:" + head,
                                               "42:",
                                               "42:abc",
                                               "42:" + std::string(64, 'g'),
                                               "42:" + head + ":",
                                               "42:" + head + ":xyz",
                                               "42:" + head + ":" + head + ":" + head,
                                               std::string("4\0"
                                                           "2:",
                                                           4) +
                                                   head,
                                               "42:" + std::string(10u << 20, 'a'),
                                               "42:" + head + "\xff"};
  for (const auto& bad : bad_values) {
    auto parsed = parse_checkpoint(bad);
    EXPECT_FALSE(parsed.ok()) << bad.substr(0, 80);
    if (!parsed.ok()) {
      EXPECT_NE(parsed.error().message.find("expected SEQ:HEAD"), std::string::npos);
      EXPECT_LT(parsed.error().message.size(), 600u);  // the value is not echoed whole
    }
  }
}

}  // namespace
}  // namespace dockgate::audit
