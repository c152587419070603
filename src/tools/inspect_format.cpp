#include "tools/inspect_format.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace dockgate::tools {
namespace {

using nlohmann::json;

const char* kSupported =
    "supported forms are {{.Field.Sub}}, {{json .Field.Sub}}, {{index .Field \"key\"}} (or an "
    "integer position for a list), {{json (index .Field \"key\")}} and "
    "{{(index .Field \"key\").Sub}}, with any text around them";

// A value during evaluation: nullptr when a field or key is missing (Go prints "<no value>").
using Value = const json*;

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Evaluates the inside of one {{...}} against the object. A small recursive-descent parser
// over the grammar in kSupported; everything outside it is refused, never guessed at.
class ActionEvaluator {
 public:
  ActionEvaluator(std::string_view action, const json& root) : text_(action), root_(root) {}

  Result<std::string> run() {
    skip_spaces();
    const bool as_json = take_word("json");
    Value value = nullptr;
    const bool parsed = (!as_json && peek_word("index")) ? index_call(value) : operand(value);
    if (!parsed) return failure();
    skip_spaces();
    if (pos_ != text_.size()) return unsupported();
    if (value == nullptr) return std::string(as_json ? "null" : "<no value>");
    if (as_json) return value->dump(-1, ' ', false, json::error_handler_t::replace);
    if (value->is_string()) return value->get<std::string>();
    if (value->is_null()) return std::string("<nil>");
    return value->dump(-1, ' ', false, json::error_handler_t::replace);
  }

 private:
  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }

  bool peek_word(std::string_view word) const {
    if (text_.substr(pos_, word.size()) != word) return false;
    const auto after = pos_ + word.size();
    return after == text_.size() || text_[after] == ' ' || text_[after] == '\t' ||
           text_[after] == '(';
  }

  bool take_word(std::string_view word) {
    if (!peek_word(word)) return false;
    pos_ += word.size();
    skip_spaces();
    return true;
  }

  // operand := path | '(' (index_call | operand) ')' fields
  bool operand(Value& value) {
    skip_spaces();
    if (pos_ < text_.size() && text_[pos_] == '(') {
      ++pos_;
      skip_spaces();
      if (!(peek_word("index") ? index_call(value) : operand(value))) return false;
      skip_spaces();
      if (pos_ >= text_.size() || text_[pos_] != ')') return false;
      ++pos_;
      return fields(value);
    }
    if (pos_ >= text_.size() || text_[pos_] != '.') return false;
    value = &root_;
    // "." alone is the whole object.
    if (pos_ + 1 >= text_.size() || !is_identifier_char(text_[pos_ + 1])) {
      ++pos_;
      return true;
    }
    return fields(value);
  }

  // fields := ('.' identifier)*, directly adjacent as in Go.
  bool fields(Value& value) {
    while (pos_ < text_.size() && text_[pos_] == '.') {
      const auto start = ++pos_;
      while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;
      if (pos_ == start) return false;
      if (value == nullptr || !value->is_object()) {
        value = nullptr;
        continue;
      }
      const auto found = value->find(std::string(text_.substr(start, pos_ - start)));
      value = found == value->end() ? nullptr : &*found;
    }
    return true;
  }

  // index_call := 'index' operand key+ ; key := "string" | integer
  bool index_call(Value& value) {
    if (!take_word("index")) return false;
    if (!operand(value)) return false;
    std::size_t keys = 0;
    while (true) {
      const auto before = pos_;
      skip_spaces();
      if (pos_ >= text_.size() || text_[pos_] == ')') break;
      if (pos_ == before) return false;  // keys are separated by spaces, as in Go
      if (!index_key(value)) return false;
      ++keys;
    }
    return keys > 0;
  }

  bool index_key(Value& value) {
    if (text_[pos_] == '"') {
      std::string key;
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        // Only \" and \\ as escapes: enough for label keys, and nothing to misread.
        if (text_[pos_] == '\\') {
          if (pos_ + 1 >= text_.size() || (text_[pos_ + 1] != '"' && text_[pos_ + 1] != '\\')) {
            return false;
          }
          ++pos_;
        }
        key += text_[pos_++];
      }
      if (pos_ >= text_.size()) return false;
      ++pos_;
      return apply_key(value, key);
    }
    const auto start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])) != 0) {
      ++pos_;
    }
    if (pos_ == start || pos_ - start > 9) return false;
    return apply_position(value, std::stoul(std::string(text_.substr(start, pos_ - start))));
  }

  bool apply_key(Value& value, const std::string& key) {
    if (value == nullptr || value->is_null()) {
      value = nullptr;
      return true;
    }
    if (!value->is_object()) {
      runtime_error_ = "cannot index " + std::string(value->type_name()) + " with \"" + key +
                       "\" (a string key needs a map such as .Config.Labels)";
      return false;
    }
    const auto found = value->find(key);
    value = found == value->end() ? nullptr : &*found;
    return true;
  }

  bool apply_position(Value& value, std::size_t position) {
    if (value == nullptr || value->is_null()) {
      value = nullptr;
      return true;
    }
    if (!value->is_array()) {
      runtime_error_ = "cannot index " + std::string(value->type_name()) + " with " +
                       std::to_string(position) + " (an integer position needs a list)";
      return false;
    }
    if (position >= value->size()) {
      runtime_error_ = "index " + std::to_string(position) + " out of range for a list of " +
                       std::to_string(value->size());
      return false;
    }
    value = &(*value)[position];
    return true;
  }

  Error failure() const {
    if (runtime_error_.empty()) return unsupported();
    return make_error("format: '{{" + std::string(text_) + "}}': " + runtime_error_);
  }

  Error unsupported() const {
    return make_error("format: '{{" + std::string(text_) + "}}' is not supported; " + kSupported);
  }

  std::string_view text_;
  const json& root_;
  std::size_t pos_ = 0;
  std::string runtime_error_;
};

// Environment variable names whose values are credentials often enough that showing them to
// the model is the wrong default (issue 3).
bool is_secret_like_name(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kMarkers = {
      "PASSWORD", "PASSWD",      "SECRET",     "TOKEN",      "API_KEY",
      "APIKEY",   "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY", "AUTH"};
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return std::any_of(kMarkers.begin(), kMarkers.end(), [&](std::string_view marker) {
    return upper.find(marker) != std::string::npos;
  });
}

void redact_environment_list(json& environment) {
  if (!environment.is_array()) return;
  for (auto& entry : environment) {
    if (!entry.is_string()) continue;
    const auto& text = entry.get_ref<const std::string&>();
    const auto equals = text.find('=');
    if (equals == std::string::npos) continue;
    if (is_secret_like_name(std::string_view(text).substr(0, equals))) {
      entry = text.substr(0, equals + 1) + std::string(kRedactedValue);
    }
  }
}

}  // namespace

Result<std::string> apply_inspect_format(std::string_view format, const json& object) {
  std::string out;
  std::size_t position = 0;
  while (position < format.size()) {
    const auto open = format.find("{{", position);
    if (open == std::string_view::npos) {
      out.append(format.substr(position));
      break;
    }
    out.append(format.substr(position, open - position));
    const auto close = format.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return make_error("format: '{{' at offset " + std::to_string(open) + " is never closed");
    }
    auto rendered = ActionEvaluator(format.substr(open + 2, close - open - 2), object).run();
    if (!rendered) return rendered.error();
    out += *rendered;
    position = close + 2;
  }
  return out;
}

json redact_secret_environment(json object) {
  // Containers and images both carry Config.Env; older engines also send an image's
  // ContainerConfig.Env, which holds the same values.
  for (const char* section : {"Config", "ContainerConfig"}) {
    const auto found = object.find(section);
    if (found == object.end() || !found->is_object()) continue;
    const auto environment = found->find("Env");
    if (environment != found->end()) redact_environment_list(*environment);
  }
  return object;
}

}  // namespace dockgate::tools
