// Any JSON given as a tool's arguments is planned into an action or refused with an error;
// the first byte picks the tool.
#include <cstddef>
#include <cstdint>

#include "tools/tool.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto registry = dockgate::tools::ToolRegistry::with_builtin_tools();
  if (size < 1 || registry.all().empty()) return 0;
  const auto& tool = *registry.all()[data[0] % registry.all().size()];
  const auto arguments = nlohmann::json::parse(data + 1, data + size, nullptr, false);
  if (arguments.is_discarded()) return 0;
  (void)dockgate::tools::plan_call(tool, arguments);
  return 0;
}
