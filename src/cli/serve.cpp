#include "cli/serve.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "audit/audit_writer.hpp"
#include "cli/serve_team.hpp"
#include "engine/engine_client.hpp"
#include "gate/engine_executor.hpp"
#include "gate/gate.hpp"
#include "mcp/gate_tool_service.hpp"
#include "mcp/stdio_server.hpp"
#include "policy/policy.hpp"
#include "policy/policy_reloader.hpp"
#include "tools/tool.hpp"

namespace dockgate::cli {
namespace {

// stdout carries MCP only; the service log goes to stderr. Roo shows every stderr line
// without "INFO" in it as an error, so the level is spelled out on each line.
void log_to_stderr() {
  auto logger = spdlog::stderr_logger_mt("dockgate");
  logger->set_pattern("dockgate %Y-%m-%dT%H:%M:%S.%eZ %^%l%$: %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
}

int refuse_to_start(const std::string& what, const std::string& why) {
  spdlog::critical("cannot start: {}: {}", what, why);
  return 2;
}

}  // namespace

int serve(const ServeOptions& options) {
  log_to_stderr();
  // A client that goes away must end the session with EOF, not kill us with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  // Before any thread exists, so that only the policy reloader's thread ever takes SIGHUP.
  policy::PolicyReloader::block_sighup();

  auto policy = policy::PolicySet::load(options.policy_paths);
  if (!policy) return refuse_to_start("the policy does not load", policy.error().message);
  auto audit = audit::AuditWriter::open(options.audit_log_path, options.audit.writer);
  if (!audit) return refuse_to_start("the audit log cannot be opened", audit.error().message);
  auto engine = engine::EngineClient::create(options.engine);
  if (!engine)
    return refuse_to_start("the engine configuration is not usable", engine.error().message);

  const auto registry = tools::ToolRegistry::with_builtin_tools(options.workspace_roots);
  gate::ExecutionSettings settings;
  settings.secrets_dir = options.secrets_dir;
  if (options.pull_budget) settings.pull_budget = *options.pull_budget;
  for (const auto& [host, login] : options.registry_auth)
    settings.registry_auth[host] = gate::RegistryCredential{login.username, login.password};
  gate::EngineActionExecutor executor(**engine, settings);
  gate::Gate gate(registry, *policy, **audit, executor);
  mcp::GateToolService service(gate);
  // SIGHUP or a changed policy file: reload; a policy that does not load is rejected (logged,
  // audited) and the last good one stays active.
  policy::PolicyReloader reloader(
      options.policy_paths,
      [&gate](const policy::PolicyReloader::Loaded& loaded, std::string_view trigger) {
        gate.install_policy(loaded, trigger);
      });
  reloader.start();

  mcp::SessionContext context;  // stdio; the team server makes one per HTTP session
  context.session_id = "stdio";
  context.principal = options.principal.empty() ? auth::os_user_name() : options.principal;
  context.roles = options.roles;
  mcp::ServerIdentity identity;
  identity.version = DOCKGATE_VERSION;
  identity.instructions =
      "dockgate runs Docker commands through a security policy. A denied call says which "
      "rule refused it and how to comply: change the arguments accordingly and try again.";

  if (options.http) {
    const int code = serve_team(options, service, identity, **audit);
    reloader.stop();
    return code;
  }
  spdlog::info("serving MCP on stdio: engine {}, policy {} (sha256 {}), audit log {}, principal {}",
               (*engine)->endpoint(), (*policy)->files().front(), (*policy)->sha256().substr(0, 12),
               options.audit_log_path, context.principal);
  mcp::serve_stdio(std::cin, std::cout, service, identity, context);
  reloader.stop();
  spdlog::info("stdin closed: exiting");
  // The writer logs its final checkpoint when it closes, after the last record.
  return 0;
}

}  // namespace dockgate::cli
