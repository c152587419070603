#!/usr/bin/env bash
# Configures and builds one build tree. Usage: scripts/build.sh DIR [cmake -D options...]
# All output goes to stderr, so that scripts/run.sh keeps stdout for MCP.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$1"
shift
cmake -S "$repo_root" -B "$build_dir" -G Ninja "$@" >&2
cmake --build "$build_dir" -j "$(nproc)" >&2
