// Port publishing specs as docker's CLI reads them (go-connections nat.ParsePortSpec):
//   [ip:][hostPort:]containerPort[/protocol]
// split on every ':' so that the last part is the container port, the one before it the host
// port and everything before that the address ("[::1]" or a bare IPv6 address included).
// Ports and ranges are decimal 1..65535; protocol is tcp, udp or sctp (any case).
// Where docker is lenient we are stricter, never looser: an explicit host port 0, an empty
// protocol after '/', extra '/' parts and a host range for a single container port (which
// docker turns into a dynamic host range we cannot represent) are refused.
#include <arpa/inet.h>

#include <array>
#include <optional>
#include <string>

#include "actions/normalize.hpp"
#include "actions/normalize_text.hpp"

namespace dockgate::actions {
namespace {

using text::quoted;

constexpr std::size_t kMaxSpecLength = 128;
constexpr std::size_t kMaxBindings = 1024;

struct PortRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  std::uint32_t size() const { return last - first + 1; }
};

Result<std::uint32_t> parse_port(std::string_view digits, std::string_view role,
                                 std::string_view spec) {
  if (!text::all_digits(digits)) {
    return make_error(std::string(role) + " " + quoted(digits) + " in " + quoted(spec) +
                      " is not a port number: use 1-65535 or a range such as 8000-8010");
  }
  auto value = text::parse_uint(digits, 65535);
  if (!value || *value == 0) {
    return make_error("port " + std::string(digits.substr(0, 20)) + " is out of range 1-65535 in " +
                      quoted(spec));
  }
  return static_cast<std::uint32_t>(*value);
}

Result<PortRange> parse_range(std::string_view part, std::string_view role, std::string_view spec) {
  std::size_t dash = part.find('-');
  if (dash == std::string_view::npos) {
    auto port = parse_port(part, role, spec);
    if (!port) return port.error();
    return PortRange{*port, *port};
  }
  if (!text::all_digits(part.substr(0, dash)) || !text::all_digits(part.substr(dash + 1))) {
    return make_error(std::string(role) + " " + quoted(part) + " in " + quoted(spec) +
                      " is not a port number or range: use 1-65535 or e.g. 8000-8010 (no signs)");
  }
  auto first = parse_port(part.substr(0, dash), role, spec);
  if (!first) return first.error();
  auto last = parse_port(part.substr(dash + 1), role, spec);
  if (!last) return last.error();
  if (*last < *first) {
    return make_error(std::string(role) + " range " + quoted(part) + " in " + quoted(spec) +
                      " ends before it starts: write it low-high, e.g. 8000-8010");
  }
  return PortRange{*first, *last};
}

// Go's net.ParseIP, after stripping brackets: dotted IPv4 (no leading zeros) or IPv6 without a
// zone. Returned in canonical text form so the policy compares one spelling.
Result<std::string> parse_host_ip(std::string_view ip, std::string_view spec) {
  std::string_view bare = ip;
  if (!bare.empty() && bare.front() == '[') {
    if (bare.size() < 3 || bare.back() != ']') {
      return make_error("host address " + quoted(ip) + " in " + quoted(spec) +
                        " has an unclosed '[': write IPv6 addresses as [::1]");
    }
    bare = bare.substr(1, bare.size() - 2);
  }
  std::string address(bare);
  std::array<unsigned char, 16> raw{};
  std::array<char, INET6_ADDRSTRLEN> buffer{};
  if (inet_pton(AF_INET, address.c_str(), raw.data()) == 1) {
    if (!inet_ntop(AF_INET, raw.data(), buffer.data(), buffer.size()))
      return make_error("host address " + quoted(ip) + " could not be formatted");
    return std::string(buffer.data());
  }
  if (inet_pton(AF_INET6, address.c_str(), raw.data()) == 1) {
    if (!inet_ntop(AF_INET6, raw.data(), buffer.data(), buffer.size()))
      return make_error("host address " + quoted(ip) + " could not be formatted");
    return std::string(buffer.data());
  }
  return make_error("host address " + quoted(ip) + " in " + quoted(spec) +
                    " is not an IPv4 or IPv6 address: use e.g. 127.0.0.1 or [::1], or leave it "
                    "out for all interfaces (the spec is [ip:][hostPort:]containerPort[/proto])");
}

}  // namespace

Result<std::vector<PortBinding>> parse_port_spec(std::string_view spec) {
  if (spec.empty()) {
    return make_error(
        "port spec is empty: use [ip:][hostPort:]containerPort[/proto], e.g. 8080:80");
  }
  if (spec.size() > kMaxSpecLength) {
    return make_error("port spec " + quoted(spec) + " is longer than " +
                      std::to_string(kMaxSpecLength) + " characters");
  }
  if (text::has_space_or_control(spec)) {
    return make_error("port spec " + quoted(spec) + " contains whitespace or control characters");
  }

  // splitParts: the last ':' part is the container port, the one before the host port.
  std::string_view ip, host_part, container_part = spec;
  if (std::size_t last = spec.rfind(':'); last != std::string_view::npos) {
    container_part = spec.substr(last + 1);
    std::string_view before = spec.substr(0, last);
    std::size_t prev = before.rfind(':');
    if (prev == std::string_view::npos) {
      host_part = before;
    } else {
      host_part = before.substr(prev + 1);
      ip = before.substr(0, prev);
      if (ip.empty()) {
        return make_error("port spec " + quoted(spec) +
                          " has an empty host address before ':': leave out the address and its "
                          "':' for all interfaces");
      }
    }
  }

  std::string protocol = "tcp";
  if (std::size_t slash = container_part.find('/'); slash != std::string_view::npos) {
    std::string_view proto = container_part.substr(slash + 1);
    container_part = container_part.substr(0, slash);
    protocol = text::lower(proto);
    if (protocol != "tcp" && protocol != "udp" && protocol != "sctp") {
      return make_error("protocol " + quoted(proto) + " in " + quoted(spec) +
                        " is not supported: use tcp, udp or sctp");
    }
  }
  if (container_part.empty()) {
    return make_error("port spec " + quoted(spec) + " has no container port: use e.g. 8080:80");
  }

  std::string host_ip;
  if (!ip.empty()) {
    auto parsed = parse_host_ip(ip, spec);
    if (!parsed) return parsed.error();
    host_ip = std::move(parsed.value());
  }
  auto container = parse_range(container_part, "container port", spec);
  if (!container) return container.error();
  std::optional<PortRange> host;
  if (!host_part.empty()) {
    auto parsed = parse_range(host_part, "host port", spec);
    if (!parsed) return parsed.error();
    host = *parsed;
    if (host->size() != container->size()) {
      if (container->size() == 1) {
        return make_error("host port range " + quoted(host_part) + " in " + quoted(spec) +
                          " for a single container port is not supported: give one host port "
                          "(e.g. 8000:" +
                          std::string(container_part) + ") or equal ranges");
      }
      return make_error("host and container port ranges in " + quoted(spec) +
                        " differ in length: give equal ranges, e.g. 8000-8001:80-81");
    }
  }
  if (container->size() > kMaxBindings) {
    return make_error("port range in " + quoted(spec) + " has " +
                      std::to_string(container->size()) + " ports: at most " +
                      std::to_string(kMaxBindings) + " may be published at once");
  }

  std::vector<PortBinding> bindings;
  bindings.reserve(container->size());
  for (std::uint32_t i = 0; i < container->size(); ++i) {
    PortBinding binding;
    binding.host_ip = host_ip;
    binding.host_port = host ? static_cast<std::uint16_t>(host->first + i) : 0;
    binding.container_port = static_cast<std::uint16_t>(container->first + i);
    binding.protocol = protocol;
    bindings.push_back(std::move(binding));
  }
  return bindings;
}

}  // namespace dockgate::actions
