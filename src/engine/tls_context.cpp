#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <filesystem>

#include "engine/transport.hpp"

namespace dockgate::engine {

namespace {

Error tls_file_error(const std::filesystem::path& file, const std::string& what,
                     const boost::system::error_code& error) {
  return make_error("cannot load " + what + " from " + file.string() + " (" + error.message() +
                    "): check DOCKER_CERT_PATH");
}

}  // namespace

Result<std::shared_ptr<net::ssl::context>> make_tls_client_context(const std::string& cert_path) {
  const std::filesystem::path folder(cert_path);
  auto context = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    return make_error("cannot require TLS 1.2 or later in this OpenSSL build");
  }
  boost::system::error_code error;
  context->set_verify_mode(net::ssl::verify_peer, error);
  if (error) return make_error("cannot enable TLS peer verification (" + error.message() + ")");
  // Only ca.pem is trusted: never the system store, since the engine's CA is private.
  if (context->load_verify_file((folder / "ca.pem").string(), error); error) {
    return tls_file_error(folder / "ca.pem", "the CA certificate", error);
  }
  if (context->use_certificate_chain_file((folder / "cert.pem").string(), error); error) {
    return tls_file_error(folder / "cert.pem", "the client certificate", error);
  }
  if (context->use_private_key_file((folder / "key.pem").string(), net::ssl::context::pem, error);
      error) {
    return tls_file_error(folder / "key.pem", "the client key", error);
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return make_error("the client key " + (folder / "key.pem").string() +
                      " does not belong to the certificate " + (folder / "cert.pem").string() +
                      ": check DOCKER_CERT_PATH");
  }
  return context;
}

Status configure_engine_verification(SSL* ssl, const EngineEndpoint& endpoint) {
  X509_VERIFY_PARAM* params = SSL_get0_param(ssl);
  if (endpoint.host_is_ip) {
    // No SNI for IP literals (RFC 6066); the certificate must carry the IP as a SAN.
    if (X509_VERIFY_PARAM_set1_ip_asc(params, endpoint.host.c_str()) != 1) {
      return make_error("cannot verify the engine's IP address " + endpoint.host);
    }
    return Ok{};
  }
  X509_VERIFY_PARAM_set_hostflags(params, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set1_host(ssl, endpoint.host.c_str()) != 1 ||
      SSL_set_tlsext_host_name(ssl, endpoint.host.c_str()) != 1) {
    return make_error("cannot verify the engine's host name " + endpoint.host);
  }
  return Ok{};
}

}  // namespace dockgate::engine
