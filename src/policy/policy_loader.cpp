// Reads policy YAML into rules. Strict on purpose: an unknown key, a wrong type or a missing
// field is an error with file:line:col, because a typo in a security rule must never turn
// into a rule that silently matches nothing.
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <regex>
#include <set>
#include <sstream>

#include "policy/loader_support.hpp"
#include "policy/mutations.hpp"
#include "policy/policy.hpp"

namespace dockgate::policy {
namespace {

using namespace loader;

constexpr const char* kApiVersion = "dockgate/v1";

RuleMatch read_match(const YAML::Node& node, const std::string& where, ErrorList& errors) {
  RuleMatch match;
  if (!node) return match;
  if (!node.IsMap()) {
    errors.add(node.Mark(), where + ": 'match' must be a map", code::kWrongType);
    return match;
  }
  check_keys(node, {"tools", "operations", "principals", "roles", "images"}, where + " match",
             errors);
  match.tools = read_string_list(node, "tools", where + " match", errors);
  match.operations = read_string_list(node, "operations", where + " match", errors);
  match.principals = read_string_list(node, "principals", where + " match", errors);
  match.roles = read_string_list(node, "roles", where + " match", errors);
  match.images = read_string_list(node, "images", where + " match", errors);
  return match;
}

std::optional<Rule> read_rule(const YAML::Node& node, std::size_t index, ErrorList& errors) {
  std::string where = "rule #" + std::to_string(index + 1);
  if (!node.IsMap()) {
    errors.add(node.Mark(), where + ": must be a map with id, title, effect, match, ...",
               code::kWrongType);
    return std::nullopt;
  }
  Rule rule;
  rule.file = errors.file();
  rule.line = node.Mark().line + 1;
  if (auto id = read_string(node, "id", where, errors, true)) {
    static const std::regex kIdPattern("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    if (!std::regex_match(*id, kIdPattern)) {
      errors.add(node["id"].Mark(), where + ": id '" + *id +
                                        "' must be letters, digits, '.', '_' or '-' (at most 128)");
    }
    rule.id = *id;
    where = "rule '" + *id + "'";
  }
  check_keys(node,
             {"id", "title", "description", "references", "effect", "mode", "match", "exclude",
              "require", "mutate", "message", "how_to_comply"},
             where, errors);
  rule.title = read_string(node, "title", where, errors, true).value_or("");
  rule.references = read_string_list(node, "references", where, errors);
  if (auto effect = read_string(node, "effect", where, errors, false)) {
    if (*effect == "allow") {
      rule.effect = RuleEffect::Allow;
    } else if (*effect == "deny") {
      rule.effect = RuleEffect::Deny;
    } else if (*effect == "mutate") {
      rule.effect = RuleEffect::Mutate;
    } else {
      errors.add(node["effect"].Mark(),
                 where + ": effect '" + *effect + "' is not one of: allow, deny, mutate");
    }
  }
  if (auto mode = read_string(node, "mode", where, errors, false)) {
    if (*mode == "enforce") {
      rule.mode = RuleMode::Enforce;
    } else if (*mode == "warn") {
      rule.mode = RuleMode::Warn;
    } else if (*mode == "audit") {
      rule.mode = RuleMode::Audit;
    } else {
      errors.add(node["mode"].Mark(),
                 where + ": mode '" + *mode + "' is not one of: enforce, warn, audit");
    }
    if (rule.effect != RuleEffect::Deny) {
      errors.add(node["mode"].Mark(), where + ": 'mode' applies to deny rules only");
    }
  }
  rule.match = read_match(node["match"], where, errors);
  if (const auto exclude = node["exclude"]) {
    if (!exclude.IsMap() || exclude.size() == 0) {
      errors.add(exclude.Mark(),
                 where +
                     ": 'exclude' must be a non-empty map (tools, operations, principals, "
                     "roles, images)",
                 code::kWrongType);
    } else {
      rule.exclude = read_match(exclude, where + " exclude", errors);
    }
  }
  const bool is_deny = rule.effect == RuleEffect::Deny;
  const bool is_mutate = rule.effect == RuleEffect::Mutate;
  if (const auto mutate = node["mutate"]) {
    if (!is_mutate) {
      errors.add(mutate.Mark(), where + ": 'mutate' applies to rules with effect: mutate only");
    } else {
      rule.mutate = read_mutation_spec(mutate, where + " mutate", errors);
    }
  } else if (is_mutate) {
    errors.add(node.Mark(), where + ": a rule with effect: mutate needs a 'mutate' block",
               code::kMissingValue);
  }
  if (is_mutate) {
    // A mutate rule changes calls; it neither denies nor explains a denial.
    for (const char* key : {"message", "how_to_comply"}) {
      if (node[key])
        errors.add(node[key].Mark(), where + ": '" + std::string(key) +
                                         "' does not apply to a mutate rule (it changes the "
                                         "call; deny rules judge it)");
    }
  }
  if (const auto require = node["require"]) {
    if (!is_deny) {
      errors.add(require.Mark(), where +
                                     ": 'require' applies to deny rules only (a deny rule "
                                     "with require denies the calls that do not meet it)");
    } else {
      rule.require = read_controls(require, where + " require", errors);
    }
  }
  if (!is_mutate) {
    rule.message = read_string(node, "message", where, errors, is_deny).value_or("");
    rule.how_to_comply = read_string(node, "how_to_comply", where, errors, false).value_or("");
  }
  rule.location = rule.file + ":" + std::to_string(rule.line);
  return rule;
}

std::optional<RuleException> read_exception(const YAML::Node& node, std::size_t index,
                                            ErrorList& errors) {
  const std::string where = "exception #" + std::to_string(index + 1);
  if (!node.IsMap()) {
    errors.add(node.Mark(), where + ": must be a map with rule, match, expires and ticket",
               code::kWrongType);
    return std::nullopt;
  }
  check_keys(node, {"rule", "match", "expires", "ticket", "reason"}, where, errors);
  RuleException exception;
  exception.file = errors.file();
  exception.line = node.Mark().line + 1;
  exception.rule_id = read_string(node, "rule", where, errors, true).value_or("");
  exception.match = read_match(node["match"], where, errors);
  exception.ticket = read_string(node, "ticket", where, errors, true).value_or("");
  exception.reason = read_string(node, "reason", where, errors, false).value_or("");
  if (!node["match"]) {
    errors.add(node.Mark(), where + ": 'match' is required (say whom and what it exempts)",
               code::kMissingValue);
  }
  if (auto expires = read_string(node, "expires", where, errors, true)) {
    static const std::regex kDate("([0-9]{4})-([0-9]{2})-([0-9]{2})");
    std::smatch parts;
    if (!std::regex_match(*expires, parts, kDate)) {
      errors.add(node["expires"].Mark(),
                 where + ": expires '" + *expires + "' must be a date YYYY-MM-DD");
    } else {
      using namespace std::chrono;
      const year_month_day date{year{std::stoi(parts[1])},
                                month{static_cast<unsigned>(std::stoi(parts[2]))},
                                day{static_cast<unsigned>(std::stoi(parts[3]))}};
      if (!date.ok()) {
        errors.add(node["expires"].Mark(), where + ": expires '" + *expires + "' is not a date");
      } else {
        exception.expires = *expires;
        // Valid through the whole named day (UTC).
        exception.expires_at = sys_days{date} + days{1};
      }
    }
  }
  return exception;
}

void read_document(const YAML::Node& root, ErrorList& errors, std::vector<Rule>& rules,
                   std::vector<RuleException>& exceptions) {
  if (!root.IsMap()) {
    errors.add(root.Mark(), "a policy file must be a map with apiVersion, kind, name and rules",
               code::kWrongType);
    return;
  }
  check_keys(root, {"apiVersion", "kind", "name", "description", "rules", "exceptions"}, "policy",
             errors);
  if (const auto list = root["exceptions"]) {
    if (!list.IsSequence()) {
      errors.add(list.Mark(), "policy: 'exceptions' must be a list of exceptions",
                 code::kWrongType);
    } else {
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (auto e = read_exception(list[i], i, errors)) exceptions.push_back(std::move(*e));
      }
    }
  }
  if (auto api = read_string(root, "apiVersion", "policy", errors, true);
      api && *api != kApiVersion) {
    errors.add(root["apiVersion"].Mark(),
               "policy: apiVersion '" + *api + "' is not supported (expected " + kApiVersion + ")");
  }
  if (auto kind = read_string(root, "kind", "policy", errors, true); kind && *kind != "Policy") {
    errors.add(root["kind"].Mark(),
               "policy: kind '" + *kind + "' is not supported (expected Policy)");
  }
  read_string(root, "name", "policy", errors, true);
  const auto list = root["rules"];
  if (!list || !list.IsSequence()) {
    errors.add(list ? list.Mark() : root.Mark(), "policy: 'rules' must be a list of rules",
               code::kWrongType);
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (auto rule = read_rule(list[i], i, errors)) rules.push_back(std::move(*rule));
  }
}

std::string sha256_hex(const std::vector<std::string>& contents) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const auto& text : contents) {
    // Length-prefixed, so that moving bytes between files changes the hash.
    const std::string prefix = std::to_string(text.size()) + ":";
    EVP_DigestUpdate(ctx, prefix.data(), prefix.size());
    EVP_DigestUpdate(ctx, text.data(), text.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  std::ostringstream hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(digest[i]);
  }
  return hex.str();
}

Result<std::shared_ptr<const PolicySet>> build(
    const std::vector<std::pair<std::string, std::string>>& named_texts) {
  std::vector<Rule> rules;
  std::vector<RuleException> exceptions;
  std::vector<std::string> problems;
  std::vector<std::string> contents;
  std::vector<std::string> files;
  for (const auto& [name, text] : named_texts) {
    files.push_back(name);
    contents.push_back(text);
    ErrorList errors(name);
    try {
      read_document(YAML::Load(text), errors, rules, exceptions);
    } catch (const YAML::Exception& e) {
      errors.add(e.mark, "not valid YAML: " + e.msg, code::kYamlSyntax);
    }
    if (!errors.empty()) problems.push_back(errors.joined());
  }
  std::map<std::string, const Rule*> seen;
  for (const auto& rule : rules) {
    auto [it, inserted] = seen.emplace(rule.id, &rule);
    if (!inserted) {
      problems.push_back(rule.file + ":" + std::to_string(rule.line) + ": " + code::kDuplicate +
                         " rule id '" + rule.id + "' is already used at " + it->second->file + ":" +
                         std::to_string(it->second->line));
    }
  }
  for (const auto& exception : exceptions) {
    const auto it = seen.find(exception.rule_id);
    if (it == seen.end() || it->second->effect != RuleEffect::Deny) {
      problems.push_back(exception.file + ":" + std::to_string(exception.line) + ": " +
                         code::kBadValue + " exception names rule '" + exception.rule_id +
                         "', which is not a deny rule of the loaded policy files");
    }
  }
  if (!problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += (text.empty() ? "" : "\n") + p;
    return make_error(text);
  }
  return std::shared_ptr<const PolicySet>(std::make_shared<PolicySet>(
      std::move(rules), sha256_hex(contents), std::move(files), std::move(exceptions)));
}

}  // namespace

Result<std::shared_ptr<const PolicySet>> PolicySet::load(const std::vector<std::string>& paths) {
  if (paths.empty())
    return make_error("no policy file given: dockgate denies everything without one");
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(path + ": cannot read the policy file");
    std::ostringstream content;
    content << in.rdbuf();
    texts.emplace_back(path, content.str());
  }
  return build(texts);
}

Result<std::shared_ptr<const PolicySet>> PolicySet::parse(const std::string& name,
                                                          const std::string& yaml_text) {
  return build({{name, yaml_text}});
}

}  // namespace dockgate::policy
