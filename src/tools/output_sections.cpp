#include "tools/output_sections.hpp"

#include <cmath>
#include <cstdio>

#include "tools/json_fields.hpp"

namespace dockgate::tools {
namespace {

using nlohmann::json;

std::string section(const json& result, const std::string& stream) {
  std::string text = text_field(result, stream.c_str());
  if (text.empty()) return text;
  if (text.back() != '\n') text += '\n';
  if (result.value(stream + "_cut", false)) {
    const auto kept = text_field(result, stream.c_str()).size();
    text = "(output cut: showing the last " + std::to_string(kept) + " bytes of " +
           std::to_string(integer_field(result, (stream + "_bytes").c_str())) + ")\n" + text;
  }
  return text;
}

}  // namespace

ToolOutput render_output_sections(const json& engine_result) {
  std::string text = section(engine_result, "stdout");
  const std::string errors = section(engine_result, "stderr");
  if (!errors.empty()) text += "--- stderr ---\n" + errors;
  if (engine_result.value("incomplete", false)) {
    text += "(the engine's stream ended in the middle of a frame; its last part is missing)\n";
  }
  json structured = {{"stdout", text_field(engine_result, "stdout")},
                     {"stderr", text_field(engine_result, "stderr")},
                     {"stdout_bytes", integer_field(engine_result, "stdout_bytes")},
                     {"stderr_bytes", integer_field(engine_result, "stderr_bytes")},
                     {"cut", engine_result.value("stdout_cut", false) ||
                                 engine_result.value("stderr_cut", false)}};
  return ToolOutput{text, structured};
}

json output_schema_with(const json& extra_properties) {
  json properties = {{"stdout", {{"type", "string"}}},
                     {"stderr", {{"type", "string"}}},
                     {"stdout_bytes", {{"type", "integer"}}},
                     {"stderr_bytes", {{"type", "integer"}}},
                     {"cut", {{"type", "boolean"}}}};
  for (const auto& [key, value] : extra_properties.items()) properties[key] = value;
  return {{"type", "object"},
          {"properties", properties},
          {"required", {"stdout", "stderr", "stdout_bytes", "stderr_bytes", "cut"}}};
}

std::string seconds_text(double seconds) {
  if (std::abs(seconds - std::round(seconds)) < 0.05) {
    return std::to_string(static_cast<long long>(std::llround(seconds))) + "s";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
  return buffer;
}

}  // namespace dockgate::tools
