// Accounts, logins and sessions over a real directory (a temporary SQLite
// file, and a PostgreSQL schema under scripts/with-postgres.sh),
// with the clock passed in so that timeouts and lockouts can be tested
// without waiting.
#include "access/accounts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "access/credentials.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace continuum::access {
namespace {

constexpr const char* kPassword = "correct horse battery";

Timestamp At(int64_t seconds) { return Timestamp::FromUnixSeconds(1'800'000'000 + seconds); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class AccountsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == store::testing::kPostgres && store::testing::PostgresTestUrl().empty()) {
      GTEST_SKIP()
          << "CONTINUUM_TEST_PG_URL is not set; run under scripts/with-postgres.sh to test PostgreSQL";
    }
    auto db = store::testing::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto s = store::Open(db_->url());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(dir().PutAgency({"school-1", "Riverside Primary", "school"}).ok());
    auto u = AddUser(dir(), {"a.jones", "Alex Jones", "practitioner", "school-1", "", kPassword, false}, At(0));
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    user_ = u->user;
  }
  void TearDown() override { store_.reset(); }
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

  std::unique_ptr<store::testing::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  store::User user_;
  LoginPolicy policy_;
};

TEST_P(AccountsTest, AddUserChecksRoleAgencyPasswordAndDuplicates) {
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

TEST_P(AccountsTest, LoginGivesAFreshTokenStoredOnlyAsItsHash) {
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

TEST_P(AccountsTest, EveryFailureLooksTheSameToTheCaller) {
  LoginResult unknown = LoginAt(0, "nobody.here");
  LoginResult wrong = LoginAt(0, "a.jones", "wrong password here");
  EXPECT_FALSE(unknown.ok);
  EXPECT_FALSE(wrong.ok);
  EXPECT_TRUE(unknown.token.empty() && wrong.token.empty());
  EXPECT_EQ(unknown.failure, "unknown_user");  // for the audit only
  EXPECT_EQ(wrong.failure, "bad_password");
  EXPECT_FALSE(unknown.throttled || wrong.throttled);
}

TEST_P(AccountsTest, IdleAndAbsoluteTimeoutsEndSessions) {
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

TEST_P(AccountsTest, LogoutDisableAndResetEndSessions) {
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

// Throttling (docs/access.md, "Login throttling"). The clock is passed in:
// attempts at one instant are all inside one another's back-off.

TEST_P(AccountsTest, FiveFailuresPerNameAndAddressThenAWaitWhetherOrNotTheNameExists) {
  for (const std::string name : {"a.jones", "ghost.user"}) {
    for (int i = 0; i < policy_.max_name_address_failures; ++i) {
      LoginResult r = LoginAt(i, name, "wrong password here");
      EXPECT_FALSE(r.ok);
      EXPECT_FALSE(r.throttled) << name << " attempt " << i;
      EXPECT_TRUE(r.password_checked);
    }
    const int64_t last = policy_.max_name_address_failures - 1;
    // The right password does not get in while the wait lasts, and is not checked.
    LoginResult waiting = LoginAt(last + 10, name, name == "a.jones" ? kPassword : "x");
    EXPECT_FALSE(waiting.ok) << name;
    EXPECT_TRUE(waiting.throttled) << name;
    EXPECT_FALSE(waiting.password_checked);
    EXPECT_EQ(waiting.failure, "throttled");
    EXPECT_EQ(waiting.retry_after, policy_.backoff - std::chrono::seconds(10));
    // Another address is counted apart.
    LoginResult elsewhere = LoginAt(last + 10, name, "wrong password here", "", "10.0.0.2");
    EXPECT_FALSE(elsewhere.throttled) << name;
  }
  // The wait over, the right password gets in.
  EXPECT_TRUE(LoginAt(4 + policy_.backoff.count(), "a.jones", kPassword).ok);
}

TEST_P(AccountsTest, EachFurtherAttemptWaitsTwiceAsLongUpToTheLongestWait) {
  policy_.lockout = std::chrono::seconds(200);
  int64_t t = 0;
  for (int i = 0; i < policy_.max_name_address_failures; ++i) LoginAt(t, "a.jones", "wrong password here");
  std::vector<int64_t> waits;
  for (int i = 0; i < 5; ++i) {
    LoginResult refused = LoginAt(t, "a.jones", "wrong password here");
    ASSERT_TRUE(refused.throttled);
    waits.push_back(refused.retry_after.count());
    t += refused.retry_after.count();
    LoginResult tried = LoginAt(t, "a.jones", "wrong password here");  // allowed once, and counted
    ASSERT_FALSE(tried.throttled) << "at " << t;
    ASSERT_TRUE(tried.password_checked);
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{30, 60, 120, 200, 200}));
  // A quiet window (from the last failure) starts the count again.
  t += policy_.failure_window.count() + 1;
  for (int i = 0; i < policy_.max_name_address_failures; ++i) {
    EXPECT_FALSE(LoginAt(t, "a.jones", "wrong password here").throttled) << i;
  }
}

// Concurrent attempts: each is reserved before its password is checked, so
// 300 at once for one account from one address check it 5 times.
TEST_P(AccountsTest, ThreeHundredConcurrentAttemptsCheckThePasswordAtMostFiveTimes) {
  std::atomic<int> checked{0}, throttled{0}, errors{0};
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 30; ++i) {
    threads.emplace_back([&] {
      while (next.fetch_add(1) < 300) {
        auto r = Login(dir(), policy_, {"a.jones", "wrong password here", "", "10.0.0.1"}, At(0));
        if (!r.ok()) {
          ++errors;
          continue;
        }
        checked += r->password_checked;
        throttled += r->throttled;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_LE(checked.load(), policy_.max_name_address_failures);
  EXPECT_EQ(checked.load() + throttled.load(), 300);
}

// The right password sent once the limit is reached, while 40 wrong ones are
// still arriving, does not get in.
TEST_P(AccountsTest, TheRightPasswordInsideABurstOfWrongOnesDoesNotGetInPastTheLimit) {
  std::mutex mu;
  std::condition_variable cv;
  int checked = 0;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&] {
      auto r = Login(dir(), policy_, {"a.jones", "wrong password here", "", "10.0.0.1"}, At(0));
      if (!r.ok()) ++errors;
      std::lock_guard lock(mu);
      checked += r.ok() && r->password_checked;
      cv.notify_all();
    });
  }
  LoginResult right;
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return checked >= policy_.max_name_address_failures; });
  }
  right = LoginAt(0, "a.jones", kPassword);
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(checked, policy_.max_name_address_failures);
  EXPECT_FALSE(right.ok);
  EXPECT_TRUE(right.throttled);
}

// Failures spread over many addresses reach the wider per-name ceiling; the
// name then waits everywhere but where it has logged in before.
TEST_P(AccountsTest, TheNameCeilingSpansAddressesButSparesKnownOnes) {
  policy_.max_name_failures = 10;
  ASSERT_TRUE(LoginAt(0, "a.jones", kPassword, "", "10.0.0.1").ok);  // 10.0.0.1 becomes known
  for (int i = 0; i < 10; ++i) {
    LoginResult r = LoginAt(1, "a.jones", "wrong password here", "", "192.0.2." + std::to_string(i + 1));
    EXPECT_FALSE(r.throttled) << i;
  }
  LoginResult stranger = LoginAt(2, "a.jones", kPassword, "", "198.51.100.7");
  EXPECT_TRUE(stranger.throttled);
  EXPECT_FALSE(stranger.ok);
  EXPECT_TRUE(LoginAt(2, "a.jones", kPassword, "", "10.0.0.1").ok);  // the owner, from a known address
}

TEST_P(AccountsTest, TheAddressCeilingSpansNames) {
  policy_.max_address_failures = 3;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(LoginAt(i, "user" + std::to_string(i), "wrong password here").throttled);
  }
  EXPECT_TRUE(LoginAt(5, "a.jones", kPassword).throttled);  // from the same address
  EXPECT_TRUE(LoginAt(6, "a.jones", kPassword, "", "10.9.9.9").ok);
}

// A success takes back its own count: people logging in one after another
// from one office never reach the address's ceiling.
TEST_P(AccountsTest, SuccessfulLoginsDoNotCountAgainstTheAddress) {
  policy_.max_address_failures = 3;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(LoginAt(i, "a.jones", kPassword, "", "10.0.0.1").ok) << i;
  for (int i = 0; i < 10; ++i)
    EXPECT_TRUE(LoginAt(i, "a.jones", kPassword, "", "10.0.0." + std::to_string(i + 2)).ok) << i;
  EXPECT_FALSE(LoginAt(20, "user1", "wrong password here", "", "10.0.0.50").throttled);
}

TEST_P(AccountsTest, TheThrottleNeverStoresTheNameAsTyped) {
  const std::string typed = "Lantern-Kettle-Bramble-99";  // a password in the name box
  LoginAt(0, typed, "x");
  auto keys = db_->Query("SELECT key FROM login_throttle");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  int rows = 0;
  for (const auto& row : *keys) {
    ++rows;
    EXPECT_EQ(Lower(*row[0]).find(Lower(typed)), std::string::npos) << *row[0];
  }
  EXPECT_EQ(rows, 3);  // name and address, name, address
}

TEST_P(AccountsTest, TotpIsRequiredAndEachCodeWorksOnce) {
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

INSTANTIATE_TEST_SUITE_P(Backends, AccountsTest,
                         ::testing::Values(store::testing::kSqlite, store::testing::kPostgres),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace continuum::access
