#!/usr/bin/env bash
# The test command: sets up the machine, then runs every test.
#   1. formatting (clang-format)
#   2. unit tests under AddressSanitizer + UndefinedBehaviorSanitizer   (ctest)
#   3. end-to-end tests with the official MCP TypeScript SDK, 1.12.0 and current (node --test),
#      over stdio and over the team server (HTTPS)
#   4. libFuzzer targets (policy loader, normalizers, JSON-RPC, tool arguments, users file,
#      team server HTTP requests), bounded time
#   5. unit + integration tests against the real engine over mutual TLS, and the policy
#      test cases (ctest, last)
# Uses the engine named by DOCKER_HOST & co. when set; otherwise starts the private dev engine
# (scripts/dev-engine.sh) and stops it again at the end.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
step() { printf '\n== %s\n' "$*" >&2; }

step "set-up"
scripts/setup.sh

step "formatting"
scripts/check-format.sh

step "build (debug) and build (ASan/UBSan)"
scripts/build.sh build -DCMAKE_BUILD_TYPE=Debug
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DDOCKGATE_SANITIZE=ON

if [[ -z "${DOCKER_HOST:-}" ]]; then
  step "dev engine"
  started_engine=0
  scripts/dev-engine.sh status >/dev/null 2>&1 || started_engine=1
  scripts/dev-engine.sh start
  if [[ "$started_engine" == 1 && "${DOCKGATE_KEEP_ENGINE:-}" != 1 ]]; then
    # Quietly, so that the output still ends with ctest's summary.
    trap 'scripts/dev-engine.sh stop >.dev/dev-engine-stop.log 2>&1 || cat .dev/dev-engine-stop.log >&2' EXIT
  fi
  eval "$(scripts/dev-engine.sh env)"
  # The dev engine also listens on its own unix socket: the engine client tests use both.
  export DOCKGATE_TEST_UNIX_SOCKET="unix:///run/dockgate-dev/docker.sock"
fi
export DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH

step "unit tests under ASan/UBSan"
ctest --test-dir build-asan -L unit --output-on-failure

step "end-to-end tests (node --test, MCP SDK 1.12.0 and current)"
(cd tests/e2e && DOCKGATE_BIN="$repo_root/build/dockgate" node --test)

step "fuzzing (libFuzzer, ${DOCKGATE_FUZZ_SECONDS:-10}s per target)"
scripts/fuzz.sh "${DOCKGATE_FUZZ_SECONDS:-10}"

step "unit and integration tests (real engine), policy test cases"
ctest --test-dir build --output-on-failure
