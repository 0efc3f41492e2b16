// A test PKI built with the `openssl` command line (the independent peer), in a directory the test
// owns (usually a TempDir):
//
//   root CA ("Telecert Test Root CA", self-signed)
//     └─ intermediate CA ("Telecert Test Intermediate CA", pathlen 0)
//          └─ leaves issued on request (name, SANs, EKU, validity, key type)
//
// Both CAs are `openssl ca` CAs with their own index.txt, so certificates can be revoked
// (`openssl ca -revoke`) and CRLs generated (`openssl ca -gencrl`), and the index serves an
// `openssl ocsp` responder (support/ocsp_responder.h). Each CA also has a delegated OCSP
// signer (issued by that CA, EKU id-kp-OCSPSigning).
//
// URLs: when Options name ports, every certificate issued by a CA carries
//   AIA OCSP   http://127.0.0.1:<ocsp_port>             (for the intermediate: root_ocsp_port)
//   CRL DP     http://127.0.0.1:<crl_port>/<ca>.crl      ("intermediate.crl" / "root.crl")
// and crl() writes the DER CRL into crl_directory() under that name, so an HttpFileServer
// (support/http_file_server.h) serving crl_directory() on crl_port answers those URLs.
//
// Files (all PEM, keys unencrypted PKCS#8) live under dir(); every path returned is absolute.
// Failures of the openssl command fail the current test (EXPECT) and leave files missing.
//
// Example:
//   TempDir dir;
//   const int ocsp_port = free_port(), crl_port = free_port();
//   TestPki pki(dir / "pki", {.ocsp_port = ocsp_port, .crl_port = crl_port});
//   auto leaf = pki.issue({.name = "sbc1", .dns_names = {"sbc1.example.com"}});
//   pki.revoke(leaf);
//   pki.crl(TestPki::Ca::Intermediate);
//   OcspResponder responder(pki.ocsp_responder(TestPki::Ca::Intermediate, ocsp_port));
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace telecert::testing {

enum class TestKeyType { EcP256, Rsa2048, Rsa1024, Ed25519 };

// One certificate with its key and the chain files a server would be configured with.
struct TestCertificate {
  std::string name;                   // file stem ("sbc1"), also the CN unless overridden
  std::filesystem::path certificate;  // the certificate alone (= the "leaf only" chain file)
  std::filesystem::path key;
  std::filesystem::path chain;       // certificate + intermediate (for a CA or a self-signed
                                     // certificate: the certificate alone)
  std::filesystem::path full_chain;  // certificate + intermediate + root
  std::string serial_hex;            // upper-case hex, as in index.txt
  bool issued_by_root = false;       // which CA's index holds it (root and intermediate: true)
};

struct LeafOptions {
  std::string name;                       // required: file stem and default CN
  std::string common_name;                // empty: `name`
  std::vector<std::string> dns_names;     // subjectAltName DNS
  std::vector<std::string> ip_addresses;  // subjectAltName IP
  std::vector<std::string> uris;          // subjectAltName URI, e.g. "sip:sbc1.example.com"
  // extendedKeyUsage as openssl writes it ("serverAuth,clientAuth"); empty: no EKU extension.
  std::string extended_key_usage = "serverAuth,clientAuth";
  // keyUsage; empty: no KU extension.
  std::string key_usage = "critical,digitalSignature,keyEncipherment";
  // Validity relative to now, in days: {-30, -1} is expired, {10, 40} not yet valid.
  int valid_from_days = -1;
  int valid_until_days = 365;
  TestKeyType key_type = TestKeyType::EcP256;
  std::string digest = "sha256";  // "sha1" for a weak signature
  // Override the PKI's ports for this certificate; 0 leaves the AIA / CRL DP out.
  std::optional<int> ocsp_port;
  std::optional<int> crl_port;
  bool issued_by_root = false;  // issued by the root instead of the intermediate
};

struct TestPkiOptions {
  std::optional<int> ocsp_port;       // AIA OCSP of certificates the intermediate issues
  std::optional<int> root_ocsp_port;  // AIA OCSP of certificates the root issues
  std::optional<int> crl_port;        // CRL DP of certificates either CA issues
  TestKeyType ca_key_type = TestKeyType::EcP256;
};

class TestPki {
 public:
  enum class Ca { Root, Intermediate };

  using Options = TestPkiOptions;

  // Creates the root, the intermediate and both OCSP signers under `dir` (created if missing).
  explicit TestPki(std::filesystem::path dir, Options options = {});

  const std::filesystem::path& dir() const { return dir_; }
  const TestCertificate& root() const { return root_; }
  const TestCertificate& intermediate() const { return intermediate_; }
  // The delegated OCSP signer of `ca` (EKU OCSPSigning, issued by `ca`).
  const TestCertificate& ocsp_signer(Ca ca) const;
  const TestCertificate& ca(Ca which) const;
  // The `openssl ca` database of `ca` (for `openssl ocsp -index`).
  std::filesystem::path index(Ca ca) const;

  // Issues a certificate (by the intermediate unless options.issued_by_root).
  TestCertificate issue(const LeafOptions& options);
  // A self-signed certificate outside the PKI (no AIA, no CRL DP, CA:FALSE).
  TestCertificate self_signed(const LeafOptions& options);
  // A CA unrelated to this PKI (same names as the root's, different key): for "signed by an
  // unrelated key" cases. It can sign nothing through this class; its files only.
  TestCertificate unrelated_ca(const std::string& name);

  // Revokes `certificate` in its issuer's index (reason as `openssl ca -crl_reason` takes it:
  // unspecified, keyCompromise, CACompromise, affiliationChanged, superseded,
  // cessationOfOperation, certificateHold, removeFromCRL).
  // A self-signed certificate is not in any index and cannot be revoked.
  void revoke(const TestCertificate& certificate, const std::string& reason = "keyCompromise");

  // Generates `ca`'s CRL from its index, valid for `hours` from now (negative: a CRL whose
  // nextUpdate has already passed; lastUpdate is then a day before it). Writes the DER CRL to
  // crl_directory()/<root|intermediate>.crl and the PEM one to dir()/<root|intermediate>.crl.pem,
  // returning the PEM path.
  std::filesystem::path crl(Ca ca, int hours = 24);
  std::filesystem::path crl_directory() const { return dir_ / "crl"; }
  static std::string crl_file_name(Ca ca);  // "root.crl" / "intermediate.crl"

 private:
  struct CaState {
    std::filesystem::path dir;
    std::filesystem::path config;
  };
  struct Request {
    std::string name;
    std::string subject;     // "/O=.../CN=..."
    std::string extensions;  // openssl extension lines
    int from_days = -1;
    int until_days = 365;
    TestKeyType key_type = TestKeyType::EcP256;
    std::string digest = "sha256";
  };
  // Issues `request` by `issuer`, or self-signed when `issuer` is null (a CA state of its own
  // is then made under dir()/<name>-ca).
  TestCertificate sign(const Request& request, const CaState* issuer, bool issued_by_root);
  CaState make_ca_state(const std::string& name, const std::filesystem::path& certificate,
                        const std::filesystem::path& key);
  static std::string leaf_extensions(const LeafOptions& options);
  std::string distribution_extensions(Ca issuer, std::optional<int> ocsp_port,
                                      std::optional<int> crl_port) const;
  const CaState& state(Ca ca) const { return ca == Ca::Root ? root_state_ : intermediate_state_; }

  std::filesystem::path dir_;
  Options options_;
  CaState root_state_;
  CaState intermediate_state_;
  TestCertificate root_;
  TestCertificate intermediate_;
  TestCertificate root_ocsp_signer_;
  TestCertificate intermediate_ocsp_signer_;
};

}  // namespace telecert::testing
