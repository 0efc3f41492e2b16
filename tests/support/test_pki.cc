#include "support/test_pki.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

#include "support/test_support.h"

namespace telecert::testing {

namespace {

namespace fs = std::filesystem;

// "YYYYMMDDHHMMSSZ" for now + `days` (+ `hours`), as `openssl ca -startdate` takes it.
std::string openssl_time(int days, int hours = 0) {
  const auto when = std::chrono::system_clock::now() + std::chrono::hours(24 * days + hours);
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%SZ", &utc);
  return text;
}

// `openssl req -newkey` arguments for a fresh key of `type`.
std::vector<std::string> new_key_arguments(TestKeyType type) {
  switch (type) {
    case TestKeyType::EcP256:
      return {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"};
    case TestKeyType::Rsa2048:
      return {"-newkey", "rsa:2048"};
    case TestKeyType::Rsa1024:
      return {"-newkey", "rsa:1024"};
    case TestKeyType::Ed25519:
      return {"-newkey", "ed25519"};
  }
  return {};
}

void concatenate(const fs::path& out, const std::vector<fs::path>& parts) {
  std::string text;
  for (const auto& part : parts) text += read_file(part);
  write_file(out, text);
}

std::string join_alt_names(const LeafOptions& options) {
  std::string names;
  auto add = [&](const std::string& kind, const std::vector<std::string>& values) {
    for (const auto& value : values) names += (names.empty() ? "" : ",") + kind + ":" + value;
  };
  add("DNS", options.dns_names);
  add("IP", options.ip_addresses);
  add("URI", options.uris);
  return names;
}

}  // namespace

TestPki::TestPki(std::filesystem::path dir, Options options)
    : dir_(std::filesystem::absolute(dir)), options_(options) {
  fs::create_directories(dir_);
  fs::create_directories(crl_directory());

  root_ = sign({.name = "root",
                .subject = "/O=Telecert Test/CN=Telecert Test Root CA",
                .extensions = "basicConstraints = critical,CA:TRUE\n"
                              "keyUsage = critical,keyCertSign,cRLSign\n"
                              "subjectKeyIdentifier = hash\n",
                .from_days = -3650,
                .until_days = 3650,
                .key_type = options_.ca_key_type},
               nullptr, true);
  root_state_ = make_ca_state("root", root_.certificate, root_.key);

  intermediate_ = sign(
      {.name = "intermediate",
       .subject = "/O=Telecert Test/CN=Telecert Test Intermediate CA",
       .extensions = "basicConstraints = critical,CA:TRUE,pathlen:0\n"
                     "keyUsage = critical,keyCertSign,cRLSign\n"
                     "subjectKeyIdentifier = hash\n"
                     "authorityKeyIdentifier = keyid\n" +
                     distribution_extensions(Ca::Root, options_.root_ocsp_port, options_.crl_port),
       .from_days = -1825,
       .until_days = 1825,
       .key_type = options_.ca_key_type},
      &root_state_, true);
  intermediate_state_ = make_ca_state("intermediate", intermediate_.certificate, intermediate_.key);

  const std::string signer_extensions =
      "basicConstraints = critical,CA:FALSE\n"
      "keyUsage = critical,digitalSignature\n"
      "extendedKeyUsage = OCSPSigning\n"
      "noCheck = ignored\n"
      "subjectKeyIdentifier = hash\n"
      "authorityKeyIdentifier = keyid\n";
  root_ocsp_signer_ = sign({.name = "root-ocsp",
                            .subject = "/O=Telecert Test/CN=Telecert Test Root OCSP Signer",
                            .extensions = signer_extensions},
                           &root_state_, true);
  intermediate_ocsp_signer_ =
      sign({.name = "intermediate-ocsp",
            .subject = "/O=Telecert Test/CN=Telecert Test Intermediate OCSP Signer",
            .extensions = signer_extensions},
           &intermediate_state_, false);
}

const TestCertificate& TestPki::ocsp_signer(Ca ca) const {
  return ca == Ca::Root ? root_ocsp_signer_ : intermediate_ocsp_signer_;
}

const TestCertificate& TestPki::ca(Ca which) const {
  return which == Ca::Root ? root_ : intermediate_;
}

std::filesystem::path TestPki::index(Ca ca) const { return state(ca).dir / "index.txt"; }

std::string TestPki::crl_file_name(Ca ca) {
  return ca == Ca::Root ? "root.crl" : "intermediate.crl";
}

std::string TestPki::distribution_extensions(Ca issuer, std::optional<int> ocsp_port,
                                             std::optional<int> crl_port) const {
  std::string lines;
  if (ocsp_port && *ocsp_port > 0) {
    lines += "authorityInfoAccess = OCSP;URI:http://127.0.0.1:" + std::to_string(*ocsp_port) + "\n";
  }
  if (crl_port && *crl_port > 0) {
    lines += "crlDistributionPoints = URI:http://127.0.0.1:" + std::to_string(*crl_port) + "/" +
             crl_file_name(issuer) + "\n";
  }
  return lines;
}

std::string TestPki::leaf_extensions(const LeafOptions& options) {
  std::string lines = "basicConstraints = critical,CA:FALSE\nsubjectKeyIdentifier = hash\n";
  if (!options.key_usage.empty()) lines += "keyUsage = " + options.key_usage + "\n";
  if (!options.extended_key_usage.empty()) {
    lines += "extendedKeyUsage = " + options.extended_key_usage + "\n";
  }
  const std::string alt_names = join_alt_names(options);
  if (!alt_names.empty()) lines += "subjectAltName = " + alt_names + "\n";
  return lines;
}

TestCertificate TestPki::issue(const LeafOptions& options) {
  const Ca issuer = options.issued_by_root ? Ca::Root : Ca::Intermediate;
  const std::optional<int> default_ocsp =
      options.issued_by_root ? options_.root_ocsp_port : options_.ocsp_port;
  std::string extensions =
      leaf_extensions(options) + "authorityKeyIdentifier = keyid\n" +
      distribution_extensions(issuer, options.ocsp_port.value_or(default_ocsp.value_or(0)),
                              options.crl_port.value_or(options_.crl_port.value_or(0)));
  const std::string cn = options.common_name.empty() ? options.name : options.common_name;
  return sign({.name = options.name,
               .subject = "/O=Telecert Test/CN=" + cn,
               .extensions = extensions,
               .from_days = options.valid_from_days,
               .until_days = options.valid_until_days,
               .key_type = options.key_type,
               .digest = options.digest},
              &state(issuer), options.issued_by_root);
}

TestCertificate TestPki::self_signed(const LeafOptions& options) {
  const std::string cn = options.common_name.empty() ? options.name : options.common_name;
  return sign({.name = options.name,
               .subject = "/O=Telecert Test/CN=" + cn,
               .extensions = leaf_extensions(options),
               .from_days = options.valid_from_days,
               .until_days = options.valid_until_days,
               .key_type = options.key_type,
               .digest = options.digest},
              nullptr, false);
}

TestCertificate TestPki::unrelated_ca(const std::string& name) {
  return sign({.name = name,
               .subject = "/O=Telecert Test/CN=Telecert Test Root CA",
               .extensions = "basicConstraints = critical,CA:TRUE\n"
                             "keyUsage = critical,keyCertSign,cRLSign,digitalSignature\n"
                             "subjectKeyIdentifier = hash\n",
               .from_days = -3650,
               .until_days = 3650,
               .key_type = options_.ca_key_type},
              nullptr, false);
}

TestPki::CaState TestPki::make_ca_state(const std::string& name,
                                        const std::filesystem::path& certificate,
                                        const std::filesystem::path& key) {
  CaState ca{dir_ / (name + "-ca"), dir_ / (name + "-ca") / "ca.cnf"};
  fs::create_directories(ca.dir / "newcerts");
  if (!fs::exists(ca.dir / "index.txt")) {
    write_file(ca.dir / "index.txt", "");
    write_file(ca.dir / "index.txt.attr", "unique_subject = no\n");
    write_file(ca.dir / "serial", name == "root" ? "1000\n" : "2000\n");
    write_file(ca.dir / "crlnumber", "01\n");
  }
  write_file(ca.config,
             "[ca]\ndefault_ca = CA_default\n"
             "[CA_default]\n"
             "dir = " +
                 ca.dir.string() +
                 "\n"
                 "database = $dir/index.txt\n"
                 "new_certs_dir = $dir/newcerts\n"
                 "serial = $dir/serial\n"
                 "crlnumber = $dir/crlnumber\n"
                 "certificate = " +
                 certificate.string() +
                 "\n"
                 "private_key = " +
                 key.string() +
                 "\n"
                 "default_md = sha256\n"
                 "default_days = 365\n"
                 "default_crl_days = 1\n"
                 "unique_subject = no\n"
                 "email_in_dn = no\n"
                 "policy = policy_any\n"
                 "crl_extensions = crl_extensions\n"
                 "[policy_any]\n"
                 "organizationName = optional\n"
                 "commonName = supplied\n"
                 "[crl_extensions]\n"
                 "authorityKeyIdentifier = keyid:always\n");
  return ca;
}

TestCertificate TestPki::sign(const Request& request, const CaState* issuer, bool issued_by_root) {
  TestCertificate result;
  result.name = request.name;
  result.issued_by_root = issued_by_root;
  result.certificate = dir_ / (request.name + ".pem");
  result.key = dir_ / (request.name + ".key");
  const fs::path csr = dir_ / (request.name + ".csr");
  const fs::path extensions = dir_ / (request.name + ".ext");

  std::vector<std::string> req = {
      "req",   "-new",          "-nodes", "-keyout",   result.key.string(),
      "-subj", request.subject, "-out",   csr.string()};
  for (auto& argument : new_key_arguments(request.key_type)) req.push_back(argument);
  openssl(req);
  write_file(extensions, request.extensions);

  // A self-signed certificate gets a CA state of its own so `openssl ca -selfsign` can set
  // arbitrary validity dates (`openssl req -x509` cannot in OpenSSL 3.0).
  CaState own;
  if (issuer == nullptr) {
    own = make_ca_state(request.name, result.certificate, result.key);
    issuer = &own;
  }
  std::vector<std::string> ca = {"ca",
                                 "-batch",
                                 "-notext",
                                 "-config",
                                 issuer->config.string(),
                                 "-in",
                                 csr.string(),
                                 "-out",
                                 result.certificate.string(),
                                 "-extfile",
                                 extensions.string(),
                                 "-md",
                                 request.digest,
                                 "-startdate",
                                 openssl_time(request.from_days),
                                 "-enddate",
                                 openssl_time(request.until_days)};
  if (issuer == &own) ca.push_back("-selfsign");
  openssl(ca);

  // `openssl ca` keeps the serial it just used in serial.old (hex, upper case).
  result.serial_hex = read_file(issuer->dir / "serial.old");
  while (!result.serial_hex.empty() &&
         (result.serial_hex.back() == '\n' || result.serial_hex.back() == '\r')) {
    result.serial_hex.pop_back();
  }

  const bool by_intermediate = issuer == &intermediate_state_;
  result.chain = dir_ / (request.name + "-chain.pem");
  result.full_chain = dir_ / (request.name + "-full-chain.pem");
  if (by_intermediate) {
    concatenate(result.chain, {result.certificate, intermediate_.certificate});
    concatenate(result.full_chain,
                {result.certificate, intermediate_.certificate, root_.certificate});
  } else if (issuer == &root_state_) {
    concatenate(result.chain, {result.certificate});
    concatenate(result.full_chain, {result.certificate, root_.certificate});
  } else {
    concatenate(result.chain, {result.certificate});
    concatenate(result.full_chain, {result.certificate});
  }
  return result;
}

void TestPki::revoke(const TestCertificate& certificate, const std::string& reason) {
  const CaState& issuer = certificate.issued_by_root ? root_state_ : intermediate_state_;
  openssl({"ca", "-batch", "-config", issuer.config.string(), "-revoke",
           certificate.certificate.string(), "-crl_reason", reason});
}

std::filesystem::path TestPki::crl(Ca ca, int hours) {
  const fs::path pem = dir_ / (crl_file_name(ca) + ".pem");
  std::vector<std::string> args = {
      "ca", "-batch", "-gencrl", "-config", state(ca).config.string(), "-out", pem.string()};
  if (hours > 0) {
    args.insert(args.end(), {"-crlhours", std::to_string(hours)});
  } else {
    args.insert(args.end(), {"-crl_lastupdate", openssl_time(-1, hours), "-crl_nextupdate",
                             openssl_time(0, hours)});
  }
  openssl(args);
  openssl({"crl", "-in", pem.string(), "-outform", "DER", "-out",
           (crl_directory() / crl_file_name(ca)).string()});
  return pem;
}

}  // namespace telecert::testing
