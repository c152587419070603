#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (default 15 s)
# from the seed corpus in fuzz/corpus (copied: the committed corpus is never modified).
# A crash, a leak, a timeout or an out-of-memory fails the run and leaves the input in
# build-fuzz/findings/<target>/.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-15}"
build="$repo_root/build-fuzz"
cmake -S "$repo_root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug >&2
cmake --build "$build" -j "$(nproc)" >&2
failed=0
passed=0
for binary in "$build"/fuzz_*; do
  [[ -x "$binary" && -f "$binary" ]] || continue
  target="${binary##*/fuzz_}"
  work="$build/work/$target"
  findings="$build/findings/$target"
  rm -rf "$work" && mkdir -p "$work" "$findings"
  [[ -d "$repo_root/fuzz/corpus/$target" ]] && cp -r "$repo_root/fuzz/corpus/$target/." "$work/"
  if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$findings/" -print_final_stats=1 "$work" >"$build/$target.log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$target.log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $target: ok ($runs runs in ${seconds}s)" >&2
    passed=$((passed + 1))
  else
    echo "fuzz: $target: FAILED, see $build/$target.log and $findings/" >&2
    tail -30 "$build/$target.log" >&2
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed" >&2
[[ "$failed" == 0 ]]
