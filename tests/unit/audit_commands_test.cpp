#include <gtest/gtest.h>

#include <sstream>

#include "audit/audit_verify.hpp"
#include "audit_log_builder.hpp"
#include "cli/audit_commands.hpp"

namespace dockgate::cli {
namespace {

using audit::testing::ChainedLog;
using audit::testing::TempFolder;

struct CommandRun {
  int exit_code;
  std::string out, err;
};

class AuditCommand : public ::testing::Test {
 protected:
  AuditCommand() {
    log.add_call("c1", "2026-11-27T10:00:00.000Z", "alice", "docker_ps", "allow", "ok");
    log.add_call("c2", "2026-11-27T11:00:00.000Z", "bob", "docker_run", "deny", "denied");
    good = folder.write("good.jsonl", log.text());
    auto lines = log.lines;
    lines.erase(lines.begin() + 1);
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    tampered = folder.write("tampered.jsonl", text);
  }

  CommandRun run(std::vector<std::string> args) {
    std::ostringstream out, err;
    const int code = run_audit_command(args, out, err, [&](const std::string& name) {
      return name == "XDG_STATE_HOME" ? std::optional<std::string>(state) : std::nullopt;
    });
    return {code, out.str(), err.str()};
  }

  TempFolder folder;
  ChainedLog log;
  std::string good, tampered, state = "/nonexistent-state";
};

TEST_F(AuditCommand, VerifyGoodLogExitsZero) {
  const auto r = run({"verify", good});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("OK: 4 records, seq 1..4, head " + log.hash_of_line(3)), std::string::npos);
}

TEST_F(AuditCommand, VerifyTamperedLogExitsOneAndNamesTheLine) {
  const auto r = run({"verify", tampered});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(tampered + ":2: seq jumps from 1 to 3"), std::string::npos) << r.out;
}

TEST_F(AuditCommand, VerifyJsonIsMachineReadable) {
  const auto r = run({"verify", "--json", tampered});
  EXPECT_EQ(r.exit_code, 1);
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["problems"][0]["kind"], "seq_gap");
}

TEST_F(AuditCommand, VerifyChecksCheckpointsWithHmac) {
  const auto head = log.hash_of_line(3);
  // A trailing newline is not part of the key, as `openssl rand -hex 32 > key` writes it.
  const auto key = folder.write("key", "0123456789abcdef0123\n");
  const auto hmac = audit::checkpoint_hmac("0123456789abcdef0123", 4, head);
  auto r = run({"verify", "--checkpoint", "4:" + head + ":" + hmac, "--hmac-key-file", key, good});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("checkpoint seq 4 (with HMAC): ok"), std::string::npos);
  const auto other_key = folder.write("other", "not the key, but long enough");
  r = run({"verify", "--checkpoint", "4:" + head + ":" + hmac, "--hmac-key-file", other_key, good});
  EXPECT_EQ(r.exit_code, 1);
  r = run({"verify", "--checkpoint", "4:" + std::string(64, '0'), good});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("checkpoint's"), std::string::npos);
}

TEST_F(AuditCommand, DefaultLogIsTheStateFolderOnesWithItsRotatedFiles) {
  state = folder.path().string();
  std::filesystem::create_directories(folder.path() / "dockgate");
  folder.write("dockgate/audit.jsonl", log.text(2));
  folder.write("dockgate/audit-20261127T100000Z.jsonl", log.text(0, 2));
  folder.write("dockgate/unrelated.jsonl", "not a log\n");
  const auto r = run({"verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: 4 records"), std::string::npos);
}

TEST_F(AuditCommand, MissingFileIsAUsageError) {
  const auto r = run({"verify", folder.path().string() + "/missing.jsonl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.jsonl: no such audit log file"), std::string::npos);
  EXPECT_EQ(run({"query"}).exit_code, 2);  // the default log does not exist here
  EXPECT_EQ(run({"stats", folder.path().string()}).exit_code, 2);  // a folder
}

TEST_F(AuditCommand, HostileFileNamesAreUsageErrors) {
  for (const std::string command : {"verify", "query", "stats"}) {
    auto r = run({command, std::string(10u << 20, 'f')});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("a file name is 10485760 bytes long"), std::string::npos) << command;
    r = run({command, good + std::string("\0x", 2)});
    EXPECT_NE(r.err.find("a file name contains a NUL byte"), std::string::npos) << command;
    r = run({command, "/nonexistent/\x1b[2J\xff.jsonl"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos);  // escaped in the message
  }
}

TEST_F(AuditCommand, UnknownCommandsAndOptionsAreUsageErrors) {
  EXPECT_EQ(run({}).exit_code, 2);
  EXPECT_EQ(run({"frobnicate"}).exit_code, 2);
  for (const std::string command : {"verify", "query", "stats"}) {
    const auto r = run({command, "--frobnicate", good});
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_NE(r.err.find("unrecognised option '--frobnicate'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--help"), std::string::npos);
  }
}

TEST_F(AuditCommand, HelpListsEveryOption) {
  EXPECT_EQ(run({"--help"}).exit_code, 0);
  auto r = run({"verify", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--checkpoint", "--hmac-key-file", "--json"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  r = run({"query", "--help"});
  for (const char* option : {"--format", "--principal", "--tool", "--decision", "--rule", "--since",
                             "--until", "--container", "--call-id"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  r = run({"stats", "--help"});
  EXPECT_NE(r.out.find("--json"), std::string::npos);
}

// Every option that takes a value, with the commands that have it.
struct ValueOption {
  std::string command, option;
  bool typed;  // has a syntax to get wrong (a time, an enum, a checkpoint)
};

std::vector<ValueOption> value_options() {
  std::vector<ValueOption> options = {{"verify", "--checkpoint", true},
                                      {"verify", "--hmac-key-file", false},
                                      {"query", "--format", true}};
  for (const std::string command : {"query", "stats"}) {
    for (const std::string option : {"--principal", "--tool", "--rule", "--container", "--call-id"})
      options.push_back({command, option, false});
    for (const std::string option : {"--decision", "--since", "--until"})
      options.push_back({command, option, true});
  }
  return options;
}

TEST_F(AuditCommand, EveryOptionRejectsAMissingValue) {
  for (const auto& [command, option, typed] : value_options()) {
    const auto r = run({command, good, option});
    EXPECT_EQ(r.exit_code, 2) << command << " " << option;
    EXPECT_NE(r.err.find("the required argument for option '" + option + "' is missing"),
              std::string::npos)
        << r.err;
  }
}

TEST_F(AuditCommand, EveryOptionRejectsAnOversizedValue) {
  const std::string huge(10u << 20, 'a');
  for (const auto& [command, option, typed] : value_options()) {
    const auto r = run({command, option, huge, good});
    EXPECT_EQ(r.exit_code, 2) << command << " " << option;
    EXPECT_NE(r.err.find(option + " is 10485760 bytes long; the limit is 4096"), std::string::npos)
        << r.err.substr(0, 200);
    EXPECT_LT(r.err.size(), 1000u);
  }
}

TEST_F(AuditCommand, EveryOptionRejectsNulBytes) {
  for (const auto& [command, option, typed] : value_options()) {
    const auto r = run({command, option, std::string("al\0ice", 6), good});
    EXPECT_EQ(r.exit_code, 2) << command << " " << option;
    EXPECT_NE(r.err.find(option + " contains a NUL byte"), std::string::npos) << r.err;
  }
}

TEST_F(AuditCommand, TypedOptionsRejectWrongValuesNamingWhatIsAllowed) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"query", "--since", "yesterday"}, "--since 'yesterday' is not a time"},
      {{"stats", "--until", "2026-02-30"}, "--until '2026-02-30' is not a time: no such day"},
      {{"query", "--since", "2026-11-28", "--until", "2026-11-27"}, "--since is after --until"},
      {{"query", "--decision", "maybe"}, "expected allow, deny, warn, invalid or unknown_tool"},
      {{"stats", "--decision", "DENY"}, "expected allow, deny, warn, invalid or unknown_tool"},
      {{"query", "--format", "xml"}, "expected table, jsonl or csv"},
      {{"verify", "--checkpoint", "yesterday"}, "expected SEQ:HEAD or SEQ:HEAD:HMAC"},
      {{"verify", "--checkpoint", "1:" + std::string(64, 'a') + ":" + std::string(64, 'b')},
       "needs --hmac-key-file"},
      {{"verify", "--hmac-key-file", "/etc/hostname"}, "needs a --checkpoint SEQ:HEAD:HMAC"},
      {{"verify", "--json=yes"}, "option '--json' does not take any arguments"},
  };
  for (auto [args, message] : cases) {
    args.push_back(good);
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args[1];
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
}

TEST_F(AuditCommand, HostileValuesAreEscapedInErrors) {
  const auto r = run({"query", "--since", "\x1b[31m\xff", good});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
  EXPECT_NE(r.err.find("\\x1b[31m"), std::string::npos);
  // A free-text filter takes any bytes: it just matches nothing.
  const auto q = run({"query", "--principal", "\xff\xfe", "--tool", "{\"$ne\":1}", good});
  EXPECT_EQ(q.exit_code, 0);
  EXPECT_EQ(q.out.find("alice"), std::string::npos);
}

TEST_F(AuditCommand, HmacKeyFileIsReadAsTheWriterReadsIt) {
  const std::string cp = "4:" + std::string(64, 'a') + ":" + std::string(64, 'b');
  auto r = run({"verify", "--checkpoint", cp, "--hmac-key-file", "/nonexistent/key", good});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read the audit HMAC key file"), std::string::npos);
  r = run({"verify", "--checkpoint", cp, "--hmac-key-file", folder.write("empty", "\n"), good});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("holds 0 bytes; a key is 16 to 4096 bytes"), std::string::npos);
  r = run({"verify", "--checkpoint", cp, "--hmac-key-file", folder.write("short", "s3cret"), good});
  EXPECT_NE(r.err.find("holds 6 bytes"), std::string::npos);
  r = run({"verify", "--checkpoint", cp, "--hmac-key-file",
           folder.write("huge", std::string(10u << 20, 'k')), good});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("a key is 16 to 4096 bytes"), std::string::npos);
  r = run({"verify", "--checkpoint", cp, "--hmac-key-file", folder.path().string(), good});
  EXPECT_EQ(r.exit_code, 2);  // a folder
}

TEST_F(AuditCommand, QueryAndStatsOutputs) {
  auto r = run({"query", "--decision", "deny", "--format", "csv", good});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "time,call_id,principal,tool,decision,result,rules\r\n"
            "2026-11-27T11:00:00.000Z,c2,bob,docker_run,deny,denied,\r\n");
  r = run({"query", "--since", "2026-11-27", "--until", "2026-11-27", "--format", "jsonl", good});
  EXPECT_EQ(r.out, log.text());  // --until a day includes the whole day
  r = run({"stats", "--json", good});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out)["total"]["denied"], 1);
  r = run({"query", folder.write("damaged.jsonl", "garbage\n" + log.text())});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("1 damaged line(s) skipped"), std::string::npos);
}

}  // namespace
}  // namespace dockgate::cli
