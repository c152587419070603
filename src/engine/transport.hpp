// Internal to the engine component: one HTTP/1.1 exchange on a fresh connection, over a unix
// socket, TCP with mutual TLS, or (only when allowed explicitly) plain TCP. Includes Asio, so
// only the component's .cpp files may include it; the public headers stay Asio-free.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "asio/asio.hpp"
#include "common/result.hpp"
#include "engine/docker_host.hpp"
#include "engine/engine_client.hpp"

namespace dockgate::engine {

struct TransportSettings {
  EngineEndpoint endpoint;
  std::shared_ptr<net::ssl::context> tls;  // null: unix socket or allowed plain TCP
  std::string cert_path;                   // for messages about the TLS files
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{60000};
  std::size_t max_body_bytes = 0;
};

struct HttpRequest {
  http::verb method = http::verb::get;
  std::string target;  // complete, e.g. "/v1.41/containers/json"
  std::string body;    // sent as JSON when json_body
  bool json_body = false;
  std::string content_type;  // the body's type when not JSON, e.g. "application/x-tar"
  RequestHeaders headers;    // extra headers, already checked by EngineClient
};

// Blocks the calling thread on its own io_context; bounded by the connect and read timeouts.
// Transport failures come back as "cannot reach engine at <endpoint>: <why>".
Result<EngineResponse> send_request(const TransportSettings& settings, const HttpRequest& request);

// Where an exchange failed; the same error code means different things at different stages.
enum class TransportStage { resolve, connect, handshake, write, read };

struct TransportFailure {
  TransportStage stage = TransportStage::connect;
  boost::system::error_code error;
  long verify_result = 0;  // X509_V_OK unless the engine's certificate failed verification
  // The engine hung up after a completed TLS handshake without answering: with TLS 1.3 that
  // is how a refused client certificate looks when its alert was lost.
  bool closed_after_tls_handshake = false;
};

// The sentence after "cannot reach engine at <endpoint>: ", naming the cause a person can act
// on, with the raw library reason in parentheses.
std::string describe_transport_failure(const TransportFailure& failure,
                                       const TransportSettings& settings);

Error unreachable_engine(const std::string& endpoint_label, const std::string& why);

// TLS material from DOCKER_CERT_PATH: ca.pem (trust), cert.pem and key.pem (our identity);
// peer verification on, TLS 1.2 minimum.
Result<std::shared_ptr<net::ssl::context>> make_tls_client_context(const std::string& cert_path);

// Per connection: SNI for DNS names, and the engine's name or IP checked by OpenSSL itself
// during chain verification so a mismatch is reported as such.
Status configure_engine_verification(SSL* ssl, const EngineEndpoint& endpoint);

}  // namespace dockgate::engine
