// Each normalizer answers any text with a value or an error, never a crash, a hang or an
// exception; the FUZZ_<name> definition picks which one this binary exercises.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "actions/normalize.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace dockgate::actions;
#if defined(FUZZ_image_reference)
  if (auto ref = parse_image_reference(text); ref.ok()) {
    // A normalized reference must parse again to itself.
    auto again = parse_image_reference(ref->full());
    if (!again.ok() || again->full() != ref->full()) __builtin_trap();
  }
#elif defined(FUZZ_user_spec)
  (void)parse_user_spec(text);
#elif defined(FUZZ_port_spec)
  if (auto ports = parse_port_spec(text); ports.ok() && ports->size() > 65536) __builtin_trap();
#elif defined(FUZZ_volume_spec)
  (void)parse_volume_spec(text);
#elif defined(FUZZ_security_opt)
  (void)normalize_security_opt(text);
#endif
  return 0;
}
