#include "engine/engine_client.hpp"

#include <mutex>
#include <optional>

#include "engine/api_version.hpp"
#include "engine/stream_transport.hpp"
#include "engine/transport.hpp"

namespace dockgate::engine {

namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// Targets may carry names from tool arguments; anything that could end the request line or
// smuggle a header is refused here rather than trusted to every caller's encoding.
bool is_safe_target(std::string_view target) {
  if (target.empty() || target.front() != '/') return false;
  for (const unsigned char character : target) {
    if (character <= 0x20 || character == 0x7f) return false;
  }
  return true;
}

bool is_safe_header(const std::pair<std::string, std::string>& header) {
  const auto& [name, value] = header;
  if (name.empty()) return false;
  for (const unsigned char character : name) {
    if (character <= 0x20 || character >= 0x7f || character == ':') return false;
  }
  for (const unsigned char character : value) {
    if ((character < 0x20 && character != '\t') || character == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string EngineResponse::error_message() const {
  // Not the exception-throwing parse: the body is whatever the engine (or a proxy) sent.
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    const auto message = json.find("message");
    if (message != json.end() && message->is_string()) return message->get<std::string>();
  }
  auto text = trim(body);
  if (text.empty()) return "HTTP " + std::to_string(status) + " without a message";
  return text;
}

struct EngineClient::Impl {
  TransportSettings transport;
  std::mutex version_mutex;
  std::optional<std::string> api_version;  // set once, after the first successful /version

  Result<EngineResponse> send(http::verb method, std::string target, std::string body,
                              bool json_body) const {
    return send_request(transport,
                        HttpRequest{method, std::move(target), std::move(body), json_body, {}, {}});
  }

  Result<std::string> fetch_api_version() const {
    // Unversioned on purpose: it is how a client learns which versions exist.
    auto response = send(http::verb::get, "/version", {}, false);
    if (!response) return response.error();
    const auto& label = transport.endpoint.label;
    if (!response->ok()) {
      return unreachable_engine(label, "GET /version answered HTTP " +
                                           std::to_string(response->status) + ": " +
                                           response->error_message());
    }
    const auto json = nlohmann::json::parse(response->body, nullptr, false);
    const auto text_field = [&json](const char* name) -> std::string {
      if (!json.is_object() || !json.contains(name) || !json[name].is_string()) return {};
      return json[name].get<std::string>();
    };
    const auto engine_version = text_field("ApiVersion");
    if (engine_version.empty()) {
      return unreachable_engine(label,
                                "GET /version answered without an ApiVersion (is this a "
                                "Docker Engine?)");
    }
    auto chosen = choose_api_version(engine_version, text_field("MinAPIVersion"));
    if (!chosen) return unreachable_engine(label, chosen.error().message);
    return chosen;
  }

  Result<EngineResponse> versioned(http::verb method, std::string_view target, std::string body,
                                   bool json_body, EngineClient& client) const {
    if (!is_safe_target(target)) {
      return make_error("refusing engine request target \"" + std::string(target) +
                        "\": it must start with '/' and contain no spaces or control characters");
    }
    auto version = client.negotiate_version();
    if (!version) return version.error();
    return send(method, "/v" + *version + std::string(target), std::move(body), json_body);
  }

  Result<StreamedResponse> streamed(http::verb method, std::string_view target, std::string body,
                                    bool json_body, const StreamLimits& limits,
                                    const BodySink& sink, EngineClient& client,
                                    std::string content_type = {},
                                    const RequestHeaders& headers = {}) const {
    if (!is_safe_target(target)) {
      return make_error("refusing engine request target \"" + std::string(target) +
                        "\": it must start with '/' and contain no spaces or control characters");
    }
    for (const auto& header : headers) {
      // The value stays out of the message: it may hold credentials.
      if (!is_safe_header(header))
        return make_error("refusing engine request header \"" + header.first +
                          "\": its name or value contains control characters");
    }
    auto version = client.negotiate_version();
    if (!version) return version.error();
    return send_streaming_request(
        transport,
        HttpRequest{method, "/v" + *version + std::string(target), std::move(body), json_body,
                    std::move(content_type), headers},
        limits, sink);
  }
};

EngineClient::EngineClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EngineClient::~EngineClient() = default;

Result<std::unique_ptr<EngineClient>> EngineClient::create(const EngineConfig& config) {
  if (auto valid = validate(config); !valid) return valid.error();
  auto endpoint = parse_docker_host(config.host, config.tls_verify);
  if (!endpoint) return endpoint.error();
  auto impl = std::make_unique<Impl>();
  impl->transport.endpoint = std::move(*endpoint);
  impl->transport.cert_path = config.cert_path;
  impl->transport.connect_timeout = config.connect_timeout;
  impl->transport.read_timeout = config.read_timeout;
  impl->transport.max_body_bytes = config.max_body_bytes;
  if (impl->transport.endpoint.kind == EngineEndpoint::Kind::tcp && config.tls_verify) {
    try {
      auto tls = make_tls_client_context(config.cert_path);
      if (!tls) return tls.error();
      impl->transport.tls = std::move(*tls);
    } catch (const std::exception& exception) {
      return make_error(std::string("cannot set up TLS (") + exception.what() + ")");
    }
  }
  return std::unique_ptr<EngineClient>(new EngineClient(std::move(impl)));
}

Result<std::string> EngineClient::negotiate_version() {
  {
    std::lock_guard lock(impl_->version_mutex);
    if (impl_->api_version) return *impl_->api_version;
  }
  // Not under the lock: a slow or absent engine must not queue every other thread's call
  // behind one negotiation. Concurrent first calls may each ask; they get the same answer.
  auto version = impl_->fetch_api_version();
  if (!version) return version;
  std::lock_guard lock(impl_->version_mutex);
  if (!impl_->api_version) impl_->api_version = *version;
  return *impl_->api_version;
}

Result<EngineResponse> EngineClient::get(std::string_view target) {
  return impl_->versioned(http::verb::get, target, {}, false, *this);
}

Result<EngineResponse> EngineClient::post(std::string_view target, const nlohmann::json& body) {
  std::string serialized;
  try {
    serialized = body.dump();
  } catch (const nlohmann::json::exception& exception) {
    return make_error(std::string("cannot send the request body: ") + exception.what());
  }
  return impl_->versioned(http::verb::post, target, std::move(serialized), true, *this);
}

Result<EngineResponse> EngineClient::post(std::string_view target) {
  return impl_->versioned(http::verb::post, target, {}, false, *this);
}

Result<EngineResponse> EngineClient::del(std::string_view target) {
  return impl_->versioned(http::verb::delete_, target, {}, false, *this);
}

Result<StreamedResponse> EngineClient::get_stream(std::string_view target,
                                                  const StreamLimits& limits,
                                                  const BodySink& sink) {
  return impl_->streamed(http::verb::get, target, {}, false, limits, sink, *this);
}

Result<StreamedResponse> EngineClient::post_stream(std::string_view target,
                                                   const nlohmann::json& body,
                                                   const StreamLimits& limits, const BodySink& sink,
                                                   const RequestHeaders& headers) {
  std::string serialized;
  try {
    serialized = body.dump();
  } catch (const nlohmann::json::exception& exception) {
    return make_error(std::string("cannot send the request body: ") + exception.what());
  }
  return impl_->streamed(http::verb::post, target, std::move(serialized), true, limits, sink, *this,
                         {}, headers);
}

Result<StreamedResponse> EngineClient::post_stream_body(std::string_view target, std::string body,
                                                        std::string content_type,
                                                        const StreamLimits& limits,
                                                        const BodySink& sink) {
  return impl_->streamed(http::verb::post, target, std::move(body), false, limits, sink, *this,
                         std::move(content_type));
}

const std::string& EngineClient::endpoint() const {
  return impl_->transport.endpoint.label;
}

}  // namespace dockgate::engine
