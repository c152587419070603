#include "gate/stream_frames.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dockgate::gate {
namespace {

std::string frame(unsigned char stream, const std::string& payload) {
  const auto size = static_cast<std::uint32_t>(payload.size());
  std::string out = {static_cast<char>(stream),
                     0,
                     0,
                     0,
                     static_cast<char>(size >> 24),
                     static_cast<char>((size >> 16) & 0xff),
                     static_cast<char>((size >> 8) & 0xff),
                     static_cast<char>(size & 0xff)};
  return out + payload;
}

TEST(FrameDemuxer, SplitsStdoutAndStderr) {
  FrameDemuxer demuxer(1024, false);
  demuxer.feed(frame(1, "out\n") + frame(2, "err\n") + frame(1, "more\n"));
  EXPECT_EQ(demuxer.out().text(), "out\nmore\n");
  EXPECT_EQ(demuxer.err().text(), "err\n");
  EXPECT_FALSE(demuxer.ended_mid_frame());
  EXPECT_FALSE(demuxer.malformed());
}

TEST(FrameDemuxer, FramesSplitAtEveryByteBoundaryGiveTheSameResult) {
  const std::string body = frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "") + frame(1, "x");
  for (std::size_t piece = 1; piece <= body.size(); ++piece) {
    FrameDemuxer demuxer(1024, false);
    for (std::size_t at = 0; at < body.size(); at += piece) demuxer.feed(body.substr(at, piece));
    EXPECT_EQ(demuxer.out().text(), "hello\nx") << "piece " << piece;
    EXPECT_EQ(demuxer.err().text(), "oops\n") << "piece " << piece;
    EXPECT_FALSE(demuxer.ended_mid_frame());
  }
}

TEST(FrameDemuxer, StdinFramesCountAsStdoutAsDockerDoes) {
  FrameDemuxer demuxer(1024, false);
  demuxer.feed(frame(0, "echo\n"));
  EXPECT_EQ(demuxer.out().text(), "echo\n");
}

TEST(FrameDemuxer, TruncatedHeaderOrPayloadIsReportedAndWhatArrivedIsKept) {
  FrameDemuxer payload_cut(1024, false);
  payload_cut.feed(frame(1, "complete\n") + frame(2, "partial line\n").substr(0, 12));
  EXPECT_TRUE(payload_cut.ended_mid_frame());
  EXPECT_EQ(payload_cut.out().text(), "complete\n");
  EXPECT_EQ(payload_cut.err().text(), "part");

  FrameDemuxer header_cut(1024, false);
  header_cut.feed(frame(1, "a") + std::string("\x01\x00\x00", 3));
  EXPECT_TRUE(header_cut.ended_mid_frame());
  EXPECT_EQ(header_cut.out().text(), "a");
}

TEST(FrameDemuxer, HugeSizeFieldCostsNoMemoryBeyondTheCap) {
  FrameDemuxer demuxer(16, false);
  std::string header = {1, 0, 0, 0, '\xff', '\xff', '\xff', '\xff'};
  demuxer.feed(header);
  demuxer.feed(std::string(1000, 'a') + "\nlast line\n");
  EXPECT_TRUE(demuxer.ended_mid_frame());  // 4 GiB announced, 1 KiB arrived
  EXPECT_EQ(demuxer.out().total_bytes(), 1011u);
  EXPECT_TRUE(demuxer.out().cut());
  EXPECT_LE(demuxer.out().kept_size(), 16u);
  EXPECT_EQ(demuxer.out().text(), "last line\n");
}

TEST(FrameDemuxer, UnknownStreamTypeStopsTheSplitAsMalformed) {
  FrameDemuxer demuxer(1024, false);
  demuxer.feed(frame(1, "ok\n") + frame(7, "junk") + frame(1, "after\n"));
  EXPECT_TRUE(demuxer.malformed());
  EXPECT_EQ(demuxer.out().text(), "ok\n");
}

TEST(FrameDemuxer, RawModeKeepsEverythingAsStdout) {
  FrameDemuxer demuxer(1024, true);
  demuxer.feed(std::string("\x01\x00\x00\x00 tty output\n", 16));
  EXPECT_EQ(demuxer.out().total_bytes(), 16u);
  EXPECT_EQ(demuxer.err().total_bytes(), 0u);
  EXPECT_FALSE(demuxer.ended_mid_frame());
}

TEST(StreamTail, KeepsOnlyTheLastBytesAndStartsAtALine) {
  StreamTail tail(10);
  for (int i = 0; i < 100; ++i) tail.append("line " + std::to_string(i) + "\n");
  EXPECT_TRUE(tail.cut());
  EXPECT_EQ(tail.text(), "line 99\n");
  EXPECT_LE(tail.kept_size(), 10u);
  EXPECT_GT(tail.total_bytes(), 100u);

  StreamTail small(10);
  small.append("abc");
  EXPECT_FALSE(small.cut());
  EXPECT_EQ(small.text(), "abc");

  StreamTail one_long_line(4);
  one_long_line.append("abcdefgh");
  EXPECT_EQ(one_long_line.text(), "efgh");  // no line start to move to: the bytes as they are
}

}  // namespace
}  // namespace dockgate::gate
