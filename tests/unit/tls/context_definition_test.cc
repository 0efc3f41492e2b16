#include "tls/context_definition.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace telecert::tls {
namespace {

using nlohmann::json;

const std::string kFingerprint =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
    "89";

// The definition after applying (field, value) pairs to the defaults; fails the test on a refusal.
TlsContextDefinition with(
    std::initializer_list<std::pair<std::string_view, std::string_view>> set) {
  TlsContextDefinition definition;
  definition.name = "test";
  for (const auto& [field, value] : set) {
    auto applied = set_field(definition, field, value);
    EXPECT_TRUE(applied) << field << "=" << value << ": " << applied.error().message;
  }
  return definition;
}

::testing::AssertionResult refused(const Result<void>& result,
                                   std::initializer_list<std::string_view> words) {
  if (result) return ::testing::AssertionFailure() << "accepted";
  if (result.error().code != ErrorCode::InvalidArgument) {
    return ::testing::AssertionFailure() << "code " << to_string(result.error().code);
  }
  if (result.error().hint.empty()) return ::testing::AssertionFailure() << "no hint";
  for (auto word : words) {
    if (result.error().message.find(word) == std::string::npos) {
      return ::testing::AssertionFailure() << "'" << word << "' not in: " << result.error().message;
    }
  }
  return ::testing::AssertionSuccess();
}

Result<void> set(std::string_view field, std::string_view value) {
  TlsContextDefinition definition;
  return set_field(definition, field, value);
}

TEST(ContextDefinition, DefaultsAreValid) {
  TlsContextDefinition definition;
  EXPECT_EQ(definition.min_version, TlsVersion::Tls1_2);
  EXPECT_EQ(definition.max_version, TlsVersion::Tls1_3);
  EXPECT_EQ(definition.dh_bits, 2048);
  auto valid = validate_definition(definition);
  EXPECT_TRUE(valid) << valid.error().message;
}

TEST(ContextDefinition, SetFieldParsesEveryFieldByItsCliName) {
  const auto definition = with({{"role", "server"},
                                {"min-tls", "1.3"},
                                {"max-tls", "1.3"},
                                {"legacy", "on"},
                                {"dtls", "1.0"},
                                {"ciphers", "HIGH"},
                                {"suites", "TLS_AES_128_GCM_SHA256"},
                                {"groups", "X25519"},
                                {"dh-bits", "3072"},
                                {"identity", "sbc1"},
                                {"trust", "custom"},
                                {"verify", "chain"},
                                {"cn-fallback", "on"},
                                {"client-cert", "require"},
                                {"ocsp", "on"},
                                {"ocsp-url", "http://a.example:80,http://b.example"},
                                {"ocsp-stapling", "on"},
                                {"crl", "on"},
                                {"crl-file", "/etc/crl.pem"},
                                {"ocsp-default", "accept"},
                                {"strict", "on"},
                                {"send-chain", "off"}});
  EXPECT_EQ(definition.role, ContextRole::Server);
  EXPECT_EQ(definition.min_version, TlsVersion::Tls1_3);
  EXPECT_TRUE(definition.legacy);
  EXPECT_EQ(definition.dtls_version, DtlsVersion::Dtls1_0);
  EXPECT_EQ(definition.ciphers, "HIGH");
  EXPECT_EQ(definition.suites, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(definition.groups, "X25519");
  EXPECT_EQ(definition.dh_bits, 3072);
  EXPECT_EQ(definition.identity, "sbc1");
  EXPECT_EQ(definition.trust, TrustScope::Custom);
  EXPECT_EQ(definition.verification, PeerVerification::Chain);
  EXPECT_TRUE(definition.common_name_fallback);
  EXPECT_EQ(definition.client_cert, ClientCert::Require);
  EXPECT_TRUE(definition.ocsp);
  EXPECT_EQ(definition.ocsp_urls,
            (std::vector<std::string>{"http://a.example:80", "http://b.example"}));
  EXPECT_TRUE(definition.ocsp_stapling);
  EXPECT_TRUE(definition.crl);
  EXPECT_EQ(definition.crl_file, "/etc/crl.pem");
  EXPECT_EQ(definition.revocation_default, RevocationDefault::Accept);
  EXPECT_TRUE(definition.strict);
  EXPECT_FALSE(definition.send_chain);
}

TEST(ContextDefinition, UnknownFieldIsRefusedNamingTheFields) {
  auto result = set("colour", "blue");
  ASSERT_TRUE(refused(result, {"colour"}));
  EXPECT_NE(result.error().hint.find("min-tls"), std::string::npos);
}

TEST(ContextDefinition, UnknownValueIsRefusedNamingTheAcceptedOnes) {
  auto result = set("verify", "maybe");
  ASSERT_TRUE(refused(result, {"maybe", "verify"}));
  EXPECT_NE(result.error().hint.find("chain+name"), std::string::npos);
  EXPECT_TRUE(refused(set("strict", "sometimes"), {"sometimes"}));
  EXPECT_TRUE(refused(set("min-tls", "1.4"), {"1.4"}));
  EXPECT_TRUE(refused(set("dh-bits", "1536"), {"1536"}));
}

TEST(ContextDefinition, SslV3IsRefusedSayingItIsBroken) {
  for (const char* version : {"sslv3", "3.0", "SSLv3"}) {
    for (const char* field : {"min-tls", "max-tls"}) {
      auto result = set(field, version);
      ASSERT_TRUE(refused(result, {"SSLv3", "broken", "POODLE", "RFC 7568"})) << version;
      EXPECT_NE(result.error().message.find("cannot be enabled"), std::string::npos);
    }
  }
}

TEST(ContextDefinition, MinimumAboveMaximumIsRefused) {
  EXPECT_TRUE(refused(validate_definition(with({{"min-tls", "1.3"}, {"max-tls", "1.2"}})),
                      {"minimum", "1.3", "above", "1.2"}));
}

TEST(ContextDefinition, OldTlsVersionsNeedLegacy) {
  for (const char* version : {"1.0", "1.1"}) {
    EXPECT_TRUE(refused(validate_definition(with({{"min-tls", version}})), {version, "legacy"}));
    auto legacy = validate_definition(with({{"min-tls", version}, {"legacy", "on"}}));
    EXPECT_TRUE(legacy) << legacy.error().message;
  }
}

TEST(ContextDefinition, Dh1024NeedsLegacy) {
  EXPECT_TRUE(refused(validate_definition(with({{"dh-bits", "1024"}})), {"1024", "legacy"}));
  EXPECT_TRUE(validate_definition(with({{"dh-bits", "1024"}, {"legacy", "on"}})));
}

TEST(ContextDefinition, UnknownCipherNameIsRefusedEvenNextToAKnownOne) {
  EXPECT_TRUE(refused(validate_definition(with({{"ciphers", "NO-SUCH-CIPHER"}})),
                      {"NO-SUCH-CIPHER", "TLS 1.2 cipher list"}));
  // OpenSSL itself would skip the unknown name here.
  EXPECT_TRUE(refused(
      validate_definition(with({{"ciphers", "ECDHE-RSA-AES128-GCM-SHA256:NO-SUCH-CIPHER"}})),
      {"NO-SUCH-CIPHER"}));
}

TEST(ContextDefinition, CipherListWithAliasesAndExclusionsIsAccepted) {
  auto result = validate_definition(with({{"ciphers", "ECDHE+AESGCM:HIGH:!aNULL:!MD5:@STRENGTH"}}));
  EXPECT_TRUE(result) << result.error().message;
}

TEST(ContextDefinition, Tls12OnlyContextWhoseCipherListSelectsNothingUsableIsRefused) {
  // NULL-SHA256 is a real name, but encrypts nothing: OpenSSL's security level leaves no cipher.
  auto result = validate_definition(
      with({{"min-tls", "1.2"}, {"max-tls", "1.2"}, {"ciphers", "NULL-SHA256"}}));
  ASSERT_TRUE(refused(result, {"NULL-SHA256", "no cipher usable", "1.2"}));
  // A TLS 1.3-only context does not use the TLS 1.2 list.
  EXPECT_TRUE(validate_definition(
      with({{"min-tls", "1.3"}, {"max-tls", "1.3"}, {"ciphers", "NULL-SHA256"}})));
}

TEST(ContextDefinition, Tls13CipherNameInTheTls12ListIsRefused) {
  EXPECT_TRUE(refused(validate_definition(with({{"ciphers", "TLS_AES_128_GCM_SHA256"}})),
                      {"TLS_AES_128_GCM_SHA256"}));
}

TEST(ContextDefinition, UnknownSuiteIsRefused) {
  EXPECT_TRUE(refused(validate_definition(with({{"suites", "TLS_AES_128_GCM_SHA256:TLS_FOO"}})),
                      {"TLS_FOO", "TLS 1.3 suite list"}));
  EXPECT_TRUE(refused(validate_definition(with({{"suites", "ECDHE-RSA-AES128-GCM-SHA256"}})),
                      {"ECDHE-RSA-AES128-GCM-SHA256"}));
  EXPECT_TRUE(validate_definition(with({{"suites", "TLS_CHACHA20_POLY1305_SHA256"}})));
}

TEST(ContextDefinition, UnknownGroupIsRefused) {
  EXPECT_TRUE(
      refused(validate_definition(with({{"groups", "X25519:Curve9999"}})), {"X25519:Curve9999"}));
  EXPECT_TRUE(validate_definition(with({{"groups", "X25519:P-256:P-384"}})));
}

TEST(ContextDefinition, SecurityLevelInTheCipherListNeedsLegacy) {
  EXPECT_TRUE(
      refused(validate_definition(with({{"ciphers", "DEFAULT:@SECLEVEL=0"}})), {"security level"}));
}

TEST(ContextDefinition, EmptyTrustListIsRefusedWhileVerifying) {
  for (const char* verify : {"chain", "chain+name"}) {
    EXPECT_TRUE(refused(validate_definition(with({{"trust", ""}, {"verify", verify}})),
                        {"empty list of roots"}));
  }
  EXPECT_TRUE(validate_definition(with({{"trust", ""}, {"verify", "none"}})));
}

TEST(ContextDefinition, TrustListTakesFingerprintsInEitherFormAndNormalisesThem) {
  std::string bare;
  for (char c : kFingerprint) {
    if (c != ':') bare += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const auto definition = with({{"trust", bare + "," + kFingerprint}});
  EXPECT_EQ(definition.trust, TrustScope::List);
  EXPECT_EQ(definition.trust_list, std::vector<std::string>{kFingerprint});
  EXPECT_TRUE(refused(set("trust", "AB:CD"), {"AB:CD", "fingerprint"}));
  const auto back = with({{"trust", kFingerprint}, {"trust", "all"}});
  EXPECT_EQ(back.trust, TrustScope::All);
  EXPECT_TRUE(back.trust_list.empty());
}

TEST(ContextDefinition, AtMostTwoHttpOcspUrls) {
  EXPECT_TRUE(refused(validate_definition(with(
                          {{"ocsp-url", "http://a.example,http://b.example,http://c.example"}})),
                      {"3 OCSP responder URLs"}));
  for (const char* url : {"ftp://ocsp.example", "ocsp.example:80", "http://", "http://:80/"}) {
    EXPECT_TRUE(refused(validate_definition(with({{"ocsp-url", url}})), {"OCSP", url})) << url;
  }
  EXPECT_TRUE(validate_definition(
      with({{"ocsp-url", "http://127.0.0.1:8080/ocsp,https://ocsp.example.com"}})));
  EXPECT_TRUE(with({{"ocsp-url", "http://a.example"}, {"ocsp-url", ""}}).ocsp_urls.empty());
}

TEST(ContextDefinition, JsonRoundTripKeepsEveryField) {
  auto definition = with({{"role", "client"},
                          {"min-tls", "1.0"},
                          {"legacy", "on"},
                          {"ciphers", "HIGH:!aNULL"},
                          {"groups", "P-256"},
                          {"dh-bits", "1024"},
                          {"identity", "phone"},
                          {"trust", kFingerprint},
                          {"verify", "chain"},
                          {"client-cert", "request"},
                          {"ocsp", "on"},
                          {"ocsp-url", "http://ocsp.example:8080"},
                          {"crl-file", "/tmp/crl.pem"},
                          {"ocsp-default", "accept"},
                          {"send-chain", "off"}});
  definition.name = "phones";
  const std::string text = definition_to_json(definition);
  const json parsed = json::parse(text);
  EXPECT_EQ(parsed["min-tls"], "1.0");
  EXPECT_EQ(parsed["trust"], "list");
  EXPECT_EQ(parsed["trust-list"], json::array({kFingerprint}));
  EXPECT_EQ(parsed["legacy"], true);
  EXPECT_EQ(parsed["dh-bits"], 1024);
  auto back = parse_definition("phones", text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, definition);
}

TEST(ContextDefinition, EmptyStoredObjectTakesEveryDefault) {
  auto parsed = parse_definition("default", "{}");
  ASSERT_TRUE(parsed) << parsed.error().message;
  TlsContextDefinition expected;
  expected.name = "default";
  EXPECT_EQ(*parsed, expected);
  auto partial = parse_definition("sip", R"({"role":"server","ocsp":true})");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->role, ContextRole::Server);
  EXPECT_TRUE(partial->ocsp);
  EXPECT_EQ(partial->max_version, TlsVersion::Tls1_3);
}

TEST(ContextDefinition, MalformedStoredDefinitionIsMalformedInput) {
  for (const char* text :
       {"[]", "not json", R"({"colour":"blue"})", R"({"ocsp":"on"})", R"({"dh-bits":"2048"})",
        R"({"role":"king"})", R"({"ocsp-url":[1]})", R"({"trust":"list","trust-list":["xx"]})"}) {
    auto parsed = parse_definition("x", text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::MalformedInput) << text;
    EXPECT_NE(parsed.error().message.find("'x'"), std::string::npos) << parsed.error().message;
  }
}

}  // namespace
}  // namespace telecert::tls
