// Accounts, logins and sessions over a real (temporary SQLite) directory,
// with the clock passed in so that timeouts and lockouts can be tested
// without waiting.
#include "access/accounts.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "access/credentials.h"
#include "store/store.h"

namespace continuum::access {
namespace {

constexpr const char* kPassword = "correct horse battery";

Timestamp At(int64_t seconds) { return Timestamp::FromUnixSeconds(1'800'000'000 + seconds); }

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("continuum-accounts-" + RandomHexId(6));
    std::filesystem::create_directories(dir_);
    auto s = store::Open("sqlite:" + (dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(dir().PutAgency({"school-1", "Riverside Primary", "school"}).ok());
    auto u = AddUser(dir(), {"a.jones", "Alex Jones", "practitioner", "school-1", "", kPassword, false}, At(0));
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    user_ = u->user;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::Directory& dir() { return store_->directory(); }
  LoginResult LoginAt(int64_t t, std::string name = "a.jones", std::string pw = kPassword, std::string totp = "",
                      std::string ip = "10.0.0.1") {
    auto r = Login(dir(), policy_, {name, pw, totp, ip}, At(t));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : LoginResult{};
  }
  bool Valid(const std::string& token, int64_t t) {
    auto a = Authenticate(dir(), policy_, token, At(t));
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() && a->has_value();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  store::User user_;
  LoginPolicy policy_;
};

TEST_F(AccountsTest, AddUserChecksRoleAgencyPasswordAndDuplicates) {
  EXPECT_EQ(AddUser(dir(), {"b", "B", "practitioner", "school-1", "", kPassword}, At(0)).status().code(),
            StatusCode::kInvalidArgument);  // user name too short
  EXPECT_EQ(AddUser(dir(), {"b.b", "B", "wizard", "school-1", "", kPassword}, At(0)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(AddUser(dir(), {"b.b", "B", "practitioner", "nowhere", "", kPassword}, At(0)).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(AddUser(dir(), {"b.b", "B", "practitioner", "school-1", "", "short"}, At(0)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(AddUser(dir(), {"A.Jones", "B", "practitioner", "school-1", "", kPassword}, At(0)).status().code(),
            StatusCode::kConflict);  // user names are case-insensitive
  auto stored = dir().GetUser(user_.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->password_hash.rfind("$argon2id$", 0), 0u);  // never the password itself
}

TEST_F(AccountsTest, LoginGivesAFreshTokenStoredOnlyAsItsHash) {
  LoginResult a = LoginAt(0), b = LoginAt(1);
  ASSERT_TRUE(a.ok && b.ok);
  EXPECT_NE(a.token, b.token);
  EXPECT_EQ(a.token.size(), 43u);
  auto by_hash = dir().GetSession(TokenHash(a.token));
  ASSERT_TRUE(by_hash.ok() && by_hash->has_value());
  auto by_token = dir().GetSession(a.token);  // the token itself is not a key
  EXPECT_TRUE(!by_token.ok() || !by_token->has_value());
  EXPECT_TRUE(Valid(a.token, 2));
  EXPECT_FALSE(Valid("not-a-token", 2));
}

TEST_F(AccountsTest, EveryFailureLooksTheSameToTheCaller) {
  LoginResult unknown = LoginAt(0, "nobody.here");
  LoginResult wrong = LoginAt(0, "a.jones", "wrong password here");
  EXPECT_FALSE(unknown.ok);
  EXPECT_FALSE(wrong.ok);
  EXPECT_TRUE(unknown.token.empty() && wrong.token.empty());
  EXPECT_EQ(unknown.failure, "unknown_user");  // for the audit only
  EXPECT_EQ(wrong.failure, "bad_password");
  EXPECT_FALSE(unknown.throttled || wrong.throttled);
}

TEST_F(AccountsTest, IdleAndAbsoluteTimeoutsEndSessions) {
  policy_.idle_timeout = std::chrono::seconds(600);
  policy_.absolute_timeout = std::chrono::seconds(3600);
  policy_.touch_interval = std::chrono::seconds(60);
  LoginResult a = LoginAt(0);
  ASSERT_TRUE(a.ok);
  // Used every 5 minutes: stays alive until the absolute timeout.
  for (int t = 300; t < 3600; t += 300) EXPECT_TRUE(Valid(a.token, t)) << t;
  EXPECT_FALSE(Valid(a.token, 3600));
  LoginResult b = LoginAt(4000);
  ASSERT_TRUE(b.ok);
  EXPECT_TRUE(Valid(b.token, 4500));
  EXPECT_FALSE(Valid(b.token, 4500 + 601));  // idle too long
  EXPECT_FALSE(Valid(b.token, 4500 + 602));  // and it stays ended
}

TEST_F(AccountsTest, LogoutDisableAndResetEndSessions) {
  LoginResult a = LoginAt(0);
  ASSERT_TRUE(Logout(dir(), a.token).ok());
  EXPECT_FALSE(Valid(a.token, 1));

  LoginResult b = LoginAt(2);
  ASSERT_TRUE(DisableUser(dir(), "a.jones", At(3)).ok());
  EXPECT_FALSE(Valid(b.token, 4));
  LoginResult disabled = LoginAt(5);
  EXPECT_FALSE(disabled.ok);
  EXPECT_EQ(disabled.failure, "disabled");

  ASSERT_TRUE(ResetUser(dir(), user_.id, {.enable = true}, At(6)).ok());
  LoginResult c = LoginAt(7);
  ASSERT_TRUE(c.ok);
  ASSERT_TRUE(ResetUser(dir(), user_.id, {.password = std::string("another long passphrase")}, At(8)).ok());
  EXPECT_FALSE(Valid(c.token, 9));
  EXPECT_FALSE(LoginAt(10).ok);
  EXPECT_TRUE(LoginAt(11, "a.jones", "another long passphrase").ok);
}

TEST_F(AccountsTest, ThrottlingLocksANameWhetherOrNotItExists) {
  for (const std::string name : {"a.jones", "ghost.user"}) {
    for (int i = 0; i < policy_.max_user_failures; ++i) {
      LoginResult r = LoginAt(i, name, "wrong password here", "", "10.0.0." + std::to_string(i + 10));
      EXPECT_FALSE(r.ok);
      EXPECT_FALSE(r.throttled) << name << " attempt " << i;
    }
    LoginResult locked = LoginAt(10, name, name == "a.jones" ? kPassword : "x", "", "10.0.1.1");
    EXPECT_FALSE(locked.ok) << name;
    EXPECT_TRUE(locked.throttled) << name;
  }
  // The lock lapses.
  EXPECT_TRUE(LoginAt(10 + policy_.lockout.count() + 1, "a.jones", kPassword, "", "10.0.2.1").ok);
}

TEST_F(AccountsTest, ThrottlingPerAddress) {
  policy_.max_ip_failures = 3;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(LoginAt(i, "user" + std::to_string(i), "wrong password here").throttled);
  EXPECT_TRUE(LoginAt(5, "a.jones", kPassword).throttled);  // from the same address
  EXPECT_TRUE(LoginAt(6, "a.jones", kPassword, "", "10.9.9.9").ok);
}

TEST_F(AccountsTest, TotpIsRequiredAndEachCodeWorksOnce) {
  auto created = AddUser(dir(), {"t.user", "T", "social_worker", "school-1", "", kPassword, true}, At(0));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_FALSE(created->totp_secret.empty());
  EXPECT_EQ(created->totp_uri.rfind("otpauth://totp/", 0), 0u);
  const int64_t t = 1000;
  auto code = TotpCode(created->totp_secret, At(t).unix_seconds());
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(LoginAt(t, "t.user", kPassword, "").failure, "bad_totp");
  EXPECT_EQ(LoginAt(t, "t.user", kPassword, *code == "000000" ? "111111" : "000000").failure, "bad_totp");
  EXPECT_TRUE(LoginAt(t, "t.user", kPassword, *code).ok);
  EXPECT_EQ(LoginAt(t + 1, "t.user", kPassword, *code).failure, "bad_totp");  // replayed
}

}  // namespace
}  // namespace continuum::access
