// Redaction of secret-bearing arguments before they reach the audit log, and the schema 2
// fields of the call records.
#include <gtest/gtest.h>

#include "gate/audit_records.hpp"
#include "gate/redaction.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

TEST(Redaction, EveryRunEnvValueIsRedactedKeepingItsName) {
  const auto r = redact_arguments(
      "docker_run",
      {{"image", "postgres:13"}, {"env", {"POSTGRES_PASSWORD=hunter2-pw", "DEBUG=1"}}});
  EXPECT_EQ(r.arguments()["env"], json({"POSTGRES_PASSWORD=<redacted>", "DEBUG=<redacted>"}));
  EXPECT_EQ(r.paths(), (std::vector<std::string>{"arguments.env[0]", "arguments.env[1]"}));
  EXPECT_EQ(r.arguments()["image"], "postgres:13");
}

TEST(Redaction, RunEnvAsAnObjectAndExecEnvAreRedacted) {
  const auto run = redact_arguments("docker_run", {{"env", {{"API", "s3cr3t-value"}}}});
  EXPECT_EQ(run.arguments()["env"]["API"], "<redacted>");
  EXPECT_EQ(run.paths(), std::vector<std::string>{"arguments.env.API"});
  const auto exec = redact_arguments(
      "docker_exec", {{"container", "web"}, {"command", {"env"}}, {"env", {"TOKEN=abcdef"}}});
  EXPECT_EQ(exec.arguments()["env"][0], "TOKEN=<redacted>");
}

TEST(Redaction, MalformedEnvIsRedactedWhole) {
  // Arguments are recorded as received, even when they are refused: shape does not matter.
  const auto text = redact_arguments("docker_run", {{"env", "PASSWORD=oops-a-string"}});
  EXPECT_EQ(text.arguments()["env"], "<redacted>");
  const auto numbers = redact_arguments("docker_run", {{"env", {12345678}}});
  EXPECT_EQ(numbers.arguments()["env"][0], "<redacted>");
  const auto alias = redact_arguments("docker_run", {{"environment", {"K=v4lue"}}});
  EXPECT_EQ(alias.arguments()["environment"][0], "K=<redacted>");
}

TEST(Redaction, BuildArgsValuesAreRedacted) {
  const auto r = redact_arguments(
      "docker_build", {{"path", "/w/app"}, {"build_args", {{"NPM_TOKEN", "npm_abc123"}}}});
  EXPECT_EQ(r.arguments()["build_args"]["NPM_TOKEN"], "<redacted>");
  EXPECT_EQ(r.paths(), std::vector<std::string>{"arguments.build_args.NPM_TOKEN"});
  EXPECT_EQ(r.arguments()["path"], "/w/app");
}

TEST(Redaction, CredentialNamedKeysAreRedactedAtAnyDepthForAnyTool) {
  const auto pull = redact_arguments(
      "docker_pull",
      {{"image", "x:1"}, {"registry_auth", {{"username", "u"}, {"password", "p4ss"}}}});
  EXPECT_EQ(pull.arguments()["registry_auth"], "<redacted>");
  const auto labels =
      redact_arguments("docker_volume_create",
                       {{"name", "v"}, {"labels", {{"api_token", "tok-123"}, {"team", "a"}}}});
  EXPECT_EQ(labels.arguments()["labels"]["api_token"], "<redacted>");
  EXPECT_EQ(labels.arguments()["labels"]["team"], "a");
  EXPECT_EQ(labels.paths(), std::vector<std::string>{"arguments.labels.api_token"});
}

TEST(Redaction, RunSecretNamesAreKeptTheirContentsAreNeverArguments) {
  const auto r = redact_arguments("docker_run", {{"secrets", {"db_password"}}});
  EXPECT_EQ(r.arguments()["secrets"][0], "db_password");
  EXPECT_TRUE(r.paths().empty());
}

TEST(Redaction, PolicyCheckRedactsTheJudgedCallsArguments) {
  const auto r = redact_arguments(
      "docker_policy_check",
      {{"tool", "docker_run"}, {"arguments", {{"image", "a:1"}, {"env", {"K=topsecret"}}}}});
  EXPECT_EQ(r.arguments()["arguments"]["env"][0], "K=<redacted>");
  EXPECT_EQ(r.paths(), std::vector<std::string>{"arguments.arguments.env[0]"});
}

TEST(Redaction, ValuesAreScrubbedFromFreeTextWhenLongEnough) {
  const auto r = redact_arguments("docker_run", {{"env", {"PW=hunter2-pw", "N=1"}}});
  EXPECT_EQ(r.scrub("argument 'env[0]' bad: 'PW=hunter2-pw' (hunter2-pw) n=1"),
            "argument 'env[0]' bad: '<redacted>' (<redacted>) n=1");
  EXPECT_EQ(r.scrub_json(json({{"label", "x hunter2-pw"}})), json({{"label", "x <redacted>"}}));
}

TEST(Redaction, CopiesOfASecretInOtherArgumentsAreRedactedToo) {
  const auto r = redact_arguments(
      "docker_run", {{"env", {"PW=hunter2-pw"}}, {"command", {"sh", "-c", "echo hunter2-pw"}}});
  EXPECT_EQ(r.arguments()["command"][2], "echo <redacted>");
  EXPECT_EQ(r.paths(), (std::vector<std::string>{"arguments.env[0]", "arguments.command[2]"}));
}

TEST(Redaction, AnythingElseIsLeftAlone) {
  const json arguments = {{"all", true}, {"filter", {"status=exited"}}};
  const auto r = redact_arguments("docker_ps", arguments);
  EXPECT_EQ(r.arguments(), arguments);
  EXPECT_TRUE(r.paths().empty());
}

CallContext context() {
  return CallContext{{"alice", {}}, "s1", "", "", "", nullptr};
}

TEST(AuditRecords, IntentListsRedactedPathsAndNeverTheValue) {
  const json arguments = {{"image", "a:1"}, {"env", {"PW=hunter2-pw"}}};
  const auto redaction = redact_arguments("docker_run", arguments);
  const auto ctx = context();
  const auto record = intent_record(IntentRecord{"id",
                                                 {},
                                                 ctx,
                                                 "docker_run",
                                                 redaction,
                                                 CallStage::Invalid,
                                                 nullptr,
                                                 nullptr,
                                                 "env[0]: 'PW=hunter2-pw' is bad"});
  EXPECT_EQ(record["schema"], 2);
  EXPECT_EQ(record["redacted"], json({"arguments.env[0]"}));
  EXPECT_EQ(record.dump().find("hunter2"), std::string::npos) << record.dump();
}

TEST(AuditRecords, AllowedWithWarningsIsDecisionWarn) {
  policy::Decision decision;
  decision.allowed = true;
  decision.warnings.push_back(policy::Violation{"pin-tags", "p.yaml:3", "Pin tags", "use a tag", "",
                                                policy::RuleMode::Warn, "", "", ""});
  const auto redaction = redact_arguments("docker_ps", json::object());
  const auto ctx = context();
  const auto record = intent_record(IntentRecord{
      "id", {}, ctx, "docker_ps", redaction, CallStage::Allowed, nullptr, &decision, ""});
  EXPECT_EQ(record["decision"], "warn");
  EXPECT_EQ(record["warnings"][0]["rule"], "pin-tags");
}

TEST(AuditRecords, OutcomeCarriesEngineStatusAndCreatedIds) {
  const auto ctx = context();
  const auto record = outcome_record(OutcomeRecord{"id",
                                                   {},
                                                   ctx,
                                                   "docker_run",
                                                   "ok",
                                                   "",
                                                   std::chrono::milliseconds(5),
                                                   std::nullopt,
                                                   json::array({"c0ffee"}),
                                                   nullptr});
  EXPECT_EQ(record["created"], json({"c0ffee"}));
  EXPECT_FALSE(record.contains("engine_status"));
  EXPECT_EQ(engine_status_of("engine error (404): No such container: web"), 404);
  EXPECT_EQ(engine_status_of("cannot reach engine"), std::nullopt);
  EXPECT_EQ(engine_status_of("engine error (40"), std::nullopt);
  EXPECT_EQ(engine_failure_result("no answer within 30 s while reading the answer"), "timeout");
  EXPECT_EQ(engine_failure_result("engine error (500): boom"), "engine_error");
  const actions::Action run = actions::RunContainer{};
  EXPECT_EQ(created_objects(run, {{"id", "abc"}}), json({"abc"}));
  EXPECT_TRUE(created_objects(run, json::array()).is_null());
}

}  // namespace
}  // namespace dockgate::gate
