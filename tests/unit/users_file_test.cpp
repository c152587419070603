// The team server's users file and bearer tokens (auth/bearer_tokens.hpp).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "auth/bearer_tokens.hpp"

namespace dockgate::auth {
namespace {

const std::string kHash = to_hex(sha256("dg_test-token"));

std::string entry(const std::string& name, const std::string& roles, const std::string& hash) {
  return "  - name: " + name + "\n    roles: " + roles + "\n    token_sha256: " + hash + "\n";
}

Result<UserDirectory> parse(const std::string& text) {
  return UserDirectory::parse(text, "users.yaml");
}

void expect_error(const std::string& text, const std::string& fragment) {
  const auto parsed = parse(text);
  ASSERT_FALSE(parsed) << text;
  EXPECT_NE(parsed.error().message.find(fragment), std::string::npos) << parsed.error().message;
}

TEST(UsersFile, AuthenticatesByTokenHash) {
  const auto users = parse("users:\n" + entry("alice", "[dev, ops]", kHash) +
                           entry("bob", "[]", to_hex(sha256("other"))));
  ASSERT_TRUE(users) << users.error().message;
  EXPECT_EQ(users->size(), 2u);
  const auto alice = users->authenticate("dg_test-token");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(alice->roles, (std::vector<std::string>{"dev", "ops"}));
  EXPECT_EQ(users->authenticate("other")->name, "bob");
  EXPECT_FALSE(users->authenticate("dg_test-token2"));
  EXPECT_FALSE(users->authenticate(""));
  EXPECT_FALSE(users->authenticate(kHash));  // the hash is not the token
  EXPECT_FALSE(users->authenticate(std::string(kMaxTokenLength + 1, 'a')));
}

TEST(UsersFile, EmptyListAndMissingRolesAreFine) {
  EXPECT_TRUE(parse("users:\n"));
  EXPECT_TRUE(parse("users: []\n"));
  const auto users = parse("users:\n  - name: carol\n    token_sha256: " + kHash + "\n");
  ASSERT_TRUE(users);
  EXPECT_TRUE(users->authenticate("dg_test-token")->roles.empty());
}

TEST(UsersFile, WrongTypesNameTheFieldAndLine) {
  expect_error("users:\n" + entry("alice", "dev", kHash), "users.yaml:3:12: roles must be a list");
  expect_error("users:\n" + entry("alice", "[[x]]", kHash), "a role must be a string");
  expect_error("users:\n  - name: [a]\n    token_sha256: " + kHash + "\n", "name must be a string");
  expect_error("users:\n  - name: a\n    token_sha256: 42\n", "64 lowercase hex");
  expect_error("users:\n  - name: a\n    token_sha256: [x]\n", "token_sha256 must be");
  expect_error("users: {alice: 1}\n", "users must be a list");
  expect_error("users:\n  - alice\n", "each user must be a map");
  expect_error("- a\n", "must be a map with 'users:'");
  expect_error("", "must be a map");
}

TEST(UsersFile, MissingAndUnknownFieldsAreErrors) {
  expect_error("users:\n  - roles: [a]\n    token_sha256: " + kHash + "\n", "name must be");
  expect_error("users:\n  - name: a\n", "token_sha256 must be");
  expect_error("users:\n" + entry("a", "[]", kHash) + "    token: dg_secret\n",
               "unknown key 'token'");
  expect_error("version: 2\nusers:\n", "unknown key");
}

TEST(UsersFile, HostileValuesAreRefused) {
  expect_error("users:\n" + entry("a", "[]", std::string(64, 'G')), "64 lowercase hex");
  expect_error("users:\n" + entry("a", "[]", kHash.substr(0, 63)), "64 lowercase hex");
  std::string upper = kHash;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != kHash) expect_error("users:\n" + entry("a", "[]", upper), "64 lowercase hex");
  expect_error("users:\n" + entry(std::string(65, 'a'), "[]", kHash), "at most 64");
  expect_error("users:\n" + entry("\"al ice\"", "[]", kHash), "outside [A-Za-z0-9._@-]");
  expect_error("users:\n" + entry("\"a\\nb\"", "[]", kHash), "outside");
  expect_error("users:\n" + entry("a", "[\"r;m\"]", kHash), "role 'r;m'");
  expect_error("users:\n" + entry("a", "[]", kHash) + entry("b", "[]", kHash), "appears twice");
  expect_error(std::string(kMaxUsersFileBytes + 1, '#'), "larger than");
  expect_error("users: [" + std::string(100, '['), "users.yaml:");
  expect_error("users:\n  - &a {name: x}\n  - *a\n  - : :\n", "users.yaml:");
}

TEST(Tokens, HaveThePrefixAnd256RandomBits) {
  const auto a = generate_token();
  const auto b = generate_token();
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::regex_match(a, std::regex("dg_[A-Za-z0-9_-]{43}"))) << a;
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

class TokenAdd : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("dockgate-users-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(folder_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  std::string file() const { return (folder_ / "users.yaml").string(); }
  std::filesystem::path folder_;
};

TEST_F(TokenAdd, CreatesTheFileWithMode0600AndAppends) {
  const auto first = add_token(file(), Principal{"alice", {"dev"}});
  ASSERT_TRUE(first) << first.error().message;
  const auto second = add_token(file(), Principal{"bob", {}});
  ASSERT_TRUE(second) << second.error().message;
  struct stat info {};
  ASSERT_EQ(::stat(file().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const auto users = UserDirectory::load(file());
  ASSERT_TRUE(users) << users.error().message;
  EXPECT_EQ(users->authenticate(*first)->name, "alice");
  EXPECT_EQ(users->authenticate(*second)->name, "bob");
  std::ifstream in(file());
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.find(*first), std::string::npos) << "the token itself must not be stored";
}

TEST_F(TokenAdd, RefusesBadNamesAndFilesItCannotExtend) {
  EXPECT_FALSE(add_token(file(), Principal{"", {}}));
  EXPECT_FALSE(add_token(file(), Principal{"a b", {}}));
  EXPECT_FALSE(add_token(file(), Principal{"a", {"x\ny"}}));
  EXPECT_FALSE(std::filesystem::exists(file()));
  std::ofstream(file()) << "users: []\n";
  const auto flow = add_token(file(), Principal{"alice", {}});
  ASSERT_FALSE(flow);
  EXPECT_NE(flow.error().message.find("would not parse"), std::string::npos);
  std::ofstream(file()) << "users: {\n";
  EXPECT_FALSE(add_token(file(), Principal{"alice", {}}));
}

TEST_F(TokenAdd, AWorldWritableFileDoesNotLoad) {
  ASSERT_TRUE(add_token(file(), Principal{"alice", {}}));
  ::chmod(file().c_str(), 0666);
  const auto users = UserDirectory::load(file());
  ASSERT_FALSE(users);
  EXPECT_NE(users.error().message.find("writable by every user"), std::string::npos);
}

}  // namespace
}  // namespace dockgate::auth
