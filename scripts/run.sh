#!/usr/bin/env bash
# The run command: sets up the machine, builds dockgate, and serves MCP on stdio with
# policies/default.yaml. When no engine is configured (DOCKER_HOST unset) it starts the
# private dev engine (mutual TLS on tcp://127.0.0.1:2376) and uses it.
# Everything but MCP goes to stderr, so this script itself can be an MCP client's command.
# Extra arguments go to `dockgate serve` (see build-release/dockgate serve --help).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

scripts/setup.sh >&2
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release -DDOCKGATE_TESTS=OFF
if [[ -z "${DOCKER_HOST:-}" ]]; then
  scripts/dev-engine.sh start >&2
  eval "$(scripts/dev-engine.sh env)"
  export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH
fi
echo "run: dockgate serves MCP on stdio against $DOCKER_HOST; audit log: $repo_root/.dev/audit.jsonl" >&2
exec build-release/dockgate serve --policy policies/default.yaml \
  --audit-log "$repo_root/.dev/audit.jsonl" "$@"
