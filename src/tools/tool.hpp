// Tools: one per MCP tool. A tool validates its arguments against its schema and plans an
// action; after the engine ran that action, it renders the engine's answer for the model.
// A tool never talks to the engine itself.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "common/result.hpp"

namespace dockgate::tools {

struct ToolDefinition {
  std::string name;              // "docker_ps": fixed by the user's tool reference
  std::string title;             // "List containers"
  std::string description;       // written for a language model choosing a tool
  nlohmann::json input_schema;   // JSON Schema object, additionalProperties: false
  nlohmann::json output_schema;  // schema of the structured result (null: none)
  bool read_only = false;
  bool destructive = false;
  bool idempotent = false;
};

struct ToolOutput {
  std::string text;           // compact, like the docker CLI's output
  nlohmann::json structured;  // matches output_schema (null when the tool has none)
};

class Tool {
 public:
  virtual ~Tool() = default;
  virtual const ToolDefinition& definition() const = 0;
  // arguments is a JSON object already checked against definition().input_schema.
  virtual Result<actions::Action> plan(const nlohmann::json& arguments) const = 0;
  // engine_result is what the executor returned for the action (see gate).
  virtual ToolOutput render(const actions::Action& action, const nlohmann::json& engine_result,
                            std::chrono::system_clock::time_point now) const = 0;
};

class ToolRegistry {
 public:
  // Every tool dockgate offers, in a stable order.
  // workspace_roots: where docker_build may read build contexts (empty: it is refused).
  static ToolRegistry with_builtin_tools(const std::vector<std::string>& workspace_roots = {});

  void add(std::unique_ptr<Tool> tool);
  const Tool* find(std::string_view name) const;  // nullptr when unknown
  const std::vector<std::unique_ptr<Tool>>& all() const { return tools_; }

 private:
  std::vector<std::unique_ptr<Tool>> tools_;
};

// Checks arguments against a tool's input schema and plans the action: the one entry point
// the gate uses, so that no tool can skip validation.
Result<actions::Action> plan_call(const Tool& tool, const nlohmann::json& arguments);

}  // namespace dockgate::tools
