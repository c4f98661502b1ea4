#include "access/credentials.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace continuum::access {
namespace {

// Substring check without gmock, which access_tests does not link.
::testing::AssertionResult Contains(std::string_view haystack, std::string_view needle) {
  if (haystack.find(needle) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << haystack << "' does not contain '" << needle << "'";
}

// ---- Passwords ------------------------------------------------------------
// Each argon2 hash costs ~50 ms, so these tests share as few as they can.

constexpr char kPassword[] = "correct horse battery staple";

TEST(PasswordHash, RoundTripFormatAndWrongPassword) {
  Result<std::string> hash = HashPassword(kPassword);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(Contains(*hash, "m=19456"));
  EXPECT_TRUE(Contains(*hash, "t=2"));

  EXPECT_TRUE(VerifyPassword(*hash, kPassword));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapler"));
  EXPECT_FALSE(VerifyPassword(*hash, "Correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*hash, ""));
  EXPECT_FALSE(PasswordNeedsRehash(*hash));
}

TEST(PasswordHash, SaltMakesEachHashDifferent) {
  Result<std::string> a = HashPassword(kPassword);
  Result<std::string> b = HashPassword(kPassword);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(PasswordHash, RefusesOverlongPassword) {
  Result<std::string> hash = HashPassword(std::string(kMaxPasswordBytes + 1, 'x'));
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.status().code(), StatusCode::kInvalidArgument);
}

TEST(PasswordHash, MalformedHashesNeverVerify) {
  const std::string& good = DummyPasswordHash();
  ASSERT_EQ(good.rfind("$argon2id$", 0), 0u) << good;
  EXPECT_FALSE(VerifyPassword("", kPassword));
  EXPECT_FALSE(VerifyPassword("not a hash", kPassword));
  EXPECT_FALSE(VerifyPassword("$argon2id$", kPassword));
  EXPECT_FALSE(VerifyPassword(good.substr(0, good.size() / 2), kPassword));
  EXPECT_FALSE(VerifyPassword(good + "AAAA", kPassword));
  EXPECT_FALSE(VerifyPassword(std::string(good) + std::string(1, '\0') + "x", kPassword));
  EXPECT_FALSE(VerifyPassword(std::string(4096, '$'), kPassword));
  EXPECT_FALSE(VerifyPassword("$2b$12$abcdefghijklmnopqrstuv", kPassword));  // bcrypt
  EXPECT_TRUE(PasswordNeedsRehash("not a hash"));
  EXPECT_TRUE(PasswordNeedsRehash(""));
}

TEST(PasswordHash, DummyHashIsStableAndMatchesNothingObvious) {
  EXPECT_EQ(&DummyPasswordHash(), &DummyPasswordHash());
  EXPECT_FALSE(VerifyPassword(DummyPasswordHash(), ""));
  EXPECT_FALSE(VerifyPassword(DummyPasswordHash(), kPassword));
}

TEST(PasswordHash, OlderParametersStillVerifyButNeedRehash) {
  // argon2id at t=1, 8 MiB, of kPassword: what a weaker earlier setting made.
  const std::string old_hash =
      "$argon2id$v=19$m=8192,t=1,p=1$Nm+/w2JdtfCGt07LjjRhfQ$Fdah9NJWCJ60gCWTYLHrZq1fFWjiwP5VwHMZ/Te3fOs";
  EXPECT_TRUE(VerifyPassword(old_hash, kPassword));
  EXPECT_FALSE(VerifyPassword(old_hash, "wrong password!"));
  EXPECT_TRUE(PasswordNeedsRehash(old_hash));
}

// ---- Password policy --------------------------------------------------------

void ExpectRefused(std::string_view password, std::string_view username, std::string_view rule) {
  Status st = CheckPasswordPolicy(password, username);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << "password: " << password;
  EXPECT_TRUE(Contains(st.message(), rule)) << "password: " << password;
}

TEST(PasswordPolicy, AcceptsAReasonablePassword) {
  EXPECT_TRUE(CheckPasswordPolicy("correct horse battery staple", "a.smith").ok());
  EXPECT_TRUE(CheckPasswordPolicy("abcdefghijkl", "").ok());  // exactly 12
}

TEST(PasswordPolicy, MinimumLengthInCharacters) {
  ExpectRefused("abcdefghijk", "", "at least 12 characters");  // 11
  ExpectRefused("", "", "at least 12 characters");
  // 11 characters in 14 bytes: characters count, not bytes.
  ExpectRefused("añoñañoñaño", "", "at least 12 characters");
  EXPECT_TRUE(CheckPasswordPolicy("añoñañoñañoz", "").ok());
}

TEST(PasswordPolicy, MaximumLengthInBytes) {
  std::string max;
  for (size_t i = 0; i < kMaxPasswordBytes; ++i) max += static_cast<char>('a' + i % 26);
  EXPECT_TRUE(CheckPasswordPolicy(max, "").ok());
  ExpectRefused(max + "a", "", "at most 1024 bytes");
}

TEST(PasswordPolicy, NotOneCharacterRepeated) {
  ExpectRefused("aaaaaaaaaaaaaaaa", "", "one character repeated");
  ExpectRefused("€€€€€€€€€€€€", "", "one character repeated");
  EXPECT_TRUE(CheckPasswordPolicy("aaaaaaaaaaaaaaab", "").ok());
}

TEST(PasswordPolicy, NotTheUserName) {
  ExpectRefused("Jonathan.Smith-Brown", "jonathan.smith-brown", "must not be the user name");
  ExpectRefused("my-JONATHAN.smith-brown-pw", "jonathan.smith-brown", "must not contain the user name");
  ExpectRefused("passwordforbob!", "Bob", "must not contain the user name");
  // A user name of one or two characters would refuse passwords at random.
  EXPECT_TRUE(CheckPasswordPolicy("totally-alright-here", "al").ok());
}

// ---- Session tokens -------------------------------------------------------

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(SessionToken, ShapeAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string token = NewSessionToken();
    ASSERT_EQ(token.size(), 43u) << token;
    for (char c : token) {
      ASSERT_TRUE((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_')
          << token;
    }
    ASSERT_TRUE(LooksLikeSessionToken(token)) << token;
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(SessionToken, LooksLikeSessionTokenRejectsOtherShapes) {
  const std::string ok(43, 'A');
  EXPECT_TRUE(LooksLikeSessionToken(ok));
  EXPECT_FALSE(LooksLikeSessionToken(""));
  EXPECT_FALSE(LooksLikeSessionToken(std::string(42, 'A')));
  EXPECT_FALSE(LooksLikeSessionToken(std::string(44, 'A')));
  EXPECT_FALSE(LooksLikeSessionToken(std::string(42, 'A') + "+"));  // standard base64
  EXPECT_FALSE(LooksLikeSessionToken(std::string(42, 'A') + "/"));
  EXPECT_FALSE(LooksLikeSessionToken(std::string(42, 'A') + "="));
  EXPECT_FALSE(LooksLikeSessionToken(std::string(42, 'A') + std::string(1, '\0')));
}

TEST(SessionToken, TokenHashKnownAnswers) {
  // Expected values from Python: hashlib.blake2b(data, digest_size=32).hexdigest()
  EXPECT_EQ(TokenHash(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(TokenHash("abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  EXPECT_EQ(TokenHash("0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"),
            "b07cdddd208e5b02abc4a931798fd402aecc8e04e5473ff547a23a7c7e7ee66e");
}

TEST(SessionToken, TokenHashOfNewTokenIsHex) {
  std::string token = NewSessionToken();
  std::string hash = TokenHash(token);
  EXPECT_EQ(hash.size(), 64u);
  EXPECT_TRUE(IsLowerHex(hash)) << hash;
  EXPECT_EQ(hash, TokenHash(token));
  EXPECT_NE(hash, TokenHash(NewSessionToken()));
}

TEST(RandomHexId, LengthAlphabetAndUniqueness) {
  EXPECT_EQ(RandomHexId(0), "");
  std::string a = RandomHexId(16);
  std::string b = RandomHexId(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_TRUE(IsLowerHex(a)) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(RandomHexId(1).size(), 2u);
}

// ---- TOTP -----------------------------------------------------------------

// RFC 6238 Appendix B, SHA1: the ASCII key "12345678901234567890".
constexpr char kRfcSecret[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

TEST(Totp, Rfc6238Vectors) {
  struct Vector {
    int64_t time;
    const char* code;  // the RFC's 8-digit value, last 6 digits
  };
  const Vector vectors[] = {
      {59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
      {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
  };
  for (const Vector& v : vectors) {
    Result<std::string> code = TotpCode(kRfcSecret, v.time);
    ASSERT_TRUE(code.ok()) << code.status().ToString();
    EXPECT_EQ(*code, v.code) << "time " << v.time;

    Result<std::optional<int64_t>> step = VerifyTotp(kRfcSecret, v.code, v.time, 0);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    ASSERT_TRUE(step->has_value()) << "time " << v.time;
    EXPECT_EQ(**step, v.time / 30);
  }
}

TEST(Totp, SecretMayBeLowercaseOrSpaced) {
  Result<std::string> code = TotpCode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", 59);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, "287082");
}

TEST(Totp, WindowAcceptsNeighbouringSteps) {
  // 1111111109 is step 37037036; 1111111111 is step 37037037.
  auto prev = VerifyTotp(kRfcSecret, "081804", 1111111111, 1);
  ASSERT_TRUE(prev.ok());
  ASSERT_TRUE(prev->has_value());
  EXPECT_EQ(**prev, 37037036);

  auto strict = VerifyTotp(kRfcSecret, "081804", 1111111111, 0);
  ASSERT_TRUE(strict.ok());
  EXPECT_FALSE(strict->has_value());

  auto next = VerifyTotp(kRfcSecret, "050471", 1111111109, 1);
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(**next, 37037037);

  // Two steps back is outside a window of one, inside a window of two.
  Result<std::string> old = TotpCode(kRfcSecret, 1111111111 - 60);
  ASSERT_TRUE(old.ok());
  auto far = VerifyTotp(kRfcSecret, *old, 1111111111, 1);
  ASSERT_TRUE(far.ok());
  EXPECT_FALSE(far->has_value());
  auto wide = VerifyTotp(kRfcSecret, *old, 1111111111, 2);
  ASSERT_TRUE(wide.ok());
  ASSERT_TRUE(wide->has_value());
  EXPECT_EQ(**wide, 37037035);
}

TEST(Totp, WrongCodeDoesNotMatch) {
  const int64_t t = 1234567890;
  std::set<std::string> window;
  for (int64_t d = -30; d <= 30; d += 30) window.insert(*TotpCode(kRfcSecret, t + d));
  const std::string wrong = "123456";
  ASSERT_EQ(window.count(wrong), 0u);
  auto step = VerifyTotp(kRfcSecret, wrong, t, 1);
  ASSERT_TRUE(step.ok());
  EXPECT_FALSE(step->has_value());
}

TEST(Totp, CodeThatIsNotSixDigitsDoesNotMatch) {
  for (const char* code : {"", "28708", "2870820", "94287082", "28708a", " 287082", "287082 ",
                           "+87082", "２87082"}) {
    auto step = VerifyTotp(kRfcSecret, code, 59, 1);
    ASSERT_TRUE(step.ok()) << "code '" << code << "'";
    EXPECT_FALSE(step->has_value()) << "code '" << code << "'";
  }
}

TEST(Totp, MalformedSecretIsInvalidArgument) {
  const std::string padded_too_much = std::string(kRfcSecret) + "====";
  for (const std::string& secret :
       {std::string("GEZ1!"), std::string("not base32 at all"), std::string(""),
        std::string("GEZDGNBV") /* 40 bits: too short */, padded_too_much}) {
    auto step = VerifyTotp(secret, "287082", 59, 1);
    ASSERT_FALSE(step.ok()) << "secret '" << secret << "'";
    EXPECT_EQ(step.status().code(), StatusCode::kInvalidArgument);
    auto code = TotpCode(secret, 59);
    ASSERT_FALSE(code.ok()) << "secret '" << secret << "'";
    EXPECT_EQ(code.status().code(), StatusCode::kInvalidArgument);
  }
  // A bad secret is reported even when the code could never match.
  auto step = VerifyTotp("GEZ1!", "abc", 59, 1);
  EXPECT_EQ(step.status().code(), StatusCode::kInvalidArgument);
}

TEST(Totp, BadTimeOrWindowIsInvalidArgument) {
  EXPECT_EQ(TotpCode(kRfcSecret, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyTotp(kRfcSecret, "287082", -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyTotp(kRfcSecret, "287082", 59, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyTotp(kRfcSecret, "287082", 59, kMaxTotpWindowSteps + 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Totp, EarlyTimesSkipNegativeSteps) {
  // At time 0 the window reaches step -1, which does not exist.
  Result<std::string> code = TotpCode(kRfcSecret, 0);
  ASSERT_TRUE(code.ok());
  auto step = VerifyTotp(kRfcSecret, *code, 0, 1);
  ASSERT_TRUE(step.ok());
  ASSERT_TRUE(step->has_value());
  EXPECT_EQ(**step, 0);
}

TEST(Totp, NewSecretShapeAndUse) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string secret = NewTotpSecret();
    ASSERT_EQ(secret.size(), 32u) << secret;
    for (char c : secret) ASSERT_TRUE((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) << secret;
    seen.insert(secret);
  }
  EXPECT_EQ(seen.size(), 50u);

  std::string secret = NewTotpSecret();
  Result<std::string> code = TotpCode(secret, 1700000000);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  auto step = VerifyTotp(secret, *code, 1700000000 + 15);
  ASSERT_TRUE(step.ok());
  ASSERT_TRUE(step->has_value());
  EXPECT_EQ(**step, 1700000000 / 30);
}

TEST(Totp, UriFormat) {
  EXPECT_EQ(TotpUri("Continuum", "a.smith@example.org", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Continuum:a.smith%40example.org?secret=JBSWY3DPEHPK3PXP"
            "&issuer=Continuum&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(TotpUri("Acme Council: Social Care", "Zoë O'Neil", "GEZDGNBV"),
            "otpauth://totp/Acme%20Council%3A%20Social%20Care:Zo%C3%AB%20O%27Neil?secret=GEZDGNBV"
            "&issuer=Acme%20Council%3A%20Social%20Care&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace continuum::access
