// The compose parser must answer any text with a project or an error, never a crash, a hang or
// unbounded memory (aliases, nesting and variable references included).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "compose/compose_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const dockgate::compose::ParseOptions options = [] {
    dockgate::compose::ParseOptions o;
    o.file_name = "compose.yaml";
    o.project_dir = "/work/project";
    o.variables = {{"TAG", "1.25"}, {"PORT", "8080"}, {"EMPTY", ""}};
    // One env_file exists (a small one); any other path is an error, as a missing file is.
    o.read_file = [](const std::string& path) -> dockgate::Result<std::string> {
      if (path == "/work/project/app.env") return std::string("A=1\nexport B='two'\n");
      return dockgate::make_error("no such file");
    };
    return o;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dockgate::compose::parse_compose(text, options);
  (void)dockgate::compose::parse_dotenv(text, ".env");
  (void)dockgate::compose::interpolate(text, options.variables);
  return 0;
}
