#include "store/records.h"

#include <gtest/gtest.h>

namespace telecert::store {
namespace {

TEST(Records, EveryOriginRoundTripsThroughItsPersistedName) {
  for (auto origin : {Origin::Factory, Origin::SelfSigned, Origin::Csr, Origin::Imported,
                      Origin::Scep, Origin::Acme, Origin::Est, Origin::Issued}) {
    EXPECT_EQ(parse_origin(to_string(origin)), origin) << to_string(origin);
  }
}

TEST(Records, OriginNamesAreTheDocumentedSpellings) {
  EXPECT_EQ(to_string(Origin::Factory), "factory");
  EXPECT_EQ(to_string(Origin::SelfSigned), "self-signed");
  EXPECT_EQ(to_string(Origin::Csr), "csr");
  EXPECT_EQ(to_string(Origin::Imported), "imported");
  EXPECT_EQ(to_string(Origin::Scep), "scep");
  EXPECT_EQ(to_string(Origin::Acme), "acme");
  EXPECT_EQ(to_string(Origin::Est), "est");
  EXPECT_EQ(to_string(Origin::Issued), "issued");
}

TEST(Records, TrustSourcesRoundTripThroughTheirPersistedNames) {
  EXPECT_EQ(to_string(TrustSource::Builtin), "builtin");
  EXPECT_EQ(to_string(TrustSource::Custom), "custom");
  EXPECT_EQ(parse_trust_source("builtin"), TrustSource::Builtin);
  EXPECT_EQ(parse_trust_source("custom"), TrustSource::Custom);
}

TEST(Records, UnknownOrDifferentlySpelledNamesDoNotParse) {
  EXPECT_EQ(parse_origin(""), std::nullopt);
  EXPECT_EQ(parse_origin("Factory"), std::nullopt);
  EXPECT_EQ(parse_origin("self_signed"), std::nullopt);
  EXPECT_EQ(parse_trust_source("system"), std::nullopt);
  EXPECT_EQ(parse_trust_source("CUSTOM"), std::nullopt);
}

}  // namespace
}  // namespace telecert::store
