// .dockerignore as docker reads it (moby's dockerignore.ReadAll and patternmatcher): one pattern
// a line, '#' comments, '!' exceptions, *, ?, ** and [...] classes, paths cleaned, later
// patterns overriding earlier ones, and a path excluded when it or a parent folder matches.
// Pure: the file's text is given.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace dockgate::gate {

class DockerIgnore {
 public:
  // An unreadable pattern (a bad [class]) is an error: the file says to leave something out.
  static Result<DockerIgnore> parse(std::string_view text);

  // path: relative to the context, '/'-separated, no leading "./" ("src/app.log").
  bool excluded(std::string_view path) const;
  // True when some '!' pattern exists: an excluded folder must still be walked.
  bool has_exceptions() const { return has_exceptions_; }

 private:
  struct Pattern {
    std::string text;
    std::regex regex;
    bool exception = false;
  };
  std::vector<Pattern> patterns_;
  bool has_exceptions_ = false;
};

// Go's path.Clean on a '/'-separated path: "a//b/./c/../d/" -> "a/b/d"; "" -> ".".
std::string clean_path(std::string_view path);

}  // namespace dockgate::gate
