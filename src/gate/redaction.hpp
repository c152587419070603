// Secrets never reach the audit log (DESIGN.md invariant 3). Before a call's intent record is
// built, the values that may be secrets are replaced with "<redacted>" in the recorded
// arguments, and the record lists where (as OPA decision logs list erased fields):
//   - docker_run / docker_exec `env` (and `environment`): every value, whatever its name;
//     "KEY=VALUE" keeps its KEY, {"KEY": "VALUE"} its key;
//   - docker_build `build_args`: every value;
//   - docker_compose_up / _down `content` (an inline compose file): all of it; the intent's
//     plan records each service, with env keys only;
//   - any tool, at any depth: the value of a key named like a credential (password, passwd,
//     secret, token, auth, credential, api_key, apikey, private_key, access_key), e.g. a
//     client's stray {"registry_auth": "..."} to docker_pull (registry logins come from the
//     server's configuration, never from arguments); docker_run `secrets` holds secret *names*
//     (the contents are files on the server) and is kept;
//   - docker_policy_check: the same rules on the judged call's `arguments`.
// The values found are also cut out of the other arguments (a copy in a label or a command,
// listed in "redacted" too) and of the record's free text (error messages that quote an
// argument) when they are at least kMinScrubLength characters long.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dockgate::gate {

inline constexpr std::string_view kRedacted = "<redacted>";
// Shorter values ("1", "on") are redacted where they sit but not searched for in free text:
// cutting every "1" out of a message would hide what the message says and protect nothing.
inline constexpr std::size_t kMinScrubLength = 4;

class Redaction {
 public:
  // The record's "arguments", with secret values replaced.
  const nlohmann::json& arguments() const { return arguments_; }
  // "arguments.env[0]", "arguments.build_args.TOKEN", ... in the order found.
  const std::vector<std::string>& paths() const { return paths_; }
  // text with every redacted value (of kMinScrubLength or more) replaced by "<redacted>".
  std::string scrub(std::string text) const;
  // The same on every string (and object key) of a JSON value.
  nlohmann::json scrub_json(const nlohmann::json& value) const;
  // Secret values the arguments did not show but planning found (a compose file's environment,
  // build args and .env values): scrubbed from every record from now on.
  void also_scrub(const std::vector<std::string>& values);

 private:
  friend Redaction redact_arguments(std::string_view tool, const nlohmann::json& arguments);
  void scrub_copies(nlohmann::json& value, const std::string& path);
  nlohmann::json arguments_;
  std::vector<std::string> paths_;
  std::vector<std::string> values_;
};

Redaction redact_arguments(std::string_view tool, const nlohmann::json& arguments);

}  // namespace dockgate::gate
