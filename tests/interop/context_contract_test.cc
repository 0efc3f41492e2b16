// The TLS context and service-binding contract (issue 3), driving the built CLI: context
// create|set|show|list|delete and service bind|list, with a real `openssl ocsp` responder, and the
// bad input of the issue — each refused with exit status 1, an `error:` and a `hint:` line, and
// the store unchanged (compared as `sqlite3 telecert.db .dump`).
#include "interop/interop_fixture.h"
#include "support/ocsp_responder.h"
#include "support/test_pki.h"

namespace telecert::interop {
namespace {

using telecert::testing::OcspResponder;
using telecert::testing::TestPki;

class ContextContractTest : public InitialisedTest {
 protected:
  void SetUp() override {
    InitialisedTest::SetUp();
    root_ = make_root_ca("root", "Contract Root");
    const auto leaf = make_leaf_signed_by("sbc1", "sbc1.example.com", root_);
    telecert_ok({"identity", "import", "sbc1", "--file", leaf.certificate, "--key", leaf.key});
    telecert_ok({"trust", "add", root_.certificate});
  }

  // The SHA-256 fingerprint of a PEM certificate, as openssl prints it ("AB:CD:...").
  std::string fingerprint(const std::string& certificate) const {
    const std::string output =
        openssl_ok({"x509", "-in", certificate, "-noout", "-fingerprint", "-sha256"}).output;
    const auto equals = output.find('=');
    EXPECT_NE(equals, std::string::npos) << output;
    std::string value = output.substr(equals + 1);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
  }

  void expect_refused_and_unchanged(const std::vector<std::string>& args,
                                    std::initializer_list<std::string_view> words) {
    std::string command_line = "telecert";
    for (const auto& arg : args) command_line += " " + arg;
    SCOPED_TRACE(command_line);
    const std::string before = dump_store();
    auto result = telecert(args);
    expect_refused(result, words);
    EXPECT_EQ(dump_store(), before) << "the store changed after: " << result.error;
  }

  static const nlohmann::json* find_by(const nlohmann::json& array, std::string_view key,
                                       std::string_view value) {
    for (const auto& item : array) {
      if (item.value(std::string(key), std::string()) == value) return &item;
    }
    return nullptr;
  }

  OpensslCa root_;
};

TEST_F(ContextContractTest, ContextAndServiceCommandsFollowTheContractEndToEnd) {
  TestPki pki(dir_ / "pki");
  OcspResponder responder(
      telecert::testing::ocsp_responder_options(pki, TestPki::Ca::Intermediate));

  auto created = telecert_ok({"context",
                              "create",
                              "sip",
                              "--role",
                              "server",
                              "--min-tls",
                              "1.2",
                              "--max-tls",
                              "1.3",
                              "--identity",
                              "sbc1",
                              "--trust",
                              "custom",
                              "--verify",
                              "chain+name",
                              "--client-cert",
                              "require",
                              "--ocsp",
                              "off",
                              "--ocsp-default",
                              "reject",
                              "--ciphers",
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
                              "--suites",
                              "TLS_AES_128_GCM_SHA256",
                              "--strict",
                              "on",
                              "--send-chain",
                              "on"});
  EXPECT_TRUE(Contains(created.output, "client-cert     require"));

  telecert_ok({"context", "set", "sip", "--ocsp", "on"});
  telecert_ok({"context", "set", "sip", "--ocsp-url", responder.url()});
  EXPECT_TRUE(responder.running()) << responder.log();

  auto shown = telecert_json({"context", "show", "sip"});
  EXPECT_EQ(shown["name"], "sip");
  EXPECT_EQ(shown["role"], "server");
  EXPECT_EQ(shown["min-tls"], "1.2");
  EXPECT_EQ(shown["max-tls"], "1.3");
  EXPECT_EQ(shown["identity"], "sbc1");
  EXPECT_EQ(shown["identity_in_use"], "sbc1");
  EXPECT_EQ(shown["trust"], "custom");
  EXPECT_EQ(shown["verify"], "chain+name");
  EXPECT_EQ(shown["client-cert"], "require");
  EXPECT_EQ(shown["ocsp"], true);
  EXPECT_EQ(shown["ocsp-url"], nlohmann::json::array({responder.url()}));
  EXPECT_EQ(shown["ocsp-default"], "reject");
  EXPECT_EQ(shown["ciphers"], "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(shown["suites"], "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(shown["strict"], true);
  EXPECT_EQ(shown["send-chain"], true);
  EXPECT_EQ(shown["services"], nlohmann::json::array());

  auto listed = telecert_json({"context", "list"});
  ASSERT_TRUE(listed.is_array());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]["name"], "default");
  EXPECT_EQ(listed[0]["identity_in_use"], "factory");
  EXPECT_EQ(listed[1]["name"], "sip");
  auto table = telecert_ok({"context", "list"});
  EXPECT_TRUE(Contains(table.output, "NAME"));
  EXPECT_TRUE(Contains(table.output, "sip             server  1.2-1.3   sbc1"));

  telecert_ok({"service", "bind", "sip-tls", "sip"});
  auto services = telecert_json({"service", "list"});
  ASSERT_TRUE(services.is_array());
  for (const char* name : {"sip-tls", "https-provisioning", "eap-tls", "web-admin"}) {
    const auto* binding = find_by(services, "service", name);
    ASSERT_NE(binding, nullptr) << name << " missing in " << services.dump();
    EXPECT_EQ((*binding)["context"], std::string(name) == "sip-tls" ? "sip" : "default");
    EXPECT_EQ((*binding)["bound"], std::string(name) == "sip-tls");
  }
  EXPECT_EQ(telecert_json({"context", "show", "sip"})["services"],
            nlohmann::json::array({"sip-tls"}));

  expect_refused_and_unchanged({"context", "delete", "sip"}, {"sip", "in use", "sip-tls"});
  telecert_ok({"service", "bind", "sip-tls", "default"});
  auto deleted = telecert_ok({"context", "delete", "sip"});
  EXPECT_TRUE(Contains(deleted.output, "deleted"));
  EXPECT_EQ(telecert_json({"context", "list"}).size(), 1u);

  // Every change is one event.
  auto events = telecert_ok({"events"});
  for (const char* action : {"context.create", "context.set", "service.bind", "context.delete"}) {
    EXPECT_TRUE(Contains(events.output, action));
  }
}

TEST_F(ContextContractTest, HelpNamesEveryContextOption) {
  auto help = run({TELECERT_CLI, "context", "create", "--help"});
  EXPECT_EQ(help.exit_status, 0);
  for (const char* option :
       {"--role",     "--min-tls",       "--max-tls",     "--legacy",      "--dtls",
        "--ciphers",  "--suites",        "--groups",      "--dh-bits",     "--identity",
        "--trust",    "--verify",        "--cn-fallback", "--client-cert", "--ocsp",
        "--ocsp-url", "--ocsp-stapling", "--crl",         "--crl-file",    "--ocsp-default",
        "--strict",   "--send-chain"}) {
    EXPECT_TRUE(Contains(help.output, option));
  }
  auto service_help = run({TELECERT_CLI, "service", "--help"});
  EXPECT_EQ(service_help.exit_status, 0);
  EXPECT_TRUE(Contains(service_help.output, "bind"));
}

TEST_F(ContextContractTest, UsageErrorsExitWithStatusTwo) {
  EXPECT_EQ(telecert({"context", "create"}).exit_status, 2);
  EXPECT_EQ(telecert({"context", "create", "sip", "--no-such-option", "x"}).exit_status, 2);
  EXPECT_EQ(telecert({"service", "bind", "sip-tls"}).exit_status, 2);
}

TEST_F(ContextContractTest, UnknownCipherNamesAreRefusedAndLeaveStoreUnchanged) {
  expect_refused_and_unchanged({"context", "create", "sip", "--ciphers", "NOPE-CIPHER"},
                               {"NOPE-CIPHER", "cipher"});
  expect_refused_and_unchanged(
      {"context", "create", "sip", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256:TYPO-SHA256"},
      {"TYPO-SHA256"});
  expect_refused_and_unchanged({"context", "create", "sip", "--suites", "TLS_NOPE"}, {"TLS_NOPE"});
  expect_refused_and_unchanged({"context", "set", "default", "--ciphers", "NOPE-CIPHER"},
                               {"NOPE-CIPHER"});
}

TEST_F(ContextContractTest, VersionRangeWithMinimumAboveMaximumIsRefusedAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged({"context", "create", "sip", "--min-tls", "1.3", "--max-tls", "1.2"},
                               {"minimum", "1.3", "1.2"});
  expect_refused_and_unchanged(
      {"context", "set", "default", "--max-tls", "1.2", "--min-tls", "1.3"}, {"minimum"});
}

TEST_F(ContextContractTest, SslV3IsRefusedWithTheReasonAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged({"context", "create", "sip", "--min-tls", "sslv3"},
                               {"SSLv3", "POODLE", "RFC 7568"});
}

TEST_F(ContextContractTest, IdentityThatDoesNotExistIsRefusedAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged({"context", "create", "sip", "--identity", "ghost"},
                               {"ghost", "does not exist"});
  auto result = telecert({"context", "create", "sip", "--identity", "ghost"});
  EXPECT_TRUE(Contains(result.error, "telecert identity list"));
}

TEST_F(ContextContractTest, RootThatIsNotTrustedIsRefusedAndLeavesStoreUnchanged) {
  const auto stranger = make_root_ca("stranger", "Stranger Root");
  const std::string fp = fingerprint(stranger.certificate);
  expect_refused_and_unchanged({"context", "create", "sip", "--trust", fp},
                               {fp, "not a trusted root"});
  // The trusted root is accepted in the same form.
  telecert_ok({"context", "create", "sip", "--trust", fingerprint(root_.certificate)});
}

TEST_F(ContextContractTest, EmptyTrustListUnderChainVerificationIsRefusedAndLeavesStoreUnchanged) {
  expect_refused_and_unchanged({"context", "create", "sip", "--trust", "", "--verify", "chain"},
                               {"empty list of roots"});
}

TEST_F(ContextContractTest, UnreachableOcspUrlIsRefusedAndLeavesStoreUnchanged) {
  const std::string url = "http://127.0.0.1:" + std::to_string(telecert::testing::free_port());
  expect_refused_and_unchanged({"context", "create", "sip", "--ocsp", "on", "--ocsp-url", url},
                               {url, "does not answer"});
  auto result = telecert({"context", "set", "default", "--ocsp-url", url});
  EXPECT_TRUE(Contains(result.error, "start the OCSP responder"));
}

TEST_F(ContextContractTest, DefaultContextAndUnknownNamesAreRefusedAndLeaveStoreUnchanged) {
  expect_refused_and_unchanged({"context", "delete", "default"}, {"default", "cannot be deleted"});
  expect_refused_and_unchanged({"context", "show", "ghost"}, {"ghost"});
  expect_refused_and_unchanged({"context", "create", "default"}, {"default", "exists"});
  expect_refused_and_unchanged({"service", "bind", "sip-tls", "ghost"}, {"ghost"});
  expect_refused_and_unchanged({"service", "bind", "SIP TLS", "default"}, {"service name"});
}

TEST_F(ContextContractTest, IdentityUsedByAContextCannotBeDeleted) {
  telecert_ok({"context", "create", "sip", "--identity", "sbc1"});
  expect_refused_and_unchanged({"identity", "delete", "sbc1"}, {"sbc1", "sip"});
  telecert_ok({"context", "set", "sip", "--identity", ""});
  telecert_ok({"identity", "delete", "sbc1"});
}

}  // namespace
}  // namespace telecert::interop
