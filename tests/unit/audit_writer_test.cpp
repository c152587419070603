// AuditWriter: the hash chain across reopen and rotation, torn-line recovery, group commit,
// failed writes, checkpoints and the failure action.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "audit/audit_chain.hpp"
#include "audit/audit_writer.hpp"
#include "audit_chain_check.hpp"

namespace dockgate::audit {
namespace {

namespace fs = std::filesystem;
using testing::chain_problem;
using testing::file_lines;
using testing::file_records;

class AuditWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("dockgate-audit-writer-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
    path_ = (folder_ / "audit.jsonl").string();
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
  }

  std::unique_ptr<AuditWriter> open(AuditWriterOptions options = {}) {
    auto writer = AuditWriter::open(path_, std::move(options));
    EXPECT_TRUE(writer.ok()) << (writer.ok() ? "" : writer.error().message);
    return writer.ok() ? std::move(*writer) : nullptr;
  }

  void append_n(AuditWriter& writer, int n, const std::string& tag = "r") {
    for (int i = 0; i < n; ++i) {
      auto written = writer.append({{"stage", "intent"}, {"call_id", tag + std::to_string(i)}});
      ASSERT_TRUE(written.ok()) << written.error().message;
    }
  }

  // The rotated files (oldest first by name order of their stamps) and then the live file.
  std::vector<std::string> chain_files() const {
    std::vector<std::string> rotated;
    for (const auto& entry : fs::directory_iterator(folder_)) {
      const auto name = entry.path().filename().string();
      if (name != "audit.jsonl" && name.starts_with("audit-")) rotated.push_back(entry.path());
    }
    // Rotated names sort by stamp, then "-n" (before ".jsonl" only within the same second,
    // which the tests order by their own clock).
    std::sort(rotated.begin(), rotated.end(), [](const std::string& a, const std::string& b) {
      const auto key = [](const std::string& p) {
        const auto name = fs::path(p).stem().string();  // audit-20261128T011500Z[-n]
        const auto dash = name.find('-', 6);
        const int n = dash == std::string::npos ? 0 : std::stoi(name.substr(dash + 1));
        return std::pair(name.substr(6, 16), n);
      };
      return key(a) < key(b);
    });
    rotated.push_back(path_);
    return rotated;
  }

  fs::path folder_;
  std::string path_;
};

TEST_F(AuditWriterTest, EveryRecordGetsSeqAndThePreviousLinesHash) {
  auto writer = open();
  append_n(*writer, 3);
  const auto lines = file_lines(path_);
  ASSERT_EQ(lines.size(), 3u);
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["seq"], 1);
  EXPECT_EQ(first["prev"], std::string(kGenesisHash));
  EXPECT_EQ(nlohmann::json::parse(lines[2])["prev"], line_hash(lines[1]));
  EXPECT_EQ(chain_problem({path_}), "");
  EXPECT_EQ(writer->head().seq, 3u);
  EXPECT_EQ(writer->head().hash, line_hash(lines[2]));
}

TEST_F(AuditWriterTest, ReopeningContinuesTheChain) {
  append_n(*open(), 2);
  append_n(*open(), 2);
  const auto records = file_records(path_);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[3]["seq"], 4);
  EXPECT_EQ(chain_problem({path_}), "");
}

TEST_F(AuditWriterTest, TornLastLineIsCutOffAndARecoveryRecordContinuesTheChain) {
  append_n(*open(), 2);
  const std::string torn = R"({"call_id":"half","schema":2,"se)";
  std::ofstream(path_, std::ios::app) << torn;  // what kill -9 mid-write leaves
  append_n(*open(), 1, "after");
  const auto records = file_records(path_);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[2]["stage"], "recovery");
  EXPECT_EQ(records[2]["discarded_bytes"], torn.size());
  EXPECT_EQ(records[2]["discarded_sha256"], line_hash(torn));
  EXPECT_EQ(records[2]["seq"], 3);
  EXPECT_EQ(records[3]["call_id"], "after0");
  EXPECT_EQ(chain_problem({path_}), "");
}

TEST_F(AuditWriterTest, AFileOfOnlyATornLineStartsAFreshChain) {
  std::ofstream(path_) << "{\"call_id\":";
  auto writer = open();
  const auto records = file_records(path_);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["stage"], "recovery");
  EXPECT_EQ(chain_problem({path_}), "");
}

// Roo starts one stdio dockgate per window, all on the default log: they share one chain.
TEST_F(AuditWriterTest, TwoWritersOnTheSameLogExtendOneChain) {
  auto first = open();
  auto second = open();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      AuditWriter& writer = t % 2 == 0 ? *first : *second;
      for (int i = 0; i < 50; ++i) {
        auto written = writer.append({{"call_id", std::to_string(t) + "-" + std::to_string(i)}});
        EXPECT_TRUE(written.ok()) << written.error().message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto records = file_records(path_);
  ASSERT_EQ(records.size(), 200u);
  std::set<std::string> ids;
  for (const auto& record : records) ids.insert(record["call_id"].get<std::string>());
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(chain_problem({path_}), "");
}

TEST_F(AuditWriterTest, TwoWritersRotatingTheSameLogKeepOneChain) {
  AuditWriterOptions options;
  options.max_bytes = 4096;
  auto first = open(options);
  auto second = open(options);
  std::thread a([&] { append_n(*first, 60, "a"); });
  std::thread b([&] { append_n(*second, 60, "b"); });
  a.join();
  b.join();
  const auto files = chain_files();
  ASSERT_GE(files.size(), 2u);
  std::size_t total = 0;
  for (const auto& file : files) total += file_lines(file).size();
  EXPECT_EQ(total, 120u);
  EXPECT_EQ(chain_problem(files), "");
}

TEST_F(AuditWriterTest, AnotherWritersTornLineIsCutOffAndRecorded) {
  auto writer = open();
  append_n(*writer, 2);
  // Another dockgate on this log was killed in the middle of a write.
  std::ofstream(path_, std::ios::app) << R"({"call_id":"half-writ)";
  append_n(*writer, 1, "after");
  const auto records = file_records(path_);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[2]["stage"], "recovery");
  EXPECT_EQ(records[2]["discarded_bytes"], 21);
  EXPECT_EQ(records[3]["call_id"], "after0");
  EXPECT_EQ(chain_problem({path_}), "");
}

TEST_F(AuditWriterTest, ALastLineThatIsNotJsonRefusesToOpen) {
  std::ofstream(path_) << "this is not a record\n";
  auto writer = AuditWriter::open(path_);
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.error().message.find("is not a JSON record"), std::string::npos)
      << writer.error().message;
}

TEST_F(AuditWriterTest, AnUnchainedSchema1LogIsMovedAsideAndTheChainStartsAtOne) {
  std::ofstream(path_) << R"({"schema":1,"stage":"intent"})"
                       << "\n";
  append_n(*open(), 1);
  EXPECT_EQ(file_records(path_).at(0)["seq"], 1);
  ASSERT_EQ(chain_files().size(), 2u);  // the schema 1 file, renamed, and the new one
  EXPECT_EQ(file_lines(chain_files()[0]).size(), 1u);
}

TEST_F(AuditWriterTest, RotationBySizeKeepsTheChainAcrossFiles) {
  AuditWriterOptions options;
  options.max_bytes = 4096;
  auto writer = open(options);
  append_n(*writer, 60);  // ~100 bytes a line: several files
  const auto files = chain_files();
  ASSERT_GE(files.size(), 2u);
  for (const auto& file : files) EXPECT_LE(fs::file_size(file), 4096u) << file;
  EXPECT_EQ(chain_problem(files), "");
  std::size_t total = 0;
  for (const auto& file : files) total += file_lines(file).size();
  EXPECT_EQ(total, 60u);
}

TEST_F(AuditWriterTest, RotationByAgeNamesTheFileWithItsUtcTime) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1795828500));
  AuditWriterOptions options;
  options.max_age = std::chrono::hours(24);
  options.clock = [&] { return now; };
  auto writer = open(options);
  append_n(*writer, 2);
  now += std::chrono::hours(25);
  append_n(*writer, 1, "next-day");
  EXPECT_TRUE(fs::exists(folder_ / "audit-20261129T021500Z.jsonl"));
  EXPECT_EQ(file_records(path_).at(0)["seq"], 3);
  EXPECT_EQ(chain_problem(chain_files()), "");
}

TEST_F(AuditWriterTest, AnEmptyLogContinuesItsNewestRotatedSibling) {
  AuditWriterOptions options;
  options.max_bytes = 4096;
  append_n(*open(options), 60);
  fs::remove(path_);  // e.g. moved away by an operator right after a rotation
  std::ofstream(path_).close();
  const auto before = chain_files();
  const auto last_rotated = file_records(before[before.size() - 2]).back();
  append_n(*open(), 1, "fresh");
  EXPECT_EQ(file_records(path_).at(0)["seq"], last_rotated["seq"].get<int>() + 1);
  EXPECT_EQ(chain_problem(chain_files()), "");
}

TEST_F(AuditWriterTest, GroupCommitKeepsEveryRecordOfConcurrentWriters) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  auto writer = open();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!writer->append({{"call_id", std::to_string(t) + "-" + std::to_string(i)}}).ok())
          ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  const auto records = file_records(path_);
  ASSERT_EQ(records.size(), std::size_t{kThreads * kPerThread});
  std::set<std::string> ids;
  for (const auto& record : records) ids.insert(record["call_id"].get<std::string>());
  EXPECT_EQ(ids.size(), records.size());
  EXPECT_EQ(chain_problem({path_}), "");
}

TEST_F(AuditWriterTest, AFailedWriteLeavesTheLogAndTheChainAsTheyWere) {
  bool disk_full = false;
  int full_writes = 0;
  AuditWriterOptions options;
  options.write = [&](int fd, const char* data, std::size_t size) -> ssize_t {
    if (!disk_full) return ::write(fd, data, size);
    // A short write, then no space: half a record reaches the file.
    if (full_writes++ % 2 == 0) return ::write(fd, data, size / 2);
    errno = ENOSPC;
    return -1;
  };
  auto writer = open(options);
  append_n(*writer, 2);
  const auto size_before = fs::file_size(path_);
  disk_full = true;
  auto refused = writer->append({{"call_id", "lost"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("No space left on device"), std::string::npos);
  EXPECT_NE(refused.error().message.find(path_), std::string::npos);
  EXPECT_EQ(fs::file_size(path_), size_before);
  EXPECT_EQ(writer->head().seq, 2u);
  disk_full = false;
  append_n(*writer, 1, "after");
  const auto records = file_records(path_);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2]["seq"], 3);
  EXPECT_EQ(records[2]["call_id"], "after0");
  EXPECT_EQ(chain_problem({path_}), "");
}

TEST_F(AuditWriterTest, HaltExitsWhenARecordCannotBeWritten) {
  EXPECT_EXIT(
      {
        AuditWriterOptions options;
        options.on_failure = AuditFailureAction::Halt;
        options.write = [](int, const char*, std::size_t) -> ssize_t {
          errno = ENOSPC;
          return -1;
        };
        auto writer = AuditWriter::open(path_, options);
        if (writer.ok()) (void)(*writer)->append({{"n", 1}});
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(3), "");
}

TEST_F(AuditWriterTest, CheckpointNamesFileSeqHeadAndSignsWithTheKey) {
  AuditWriterOptions options;
  options.hmac_key = "a-sixteen-byte-key!";
  auto writer = open(options);
  append_n(*writer, 2);
  const auto head = writer->head();
  EXPECT_EQ(writer->checkpoint_text(),
            "audit checkpoint: file=" + path_ + " seq=2 head=" + head.hash +
                " hmac=" + checkpoint_hmac(options.hmac_key, 2, head.hash));
  // openssl dgst -sha256 -hmac 'a-sixteen-byte-key!' of "7:abc"
  EXPECT_EQ(checkpoint_hmac("a-sixteen-byte-key!", 7, "abc"),
            "79992916e735141cb4d333eedd9b8ab9525445907a92a214eefbd35234e0fbd6");
}

// The service log of a scope, to read the checkpoints and warnings the writer logs.
class ServiceLogCapture {
 public:
  ServiceLogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    sink->set_pattern("%v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~ServiceLogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream text_;
};

TEST_F(AuditWriterTest, CheckpointsAreLoggedEveryNRecordsAndAtClose) {
  ServiceLogCapture log;
  AuditWriterOptions options;
  options.checkpoint_every = 3;
  options.hmac_key = "a-sixteen-byte-key!";
  {
    auto writer = open(options);
    append_n(*writer, 7);
  }
  const auto lines = file_lines(path_);
  // "audit checkpoint: file=F seq=N head=H hmac=M", one per service-log line.
  std::vector<std::string> seqs;
  const std::string text = log.text();
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("audit checkpoint: ")) continue;
    std::map<std::string, std::string> fields;
    std::istringstream words(line.substr(18));
    for (std::string word; words >> word;) {
      const auto equals = word.find('=');
      fields[word.substr(0, equals)] = word.substr(equals + 1);
    }
    const auto seq = std::stoul(fields["seq"]);
    seqs.push_back(fields["seq"]);
    EXPECT_EQ(fields["file"], path_);
    EXPECT_EQ(fields["head"], line_hash(lines.at(seq - 1)));
    EXPECT_EQ(fields["hmac"], checkpoint_hmac(options.hmac_key, seq, fields["head"]));
  }
  EXPECT_EQ(seqs, (std::vector<std::string>{"3", "6", "7"})) << text;  // 7: at close
}

TEST_F(AuditWriterTest, ATornLineIsReportedInTheServiceLog) {
  append_n(*open(), 1);
  std::ofstream(path_, std::ios::app) << "{\"half";
  ServiceLogCapture log;
  open();
  EXPECT_NE(log.text().find("ended with an incomplete line (6 bytes"), std::string::npos)
      << log.text();
}

TEST_F(AuditWriterTest, HmacKeyFileIsCheckedForSize) {
  const auto key_file = (folder_ / "key").string();
  std::ofstream(key_file) << "0123456789abcdef0123456789abcdef\n";
  auto key = read_hmac_key_file(key_file);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(*key, "0123456789abcdef0123456789abcdef");  // without the newline
  std::ofstream(key_file) << "short\n";
  EXPECT_FALSE(read_hmac_key_file(key_file).ok());
  std::ofstream(key_file) << std::string(5000, 'k');
  EXPECT_FALSE(read_hmac_key_file(key_file).ok());
  EXPECT_FALSE(read_hmac_key_file((folder_ / "missing").string()).ok());
  EXPECT_FALSE(read_hmac_key_file(folder_.string()).ok());  // a folder, not a key
}

}  // namespace
}  // namespace dockgate::audit
