#include "service/password_hash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace telecert::service {
namespace {

// Most tests use a small cost: the encoding and the checks are what they test, not the cost.
constexpr ScryptParameters kCheap{4, 8, 1};

std::string hash(const std::string& password, ScryptParameters parameters = kCheap) {
  auto encoded = hash_password(Secret(password), parameters);
  EXPECT_TRUE(encoded) << encoded.error().message;
  return encoded.value_or("");
}

TEST(PasswordHash, DefaultCostHashMatchesItsPasswordOnlyAndNamesItsParameters) {
  const std::string encoded = hash("correct horse battery", kDefaultScrypt);
  EXPECT_TRUE(encoded.starts_with("$scrypt$ln=15,r=8,p=1$")) << encoded;
  EXPECT_EQ(encoded.find("correct"), std::string::npos);
  EXPECT_TRUE(verify_password(Secret("correct horse battery"), encoded));
  EXPECT_FALSE(verify_password(Secret("correct horse batterY"), encoded));
}

TEST(PasswordHash, SaltIsSixteenBytesAndHashThirtyTwoInUnpaddedBase64) {
  const std::string encoded = hash("a password here");
  const auto hash_start = encoded.rfind('$');
  const auto salt_start = encoded.rfind('$', hash_start - 1);
  EXPECT_EQ(hash_start - salt_start - 1, 22u);      // 16 bytes
  EXPECT_EQ(encoded.size() - hash_start - 1, 43u);  // 32 bytes
  EXPECT_EQ(std::count(encoded.begin(), encoded.end(), '='), 3) << "no padding: " << encoded;
}

TEST(PasswordHash, TwoHashesOfOnePasswordDifferAndBothVerify) {
  const std::string first = hash("same password");
  const std::string second = hash("same password");
  EXPECT_NE(first, second);
  EXPECT_TRUE(verify_password(Secret("same password"), first));
  EXPECT_TRUE(verify_password(Secret("same password"), second));
}

TEST(PasswordHash, TheCostIsReadFromTheEncodingSoOldHashesStillVerify) {
  const std::string encoded = hash("raised later", {5, 4, 2});
  EXPECT_TRUE(encoded.starts_with("$scrypt$ln=5,r=4,p=2$")) << encoded;
  EXPECT_TRUE(verify_password(Secret("raised later"), encoded));
}

TEST(PasswordHash, TamperedOrMalformedEncodingsDoNotMatch) {
  const std::string password = "tamper with me";
  const std::string encoded = hash(password);
  ASSERT_TRUE(verify_password(Secret(password), encoded));

  std::string flipped = encoded;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  std::string other_cost = encoded;
  other_cost.replace(other_cost.find("ln=4"), 4, "ln=5");
  std::string absurd = encoded;
  absurd.replace(absurd.find("ln=4"), 4, "ln=21");
  const auto last = encoded.rfind('$');
  for (const std::string& bad : {
           flipped, other_cost, absurd, encoded.substr(0, last),  // no hash
           encoded.substr(0, encoded.size() - 1),                 // truncated hash
           encoded.substr(0, encoded.size() - 4),  // 3 bytes shorter, still canonical base64
           "$scrypt$ln=4,r=8$" + encoded.substr(encoded.find('$', 8) + 1),  // no p
           "$argon2$" + encoded.substr(8),                                  // another scheme
           encoded + "$extra", std::string(),
           "$scrypt$ln=04,r=8,p=1" + encoded.substr(encoded.find('$', 8)),  // leading zero
           "$scrypt$ln=4,r=8,p=0" + encoded.substr(encoded.find('$', 8)),   // p out of range
           "$scrypt$ln=4,r=99,p=1" + encoded.substr(encoded.find('$', 8)),  // r out of range
       }) {
    EXPECT_FALSE(verify_password(Secret(password), bad)) << bad;
  }
}

TEST(PasswordHash, ParametersOutOfRangeAreRefusedWhenHashing) {
  for (const ScryptParameters parameters : {ScryptParameters{21, 8, 1}, ScryptParameters{0, 8, 1},
                                            ScryptParameters{20, 16, 1},  // 2 GiB
                                            ScryptParameters{4, 8, 17}}) {
    auto refused = hash_password(Secret("whatever it is"), parameters);
    ASSERT_FALSE(refused) << parameters.log2_cost << " " << parameters.block_size;
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
  }
}

TEST(PasswordHash, GeneratedPasswordsHaveTwentyUnambiguousCharactersAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto password = generate_password();
    ASSERT_TRUE(password) << password.error().message;
    const std::string text(password->reveal());
    EXPECT_EQ(text.size(), kGeneratedPasswordLength);
    EXPECT_EQ(text.find_first_not_of(kGeneratedPasswordAlphabet), std::string::npos) << text;
    EXPECT_EQ(text.find_first_of("0O1lIo"), std::string::npos) << text;
    seen.insert(text);
  }
  EXPECT_EQ(seen.size(), 20u);
}

}  // namespace
}  // namespace telecert::service
