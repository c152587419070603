// The policy loader must answer any text with a policy or an error, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "policy/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto policy = dockgate::policy::PolicySet::parse("fuzz.yaml", text);
  if (policy.ok()) {
    // A policy that loads must also decide without throwing.
    const dockgate::actions::Action action = dockgate::actions::ListContainers{};
    const dockgate::actions::Facts facts;
    const dockgate::auth::Principal who{"fuzz", {"dev"}};
    (void)(*policy)->decide({"docker_ps", action, facts, who, {}});
  }
  return 0;
}
