#!/usr/bin/env bash
# The run command: sets up the machine, builds dockgate, and serves MCP with
# policies/default.yaml. When no engine is configured (DOCKER_HOST unset) it starts the
# private dev engine (mutual TLS on tcp://127.0.0.1:2376) and uses it.
#
#   scripts/run.sh [serve options]        MCP on stdio. Everything but MCP goes to stderr, so
#                                         this script itself can be an MCP client's command.
#   scripts/run.sh team [serve options]   the team server on https://127.0.0.1:8443/mcp with the
#                                         dev certificates and a fresh token for $USER; prints
#                                         Roo's configuration (docs/team-server.md)
# Extra arguments go to `dockgate serve` (see build-release/dockgate serve --help).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

mode=stdio
if [[ "${1:-}" == team ]]; then
  mode=team
  shift
fi

scripts/setup.sh >&2
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release -DDOCKGATE_TESTS=OFF
if [[ -z "${DOCKER_HOST:-}" ]]; then
  scripts/dev-engine.sh start >&2
  eval "$(scripts/dev-engine.sh env)"
  export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH
fi

if [[ "$mode" == stdio ]]; then
  echo "run: dockgate serves MCP on stdio against $DOCKER_HOST; audit log: $repo_root/.dev/audit.jsonl" >&2
  exec build-release/dockgate serve --policy policies/default.yaml \
    --audit-log "$repo_root/.dev/audit.jsonl" "$@"
fi

certs="$repo_root/.dev/certs"
certs/make-dev-certs.sh "$certs" >&2
users="$repo_root/.dev/team-users.yaml"
user="${USER:-$(id -un)}"
token="$(build-release/dockgate token add "$user" --role developer --users-file "$users" 2>/dev/null)"
listen="${DOCKGATE_TEAM_LISTEN:-127.0.0.1:8443}"
cat >&2 <<INFO
run: team server on https://$listen/mcp against $DOCKER_HOST; audit log: $repo_root/.dev/audit.jsonl
run: a new token for '$user' (shown only now; its hash is in $users):

  export DOCKGATE_TOKEN=$token
  export NODE_EXTRA_CA_CERTS=$certs/ca/ca.pem   # VS Code must trust the dev CA

run: Roo's MCP settings (mcp_settings.json), then start VS Code from that shell:
{
  "mcpServers": {
    "docker-team": {
      "type": "streamable-http",
      "url": "https://$listen/mcp",
      "headers": { "Authorization": "Bearer \${env:DOCKGATE_TOKEN}" }
    }
  }
}
INFO
exec build-release/dockgate serve --policy policies/default.yaml \
  --audit-log "$repo_root/.dev/audit.jsonl" --http "$listen" \
  --tls-cert "$certs/server/cert.pem" --tls-key "$certs/server/key.pem" --users-file "$users" "$@"
