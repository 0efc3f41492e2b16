// The REST API v1 routes of api-contract.md over real HTTPS against the built telecertd: every
// route once as admin, the read routes as a monitor and every write refused to it, uploads over
// the limit, a PKCS#12 and a CSR made and checked by the openssl command, probe of a dead port,
// and the expiry gauge of /metrics against the certificate the daemon itself serves.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "support/https_client.h"
#include "support/telecertd_process.h"
#include "support/test_support.h"

namespace telecert::interop {
namespace {

using nlohmann::json;
using telecert::testing::HttpsClient;
using telecert::testing::HttpsResponse;
using telecert::testing::openssl;
using telecert::testing::openssl_with_stderr;
using telecert::testing::TelecertdProcess;
using telecert::testing::TempDir;

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

std::string describe(const HttpsResponse& response) {
  return std::to_string(response.status) + " " + response.body.substr(0, 400) + response.error;
}

// "notAfter=Nov 23 16:12:08 2046 GMT" (openssl x509 -enddate) as Unix seconds.
std::int64_t unix_seconds_of_enddate(std::string line) {
  line = line.substr(line.find('=') + 1);
  std::tm parsed{};
  const char* end = strptime(line.c_str(), "%b %d %H:%M:%S %Y", &parsed);
  EXPECT_NE(end, nullptr) << line;
  return static_cast<std::int64_t>(timegm(&parsed));
}

// A CA made by the openssl command, to sign CSRs and to be trusted.
struct OpensslCa {
  std::filesystem::path key;
  std::filesystem::path certificate;
};

OpensslCa make_ca(const TempDir& dir, const std::string& name) {
  OpensslCa ca{dir / (name + ".key"), dir / (name + ".pem")};
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", ca.key.string(), "-out", ca.certificate.string(), "-subj", "/CN=" + name,
           "-days", "365", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
           "keyUsage=critical,keyCertSign,cRLSign"});
  return ca;
}

class RestApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new TelecertdProcess();
    ASSERT_TRUE(daemon_->started()) << daemon_->output() << daemon_->log();
    HttpsClient admin(daemon_->port());
    ASSERT_EQ(admin.login("admin", daemon_->admin_password()).status, 200);
    const auto created =
        admin.post("/api/v1/users",
                   json{{"name", "watcher"}, {"role", "monitor"}, {"password", kMonitorPassword}});
    ASSERT_EQ(created.status, 201) << describe(created);
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(daemon_, nullptr);
    ASSERT_TRUE(daemon_->started());
    admin_ = std::make_unique<HttpsClient>(daemon_->port());
    ASSERT_EQ(admin_->login("admin", daemon_->admin_password()).status, 200);
    monitor_ = std::make_unique<HttpsClient>(daemon_->port());
    ASSERT_EQ(monitor_->login("watcher", kMonitorPassword).status, 200);
  }

  json identity_names() {
    const auto list = admin_->get("/api/v1/identities?limit=1000");
    EXPECT_EQ(list.status, 200) << describe(list);
    json names = json::array();
    for (const auto& identity : list.json()) names.push_back(identity["name"]);
    return names;
  }

  static constexpr std::string_view kMonitorPassword = "watcher's long password";
  static TelecertdProcess* daemon_;
  std::unique_ptr<HttpsClient> admin_;
  std::unique_ptr<HttpsClient> monitor_;
  TempDir dir_;
};

TelecertdProcess* RestApiTest::daemon_ = nullptr;

json new_identity(const std::string& common_name) {
  return json{
      {"subject", {{"cn", common_name}, {"o", "Example"}, {"c", "DE"}}},
      {"subject_alt_names", {"dns:" + common_name, "ip:192.0.2.10", "uri:sip:" + common_name}},
      {"key_type", "p256"},
      {"signature", "sha256"},
      {"validity_days", 90}};
}

TEST_F(RestApiTest, EveryRouteAnswersAnAdmin) {
  auto& https = *admin_;
  const auto expect = [](const HttpsResponse& response, long status) {
    EXPECT_EQ(response.status, status) << describe(response);
    return response;
  };
  expect(https.get("/api/v1/status"), 200);
  expect(https.get("/metrics"), 200);
  expect(https.get("/api/v1/identities"), 200);
  expect(https.post("/api/v1/identities/web/self-signed", new_identity("web.example.com")), 201);
  expect(https.get("/api/v1/identities/web"), 200);
  expect(https.post("/api/v1/identities/web/export", json{{"format", "der"}}), 200);

  // CSR -> signed by an openssl CA -> installed.
  expect(https.post("/api/v1/identities/sbc/csr", new_identity("sbc.example.com")), 201);
  const auto csr = expect(https.get("/api/v1/identities/sbc/csr"), 200);
  const auto csr_file = dir_ / "sbc.csr";
  telecert::testing::write_file(csr_file, csr.body);
  const OpensslCa ca = make_ca(dir_, "Install CA");
  const auto leaf_file = dir_ / "sbc.pem";
  openssl({"x509", "-req", "-in", csr_file.string(), "-CA", ca.certificate.string(), "-CAkey",
           ca.key.string(), "-CAcreateserial", "-out", leaf_file.string(), "-days", "200",
           "-copy_extensions", "copy"});
  const std::string ca_pem = telecert::testing::read_file(ca.certificate);
  const auto added = expect(https.post("/api/v1/trust", json{{"file", base64(ca_pem)}}), 201);
  const auto installed =
      expect(https.post("/api/v1/identities/sbc/certificate",
                        json{{"certificate", base64(telecert::testing::read_file(leaf_file))}}),
             200);
  EXPECT_EQ(installed.json()["status"], "ok");

  expect(https.get("/api/v1/trust?filter=custom"), 200);
  expect(https.get("/api/v1/trust/export?filter=custom"), 200);

  expect(https.post("/api/v1/contexts", json{{"name", "sip"}, {"fields", {{"min-tls", "1.3"}}}}),
         201);
  expect(https.get("/api/v1/contexts"), 200);
  expect(https.get("/api/v1/contexts/sip"), 200);
  expect(https.patch("/api/v1/contexts/sip", json{{"fields", {{"identity", "sbc"}}}}), 200);
  expect(https.get("/api/v1/context-fields"), 200);
  expect(https.get("/api/v1/services"), 200);
  expect(https.put("/api/v1/services/sip-tls", json{{"context", "sip"}}), 200);
  expect(https.put("/api/v1/services/sip-tls", json{{"context", "default"}}), 200);
  expect(https.del("/api/v1/contexts/sip"), 204);

  expect(https.get("/api/v1/settings"), 200);
  expect(https.patch("/api/v1/settings", json{{"expiry_warning_days", 90}}), 200);
  expect(https.patch("/api/v1/settings", json{{"expiry_warning_days", "60"}}), 200);
  const auto events = expect(https.get("/api/v1/events?limit=5"), 200);
  EXPECT_EQ(events.json().size(), 5u);
  EXPECT_EQ(events.json()[0]["actor"], "web:admin");
  EXPECT_FALSE(events.header("x-total-count").empty());

  expect(
      https.post("/api/v1/verify", json{{"chain", base64(telecert::testing::read_file(leaf_file))},
                                        {"name", "sbc.example.com"}}),
      200);
  expect(
      https.post("/api/v1/probe",
                 json{{"url", "tls://127.0.0.1:" + std::to_string(telecert::testing::free_port())},
                      {"timeout_ms", 2000}}),
      502);

  expect(https.get("/api/v1/users"), 200);
  const auto user =
      expect(https.post("/api/v1/users", json{{"name", "temp"}, {"role", "monitor"}}), 201);
  EXPECT_GE(user.json()["password"].get<std::string>().size(), 12u);
  expect(https.put("/api/v1/users/temp/password", json{{"password", "a brand new password"}}), 204);
  expect(https.del("/api/v1/users/temp"), 204);
  expect(https.get("/api/v1/tokens"), 200);
  const auto token =
      expect(https.post("/api/v1/tokens", json{{"name", "ci"}, {"role", "monitor"}}), 201);
  HttpsClient bearer(daemon_->port());
  bearer.bearer(token.json()["token"]);
  expect(bearer.get("/api/v1/status"), 200);
  expect(https.del("/api/v1/tokens/ci"), 204);

  expect(https.del("/api/v1/identities/sbc"), 204);
  expect(https.del("/api/v1/identities/web"), 204);
  expect(https.del("/api/v1/trust/" + std::to_string(added.json()["added"][0]["id"].get<int>())),
         204);
  expect(https.post("/api/v1/factory-reset", json::object()), 422);
}

TEST_F(RestApiTest, AMonitorReadsEverythingButAccountsAndEveryWriteIsForbidden) {
  auto& https = *monitor_;
  for (const char* path :
       {"/api/v1/status", "/metrics", "/api/v1/identities", "/api/v1/identities/factory",
        "/api/v1/trust", "/api/v1/trust/export", "/api/v1/contexts", "/api/v1/contexts/default",
        "/api/v1/context-fields", "/api/v1/services", "/api/v1/settings", "/api/v1/events"}) {
    EXPECT_EQ(https.get(path).status, 200) << path;
  }
  EXPECT_EQ(https.get("/api/v1/users").status, 403);
  EXPECT_EQ(https.get("/api/v1/tokens").status, 403);
  const auto before = identity_names();
  const std::vector<std::pair<std::string, std::string>> writes = {
      {"POST", "/api/v1/identities/x/self-signed"},
      {"POST", "/api/v1/identities/x/csr"},
      {"POST", "/api/v1/identities/x/certificate"},
      {"POST", "/api/v1/identities/x/import"},
      {"DELETE", "/api/v1/identities/factory"},
      {"POST", "/api/v1/trust"},
      {"DELETE", "/api/v1/trust/1"},
      {"POST", "/api/v1/contexts"},
      {"PATCH", "/api/v1/contexts/default"},
      {"DELETE", "/api/v1/contexts/default"},
      {"PUT", "/api/v1/services/sip-tls"},
      {"PATCH", "/api/v1/settings"},
      {"POST", "/api/v1/factory-reset"},
      {"POST", "/api/v1/probe"},
      {"POST", "/api/v1/users"},
      {"DELETE", "/api/v1/users/admin"},
      {"PUT", "/api/v1/users/admin/password"},
      {"POST", "/api/v1/tokens"},
      {"DELETE", "/api/v1/tokens/ci"},
  };
  for (const auto& [method, path] : writes) {
    const auto refused = https.request(method, path, "{}");
    EXPECT_EQ(refused.status, 403) << method << " " << path << ": " << describe(refused);
    EXPECT_EQ(refused.json()["error"]["code"], "forbidden") << path;
  }
  EXPECT_EQ(identity_names(), before);

  // The read-only writes: the certificate alone, a verify report; never a key.
  EXPECT_EQ(https.post("/api/v1/identities/factory/export", json{{"format", "pem"}}).status, 200);
  for (const json& body :
       {json{{"format", "pem"}, {"with_key", true}, {"passphrase", "secret-pass"}},
        json{{"format", "pkcs12"}, {"passphrase", "secret-pass"}}}) {
    const auto refused = https.post("/api/v1/identities/factory/export", body);
    EXPECT_EQ(refused.status, 403) << describe(refused);
    EXPECT_EQ(refused.json()["error"]["message"], "exporting a private key needs the admin role");
    EXPECT_EQ(refused.body.find("secret-pass"), std::string::npos);
  }
  const auto factory = admin_->post("/api/v1/identities/factory/export", json{{"format", "pem"}});
  ASSERT_EQ(factory.status, 200);
  const auto report = https.post("/api/v1/verify", json{{"chain", base64(factory.body)}});
  EXPECT_EQ(report.status, 200) << describe(report);
  EXPECT_TRUE(report.json().contains("trusted"));
}

TEST_F(RestApiTest, AnUploadOverTheLimitIs413AndChangesNothing) {
  const auto before = admin_->get("/api/v1/trust?filter=custom").body;
  const std::string six_megabytes(6 * 1024 * 1024, 'A');
  const auto trust = admin_->post("/api/v1/trust", json{{"file", base64(six_megabytes)}});
  EXPECT_EQ(trust.status, 413) << describe(trust);
  EXPECT_EQ(trust.json()["error"]["code"], "limit_exceeded");
  const auto import =
      admin_->post("/api/v1/identities/big/import", json{{"file", base64(six_megabytes)}});
  EXPECT_EQ(import.status, 413) << describe(import);
  EXPECT_EQ(admin_->get("/api/v1/trust?filter=custom").body, before);
  EXPECT_EQ(admin_->get("/api/v1/identities/big").status, 404);
}

TEST_F(RestApiTest, Pkcs12FromOpensslImportsWithItsPassphraseAndAWrongOneChangesNothing) {
  const auto key = dir_ / "phone.key";
  const auto certificate = dir_ / "phone.pem";
  const auto pkcs12 = dir_ / "phone.p12";
  openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(), "-out",
           certificate.string(), "-subj", "/CN=phone.example.com", "-days", "60"});
  openssl({"pkcs12", "-export", "-inkey", key.string(), "-in", certificate.string(), "-out",
           pkcs12.string(), "-passout", "pass:right-passphrase", "-name", "phone"});
  const std::string file = base64(telecert::testing::read_file(pkcs12));

  const auto before = identity_names();
  const auto wrong = admin_->post("/api/v1/identities/phone/import",
                                  json{{"file", file}, {"passphrase", "wrong-passphrase"}});
  EXPECT_EQ(wrong.status, 422) << describe(wrong);
  EXPECT_EQ(wrong.json()["error"]["code"], "wrong_passphrase");
  EXPECT_EQ(wrong.body.find("wrong-passphrase"), std::string::npos);
  EXPECT_EQ(identity_names(), before);

  const auto right = admin_->post("/api/v1/identities/phone/import",
                                  json{{"file", file}, {"passphrase", "right-passphrase"}});
  ASSERT_EQ(right.status, 201) << describe(right);
  const std::string fingerprint =
      openssl({"x509", "-in", certificate.string(), "-noout", "-fingerprint", "-sha256"});
  EXPECT_NE(fingerprint.find(right.json()["certificate"]["sha256_fingerprint"].get<std::string>()),
            std::string::npos)
      << fingerprint;
  EXPECT_EQ(admin_->del("/api/v1/identities/phone").status, 204);
  EXPECT_EQ(daemon_->log().find("right-passphrase"), std::string::npos);
  EXPECT_EQ(daemon_->log().find("wrong-passphrase"), std::string::npos);
}

TEST_F(RestApiTest, CsrDownloadedFromTheApiVerifiesWithOpenssl) {
  const auto created = admin_->post("/api/v1/identities/gw/csr", new_identity("gw.example.com"));
  ASSERT_EQ(created.status, 201) << describe(created);
  const auto download = monitor_->get("/api/v1/identities/gw/csr");
  ASSERT_EQ(download.status, 200) << describe(download);
  EXPECT_EQ(download.header("content-type"), "application/pkcs10");
  EXPECT_EQ(download.header("content-disposition"), "attachment; filename=\"gw.csr\"");
  const auto file = dir_ / "gw.csr";
  telecert::testing::write_file(file, download.body);
  const std::string verified =
      openssl_with_stderr({"req", "-in", file.string(), "-verify", "-noout"});
  EXPECT_NE(verified.find("verify OK"), std::string::npos) << verified;
  const std::string text = openssl({"req", "-in", file.string(), "-noout", "-text"});
  EXPECT_NE(text.find("DNS:gw.example.com"), std::string::npos) << text;
  EXPECT_NE(text.find("IP Address:192.0.2.10"), std::string::npos) << text;
  EXPECT_EQ(admin_->del("/api/v1/identities/gw").status, 204);
}

TEST_F(RestApiTest, MetricsGiveTheExpiryOfTheCertificateTheDaemonServes) {
  monitor_->new_connection();  // a handshake, so the served certificate comes with the answer
  const auto metrics = monitor_->get("/metrics");
  ASSERT_EQ(metrics.status, 200) << describe(metrics);
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4");
  // The daemon presents the factory identity (web-admin falls back to it): read its end date
  // with openssl, independently of the API.
  ASSERT_FALSE(metrics.peer_certificate_pem.empty());
  const std::string enddate = openssl({"x509", "-noout", "-enddate"}, metrics.peer_certificate_pem);
  const std::int64_t expected = unix_seconds_of_enddate(enddate);
  const std::string fingerprint =
      openssl({"x509", "-noout", "-fingerprint", "-sha256"}, metrics.peer_certificate_pem);
  const std::string hex = fingerprint.substr(fingerprint.find('=') + 1, 95);

  const std::string prefix =
      "telecert_certificate_expiry_timestamp_seconds{kind=\"identity\",name=\"factory\",";
  const auto at = metrics.body.find(prefix);
  ASSERT_NE(at, std::string::npos) << metrics.body.substr(0, 2000);
  const std::string line = metrics.body.substr(at, metrics.body.find('\n', at) - at);
  EXPECT_NE(line.find("fingerprint=\"" + hex + "\""), std::string::npos) << line;
  EXPECT_EQ(line.substr(line.rfind(' ') + 1), std::to_string(expected)) << line << "\n" << enddate;
  EXPECT_NE(metrics.body.find("telecert_identities{status=\"ok\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("telecert_trust_anchors{source=\"builtin\"}"), std::string::npos);
  EXPECT_NE(metrics.body.find("telecert_expiry_warning_days 60"), std::string::npos);
}

TEST(RestApiResetTest, FactoryResetWithItsConfirmationRemovesUserIdentities) {
  TelecertdProcess daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  HttpsClient https(daemon.port());
  ASSERT_EQ(https.login("admin", daemon.admin_password()).status, 200);
  ASSERT_EQ(
      https.post("/api/v1/identities/web/self-signed", new_identity("web.example.com")).status,
      201);
  const auto reset = https.post("/api/v1/factory-reset", json{{"confirm", "factory-reset"}});
  ASSERT_EQ(reset.status, 200) << describe(reset);
  EXPECT_EQ(reset.json()["identities_removed"], 1);
  EXPECT_EQ(https.get("/api/v1/identities/web").status, 404);
  EXPECT_EQ(https.get("/api/v1/identities/factory").status, 200);
  // Within a second the cached status shows it too.
  const auto status = https.get("/api/v1/status");
  EXPECT_EQ(status.json()["identities"].size(), 1u) << describe(status);
}

}  // namespace
}  // namespace telecert::interop
