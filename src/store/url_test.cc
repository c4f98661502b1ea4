#include "store/url.h"

#include <gtest/gtest.h>

namespace continuum::store::internal {
namespace {

using Backend = StoreUrl::Backend;

TEST(ParseStoreUrl, SqliteForms) {
  struct Case {
    const char* url;
    const char* path;
  };
  for (Case c : {Case{"sqlite:/var/lib/continuum.db", "/var/lib/continuum.db"},
                 Case{"sqlite:///var/lib/continuum.db", "/var/lib/continuum.db"},
                 Case{"sqlite://relative.db", "relative.db"}, Case{"sqlite:relative.db", "relative.db"},
                 Case{"SQLite:x.db", "x.db"}, Case{"/var/lib/continuum.db", "/var/lib/continuum.db"},
                 Case{"continuum.db", "continuum.db"}, Case{"./data/c.db", "./data/c.db"}}) {
    auto r = ParseStoreUrl(c.url);
    ASSERT_TRUE(r.ok()) << c.url << ": " << r.status().ToString();
    EXPECT_EQ(r->backend, Backend::kSqlite) << c.url;
    EXPECT_EQ(r->target, c.path) << c.url;
  }
}

TEST(ParseStoreUrl, PostgresFormsPassThrough) {
  for (const char* url : {"postgresql://u@localhost:5432/continuum",
                          "postgres://u:p@db/continuum?sslmode=require", "postgresql://"}) {
    auto r = ParseStoreUrl(url);
    ASSERT_TRUE(r.ok()) << url;
    EXPECT_EQ(r->backend, Backend::kPostgres);
    EXPECT_EQ(r->target, url);
  }
}

TEST(ParseStoreUrl, RefusesWithAClearMessage) {
  struct Case {
    const char* url;
    const char* mentions;
  };
  for (Case c : {Case{"", "empty"}, Case{"sqlite:", "names no file"}, Case{"sqlite://", "names no file"},
                 Case{"mysql://h/db", "unknown scheme \"mysql\""},
                 Case{"https://example.org/db", "unknown scheme"}, Case{":memory:", "in-memory"},
                 Case{"sqlite::memory:", "in-memory"}, Case{"file:x.db?mode=memory", "URI"},
                 Case{"postgresql:db", "postgresql://"}, Case{"sqlite:/tmp/a\nb.db", "control character"}}) {
    auto r = ParseStoreUrl(c.url);
    ASSERT_FALSE(r.ok()) << c.url;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.mentions), std::string::npos)
        << c.url << ": " << r.status().message();
  }
}

TEST(RedactUrl, HidesPasswords) {
  EXPECT_EQ(RedactUrl("postgresql://alice:s3cret@db:5432/continuum"),
            "postgresql://alice:***@db:5432/continuum");
  EXPECT_EQ(RedactUrl("postgresql://alice@db/continuum"), "postgresql://alice@db/continuum");
  EXPECT_EQ(RedactUrl("postgresql://db/continuum?user=a&password=s3cret&sslmode=require"),
            "postgresql://db/continuum?user=a&password=***&sslmode=require");
  auto r = ParseStoreUrl("mysql://alice:s3cret@db/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace continuum::store::internal
