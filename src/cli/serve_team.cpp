#include "cli/serve_team.hpp"

#include <spdlog/spdlog.h>

#include "auth/bearer_tokens.hpp"
#include "http/team_server.hpp"

namespace dockgate::cli {
namespace {

// A failed authentication as an audit record (docs/audit.md): never the token itself.
nlohmann::json auth_failure_record(const team_server::AuthFailure& failure) {
  return {{"schema", audit::kAuditSchemaVersion},
          {"stage", "auth_failure"},
          {"time", audit::rfc3339_utc_ms(failure.time)},
          {"remote_address", failure.remote_address},
          {"reason", failure.reason}};
}

}  // namespace

int serve_team(const ServeOptions& options, mcp::ToolService& tools,
               const mcp::ServerIdentity& identity, audit::AuditWriter& audit) {
  if (options.http->test_no_auth) {
    spdlog::warn(
        "!!! --http-test-no-auth: NO AUTHENTICATION. Every request on {}:{} is the principal "
        "'{}' with no roles. This mode exists only for the MCP conformance suite; never use it "
        "for real work !!!",
        options.http->bind_host, options.http->port, team_server::kTestNoAuthPrincipal);
  }
  auto users = options.http->test_no_auth
                   ? auth::UserDirectory::parse("users:\n", "(no users file)")
                   : auth::UserDirectory::load(options.users_file);
  if (!users) {
    spdlog::critical("cannot start: the users file does not load: {}", users.error().message);
    return 2;
  }
  if (users->size() == 0 && !options.http->test_no_auth) {
    spdlog::warn(
        "the users file {} has no users yet: every request will be refused (add one "
        "with dockgate token add)",
        options.users_file);
  }
  team_server::TeamServerServices services{
      tools, identity, *users,
      [&audit](const team_server::AuthFailure& failure) {
        const auto record = auth_failure_record(failure);
        if (auto written = audit.append(record); !written) {
          spdlog::error("the audit log did not take an auth_failure record: {}",
                        written.error().message);
        }
      },
      [&](const std::string& url) {
        if (options.http->test_no_auth) {
          spdlog::warn(
              "team server listening on {} WITHOUT AUTHENTICATION (test mode); stop "
              "with SIGTERM",
              url);
          return;
        }
        spdlog::info("team server listening on {} ({} user entries from {}); stop with SIGTERM",
                     url, users->size(), options.users_file);
      }};
  if (auto served = team_server::serve(*options.http, services); !served) {
    spdlog::critical("cannot start the team server: {}", served.error().message);
    return 2;
  }
  spdlog::info("team server stopped");
  return 0;
}

}  // namespace dockgate::cli
