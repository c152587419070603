// Audited appends per second: each append is on disk (fdatasync) before it returns; with
// several threads, group commit lets them share one write()+fdatasync().
// Run: build/bench/dockgate_audit_bench --benchmark_min_time=2 (the log goes to
// $DOCKGATE_BENCH_DIR, default /var/tmp: a real disk, since fdatasync on tmpfs costs nothing).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "audit/audit_writer.hpp"

namespace {

namespace fs = std::filesystem;

std::unique_ptr<dockgate::audit::AuditWriter> g_writer;
fs::path g_folder;

// A record of the size a real intent record has (~600 bytes).
nlohmann::json sample_record(int thread) {
  return {{"schema", 2},
          {"stage", "intent"},
          {"call_id", "92ec0bf9391144d875e6d2ced66ca3c0"},
          {"time", "2026-11-27T18:30:23.165Z"},
          {"principal", {{"name", "alice"}, {"roles", {"developer"}}}},
          {"session", "stdio"},
          {"client", {{"name", "Roo Code"}, {"version", "3.52.1"}}},
          {"tool", "docker_ps"},
          {"arguments", {{"all", true}, {"thread", thread}}},
          {"decision", "allow"},
          {"action", {{"operation", "container.list"}, {"all", true}, {"filters", {}}}},
          {"policy_sha256", "408e5bbe0c5e4b2d8f2b1c5a9d3e7f60408e5bbe0c5e4b2d8f2b1c5a9d3e7f60"},
          {"violations", nlohmann::json::array()},
          {"allowed_by", {"read-only-tools"}}};
}

void BM_AuditedAppend(benchmark::State& state) {
  if (state.thread_index() == 0) {
    const char* base = std::getenv("DOCKGATE_BENCH_DIR");
    g_folder =
        fs::path(base ? base : "/var/tmp") / ("dockgate-audit-bench-" + std::to_string(::getpid()));
    fs::remove_all(g_folder);
    dockgate::audit::AuditWriterOptions options;
    options.checkpoint_every = 0;  // one checkpoint line at the end, not in the table
    g_writer =
        dockgate::audit::AuditWriter::open((g_folder / "audit.jsonl").string(), options).value();
  }
  const auto record = sample_record(state.thread_index());
  for (auto _ : state) {
    if (!g_writer->append(record).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    g_writer.reset();
    fs::remove_all(g_folder);
  }
}

BENCHMARK(BM_AuditedAppend)->Threads(1)->Threads(8)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
