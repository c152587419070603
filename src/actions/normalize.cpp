// Placeholder until the normalizers land: every parser refuses, so nothing unjudged passes.
#include "actions/normalize.hpp"

namespace dockgate::actions {
namespace {
Error not_yet() {
  return make_error("not implemented yet");
}
}  // namespace
Result<ImageRef> parse_image_reference(std::string_view) {
  return not_yet();
}
Result<std::vector<PortBinding>> parse_port_spec(std::string_view) {
  return not_yet();
}
Result<Mount> parse_volume_spec(std::string_view) {
  return not_yet();
}
Result<std::int64_t> parse_memory_bytes(std::string_view) {
  return not_yet();
}
Result<std::int64_t> parse_nano_cpus(std::string_view) {
  return not_yet();
}
Result<std::int64_t> parse_duration_ns(std::string_view) {
  return not_yet();
}
Result<RestartPolicy> parse_restart_policy(std::string_view) {
  return not_yet();
}
Result<std::string> normalize_capability(std::string_view) {
  return not_yet();
}
Result<std::string> normalize_security_opt(std::string_view) {
  return not_yet();
}
Result<std::string> parse_env_entry(std::string_view) {
  return not_yet();
}
Result<UserSpec> parse_user_spec(std::string_view) {
  return not_yet();
}
}  // namespace dockgate::actions
