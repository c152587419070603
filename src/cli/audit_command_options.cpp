#include "cli/audit_command_options.hpp"

#include "audit/audit_writer.hpp"

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "cli/serve_options.hpp"

namespace dockgate::cli {
namespace {

namespace po = boost::program_options;

po::options_description filter_flags() {
  po::options_description flags("filters (a call matches when it matches all of them)");
  flags.add_options()                                                                           //
      ("principal", po::value<std::string>(), "calls by this principal (exact name)")           //
      ("tool", po::value<std::string>(), "calls of this MCP tool, e.g. docker_run")             //
      ("decision", po::value<std::string>(), "allow, deny, warn, invalid or unknown_tool")      //
      ("rule", po::value<std::string>(), "calls that violated or were warned by this rule id")  //
      ("since", po::value<std::string>(),
       "calls at or after this time: RFC 3339 (2026-11-27T18:30:00Z) or a UTC day (2026-11-27)")  //
      ("until", po::value<std::string>(),
       "calls at or before this time; a day alone means to the end of that day (UTC)")  //
      ("container", po::value<std::string>(),
       "calls naming this container (name, /name, or an id or id prefix of 12+ hex digits)")  //
      ("call-id", po::value<std::string>(), "the records of one call");
  return flags;
}

po::options_description verify_flags() {
  po::options_description flags(
      "dockgate audit verify [options] [FILE...]\n"
      "Checks that the files (the log and its rotated files, in any order) form one unbroken\n"
      "hash chain; prints every problem as FILE:LINE: what, then OK or FAILED.\n"
      "Exit: 0 intact, 1 problems found, 2 usage error or unreadable file.\n"
      "Without FILE: the default audit log and its rotated files.\n\noptions");
  flags.add_options()               //
      ("help,h", "show this help")  //
      ("checkpoint", po::value<std::vector<std::string>>(),
       "SEQ:HEAD or SEQ:HEAD:HMAC from an 'audit checkpoint:' line of the service log: the "
       "record with that seq must hash to HEAD (nothing up to it changed); repeatable")  //
      ("hmac-key-file", po::value<std::string>(),
       "the checkpoint HMAC key file, as given to dockgate serve --audit-hmac-key-file (its "
       "bytes without one trailing newline, 16 to 4096 bytes)")  //
      ("json", "print the report as JSON");
  return flags;
}

po::options_description query_flags() {
  po::options_description flags(
      "dockgate audit query [options] [FILE...]\n"
      "Prints the calls that match, intent and outcome joined by call_id, oldest first.\n"
      "Exit: 0, or 2 on a usage error or an unreadable file.\n\noptions");
  flags.add_options()               //
      ("help,h", "show this help")  //
      ("format", po::value<std::string>(),
       "table (default; time, principal, tool, decision, result, rules), jsonl (the records "
       "as written) or csv");
  flags.add(filter_flags());
  return flags;
}

po::options_description stats_flags() {
  po::options_description flags(
      "dockgate audit stats [options] [FILE...]\n"
      "Counts calls, denials, warnings and refusals by principal, tool, UTC day and rule.\n"
      "Exit: 0, or 2 on a usage error or an unreadable file.\n\noptions");
  flags.add_options()               //
      ("help,h", "show this help")  //
      ("json", "print the statistics as JSON");
  flags.add(filter_flags());
  return flags;
}

template <typename T>
std::string usage_of(const T& flags) {
  std::ostringstream out;
  out << flags;
  return out.str();
}

// Parses, and checks the length of every value and file name.
Result<po::variables_map> parse(const std::vector<std::string>& args,
                                const po::options_description& flags, const std::string& command) {
  po::positional_options_description files;
  files.add("file", -1);
  po::options_description all;
  all.add(flags);
  all.add_options()("file", po::value<std::vector<std::string>>());
  po::variables_map values;
  try {
    po::store(po::command_line_parser(args).options(all).positional(files).run(), values);
    po::notify(values);
  } catch (const po::error& e) {
    return make_error(std::string(e.what()) + " (see dockgate audit " + command + " --help)");
  }
  for (const auto& [name, value] : values) {
    std::vector<std::string> texts;
    if (const auto* one = boost::any_cast<std::string>(&value.value())) texts.push_back(*one);
    if (const auto* many = boost::any_cast<std::vector<std::string>>(&value.value())) texts = *many;
    for (const auto& text : texts) {
      const std::string label = name == "file" ? "a file name" : "--" + name;
      if (text.size() > kMaxAuditOptionBytes)
        return make_error(label + " is " + std::to_string(text.size()) +
                          " bytes long; the limit is " + std::to_string(kMaxAuditOptionBytes));
      if (text.find('\0') != std::string::npos) return make_error(label + " contains a NUL byte");
    }
  }
  return values;
}

Result<std::vector<std::string>> log_files(const po::variables_map& values,
                                           const engine::EnvironmentLookup& environment) {
  std::vector<std::string> files;
  if (values.count("file")) {
    files = values["file"].as<std::vector<std::string>>();
  } else {
    files = audit_log_with_rotated_files(default_audit_log_path(environment));
  }
  for (const auto& file : files) {
    std::error_code error;
    if (!std::filesystem::exists(file, error))
      return make_error(audit::printable(file) + ": no such audit log file");
    if (!std::filesystem::is_regular_file(file, error))
      return make_error(audit::printable(file) + ": not a regular file");
  }
  return files;
}

Result<audit::CallFilter> call_filter(const po::variables_map& values) {
  audit::CallFilter filter;
  const auto text = [&](const char* name) -> std::optional<std::string> {
    if (!values.count(name)) return std::nullopt;
    return values[name].as<std::string>();
  };
  filter.principal = text("principal");
  filter.tool = text("tool");
  filter.rule = text("rule");
  filter.container = text("container");
  filter.call_id = text("call-id");
  filter.decision = text("decision");
  if (filter.decision && *filter.decision != "allow" && *filter.decision != "deny" &&
      *filter.decision != "warn" && *filter.decision != "invalid" &&
      *filter.decision != "unknown_tool")
    return make_error("--decision '" + audit::printable(filter.decision->substr(0, 64)) +
                      "' is not a decision: expected allow, deny, warn, invalid or unknown_tool");
  if (auto since = text("since")) {
    auto parsed = audit::parse_audit_time(*since);
    if (!parsed) return make_error("--since " + audit::printable(parsed.error().message));
    filter.since = parsed->at;
  }
  if (auto until = text("until")) {
    auto parsed = audit::parse_audit_time(*until);
    if (!parsed) return make_error("--until " + audit::printable(parsed.error().message));
    // A day means the whole day; a time includes its own millisecond.
    filter.until_exclusive = parsed->date_only ? parsed->at + std::chrono::days{1}
                                               : parsed->at + std::chrono::milliseconds{1};
  }
  if (filter.since && filter.until_exclusive && *filter.since >= *filter.until_exclusive)
    return make_error("--since is after --until: no call can match");
  return filter;
}

// The same reading as the writer's (`dockgate serve --audit-hmac-key-file`), named by option.
Result<std::string> read_hmac_key(const std::string& path) {
  auto key = audit::read_hmac_key_file(path);
  if (!key) return make_error("--hmac-key-file: " + audit::printable(key.error().message));
  return key;
}

}  // namespace

std::vector<std::string> audit_log_with_rotated_files(const std::string& path) {
  const std::filesystem::path live(path);
  std::vector<std::string> files;
  const std::string stem = live.stem().string(), ext = live.extension().string();
  const auto escaped = [](const std::string& s) {
    return std::regex_replace(s, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  };
  const std::regex rotated(escaped(stem) + R"(-\d{8}T\d{6}Z(-\d+)?)" + escaped(ext));
  std::error_code error;
  const auto folder = live.parent_path().empty() ? std::filesystem::path(".") : live.parent_path();
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (std::regex_match(entry.path().filename().string(), rotated))
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());  // verify orders them by seq; this is a good guess
  files.push_back(path);
  return files;
}

std::string audit_verify_usage() {
  return usage_of(verify_flags());
}
std::string audit_query_usage() {
  return usage_of(query_flags());
}
std::string audit_stats_usage() {
  return usage_of(stats_flags());
}

Result<AuditVerifyOptions> parse_audit_verify_options(
    const std::vector<std::string>& args, const engine::EnvironmentLookup& environment) {
  auto values = parse(args, verify_flags(), "verify");
  if (!values) return values.error();
  AuditVerifyOptions options;
  if (values->count("help")) {
    options.show_help = true;
    return options;
  }
  options.json = values->count("json") > 0;
  bool any_hmac = false;
  if (values->count("checkpoint")) {
    for (const auto& text : (*values)["checkpoint"].as<std::vector<std::string>>()) {
      auto checkpoint = audit::parse_checkpoint(text);
      if (!checkpoint) return checkpoint.error();
      any_hmac = any_hmac || checkpoint->hmac.has_value();
      options.verify.checkpoints.push_back(*checkpoint);
    }
  }
  if (values->count("hmac-key-file")) {
    if (!any_hmac) return make_error("--hmac-key-file needs a --checkpoint SEQ:HEAD:HMAC to check");
    auto key = read_hmac_key((*values)["hmac-key-file"].as<std::string>());
    if (!key) return key.error();
    options.verify.hmac_key = *key;
  } else if (any_hmac) {
    return make_error("a --checkpoint with an HMAC needs --hmac-key-file");
  }
  auto files = log_files(*values, environment);
  if (!files) return files.error();
  options.files = *files;
  return options;
}

Result<AuditQueryOptions> parse_audit_query_options(const std::vector<std::string>& args,
                                                    const engine::EnvironmentLookup& environment) {
  auto values = parse(args, query_flags(), "query");
  if (!values) return values.error();
  AuditQueryOptions options;
  if (values->count("help")) {
    options.show_help = true;
    return options;
  }
  if (values->count("format")) {
    const auto& format = (*values)["format"].as<std::string>();
    if (format == "table") {
      options.format = audit::QueryFormat::table;
    } else if (format == "jsonl") {
      options.format = audit::QueryFormat::jsonl;
    } else if (format == "csv") {
      options.format = audit::QueryFormat::csv;
    } else {
      return make_error("--format '" + audit::printable(format.substr(0, 64)) +
                        "' is not a format: expected table, jsonl or csv");
    }
  }
  auto filter = call_filter(*values);
  if (!filter) return filter.error();
  options.filter = *filter;
  auto files = log_files(*values, environment);
  if (!files) return files.error();
  options.files = *files;
  return options;
}

Result<AuditStatsOptions> parse_audit_stats_options(const std::vector<std::string>& args,
                                                    const engine::EnvironmentLookup& environment) {
  auto values = parse(args, stats_flags(), "stats");
  if (!values) return values.error();
  AuditStatsOptions options;
  if (values->count("help")) {
    options.show_help = true;
    return options;
  }
  options.json = values->count("json") > 0;
  auto filter = call_filter(*values);
  if (!filter) return filter.error();
  options.filter = *filter;
  auto files = log_files(*values, environment);
  if (!files) return files.error();
  options.files = *files;
  return options;
}

}  // namespace dockgate::cli
