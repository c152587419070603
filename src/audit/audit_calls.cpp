#include "audit/audit_calls.hpp"

#include <algorithm>

namespace dockgate::audit {
namespace {

using nlohmann::json;

std::string text_at(const json& record, const json::json_pointer& pointer) {
  if (!record.contains(pointer)) return "";
  const auto& value = record.at(pointer);
  return value.is_string() ? value.get<std::string>() : "";
}

void add_rule_ids(const json& record, const char* list, std::vector<std::string>& out) {
  const auto found = record.find(list);
  if (found == record.end() || !found->is_array()) return;
  for (const auto& item : *found) {
    if (!item.is_object()) continue;
    const auto rule = item.find("rule");
    if (rule == item.end() || !rule->is_string()) continue;
    const auto& id = rule->get_ref<const std::string&>();
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
}

// Docker accepts a name with a leading '/' and any unambiguous prefix of a hex id.
bool names_container(const std::string& value, const std::string& wanted) {
  const auto strip = [](const std::string& s) { return s.starts_with('/') ? s.substr(1) : s; };
  const std::string a = strip(value), b = strip(wanted);
  if (a == b) return true;
  const auto hex = [](const std::string& s) {
    return s.size() >= 12 && std::all_of(s.begin(), s.end(), [](char c) {
             return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
  };
  return hex(a) && hex(b) && (a.starts_with(b) || b.starts_with(a));
}

}  // namespace

std::string AuditCall::call_id() const {
  return records.empty() ? "" : text_at(records.front(), "/call_id"_json_pointer);
}

std::string AuditCall::time() const {
  return records.empty() ? "" : text_at(records.front(), "/time"_json_pointer);
}

std::string AuditCall::principal() const {
  for (const auto& r : records)
    if (auto name = text_at(r, "/principal/name"_json_pointer); !name.empty()) return name;
  return "";
}

std::string AuditCall::tool() const {
  for (const auto& r : records)
    if (auto tool = text_at(r, "/tool"_json_pointer); !tool.empty()) return tool;
  return "";
}

std::string AuditCall::decision() const {
  for (const auto& r : records)
    if (auto decision = text_at(r, "/decision"_json_pointer); !decision.empty()) return decision;
  return "";
}

std::string AuditCall::result() const {
  for (auto r = records.rbegin(); r != records.rend(); ++r)
    if (auto result = text_at(*r, "/result"_json_pointer); !result.empty()) return result;
  return "";
}

std::vector<std::string> AuditCall::violated_rules() const {
  std::vector<std::string> out;
  for (const auto& r : records) add_rule_ids(r, "violations", out);
  return out;
}

std::vector<std::string> AuditCall::warned_rules() const {
  std::vector<std::string> out;
  for (const auto& r : records) add_rule_ids(r, "warnings", out);
  return out;
}

std::vector<std::string> AuditCall::rules() const {
  std::vector<std::string> out;
  for (const auto& r : records) {
    add_rule_ids(r, "violations", out);
    add_rule_ids(r, "warnings", out);
    add_rule_ids(r, "audit_findings", out);
  }
  return out;
}

std::vector<std::string> AuditCall::containers() const {
  std::vector<std::string> out;
  for (const auto& r : records) {
    for (const char* pointer :
         {"/arguments/container", "/action/container", "/action/container/name"}) {
      if (auto value = text_at(r, json::json_pointer(pointer)); !value.empty())
        out.push_back(value);
    }
    const std::string operation = text_at(r, "/action/operation"_json_pointer);
    if (operation.starts_with("container") || text_at(r, "/tool"_json_pointer) == "docker_run") {
      if (auto name = text_at(r, "/arguments/name"_json_pointer); !name.empty())
        out.push_back(name);
    }
    const std::string type = text_at(r, "/action/type"_json_pointer);
    if (type == "container" || type == "any") {
      if (auto object = text_at(r, "/action/object"_json_pointer); !object.empty())
        out.push_back(object);
    }
  }
  return out;
}

bool CallFilter::matches(const AuditCall& call) const {
  if (principal && call.principal() != *principal) return false;
  if (tool && call.tool() != *tool) return false;
  if (decision && call.decision() != *decision) return false;
  if (call_id && call.call_id() != *call_id) return false;
  if (rule) {
    const auto ids = call.rules();
    if (std::find(ids.begin(), ids.end(), *rule) == ids.end()) return false;
  }
  if (container) {
    const auto names = call.containers();
    if (std::none_of(names.begin(), names.end(),
                     [&](const std::string& n) { return names_container(n, *container); }))
      return false;
  }
  if (since || until_exclusive) {
    const auto when = parse_audit_time(call.time());
    if (!when || when->date_only) return false;  // a record without a time is in no range
    if (since && when->at < *since) return false;
    if (until_exclusive && when->at >= *until_exclusive) return false;
  }
  return true;
}

void CallJoiner::add(json record, std::size_t bytes) {
  pending_bytes_ += bytes;
  const std::string stage = text_at(record, "/stage"_json_pointer);
  const std::string id = text_at(record, "/call_id"_json_pointer);
  if (!id.empty() && stage == "outcome") {
    if (const auto open = open_.find(id); open != open_.end()) {
      AuditCall& call = pending_[open->second - popped_];
      call.records.push_back(std::move(record));
      call.has_outcome = true;
      call.bytes += bytes;
      open_.erase(open);
      emit_ready();
      return;
    }
  }
  AuditCall call;
  call.has_intent = stage == "intent";
  call.has_outcome = stage == "outcome";
  call.records.push_back(std::move(record));
  call.bytes = bytes;
  // Only an intent waits for its outcome; anything else is complete as it is.
  if (call.has_intent && !id.empty()) open_[id] = popped_ + pending_.size();
  pending_.push_back(std::move(call));
  emit_ready();
}

void CallJoiner::emit_ready() {
  while (!pending_.empty()) {
    AuditCall& front = pending_.front();
    const bool waiting = front.has_intent && !front.has_outcome && !front.call_id().empty() &&
                         pending_.size() <= window_ && pending_bytes_ <= max_pending_bytes_;
    if (waiting) break;
    if (const auto open = open_.find(front.call_id());
        open != open_.end() && open->second == popped_)
      open_.erase(open);
    sink_(front);
    pending_bytes_ -= front.bytes;
    pending_.pop_front();
    ++popped_;
  }
}

void CallJoiner::finish() {
  window_ = 0;
  emit_ready();
}

std::uint64_t read_records(std::istream& in, const std::function<void(json, std::size_t)>& add,
                           std::size_t max_line_bytes) {
  std::uint64_t skipped = 0;
  LogLineReader reader(in, max_line_bytes);
  for (LogLine line; reader.next(line);) {
    if (line.oversized) {
      ++skipped;
      continue;
    }
    auto record = parse_record_line(line.text);
    if (!record) {
      ++skipped;
      continue;
    }
    add(std::move(*record), line.length);
  }
  return skipped;
}

}  // namespace dockgate::audit
