// verify(): is this peer's chain trusted for this purpose and this name, and if not, why.
//
// Path building from the presented chain plus the trust store; RFC 5280 checks by OpenSSL's
// X509_verify_cert (X509_V_FLAG_X509_STRICT when strict), every error it meets collected rather
// than stopping at the first; then the checks OpenSSL leaves to the caller: the peer's name
// (RFC 6125, reference_identity.h), EKU per purpose, weak keys and signatures, revocation.
//
// Threading: a TrustStore is immutable and may be shared; verify() is reentrant.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "common/error.h"
#include "pki/certificate.h"
#include "pki/ossl.h"
#include "verify/reference_identity.h"
#include "verify/report.h"
#include "verify/revocation.h"

namespace telecert::verify {

// The role of the peer whose chain is checked: a server (we are its client) or a client (we are
// its server). Selects the EKU: serverAuth or clientAuth.
enum class Purpose { Server, Client };
std::string_view to_string(Purpose purpose);
[[nodiscard]] Result<Purpose> parse_purpose(std::string_view text);  // "server" | "client"

// The roots of a trust scope, prepared once as an X509_STORE.
class TrustStore {
 public:
  [[nodiscard]] static std::shared_ptr<const TrustStore> create(
      std::vector<pki::Certificate> anchors);
  const std::vector<pki::Certificate>& anchors() const { return anchors_; }
  X509_STORE* get() const { return store_.get(); }

 private:
  TrustStore(std::vector<pki::Certificate> anchors, pki::Owned<X509_STORE> store)
      : anchors_(std::move(anchors)), store_(std::move(store)) {}
  std::vector<pki::Certificate> anchors_;
  pki::Owned<X509_STORE> store_;
};

struct VerifyOptions {
  Purpose purpose = Purpose::Server;
  pki::TimePoint time{};                           // when to validate
  std::optional<ReferenceIdentity> expected_name;  // nullopt: the name is not checked
  NameCheckOptions names;
  // X509_STRICT, and EKU must allow the purpose. Off: a client certificate that carries
  // serverAuth only is accepted with a warning (public CAs stop issuing clientAuth in 2026).
  bool strict = false;
  // The leaf's key usage, when it has one (RFC 5280 §4.2.1.3), must allow its TLS role:
  // digitalSignature (a server's RSA key may instead use keyEncipherment or keyAgreement). A
  // context with strict validation asks for it; the conformance harness asks for it when a case
  // requires digitalSignature, and not when a case asks for no key usage.
  bool key_usage_for_role = false;
  // Weak keys (RSA < 2048) and SHA-1 signatures are warnings instead of errors.
  bool legacy = false;
  std::optional<int> max_depth;  // most intermediates between the leaf and the anchor
  RevocationPolicy revocation;
};

// `presented`: the peer's certificate first, then what it sent (any order, any extras).
// `revocation` is needed only when options.revocation is enabled (nullptr: treated as no answer).
// An empty `presented` is a report with ProblemCode::NoCertificate.
Report verify(std::span<const pki::Certificate> presented, const TrustStore& trust,
              const VerifyOptions& options, RevocationChecker* revocation = nullptr);

}  // namespace telecert::verify
