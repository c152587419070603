// The images a Dockerfile builds from, read the way docker's classic builder reads them, so
// the policy can judge them before the context is sent. Pure: the text is given, no I/O.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "actions/container_spec.hpp"
#include "common/result.hpp"

namespace dockgate::tools {

struct DockerfileImages {
  std::vector<actions::ImageRef> images;  // each FROM and COPY --from image, in order
  std::vector<std::string> stages;        // stage names (FROM ... AS name), lower-cased
};

// Reads FROM [--platform=...] image [AS name] and COPY --from=image. Line continuations, the
// escape directive, comments and lower-case instructions are handled as docker does. ${VAR},
// $VAR, ${VAR:-default} and ${VAR:+alt} in a FROM are substituted from the ARGs declared before
// the first FROM (their defaults, overridden by build_args). Stage names and "scratch" are not
// images. Refused: no FROM, an undeclared variable, an unknown flag, a reference docker's
// grammar rejects.
Result<DockerfileImages> parse_dockerfile_images(
    std::string_view dockerfile, const std::map<std::string, std::string>& build_args);

}  // namespace dockgate::tools
