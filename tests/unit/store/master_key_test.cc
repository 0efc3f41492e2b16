#include "store/master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "support/test_support.h"

namespace telecert::store {
namespace {

using telecert::testing::TempDir;

mode_t mode_of(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

TEST(MasterKey, CreatesOwnerOnlyFileWithSixtyFourHexDigits) {
  TempDir directory;
  const auto file = directory / "master.key";
  auto key = load_or_create_master_key(file);
  ASSERT_TRUE(key) << key.error().message;

  EXPECT_EQ(mode_of(file), 0600);
  ASSERT_EQ(key->reveal().size(), 64u);
  EXPECT_EQ(key->reveal().find_first_not_of("0123456789abcdef"), std::string_view::npos);
  EXPECT_EQ(testing::read_file(file), std::string(key->reveal()) + "\n");
}

TEST(MasterKey, ExistingFileIsReusedNotReplaced) {
  TempDir directory;
  const auto file = directory / "master.key";
  auto first = load_or_create_master_key(file);
  auto second = load_or_create_master_key(file);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->reveal(), second->reveal());
}

TEST(MasterKey, EachNewFileGetsADifferentKey) {
  TempDir directory;
  auto first = load_or_create_master_key(directory / "a" / "master.key");
  auto second = load_or_create_master_key(directory / "b" / "master.key");
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->reveal(), second->reveal());
}

TEST(MasterKey, MissingDirectoryIsCreatedOwnerOnly) {
  TempDir directory;
  const auto data = directory / "parent" / "data";
  auto key = load_or_create_master_key(data / "master.key");
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(mode_of(data), 0700);
}

TEST(MasterKey, ExistingDirectoryKeepsItsMode) {
  TempDir directory;
  const auto data = directory / "data";
  std::filesystem::create_directory(data);
  ::chmod(data.c_str(), 0750);
  ASSERT_TRUE(load_or_create_master_key(data / "master.key"));
  EXPECT_EQ(mode_of(data), 0750);
}

TEST(MasterKey, FileReadableByOthersIsRefusedWithChmodHint) {
  TempDir directory;
  const auto file = directory / "master.key";
  ASSERT_TRUE(load_or_create_master_key(file));
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);

  auto key = load_or_create_master_key(file);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::Forbidden);
  EXPECT_EQ(key.error().hint, "run: chmod 600 " + file.string());
}

TEST(MasterKey, FileWritableByGroupIsRefused) {
  TempDir directory;
  const auto file = directory / "master.key";
  ASSERT_TRUE(load_or_create_master_key(file));
  ASSERT_EQ(::chmod(file.c_str(), 0620), 0);
  auto key = load_or_create_master_key(file);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::Forbidden);
}

TEST(MasterKey, FileWithoutSixtyFourHexDigitsIsMalformedAndLeftAlone) {
  TempDir directory;
  const auto file = directory / "master.key";
  testing::write_file(file, "not a key\n");
  ::chmod(file.c_str(), 0600);

  auto key = load_or_create_master_key(file);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::MalformedInput);
  EXPECT_EQ(testing::read_file(file), "not a key\n");
}

TEST(MasterKey, SymbolicLinkIsNotFollowed) {
  TempDir directory;
  ASSERT_TRUE(load_or_create_master_key(directory / "real.key"));
  std::filesystem::create_symlink(directory / "real.key", directory / "master.key");
  auto key = load_or_create_master_key(directory / "master.key");
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, ErrorCode::Io);
}

}  // namespace
}  // namespace telecert::store
