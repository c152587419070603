#include <gtest/gtest.h>

#include <sys/stat.h>
#include <filesystem>
#include <fstream>

#include "audit/audit_writer.hpp"

namespace dockgate::audit {
namespace {

TEST(AuditWriter, AppendsOneLinePerRecordCreatingTheFolderPrivately) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("dockgate-audit-" + std::to_string(::getpid()));
  const auto path = folder / "nested" / "audit.jsonl";
  {
    auto writer = AuditWriter::open(path.string());
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    ASSERT_TRUE((*writer)->append({{"n", 1}}).ok());
    ASSERT_TRUE((*writer)->append({{"n", 2}, {"text", "line\nbreak"}}).ok());
  }
  {
    auto again = AuditWriter::open(path.string());  // appends, never truncates
    ASSERT_TRUE((*again)->append({{"n", 3}}).ok());
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(lines[1])["text"], "line\nbreak");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  std::filesystem::remove_all(folder);
}

TEST(AuditWriter, UnopenableLogIsAClearError) {
  auto writer = AuditWriter::open("/proc/dockgate-cannot-exist/audit.jsonl");
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.error().message.find("audit log"), std::string::npos);
}

TEST(AuditWriter, FullDiskIsReportedNotIgnored) {
  auto writer = AuditWriter::open("/dev/full");
  ASSERT_TRUE(writer.ok());
  auto written = (*writer)->append({{"n", 1}});
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().message.find("No space left on device"), std::string::npos);
}

TEST(AuditTime, IsRfc3339UtcWithMilliseconds) {
  const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764267576123));
  EXPECT_EQ(rfc3339_utc_ms(when), "2025-11-27T18:19:36.123Z");
}

}  // namespace
}  // namespace dockgate::audit
