// docker_build's context: the folder on the dockgate host packed as the tar the engine's
// POST /build takes. Read without following symlinks (each step opened with O_NOFOLLOW, so a
// link swapped in during the walk cannot lead outside), links stored as links, .dockerignore
// honoured (the Dockerfile and .dockerignore always sent, as docker does), entries in name
// order, owner 0:0, and the whole bounded in size.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace dockgate::gate {

struct ContextTar {
  std::string bytes;       // the tar, whole (sent as one body)
  std::string dockerfile;  // the Dockerfile's text, exactly as packed
  std::size_t entries = 0;
};

// context_dir: absolute, canonical. dockerfile: relative to it, no "..".
Result<ContextTar> make_context_tar(const std::string& context_dir, const std::string& dockerfile,
                                    std::uint64_t max_bytes);

}  // namespace dockgate::gate
