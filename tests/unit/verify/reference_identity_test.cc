// Reference identities (RFC 6125) and their matching against certificates' names.
#include "verify/reference_identity.h"

#include <gtest/gtest.h>

#include "unit/verify/test_chain.h"

namespace telecert::verify {
namespace {

using testing::LeafSpec;

pki::Certificate certificate_with(std::string sans, std::string common_name = "device") {
  static const pki::Key key = *pki::Key::generate(pki::KeyType::EcP256);
  LeafSpec spec;
  spec.sans = std::move(sans);
  spec.common_name = std::move(common_name);
  return testing::make_certificate(spec, key.get(), nullptr, nullptr);
}

bool match(const pki::Certificate& certificate, std::string_view name, bool cn_fallback = false) {
  auto identity = parse_reference_identity(name);
  EXPECT_TRUE(identity) << name;
  return identity && matches(certificate, *identity, NameCheckOptions{cn_fallback});
}

TEST(ReferenceIdentityTest, ParsesEachKindIntoItsCanonicalForm) {
  EXPECT_EQ(std::get<DnsName>(*parse_reference_identity("SBC1.Example.COM.")).value,
            "sbc1.example.com");
  EXPECT_EQ(std::get<IpAddress>(*parse_reference_identity("[2001:DB8:0:0::1]")).value,
            "2001:db8::1");
  EXPECT_EQ(std::get<IpAddress>(*parse_reference_identity("192.0.2.1")).value, "192.0.2.1");
  EXPECT_EQ(
      std::get<SipUri>(*parse_reference_identity("sips:Example.com:5061;transport=tls")).domain,
      "example.com");
  EXPECT_EQ(std::get<SipUri>(*parse_reference_identity("sip:alice@pbx.example.com")).domain,
            "pbx.example.com");
  EXPECT_EQ(std::get<EmailAddress>(*parse_reference_identity("Alice@Example.COM")).value,
            "Alice@example.com");
}

TEST(ReferenceIdentityTest, RefusesEmptyAndMalformedNames) {
  for (std::string_view bad : {"", "a..b", "-a.example.com", "foo_bar.example.com", "*.example.com",
                               "sip:", "@example.com", "a b.com"}) {
    auto identity = parse_reference_identity(bad);
    ASSERT_FALSE(identity) << bad;
    EXPECT_EQ(identity.error().code, ErrorCode::InvalidArgument);
  }
}

TEST(ReferenceIdentityTest, ToStringGivesBackTheName) {
  EXPECT_EQ(to_string(*parse_reference_identity("sip:example.com")), "sip:example.com");
  EXPECT_EQ(to_string(*parse_reference_identity("Host.Example.com")), "host.example.com");
}

TEST(ReferenceIdentityTest, DnsNamesCompareCaseInsensitively) {
  EXPECT_TRUE(match(certificate_with("DNS:SBC1.example.COM"), "sbc1.example.com"));
  EXPECT_FALSE(match(certificate_with("DNS:sbc2.example.com"), "sbc1.example.com"));
}

TEST(ReferenceIdentityTest, WildcardOnlyAsTheWholeLeftMostLabelOfAtLeastThreeLabels) {
  const auto wildcard = certificate_with("DNS:*.example.com");
  EXPECT_TRUE(match(wildcard, "a.example.com"));
  EXPECT_FALSE(match(wildcard, "a.b.example.com"));
  EXPECT_FALSE(match(wildcard, "example.com"));
  EXPECT_FALSE(match(certificate_with("DNS:*.com"), "example.com"));
  EXPECT_FALSE(match(certificate_with("DNS:f*.example.com"), "foo.example.com"));
  EXPECT_FALSE(match(certificate_with("DNS:a.*.example.com"), "a.b.example.com"));
}

TEST(ReferenceIdentityTest, IpAddressesMatchOnlyIpSans) {
  const auto certificate = certificate_with("DNS:192.0.2.1,IP:2001:db8::1", "192.0.2.1");
  EXPECT_TRUE(match(certificate, "2001:db8:0::1"));
  EXPECT_FALSE(match(certificate, "192.0.2.1", true));
}

TEST(ReferenceIdentityTest, SipDomainMatchesSipUriOrEqualDnsSanWithoutWildcards) {
  EXPECT_TRUE(match(certificate_with("URI:sip:example.com"), "sip:example.com"));
  EXPECT_TRUE(match(certificate_with("URI:SIP:Example.com"), "sips:example.com:5061"));
  EXPECT_FALSE(match(certificate_with("URI:sip:alice@example.com"), "sip:example.com"));
  EXPECT_FALSE(match(certificate_with("URI:https://example.com"), "sip:example.com"));
  EXPECT_TRUE(match(certificate_with("DNS:example.com"), "sip:example.com"));
  EXPECT_FALSE(match(certificate_with("DNS:*.example.com"), "sip:pbx.example.com"));
}

TEST(ReferenceIdentityTest, CommonNameOnlyInFallbackModeAndWithoutDnsSan) {
  EXPECT_FALSE(match(certificate_with("", "sbc1.example.com"), "sbc1.example.com"));
  EXPECT_TRUE(match(certificate_with("", "sbc1.example.com"), "sbc1.example.com", true));
  EXPECT_TRUE(
      match(certificate_with("IP:192.0.2.1", "sbc1.example.com"), "sbc1.example.com", true));
  EXPECT_FALSE(match(certificate_with("DNS:other.example.com", "sbc1.example.com"),
                     "sbc1.example.com", true));
}

TEST(ReferenceIdentityTest, CommonNameCountsForASipDomainOnlyWhenThereIsNoSanAtAll) {
  // RFC 5922 §7.1: the CN is used only when the certificate has no subjectAltName extension.
  EXPECT_TRUE(match(certificate_with("", "sip.example.com"), "sip:sip.example.com", true));
  EXPECT_FALSE(match(certificate_with("URI:sip:other.example.net", "sip.example.com"),
                     "sip:sip.example.com", true));
  EXPECT_FALSE(
      match(certificate_with("IP:192.0.2.1", "sip.example.com"), "sips:sip.example.com", true));
  // A SAN of a type telecert does not list (registeredID) is still a SAN.
  EXPECT_FALSE(
      match(certificate_with("RID:1.2.3.4", "sip.example.com"), "sip:sip.example.com", true));
}

TEST(ReferenceIdentityTest, SipUriWithAnIpHostMatchesOnlyIpSansAndSipUriSansOfThatAddress) {
  // RFC 6125 §6.2.1: an IP reference is compared with IP SANs only, never a DNS SAN or the CN.
  const auto dns_and_cn = certificate_with("DNS:192.0.2.7", "192.0.2.7");
  EXPECT_FALSE(match(dns_and_cn, "sips:192.0.2.7"));
  EXPECT_FALSE(match(dns_and_cn, "sips:192.0.2.7", true));
  EXPECT_FALSE(match(certificate_with("", "192.0.2.7"), "sips:192.0.2.7", true));
  EXPECT_TRUE(match(certificate_with("IP:192.0.2.7"), "sips:192.0.2.7"));
  EXPECT_TRUE(match(certificate_with("URI:sip:192.0.2.7"), "sips:192.0.2.7:5061"));
  EXPECT_FALSE(match(certificate_with("IP:192.0.2.8"), "sips:192.0.2.7"));
}

TEST(ReferenceIdentityTest, SipUriWithAnIpv6HostMatchesTheBracketedSipUriSan) {
  EXPECT_TRUE(match(certificate_with("URI:sip:[2001:db8::1]"), "sips:[2001:db8::1]"));
  EXPECT_TRUE(match(certificate_with("URI:sip:[2001:DB8:0::1]:5061"), "sip:[2001:db8::1]"));
  EXPECT_TRUE(match(certificate_with("IP:2001:db8::1"), "sips:[2001:db8:0::1]:5061"));
  EXPECT_FALSE(match(certificate_with("URI:sip:[2001:db8::2]"), "sips:[2001:db8::1]"));
  EXPECT_EQ(presented_names(certificate_with("URI:sip:[2001:DB8:0::1]:5061"), {}),
            std::vector<std::string>{"sip:[2001:db8::1]"});
}

TEST(ReferenceIdentityTest, EmailLocalPartIsExactAndDomainCaseInsensitive) {
  const auto certificate = certificate_with("email:alice@Example.com");
  EXPECT_TRUE(match(certificate, "alice@example.COM"));
  EXPECT_FALSE(match(certificate, "Alice@example.com"));
}

TEST(ReferenceIdentityTest, PresentedNamesListWhatCouldMatch) {
  const auto certificate = certificate_with(
      "DNS:a.example.com,IP:192.0.2.1,URI:sip:example.com,URI:https://x.example", "cn.example.com");
  EXPECT_EQ(presented_names(certificate, {}),
            (std::vector<std::string>{"dns:a.example.com", "ip:192.0.2.1", "sip:example.com"}));
  EXPECT_EQ(presented_names(certificate_with("", "cn.example.com"), {true}),
            (std::vector<std::string>{"cn:cn.example.com"}));
}

}  // namespace
}  // namespace telecert::verify
