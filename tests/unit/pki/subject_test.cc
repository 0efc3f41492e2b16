// Subject names and SANs: parsing the admin's text, encoding it, and reading it back the way
// openssl prints it.
#include "pki/subject.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <string>
#include <vector>

#include "pki/key.h"

namespace telecert::pki {
namespace {

TEST(SubjectAltNameTest, ParsesEveryTypeAndRoundTripsThroughText) {
  const std::vector<std::pair<std::string, SubjectAltName>> cases{
      {"dns:sbc1.example.com", {SanType::Dns, "sbc1.example.com"}},
      {"dns:*.example.com", {SanType::Dns, "*.example.com"}},
      {"ip:192.0.2.10", {SanType::Ip, "192.0.2.10"}},
      {"ip:2001:db8::10", {SanType::Ip, "2001:db8::10"}},
      {"email:admin@example.com", {SanType::Email, "admin@example.com"}},
      {"uri:sip:sbc1.example.com", {SanType::Uri, "sip:sbc1.example.com"}},
  };
  for (const auto& [text, expected] : cases) {
    auto san = parse_subject_alt_name(text);
    ASSERT_TRUE(san) << text << ": " << san.error().message;
    EXPECT_EQ(*san, expected);
    EXPECT_EQ(to_string(*san), text);
  }
}

TEST(SubjectAltNameTest, TypeIsCaseInsensitive) {
  auto san = parse_subject_alt_name("DNS:sbc1.example.com");
  ASSERT_TRUE(san);
  EXPECT_EQ(san->type, SanType::Dns);
  EXPECT_EQ(parse_subject_alt_name("IP:192.0.2.1")->type, SanType::Ip);
}

TEST(SubjectAltNameTest, IpAddressesAreCanonicalised) {
  EXPECT_EQ(parse_subject_alt_name("ip:2001:DB8:0:0:0:0:0:1")->value, "2001:db8::1");
  EXPECT_EQ(parse_subject_alt_name("ip:::ffff:192.0.2.1")->value, "::ffff:192.0.2.1");
}

TEST(SubjectAltNameTest, MalformedNamesAreInvalidArgument) {
  for (std::string_view text :
       {"sbc1.example.com", "dns:", "ftp:x", "ip:300.1.1.1", "ip:192.0.2", "ip:sbc1.example.com",
        "ip:2001:db8::1::2", "dns:bad name", "dns:a/b", "email:nobody", "uri:no-scheme", ":x"}) {
    auto san = parse_subject_alt_name(text);
    ASSERT_FALSE(san) << text;
    EXPECT_EQ(san.error().code, ErrorCode::InvalidArgument) << text;
  }
}

TEST(SubjectAltNameTest, WildcardOnlyAsCompleteLeftMostLabel) {
  EXPECT_TRUE(parse_subject_alt_name("dns:*.example.com"));
  EXPECT_TRUE(parse_subject_alt_name("dns:_sip._udp.example.com"));
  EXPECT_TRUE(parse_subject_alt_name("dns:localhost"));
  for (std::string_view text :
       {"dns:*", "dns:a*.example.com", "dns:www.*.example.com", "dns:*.*.example.com",
        "dns:**.example.com", "dns:a..example.com", "dns:.example.com", "dns:example.com."}) {
    auto san = parse_subject_alt_name(text);
    ASSERT_FALSE(san) << text;
    EXPECT_EQ(san.error().code, ErrorCode::InvalidArgument) << text;
  }
  EXPECT_FALSE(parse_subject_alt_name("dns:" + std::string(64, 'a') + ".example.com"));
  EXPECT_TRUE(parse_subject_alt_name("dns:" + std::string(63, 'a') + ".example.com"));
}

TEST(SubjectAltNameTest, UnknownTypeNamesTheTypesThatExist) {
  auto san = parse_subject_alt_name("rid:1.2.3");
  ASSERT_FALSE(san);
  EXPECT_NE(san.error().hint.find("dns, ip, email, uri"), std::string::npos);
}

TEST(GeneralNamesTest, BuildsAndReadsBackEveryType) {
  const std::vector<SubjectAltName> sans{{SanType::Dns, "sbc1.example.com"},
                                         {SanType::Ip, "192.0.2.10"},
                                         {SanType::Ip, "2001:db8::10"},
                                         {SanType::Email, "admin@example.com"},
                                         {SanType::Uri, "sip:sbc1.example.com"}};
  auto names = build_general_names(sans);
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(sk_GENERAL_NAME_num(names->get()), 5);
  EXPECT_EQ(sk_GENERAL_NAME_value(names->get(), 1)->type, GEN_IPADD);
  EXPECT_EQ(ASN1_STRING_length(sk_GENERAL_NAME_value(names->get(), 1)->d.iPAddress), 4);
  EXPECT_EQ(ASN1_STRING_length(sk_GENERAL_NAME_value(names->get(), 2)->d.iPAddress), 16);
  EXPECT_EQ(read_general_names(names->get()), sans);
}

TEST(GeneralNamesTest, UnparseableIpIsInvalidArgumentWhenGivenDirectly) {
  // Callers that skip parse_subject_alt_name still get an error, not a crash.
  auto names = build_general_names({{SanType::Ip, "not-an-ip"}});
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(GeneralNamesTest, ReadingSkipsTypesWeDoNotModel) {
  Owned<GENERAL_NAMES> names(GENERAL_NAMES_new());
  GENERAL_NAME* directory = GENERAL_NAME_new();
  directory->type = GEN_DIRNAME;
  directory->d.directoryName = X509_NAME_new();
  sk_GENERAL_NAME_push(names.get(), directory);
  auto dns = build_general_names({{SanType::Dns, "a.example.com"}});
  ASSERT_TRUE(dns);
  sk_GENERAL_NAME_push(names.get(), GENERAL_NAME_dup(sk_GENERAL_NAME_value(dns->get(), 0)));
  EXPECT_EQ(read_general_names(names.get()),
            (std::vector<SubjectAltName>{{SanType::Dns, "a.example.com"}}));
}

TEST(DistinguishedNameTest, BuildsNameInConventionalOrder) {
  DistinguishedName name{"sbc1.example.com", "Voice", "Acme", "Berlin", "Berlin", "DE"};
  auto built = build_x509_name(name);
  ASSERT_TRUE(built) << built.error().message;
  // RFC 2253 text lists the most specific RDN first; the encoding has C first.
  EXPECT_EQ(name_to_string(built->get()),
            "CN=sbc1.example.com,OU=Voice,O=Acme,L=Berlin,ST=Berlin,C=DE");
  EXPECT_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(built->get(), 0))),
            NID_countryName);
  EXPECT_EQ(name_entry(built->get(), NID_organizationalUnitName), "Voice");
  EXPECT_EQ(name_entry(built->get(), NID_commonName), "sbc1.example.com");
}

TEST(DistinguishedNameTest, EmptyFieldsAreLeftOut) {
  auto built = build_x509_name({.common_name = "only-cn"});
  ASSERT_TRUE(built);
  EXPECT_EQ(X509_NAME_entry_count(built->get()), 1);
  EXPECT_EQ(name_to_string(built->get()), "CN=only-cn");
  EXPECT_EQ(name_entry(built->get(), NID_countryName), "");
}

TEST(DistinguishedNameTest, Utf8ValuesStayUtf8AndSpecialCharactersAreEscaped) {
  auto built = build_x509_name(
      {.common_name = "Téléphone 1", .organization = "Acme, Inc.", .locality = "Zürich"});
  ASSERT_TRUE(built);
  EXPECT_EQ(name_to_string(built->get()), "CN=Téléphone 1,O=Acme\\, Inc.,L=Zürich");
  EXPECT_EQ(name_entry(built->get(), NID_commonName), "Téléphone 1");
}

TEST(DistinguishedNameTest, CountryThatIsNotTwoLettersIsInvalidArgument) {
  for (std::string country : {"D", "DEU", "12", "D1", "Germany"}) {
    auto built = build_x509_name({.common_name = "x", .country = country});
    ASSERT_FALSE(built) << country;
    EXPECT_EQ(built.error().code, ErrorCode::InvalidArgument) << country;
    EXPECT_FALSE(built.error().hint.empty());
  }
}

TEST(DistinguishedNameTest, OverlongCommonNameIsInvalidArgument) {
  auto built = build_x509_name({.common_name = std::string(65, 'a')});
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_TRUE(build_x509_name({.common_name = std::string(64, 'a')}));
}

TEST(SignatureDigestTest, ParsesNamesAndRoundTrips) {
  for (auto digest : {SignatureDigest::Sha1, SignatureDigest::Sha256, SignatureDigest::Sha384,
                      SignatureDigest::Sha512}) {
    EXPECT_EQ(*parse_signature_digest(to_string(digest)), digest);
  }
  auto unknown = parse_signature_digest("md5");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::InvalidArgument);
}

TEST(SignatureDigestTest, Ed25519SignsWithoutSeparateDigest) {
  auto ed = Key::generate(KeyType::Ed25519);
  auto ec = Key::generate(KeyType::EcP256);
  ASSERT_TRUE(ed && ec);
  EXPECT_EQ(digest_for(SignatureDigest::Sha384, ed->get()), nullptr);
  EXPECT_EQ(digest_for(SignatureDigest::Sha384, ec->get()), EVP_sha384());
  EXPECT_EQ(digest_for(SignatureDigest::Sha256, ec->get()), EVP_sha256());
  EXPECT_EQ(digest_for(SignatureDigest::Sha512, ec->get()), EVP_sha512());
}

}  // namespace
}  // namespace telecert::pki
