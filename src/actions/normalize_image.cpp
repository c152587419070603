// Image references with the semantics of distribution/reference (ParseNormalizedNamed):
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [domain "/"] component ("/" component)*
//   domain    := host [":" port]   (host: dotted labels or a bracketed IPv6 address)
//   component := [a-z0-9]+ ((("." | "_" | "__" | "-"+) [a-z0-9]+)*
//   tag       := [\w][\w.-]{0,127}
//   digest    := algorithm ":" hex   (sha256: 64, sha384: 96, sha512: 128 lower-case hex)
// The first component is a domain only when it contains '.' or ':', is "localhost" or has an
// upper-case letter; otherwise the domain is docker.io and a single component gets "library/".
#include <string>

#include "actions/normalize.hpp"
#include "actions/normalize_text.hpp"

namespace dockgate::actions {
namespace {

using text::quoted;

// The longest valid full form: name (255) ":" tag (128) "@" sha512 digest (135).
constexpr std::size_t kMaxReferenceLength = 520;
constexpr std::size_t kMaxNameLength = 255;  // reference.NameTotalLengthMax
constexpr std::size_t kMaxTagLength = 128;
constexpr std::string_view kDefaultDomain = "docker.io";

Error invalid(std::string_view ref, const std::string& why) {
  return make_error("image reference " + quoted(ref) + " is not valid: " + why);
}

// [a-z0-9]+ ((. | _ | __ | -+) [a-z0-9]+)*
bool is_path_component(std::string_view c) {
  if (c.empty() || !text::is_lower_alnum(c.front()) || !text::is_lower_alnum(c.back())) {
    return false;
  }
  std::size_t i = 0;
  while (i < c.size()) {
    if (text::is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    // A separator run: ".", "_", "__" or one or more '-'; it must be followed by alnum.
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      i += (i + 1 < c.size() && c[i + 1] == '_') ? 2 : 1;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return false;
    }
    if (i >= c.size() || !text::is_lower_alnum(c[i])) return false;
  }
  return true;
}

// domainComponent := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_label(std::string_view label) {
  if (label.empty() || !text::is_alnum(label.front()) || !text::is_alnum(label.back())) {
    return false;
  }
  for (char c : label)
    if (!text::is_alnum(c) && c != '-') return false;
  return true;
}

bool is_domain(std::string_view domain) {
  std::string_view host = domain;
  std::string_view port;
  if (!domain.empty() && domain.front() == '[') {
    std::size_t close = domain.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : domain.substr(1, close - 1)) {
      bool hex = text::is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':') return false;
    }
    std::string_view rest = domain.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (!text::all_digits(port)) return false;
    }
    return true;
  }
  std::size_t colon = domain.find(':');
  if (colon != std::string_view::npos) {
    host = domain.substr(0, colon);
    port = domain.substr(colon + 1);
    if (!text::all_digits(port)) return false;
  }
  for (std::string_view label : text::split(host, '.'))
    if (!is_domain_label(label)) return false;
  return true;
}

// [\w][\w.-]{0,127}
bool is_tag(std::string_view tag) {
  auto word = [](char c) { return text::is_alnum(c) || c == '_'; };
  if (tag.empty() || tag.size() > kMaxTagLength || !word(tag.front())) return false;
  for (char c : tag)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

Status check_digest(std::string_view ref, std::string_view digest) {
  std::size_t colon = digest.find(':');
  if (colon == std::string_view::npos) {
    return invalid(ref, "a digest is algorithm:hex, e.g. sha256:<64 hex digits>");
  }
  std::string_view algorithm = digest.substr(0, colon);
  std::string_view hex = digest.substr(colon + 1);
  std::size_t want = 0;
  if (algorithm == "sha256") want = 64;
  if (algorithm == "sha384") want = 96;
  if (algorithm == "sha512") want = 128;
  if (want == 0) {
    return invalid(ref, "digest algorithm " + quoted(algorithm) +
                            " is not supported: use sha256, sha384 or sha512");
  }
  bool lower_hex = hex.size() == want;
  for (char c : hex)
    if (!text::is_digit(c) && !(c >= 'a' && c <= 'f')) lower_hex = false;
  if (!lower_hex) {
    return invalid(ref, "a " + std::string(algorithm) + " digest needs exactly " +
                            std::to_string(want) + " lower-case hex digits");
  }
  return Ok{};
}

bool is_hex_identifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!text::is_digit(c) && !(c >= 'a' && c <= 'f')) return false;
  return true;
}

}  // namespace

Result<ImageRef> parse_image_reference(std::string_view ref) {
  if (ref.empty()) return make_error("image reference is empty: give a name such as nginx:1.25");
  if (ref.size() > kMaxReferenceLength) {
    return invalid(ref, "it is longer than " + std::to_string(kMaxReferenceLength) + " characters");
  }
  if (ref.find("://") != std::string_view::npos) {
    return invalid(ref, "write it without a URL scheme, e.g. registry.example.com/team/app:1.0");
  }
  if (text::has_space_or_control(ref)) {
    return invalid(ref, "it contains whitespace or control characters");
  }
  if (is_hex_identifier(ref)) {
    return invalid(ref, "a 64-character hex string is an image ID, not a repository name");
  }

  ImageRef out;
  std::string_view rest = ref;
  if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
    out.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (out.digest.find('@') != std::string::npos) return invalid(ref, "it has more than one '@'");
    if (auto ok = check_digest(ref, out.digest); !ok) return ok.error();
  }
  // A tag follows the last ':' that has no '/' after it (a port colon is always followed by
  // the path).
  if (std::size_t colon = rest.rfind(':');
      colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    std::string_view tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!is_tag(tag)) {
      return invalid(ref, "tag " + quoted(tag) +
                              " is not valid: up to 128 letters, digits, '_', '.' or '-', "
                              "not starting with '.' or '-'");
    }
    out.tag = std::string(tag);
  }
  if (rest.empty()) return invalid(ref, "the repository name is missing");

  // splitDockerDomain
  std::string_view path = rest;
  std::string domain(kDefaultDomain);
  if (std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    bool domain_like = first.find_first_of(".:") != std::string_view::npos ||
                       first == "localhost" || text::lower(first) != first;
    if (domain_like) {
      if (!is_domain(first)) {
        return invalid(ref, "registry " + quoted(first) +
                                " is not a host name or address with an optional :port");
      }
      domain = std::string(first);
      path = rest.substr(slash + 1);
    }
  }
  if (domain == "index.docker.io") domain = std::string(kDefaultDomain);
  if (text::lower(path) != path) {
    return invalid(ref, "repository name must be lowercase");
  }
  for (std::string_view component : text::split(path, '/')) {
    if (!is_path_component(component)) {
      return invalid(ref, "path component " + quoted(component) +
                              " must be lower-case letters and digits, separated by '.', '_', "
                              "'__' or '-'");
    }
  }
  out.registry = domain;
  out.repository = std::string(path);
  if (domain == kDefaultDomain && out.repository.find('/') == std::string::npos) {
    out.repository = "library/" + out.repository;
  }
  if (out.registry.size() + 1 + out.repository.size() > kMaxNameLength) {
    return invalid(ref, "the full repository name " + quoted(out.registry + "/" + out.repository) +
                            " is longer than 255 characters");
  }
  if (out.tag.empty() && out.digest.empty()) {
    out.tag = "latest";
    out.implicit_tag = true;
  }
  return out;
}

}  // namespace dockgate::actions
