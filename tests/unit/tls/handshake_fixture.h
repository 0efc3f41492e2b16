// Shared by the tls unit tests: an in-process PKI (root -> intermediate -> leaves, made with the
// pki builders) and real TLS handshakes between two SSL objects over a socketpair, one thread
// per side, with socket timeouts so a stuck peer fails the test instead of hanging it.
#pragma once

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "pki/certificate_builder.h"
#include "tls/context_snapshot.h"

namespace telecert::tls::testing {

inline pki::TimePoint test_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

struct Issued {
  pki::Key key;
  pki::Certificate certificate;
};

inline Issued issue(const std::string& common_name, std::vector<pki::SubjectAltName> names,
                    const Issued* issuer, bool is_ca) {
  auto key = pki::Key::generate(pki::KeyType::EcP256);
  EXPECT_TRUE(key.has_value());
  pki::CertificateSpec spec;
  spec.subject.common_name = common_name;
  spec.subject_alt_names = std::move(names);
  spec.not_before = test_now() - std::chrono::hours(1);
  spec.is_ca = is_ca;
  auto certificate = [&] {
    if (issuer == nullptr) return pki::build_certificate(*key, spec);
    const pki::Issuer signer{issuer->certificate, issuer->key};
    return pki::build_certificate(*key, spec, &signer);
  }();
  EXPECT_TRUE(certificate.has_value()) << certificate.error().message;
  return Issued{*key, *certificate};
}

inline pki::SubjectAltName dns(std::string name) { return {pki::SanType::Dns, std::move(name)}; }

// root -> intermediate -> {server "sbc1.example.com", client "phone1.example.com"}.
struct Pki {
  Issued root = issue("Telecert Unit Root", {}, nullptr, true);
  Issued intermediate = issue("Telecert Unit Intermediate", {}, &root, true);
  Issued server = leaf("sbc1.example.com");
  Issued client = leaf("phone1.example.com");

  Issued leaf(const std::string& name) const {
    return issue(name, {dns(name)}, &intermediate, false);
  }
  IdentityMaterial identity(const Issued& issued, std::string name = "leaf") const {
    return IdentityMaterial{
        std::move(name), issued.key, issued.certificate, {intermediate.certificate}};
  }
};

// A definition that trusts the admin's own roots (the material's anchors).
inline TlsContextDefinition definition(std::string name) {
  TlsContextDefinition definition;
  definition.name = std::move(name);
  definition.trust = TrustScope::Custom;
  return definition;
}

inline ContextSnapshot::Dependencies dependencies() {
  return {std::make_shared<SystemClock>(), nullptr};
}

inline std::shared_ptr<const ContextSnapshot> build(ContextMaterial material) {
  auto snapshot = ContextSnapshot::build(material, dependencies());
  EXPECT_TRUE(snapshot.has_value()) << (snapshot ? "" : snapshot.error().message);
  return snapshot ? *snapshot : nullptr;
}

struct SideOutcome {
  bool ok = false;
  std::string error;  // OpenSSL's reasons when !ok
};
struct HandshakeOutcome {
  SideOutcome client;
  SideOutcome server;
  bool both_ok() const { return client.ok && server.ok; }
};

inline std::string drain_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += std::string(text.empty() ? "" : "; ") + buffer;
  }
  return text;
}

inline void set_timeouts(int fd, std::chrono::seconds timeout) {
  timeval value{};
  value.tv_sec = static_cast<time_t>(timeout.count());
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, sizeof value);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, sizeof value);
}

// A full handshake and one application byte each way (so a client certificate refused after
// the client's Finished in TLS 1.3 shows on the client side too).
inline HandshakeOutcome handshake(SSL* client, SSL* server) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return {};
  for (int fd : fds) set_timeouts(fd, std::chrono::seconds(5));
  SSL_set_fd(client, fds[0]);
  SSL_set_fd(server, fds[1]);
  HandshakeOutcome outcome;
  std::thread server_side([&] {
    char byte = 0;
    outcome.server.ok = SSL_accept(server) == 1 && SSL_write(server, "s", 1) == 1 &&
                        SSL_read(server, &byte, 1) == 1 && byte == 'c';
    if (!outcome.server.ok) outcome.server.error = "server: " + drain_errors();
    shutdown(fds[1], SHUT_RDWR);
  });
  char byte = 0;
  outcome.client.ok = SSL_connect(client) == 1 && SSL_read(client, &byte, 1) == 1 && byte == 's' &&
                      SSL_write(client, "c", 1) == 1;
  if (!outcome.client.ok) outcome.client.error = "client: " + drain_errors();
  shutdown(fds[0], SHUT_RDWR);
  server_side.join();
  close(fds[0]);
  close(fds[1]);
  return outcome;
}

}  // namespace telecert::tls::testing
