#include "cli/serve_options.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <set>
#include <sstream>

namespace dockgate::cli {
namespace {

namespace po = boost::program_options;

po::options_description serve_flags() {
  po::options_description flags(
      "dockgate serve [options]  (MCP over stdio, or over HTTPS with --http)");
  flags.add_options()                                                                       //
      ("help,h", "show this help")                                                          //
      ("config", po::value<std::string>(), "YAML config file (see docs/configuration.md)")  //
      ("policy", po::value<std::vector<std::string>>(),
       "policy file; repeat to compose several (default: policies/default.yaml)")  //
      ("audit-log", po::value<std::string>(),
       "audit log file (default: $XDG_STATE_HOME/dockgate/audit.jsonl)")  //
      ("audit-max-bytes", po::value<std::string>(),
       "rotate the audit log before it grows past this size: bytes, or 64k, 100M, 2G")  //
      ("audit-max-age", po::value<std::string>(),
       "rotate the audit log once its first record is this old: 30m, 24h, 7d")  //
      ("audit-failure", po::value<std::string>(),
       "when a record cannot be written: refuse (default: refuse the call) or halt (exit 3)")  //
      ("audit-checkpoint-every", po::value<std::string>(),
       "log the chain head every N records (default 1000; 0: only at shutdown)")  //
      ("audit-hmac-key-file", po::value<std::string>(),
       "key (16-4096 bytes) to sign checkpoints with HMAC-SHA256")                            //
      ("principal", po::value<std::string>(), "who is calling (default: the OS user)")        //
      ("role", po::value<std::vector<std::string>>(), "a role of the principal; repeatable")  //
      ("secrets-dir", po::value<std::string>(),
       "folder of secret files for docker_run secrets (one file per secret name)")  //
      ("registry-auth-file", po::value<std::string>(),
       "registry logins for docker_pull, as docker's config.json: {\"auths\": {host: "
       "{\"auth\": base64(user:password)}}}")  //
      ("workspace-root", po::value<std::vector<std::string>>(),
       "folder whose subfolders docker_build may use as build contexts; repeatable")      //
      ("docker-host", po::value<std::string>(), "engine address, overrides DOCKER_HOST")  //
      ("tls-verify", "use mutual TLS with the engine (as DOCKER_TLS_VERIFY=1)")           //
      ("cert-path", po::value<std::string>(), "folder with ca.pem, cert.pem, key.pem")    //
      ("allow-plain-tcp", "allow tcp:// without TLS (never use it beyond a lab)");
  po::options_description team("team server (MCP over Streamable HTTP; docs/team-server.md)");
  team.add_options()  //
      ("http", po::value<std::string>(),
       "serve Streamable HTTP at https://ADDRESS:PORT/mcp instead of stdio, e.g. "
       "127.0.0.1:8443")                                                                       //
      ("tls-cert", po::value<std::string>(), "PEM certificate chain of the team server")       //
      ("tls-key", po::value<std::string>(), "PEM private key of the team server")              //
      ("users-file", po::value<std::string>(), "users and token hashes (dockgate token add)")  //
      ("allowed-host", po::value<std::vector<std::string>>(),
       "a Host header value to serve (name or name:port); repeatable (default: the listen "
       "address, and localhost on loopback)")  //
      ("allowed-origin", po::value<std::vector<std::string>>(),
       "an Origin allowed to call (e.g. https://tool.example); repeatable (default: none, "
       "requests with an Origin are refused)")  //
      ("session-idle-timeout", po::value<unsigned>(),
       "seconds after which an unused session ends (default 1800)")  //
      ("auth-failures-per-minute", po::value<unsigned>(),
       "failed authentications per remote address and minute before 429 (default 10)")  //
      ("http-insecure-loopback",
       "serve plain HTTP (no TLS): only on a loopback address, for local tests")  //
      ("http-test-no-auth",
       "TESTS ONLY: no authentication, every request is the principal 'conformance-test' with no "
       "roles; only on a loopback address, never with --users-file (for the MCP conformance "
       "suite)");
  flags.add(team);
  return flags;
}

std::string mark_text(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::vector<std::string> string_list(const YAML::Node& node, const std::string& file) {
  if (!node.IsSequence())
    throw std::runtime_error(mark_text(file, node.Mark()) + ": expected a list of strings");
  std::vector<std::string> values;
  for (const auto& item : node) values.push_back(item.as<std::string>());
  return values;
}

// The config file is strict, like policies: an unknown key is an error, not ignored.
Status apply_config_file(const std::string& file, ServeOptions& options) {
  try {
    const YAML::Node root = YAML::LoadFile(file);
    if (!root.IsMap()) return make_error(file + ": the config file must be a map");
    const std::set<std::string> top = {
        "engine",      "policies",      "audit_log",           "principal",       "roles",
        "secrets_dir", "registry_auth", "pull_budget_seconds", "workspace_roots", "audit"};
    for (const auto& entry : root) {
      const auto key = entry.first.Scalar();
      if (!top.contains(key)) {
        return make_error(mark_text(file, entry.first.Mark()) + ": unknown key '" + key +
                          "' (expected engine, policies, audit_log, principal, roles, secrets_dir, "
                          "registry_auth, pull_budget_seconds, workspace_roots, audit)");
      }
    }
    if (const auto engine = root["engine"]) {
      const std::set<std::string> keys = {
          "host",           "tls_verify", "cert_path", "allow_plain_tcp", "connect_timeout_ms",
          "read_timeout_ms"};
      for (const auto& entry : engine) {
        if (!keys.contains(entry.first.Scalar())) {
          return make_error(mark_text(file, entry.first.Mark()) + ": unknown engine key '" +
                            entry.first.Scalar() + "'");
        }
      }
      auto& e = options.engine;
      if (engine["host"]) e.host = engine["host"].as<std::string>();
      if (engine["tls_verify"]) e.tls_verify = engine["tls_verify"].as<bool>();
      if (engine["cert_path"]) e.cert_path = engine["cert_path"].as<std::string>();
      if (engine["allow_plain_tcp"]) e.allow_plain_tcp = engine["allow_plain_tcp"].as<bool>();
      if (engine["connect_timeout_ms"]) {
        e.connect_timeout = std::chrono::milliseconds(engine["connect_timeout_ms"].as<unsigned>());
      }
      if (engine["read_timeout_ms"]) {
        e.read_timeout = std::chrono::milliseconds(engine["read_timeout_ms"].as<unsigned>());
      }
    }
    if (root["policies"]) options.policy_paths = string_list(root["policies"], file);
    if (root["audit_log"]) options.audit_log_path = root["audit_log"].as<std::string>();
    if (root["audit"]) {
      if (auto applied = apply_audit_config(root["audit"], file, options.audit); !applied)
        return applied;
    }
    if (root["principal"]) options.principal = root["principal"].as<std::string>();
    if (root["roles"]) options.roles = string_list(root["roles"], file);
    if (root["secrets_dir"]) options.secrets_dir = root["secrets_dir"].as<std::string>();
    if (root["workspace_roots"])
      options.workspace_roots = string_list(root["workspace_roots"], file);
    if (root["registry_auth"]) {
      auto logins = registry_auth_from_config(root["registry_auth"], file);
      if (!logins) return logins.error();
      options.registry_auth = std::move(*logins);
    }
    if (root["pull_budget_seconds"]) {
      const auto seconds = root["pull_budget_seconds"].as<unsigned>();
      if (seconds < 1 || seconds > 3600)
        return make_error(mark_text(file, root["pull_budget_seconds"].Mark()) +
                          ": pull_budget_seconds must be 1..3600");
      options.pull_budget = std::chrono::seconds(seconds);
    }
  } catch (const YAML::BadConversion& e) {
    return make_error(mark_text(file, e.mark) + ": wrong type: " + e.msg);
  } catch (const YAML::Exception& e) {
    return make_error(mark_text(file, e.mark) + ": " + e.msg);
  } catch (const std::exception& e) {
    return make_error(e.what());
  }
  return Ok{};
}

Status apply_audit_flags(const po::variables_map& flags, AuditSettings& audit) {
  if (flags.count("audit-max-bytes")) {
    auto value =
        parse_audit_max_bytes(flags["audit-max-bytes"].as<std::string>(), "--audit-max-bytes");
    if (!value) return value.error();
    audit.writer.max_bytes = *value;
  }
  if (flags.count("audit-max-age")) {
    auto value = parse_audit_max_age(flags["audit-max-age"].as<std::string>(), "--audit-max-age");
    if (!value) return value.error();
    audit.writer.max_age = *value;
  }
  if (flags.count("audit-failure")) {
    auto value = parse_audit_failure(flags["audit-failure"].as<std::string>(), "--audit-failure");
    if (!value) return value.error();
    audit.writer.on_failure = *value;
  }
  if (flags.count("audit-checkpoint-every")) {
    auto value = parse_audit_checkpoint_every(flags["audit-checkpoint-every"].as<std::string>(),
                                              "--audit-checkpoint-every");
    if (!value) return value.error();
    audit.writer.checkpoint_every = *value;
  }
  if (flags.count("audit-hmac-key-file"))
    audit.hmac_key_file = flags["audit-hmac-key-file"].as<std::string>();
  return load_audit_hmac_key(audit);
}

}  // namespace

std::string default_audit_log_path(const engine::EnvironmentLookup& environment) {
  if (auto state = environment("XDG_STATE_HOME"); state && !state->empty()) {
    return *state + "/dockgate/audit.jsonl";
  }
  if (auto home = environment("HOME"); home && !home->empty()) {
    return *home + "/.local/state/dockgate/audit.jsonl";
  }
  return "dockgate-audit.jsonl";
}

namespace {

// Everything about --http, after the other flags were applied.
Status apply_team_server_flags(const po::variables_map& flags, ServeOptions& options) {
  const char* team_only[] = {"tls-cert",
                             "tls-key",
                             "users-file",
                             "allowed-host",
                             "allowed-origin",
                             "session-idle-timeout",
                             "auth-failures-per-minute",
                             "http-insecure-loopback",
                             "http-test-no-auth"};
  if (!flags.count("http")) {
    for (const char* name : team_only) {
      if (flags.count(name)) {
        return make_error(std::string("--") + name + " only applies with --http ADDRESS:PORT");
      }
    }
    return Ok{};
  }
  if (flags.count("principal") || flags.count("role")) {
    return make_error(
        "--principal and --role are for stdio; with --http each call's principal is the user "
        "whose token it carries (the users file)");
  }
  auto address = parse_listen_address(flags["http"].as<std::string>());
  if (!address) return address.error();
  team_server::TeamServerConfig config;
  config.bind_host = address->first;
  config.port = address->second;
  if (flags.count("tls-cert")) config.tls_cert_file = flags["tls-cert"].as<std::string>();
  if (flags.count("tls-key")) config.tls_key_file = flags["tls-key"].as<std::string>();
  config.insecure_loopback = flags.count("http-insecure-loopback") > 0;
  config.test_no_auth = flags.count("http-test-no-auth") > 0;
  if (flags.count("allowed-host")) {
    config.allowed_hosts = flags["allowed-host"].as<std::vector<std::string>>();
  }
  if (flags.count("allowed-origin")) {
    config.allowed_origins = flags["allowed-origin"].as<std::vector<std::string>>();
  }
  for (const auto& value : config.allowed_hosts) {
    if (value.empty() || value.size() > 255 || value.find_first_of(" \t/,") != std::string::npos)
      return make_error("--allowed-host '" + value.substr(0, 80) +
                        "' is not a host name or name:port");
  }
  for (const auto& value : config.allowed_origins) {
    if (!(value.starts_with("https://") || value.starts_with("http://")) || value.size() > 255 ||
        value.find_first_of(" \t,") != std::string::npos || value.ends_with("/"))
      return make_error("--allowed-origin '" + value.substr(0, 80) +
                        "' is not an origin such as https://tool.example (scheme://host[:port], "
                        "no path)");
  }
  if (flags.count("session-idle-timeout")) {
    const auto seconds = flags["session-idle-timeout"].as<unsigned>();
    if (seconds < 1 || seconds > 7 * 24 * 3600)
      return make_error("--session-idle-timeout must be 1..604800 seconds");
    config.session_idle_timeout = std::chrono::seconds(seconds);
  }
  if (flags.count("auth-failures-per-minute")) {
    const auto count = flags["auth-failures-per-minute"].as<unsigned>();
    if (count < 1 || count > 100000)
      return make_error("--auth-failures-per-minute must be 1..100000");
    config.auth_failures_per_minute = count;
  }
  if (auto why = team_server::check_config(config); !why.empty()) return make_error(why);
  if (config.test_no_auth) {
    if (flags.count("users-file")) {
      return make_error(
          "--http-test-no-auth and --users-file exclude each other: the test mode checks no "
          "tokens");
    }
    options.http = std::move(config);
    return Ok{};
  }
  if (!flags.count("users-file")) {
    return make_error("--users-file is required with --http (create it with dockgate token add)");
  }
  options.users_file = flags["users-file"].as<std::string>();
  options.http = std::move(config);
  return Ok{};
}

}  // namespace

Result<std::pair<std::string, unsigned short>> parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  const std::string example = " (expected ADDRESS:PORT such as 127.0.0.1:8443 or [::1]:8443)";
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() || text.size() > 64) {
    return make_error("--http '" + text.substr(0, 64) + "' is not an address with a port" +
                      example);
  }
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return make_error("--http '" + text + "': unclosed '['" + example);
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port_text) > 65535) {
    return make_error("--http '" + text + "': the port must be a number 0..65535" + example);
  }
  return std::pair{host, static_cast<unsigned short>(std::stoul(port_text))};
}

std::string serve_usage() {
  std::ostringstream out;
  out << serve_flags();
  return out.str();
}

Result<ServeOptions> parse_serve_options(const std::vector<std::string>& args,
                                         const engine::EnvironmentLookup& environment) {
  po::variables_map flags;
  try {
    po::store(po::command_line_parser(args).options(serve_flags()).run(), flags);
    po::notify(flags);
  } catch (const po::error& e) {
    return make_error(std::string(e.what()) + " (see dockgate serve --help)");
  }
  ServeOptions options;
  if (flags.count("help")) {
    options.show_help = true;
    return options;
  }
  auto engine = engine::engine_config_from_environment(environment);
  if (!engine) return engine.error();
  options.engine = *engine;
  options.policy_paths = {"policies/default.yaml"};
  options.audit_log_path = default_audit_log_path(environment);
  if (flags.count("config")) {
    if (auto applied = apply_config_file(flags["config"].as<std::string>(), options); !applied) {
      return applied.error();
    }
  }
  if (flags.count("policy")) options.policy_paths = flags["policy"].as<std::vector<std::string>>();
  if (flags.count("audit-log")) options.audit_log_path = flags["audit-log"].as<std::string>();
  if (auto applied = apply_audit_flags(flags, options.audit); !applied) return applied.error();
  if (flags.count("principal")) options.principal = flags["principal"].as<std::string>();
  if (flags.count("role")) options.roles = flags["role"].as<std::vector<std::string>>();
  if (flags.count("docker-host")) options.engine.host = flags["docker-host"].as<std::string>();
  if (flags.count("tls-verify")) options.engine.tls_verify = true;
  if (flags.count("cert-path")) options.engine.cert_path = flags["cert-path"].as<std::string>();
  if (flags.count("allow-plain-tcp")) options.engine.allow_plain_tcp = true;
  if (flags.count("secrets-dir")) options.secrets_dir = flags["secrets-dir"].as<std::string>();
  if (flags.count("registry-auth-file")) {
    auto logins = load_registry_auth_file(flags["registry-auth-file"].as<std::string>());
    if (!logins) return logins.error();
    for (auto& [host, login] : *logins) options.registry_auth[host] = std::move(login);
  }
  if (flags.count("workspace-root"))
    options.workspace_roots = flags["workspace-root"].as<std::vector<std::string>>();
  for (auto& root : options.workspace_roots) {
    // Canonical, so that a build context is compared with the root the server really reads.
    std::error_code error;
    const auto canonical = std::filesystem::canonical(root, error);
    if (error || !std::filesystem::is_directory(canonical, error))
      return make_error("the workspace root '" + root +
                        "' is not a directory (--workspace-root / workspace_roots)");
    root = canonical.string();
  }
  if (auto team = apply_team_server_flags(flags, options); !team) return team.error();
  if (!options.secrets_dir.empty()) {
    // The engine bind-mounts <secrets_dir>/<name>: it needs an absolute path, and a folder
    // that is not there is a configuration mistake to report at start, not at the first run.
    std::error_code error;
    const auto folder = std::filesystem::absolute(options.secrets_dir, error);
    if (error || !std::filesystem::is_directory(folder, error)) {
      return make_error("the secrets folder '" + options.secrets_dir +
                        "' is not a directory (--secrets-dir / secrets_dir)");
    }
    options.secrets_dir = folder.lexically_normal().string();
  }
  return options;
}

}  // namespace dockgate::cli
