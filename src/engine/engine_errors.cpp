// Boost and OpenSSL error codes turned into sentences a person can act on. The raw reason
// always follows in parentheses so nothing is hidden from whoever debugs it.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "engine/transport.hpp"

namespace dockgate::engine {

namespace {

std::string format_duration(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + "s";
  return std::to_string(duration.count()) + "ms";
}

const char* stage_phrase(TransportStage stage) {
  switch (stage) {
    case TransportStage::resolve:
      return "while resolving the host name";
    case TransportStage::connect:
      return "while connecting";
    case TransportStage::handshake:
      return "during the TLS handshake";
    case TransportStage::write:
      return "while sending the request";
    case TransportStage::read:
      return "while waiting for the answer";
  }
  return "";
}

std::string with_reason(const std::string& sentence, const boost::system::error_code& error) {
  return sentence + " (" + error.message() + ")";
}

std::string ca_file(const TransportSettings& settings) {
  return settings.cert_path + "/ca.pem";
}

// The handshake said "certificate verify failed"; the X509 verify result says which part.
std::string describe_verify_failure(const TransportFailure& failure,
                                    const TransportSettings& settings) {
  const long result = failure.verify_result;
  const std::string raw = X509_verify_cert_error_string(result);
  std::string why;
  switch (result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      why = "the engine's certificate is not issued for " + settings.endpoint.host;
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      why = "the engine's certificate has expired";
      break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      why = "the engine's certificate is not valid yet (check the clock)";
      break;
    case X509_V_OK:
      // Rejected by the host-name callback alone: OpenSSL left no verify result.
      return "certificate verify failed (the engine's certificate is not issued for " +
             settings.endpoint.host + ")";
    default:
      why = "the engine's certificate is not signed by the CA in " + ca_file(settings);
      break;
  }
  return "certificate verify failed (" + why + ": " + raw + ")";
}

std::string describe_ssl_failure(const TransportFailure& failure,
                                 const TransportSettings& settings) {
  const auto& error = failure.error;
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(error.value()));
  switch (reason) {
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return describe_verify_failure(failure, settings);
    // Alerts the engine sends when it does not accept the certificate we presented. With
    // TLS 1.3 they arrive after our side of the handshake, on the first read.
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return with_reason("the engine refused our client certificate", error) +
             ": check DOCKER_CERT_PATH (" + settings.cert_path + ")";
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_HTTP_REQUEST:
      return with_reason("the engine does not speak TLS on this port (is it a plain port?)", error);
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
      return with_reason("the engine does not offer TLS 1.2 or later", error);
    default:
      return with_reason(std::string("TLS error ") + stage_phrase(failure.stage), error);
  }
}

bool is_timeout(const boost::system::error_code& error) {
  return error == beast::error::timeout || error == net::error::timed_out;
}

bool is_closed_by_peer(const boost::system::error_code& error) {
  return error == net::error::eof || error == net::error::connection_reset ||
         error == net::ssl::error::stream_truncated || error == http::error::end_of_stream ||
         error == net::error::broken_pipe;
}

}  // namespace

std::string describe_transport_failure(const TransportFailure& failure,
                                       const TransportSettings& settings) {
  const auto& error = failure.error;
  const auto& endpoint = settings.endpoint;
  if (is_timeout(error)) {
    const bool connecting = failure.stage == TransportStage::resolve ||
                            failure.stage == TransportStage::connect ||
                            failure.stage == TransportStage::handshake;
    return "no answer within " +
           format_duration(connecting ? settings.connect_timeout : settings.read_timeout) + " " +
           stage_phrase(failure.stage);
  }
  if (error.category() == net::error::get_ssl_category()) {
    return describe_ssl_failure(failure, settings);
  }
  if (error == http::error::body_limit) {
    return "the engine's answer is larger than the limit of " +
           std::to_string(settings.max_body_bytes) + " bytes (max_body_bytes)";
  }
  if (error == net::error::connection_refused) {
    return "connection refused (is the engine running?)";  // the raw reason says no more
  }
  if (endpoint.kind == EngineEndpoint::Kind::unix_socket) {
    if (error == boost::system::errc::no_such_file_or_directory) {
      return with_reason("no socket at " + endpoint.socket_path + " (is the engine running?)",
                         error);
    }
    if (error == boost::system::errc::permission_denied) {
      return with_reason("permission denied on " + endpoint.socket_path +
                             " (is this user allowed to use the engine's socket?)",
                         error);
    }
  }
  if (failure.stage == TransportStage::resolve) {
    return with_reason("cannot resolve the host name " + endpoint.host, error);
  }
  if (error == net::error::network_unreachable || error == net::error::host_unreachable) {
    return with_reason("no route to " + endpoint.host, error);
  }
  if (is_closed_by_peer(error) && failure.closed_after_tls_handshake) {
    return with_reason(
        "the engine hung up right after the TLS handshake without answering, "
        "as it does when it refuses our client certificate: check "
        "DOCKER_CERT_PATH (" +
            settings.cert_path + ")",
        error);
  }
  if (is_closed_by_peer(error)) {
    if (failure.stage == TransportStage::handshake) {
      return with_reason(
          "the engine closed the connection during the TLS handshake (does it speak TLS on "
          "this port?)",
          error);
    }
    return with_reason(
        std::string("the engine closed the connection ") + stage_phrase(failure.stage), error);
  }
  if (error.category() == http::make_error_code(http::error::bad_target).category()) {
    return with_reason("the engine's answer is not valid HTTP", error);
  }
  return with_reason(std::string("failed ") + stage_phrase(failure.stage), error);
}

}  // namespace dockgate::engine
