#include <gtest/gtest.h>

#include <sstream>

#include "audit/audit_query.hpp"
#include "audit/audit_stats.hpp"
#include "audit_log_builder.hpp"

namespace dockgate::audit {
namespace {

using nlohmann::json;
using testing::ChainedLog;

json violation(const std::string& rule) {
  return {{"rule", rule}, {"message", "no"}, {"mode", "enforce"}};
}

ChainedLog sample_log() {
  ChainedLog log;
  log.add_call("c1", "2026-11-27T10:00:00.000Z", "alice", "docker_ps", "allow", "ok");
  log.add_call("c2", "2026-11-27T23:59:59.999Z", "bob", "docker_run", "deny", "denied",
               {{"violations", {violation("pss-privileged"), violation("cis-5.4")}},
                {"arguments", {{"image", "busybox"}, {"name", "web"}}},
                {"action", {{"operation", "container.run"}, {"container", {{"name", "web"}}}}}});
  log.add_call(
      "c3", "2026-11-28T00:00:00.000Z", "alice", "docker_logs", "allow", "ok",
      {{"arguments", {{"container", "0123456789abcdef0123"}}},
       {"action", {{"operation", "container.logs"}, {"container", "0123456789abcdef0123"}}}});
  log.add_call("c4", "2026-11-28T09:00:00.000Z", "carol", "docker_exec", "warn", "ok",
               {{"warnings", {violation("exec-as-root")}}, {"arguments", {{"container", "db"}}}});
  log.add_call("c5", "2026-11-28T10:00:00.000Z", "=HYPERLINK(\"http://evil\")", "nope",
               "unknown_tool", "unknown_tool");
  log.add({{"schema", 2},
           {"stage", "policy_reload"},
           {"time", "2026-11-28T11:00:00.000Z"},
           {"result", "ok"}});
  return log;
}

// The call ids that match, in order.
std::vector<std::string> matching(const CallFilter& filter, const std::string& text) {
  std::vector<std::string> ids;
  CallJoiner joiner([&](const AuditCall& call) {
    if (filter.matches(call)) ids.push_back(call.call_id().empty() ? "-" : call.call_id());
  });
  std::istringstream in(text);
  read_records(in, [&](json record, std::size_t bytes) { joiner.add(std::move(record), bytes); });
  joiner.finish();
  return ids;
}

using Ids = std::vector<std::string>;

AuditTime at(const std::string& text) {
  return parse_audit_time(text)->at;
}

TEST(AuditQuery, NoFilterMatchesEveryCallAndRecord) {
  EXPECT_EQ(matching({}, sample_log().text()), (Ids{"c1", "c2", "c3", "c4", "c5", "-"}));
}

TEST(AuditQuery, EachFilterSelectsItsCalls) {
  const auto text = sample_log().text();
  CallFilter f;
  f.principal = "alice";
  EXPECT_EQ(matching(f, text), (Ids{"c1", "c3"}));
  f = {};
  f.tool = "docker_run";
  EXPECT_EQ(matching(f, text), (Ids{"c2"}));
  f = {};
  f.decision = "deny";
  EXPECT_EQ(matching(f, text), (Ids{"c2"}));
  f.decision = "warn";
  EXPECT_EQ(matching(f, text), (Ids{"c4"}));
  f.decision = "unknown_tool";
  EXPECT_EQ(matching(f, text), (Ids{"c5"}));
  f = {};
  f.rule = "cis-5.4";
  EXPECT_EQ(matching(f, text), (Ids{"c2"}));
  f.rule = "exec-as-root";  // a warning's rule
  EXPECT_EQ(matching(f, text), (Ids{"c4"}));
  f = {};
  f.call_id = "c3";
  EXPECT_EQ(matching(f, text), (Ids{"c3"}));
  f = {};
  f.principal = "alice";
  f.tool = "docker_logs";
  EXPECT_EQ(matching(f, text), (Ids{"c3"}));
}

TEST(AuditQuery, ContainerMatchesNamesSlashNamesAndIdPrefixes) {
  const auto text = sample_log().text();
  CallFilter f;
  f.container = "web";
  EXPECT_EQ(matching(f, text), (Ids{"c2"}));
  f.container = "/db";
  EXPECT_EQ(matching(f, text), (Ids{"c4"}));
  f.container = "0123456789ab";
  EXPECT_EQ(matching(f, text), (Ids{"c3"}));
  f.container = "0123";  // too short to be an id prefix
  EXPECT_EQ(matching(f, text), (Ids{}));
}

TEST(AuditQuery, TimeRangeIncludesSinceAndUntilEdges) {
  const auto text = sample_log().text();
  CallFilter f;
  f.since = at("2026-11-27T23:59:59.999Z");
  f.until_exclusive = at("2026-11-28T00:00:00.000Z") + std::chrono::milliseconds{1};
  EXPECT_EQ(matching(f, text), (Ids{"c2", "c3"}));
  f.since = at("2026-11-28T00:00:00.001Z");
  f.until_exclusive.reset();
  EXPECT_EQ(matching(f, text), (Ids{"c4", "c5", "-"}));
  f = {};  // a whole UTC day, as --since D --until D gives it
  f.since = at("2026-11-27");
  f.until_exclusive = at("2026-11-27") + std::chrono::days{1};
  EXPECT_EQ(matching(f, text), (Ids{"c1", "c2"}));
  f.since = at("2026-11-28T01:00:00+02:00");  // 2026-11-27T23:00Z
  EXPECT_EQ(matching(f, text), (Ids{"c2"}));
}

TEST(AuditQuery, RecordsWithoutAUsableTimeAreInNoRange) {
  ChainedLog log;
  log.add_call("c1", "yesterday", "alice", "docker_ps", "allow", "ok");
  CallFilter f;
  f.since = at("2000-01-01");
  EXPECT_EQ(matching(f, log.text()), (Ids{}));
}

TEST(AuditQuery, DamagedLinesAreSkippedAndCounted) {
  auto text = "garbage\n" + std::string(100000, '[') + "\n" + sample_log().text() + "{\"torn";
  std::ostringstream out;
  AuditQuery query({}, QueryFormat::jsonl, out);
  std::istringstream in(text);
  query.add_file(in);
  const auto summary = query.finish();
  EXPECT_EQ(summary.lines_skipped, 3u);
  EXPECT_EQ(summary.calls_matched, 6u);
}

TEST(AuditQuery, OutcomeWithoutIntentAndIntentWithoutOutcomeStillShow) {
  ChainedLog full;
  full.add_call("c1", "2026-11-27T10:00:00.000Z", "alice", "docker_ps", "allow", "ok");
  full.add_call("c2", "2026-11-27T10:00:01.000Z", "alice", "docker_ps", "allow", "ok");
  // The log starts with c1's outcome and ends with c2's intent (the server stopped).
  EXPECT_EQ(matching({}, full.text(1, 3)), (Ids{"c1", "c2"}));
}

TEST(AuditQuery, UnansweredIntentDoesNotHoldBackOutputBeyondTheWindow) {
  std::vector<std::string> seen;
  CallJoiner joiner([&](const AuditCall& call) { seen.push_back(call.call_id()); }, 2);
  joiner.add({{"stage", "intent"}, {"call_id", "lost"}});
  joiner.add({{"stage", "intent"}, {"call_id", "a"}});
  joiner.add({{"stage", "outcome"}, {"call_id", "a"}});
  EXPECT_TRUE(seen.empty());  // "lost" may still be answered
  joiner.add({{"stage", "intent"}, {"call_id", "b"}});
  EXPECT_EQ(seen, (Ids{"lost", "a"}));
  joiner.add({{"stage", "outcome"}, {"call_id", "lost"}});  // too late: its own row
  EXPECT_EQ(seen, (Ids{"lost", "a"}));                      // b still waits
  joiner.add({{"stage", "intent"}});  // no call_id: nothing to wait for, but b is out of time
  EXPECT_EQ(seen, (Ids{"lost", "a", "b", "lost", ""}));
  joiner.finish();
  EXPECT_EQ(seen.size(), 5u);
}

TEST(AuditQuery, LargeRecordsShortenTheWindow) {
  std::vector<std::string> seen;
  CallJoiner joiner([&](const AuditCall& call) { seen.push_back(call.call_id()); }, 10000, 1000);
  joiner.add({{"stage", "intent"}, {"call_id", "lost"}}, 600);
  joiner.add({{"stage", "intent"}, {"call_id", "a"}}, 300);
  EXPECT_TRUE(seen.empty());
  joiner.add({{"stage", "outcome"}, {"call_id", "a"}}, 300);  // 1200 bytes pending
  EXPECT_EQ(seen, (Ids{"lost", "a"}));
}

TEST(AuditQuery, TableJoinsIntentAndOutcome) {
  std::ostringstream out;
  CallFilter f;
  f.call_id = "c2";
  AuditQuery query(f, QueryFormat::table, out);
  std::istringstream in(sample_log().text());
  query.add_file(in);
  query.finish();
  EXPECT_EQ(out.str(),
            "TIME                     PRINCIPAL    TOOL                 DECISION     RESULT       "
            "RULES\n"
            "2026-11-27T23:59:59.999Z bob          docker_run           deny         denied       "
            "pss-privileged,cis-5.4\n");
}

TEST(AuditQuery, TableEscapesControlCharactersFromClients) {
  ChainedLog log;
  log.add_call("c1", "2026-11-27T10:00:00.000Z", "alice", "evil\x1b[2J\xc2\x9b", "unknown_tool",
               "unknown_tool");
  std::ostringstream out;
  AuditQuery query({}, QueryFormat::table, out);
  std::istringstream in(log.text());
  query.add_file(in);
  query.finish();
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
  EXPECT_NE(out.str().find("evil\\x1b[2J\\u009b"), std::string::npos);
}

TEST(AuditQuery, JsonlPrintsTheRecordsAsWritten) {
  const auto log = sample_log();
  std::ostringstream out;
  CallFilter f;
  f.call_id = "c1";
  AuditQuery query(f, QueryFormat::jsonl, out);
  std::istringstream in(log.text());
  query.add_file(in);
  query.finish();
  EXPECT_EQ(out.str(), log.text(0, 2));
}

TEST(AuditQuery, CsvQuotesAndNeutralizesFormulas) {
  const auto log = sample_log();
  std::ostringstream out;
  CallFilter f;
  f.decision = "unknown_tool";
  AuditQuery query(f, QueryFormat::csv, out);
  std::istringstream in(log.text());
  query.add_file(in);
  query.finish();
  EXPECT_EQ(out.str(),
            "time,call_id,principal,tool,decision,result,rules\r\n"
            "2026-11-28T10:00:00.000Z,c5,\"'=HYPERLINK(\"\"http://evil\"\")\",nope,unknown_tool,"
            "unknown_tool,\r\n");
}

TEST(CsvCell, QuotesSeparatorsAndPrefixesFormulaStarts) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_cell("=1+1"), "'=1+1");
  EXPECT_EQ(csv_cell("+1"), "'+1");
  EXPECT_EQ(csv_cell("-1"), "'-1");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("\tx"), "'\tx");
  EXPECT_EQ(csv_cell("=a,b"), "\"'=a,b\"");
  EXPECT_EQ(csv_cell("a=b"), "a=b");
}

TEST(AuditStats, CountsCallsAndDenialsByPrincipalToolDayAndRule) {
  AuditStats stats({});
  std::istringstream in(sample_log().text());
  stats.add_file(in);
  const auto report = stats.finish();
  EXPECT_EQ(report.total.calls, 5u);  // the reload is not a call
  EXPECT_EQ(report.total.denied, 1u);
  EXPECT_EQ(report.total.warned, 1u);
  EXPECT_EQ(report.total.refused, 1u);
  EXPECT_EQ(report.by_principal.at("alice").calls, 2u);
  EXPECT_EQ(report.by_principal.at("bob").denied, 1u);
  EXPECT_EQ(report.by_tool.at("docker_run").denied, 1u);
  EXPECT_EQ(report.by_day.at("2026-11-27").calls, 2u);
  EXPECT_EQ(report.by_day.at("2026-11-28").calls, 3u);
  EXPECT_EQ(report.by_rule.at("pss-privileged").violations, 1u);
  EXPECT_EQ(report.by_rule.at("exec-as-root").warnings, 1u);
  const auto text = stats_text(report);
  EXPECT_NE(text.find("5 calls: 1 denied, 1 warned, 1 refused"), std::string::npos);
  const auto out = stats_json(report);
  EXPECT_EQ(out["by_principal"]["bob"]["denied"], 1);
  EXPECT_EQ(out["by_rule"]["cis-5.4"]["violations"], 1);
}

TEST(AuditStats, FilterNarrowsTheCounts) {
  CallFilter f;
  f.since = at("2026-11-28");
  AuditStats stats(f);
  std::istringstream in(sample_log().text());
  stats.add_file(in);
  EXPECT_EQ(stats.finish().total.calls, 3u);
}

TEST(AuditStats, DistinctKeysAreCapped) {
  ChainedLog log;
  for (std::size_t i = 0; i < kMaxStatsKeys + 5; ++i)
    log.add(
        {{"stage", "outcome"}, {"call_id", std::to_string(i)}, {"tool", "t" + std::to_string(i)}});
  AuditStats stats({});
  std::istringstream in(log.text());
  stats.add_file(in);
  const auto report = stats.finish();
  EXPECT_EQ(report.by_tool.size(), kMaxStatsKeys + 1);
  EXPECT_EQ(report.by_tool.at("(other)").calls, 5u);
}

TEST(AuditTimeParsing, AcceptsRfc3339AndDates) {
  EXPECT_EQ(parse_audit_time("2026-11-27T18:30:23.165Z")->at.time_since_epoch().count(),
            1795804223165);
  EXPECT_EQ(parse_audit_time("2026-11-27T19:30:23.165+01:00")->at,
            parse_audit_time("2026-11-27T18:30:23.165Z")->at);
  EXPECT_EQ(parse_audit_time("2026-11-27t18:30:23.1659z")->at,
            parse_audit_time("2026-11-27T18:30:23.165Z")->at);
  EXPECT_TRUE(parse_audit_time("2026-11-27")->date_only);
  EXPECT_EQ(utc_day(parse_audit_time("2026-11-27T23:30:00-01:00")->at), "2026-11-28");
}

TEST(AuditTimeParsing, RejectsWhatIsNotATime) {
  for (const std::string& bad :
       {std::string(""), std::string("yesterday"), std::string("2026-02-30"),
        std::string("2026-13-01"), std::string("2026-11-27T25:00:00Z"),
        std::string("2026-11-27T10:00:00"), std::string("2026-11-27T10:00:00Zjunk"),
        std::string("2026-11-27T10:00:00.Z"), std::string("2026-11-27T10:00:00+1:00"),
        std::string("2026-11-27\0", 11), std::string("2026-11-27T10:00:00\xff"),
        "2026-11-27T10:00:00." + std::string(10u << 20, '1') + "Z!"}) {
    auto parsed = parse_audit_time(bad);
    EXPECT_FALSE(parsed.ok()) << bad.substr(0, 40);
    if (!parsed.ok()) {
      EXPECT_LT(parsed.error().message.size(), 300u);
    }
  }
}

}  // namespace
}  // namespace dockgate::audit
