#include "store/schema.h"

#include <gtest/gtest.h>

#include "store/memory_state.h"

namespace continuum::store::internal {
namespace {

TEST(Schema, TablesAndKeys) {
  ASSERT_NE(FindTable("children"), nullptr);
  ASSERT_NE(FindTable("entities"), nullptr);
  ASSERT_NE(FindTable("deadlines"), nullptr);
  EXPECT_EQ(FindTable("events"), nullptr);  // the log is not a state table
  EXPECT_EQ(FindTable("Children"), nullptr);
  EXPECT_EQ(FindTable("entities")->key_columns, 3);
  for (const TableDef& t : Tables()) {
    EXPECT_EQ(t.columns.back().name, "updated_seq") << t.name;
    EXPECT_EQ(t.columns[t.child_id_column].name, "child_id") << t.name;
  }
}

TEST(Schema, KeyColumnsMayComeInAnyOrderButFirst) {
  auto r = CheckRow({.table = "entities",
                     .columns = {{"entity_id", "e-1"}, {"child_id", "c-1"}, {"kind", "k"}, {"data", "{}"}},
                     .key_columns = 3});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->key, (std::vector<std::string>{"c-1", "k", "e-1"}));
  ASSERT_EQ(r->values.size(), 1u);
  EXPECT_EQ(r->values[0].first, 3);
}

TEST(Schema, MergeKeepsUnnamedColumnsAndRequiresOnCreate) {
  const TableDef& t = *FindTable("deadlines");
  auto create = CheckRow({.table = "deadlines", .columns = {{"deadline_id", "d-1"}, {"status", "open"}}});
  ASSERT_TRUE(create.ok());
  auto refused = Merge(*create, std::nullopt, 4);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("deadlines [d-1]: child_id is required"), std::string::npos)
      << refused.status().message();

  Cells existing(t.columns.size());
  existing[0] = "d-1";
  existing[1] = "c-1";
  existing[4] = "2026-01-01T00:00:00Z";
  existing[8] = "open";
  existing[10] = "3";
  auto done = CheckRow({.table = "deadlines", .columns = {{"deadline_id", "d-1"}, {"status", "done"}}});
  ASSERT_TRUE(done.ok());
  auto merged = Merge(*done, existing, 9);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ((*merged)[1], "c-1");
  EXPECT_EQ((*merged)[8], "done");
  EXPECT_EQ((*merged)[10], "9");
}

TEST(MemoryState, ReadsWhatWasAppliedAndForgetsRemovals) {
  MemoryState state;
  auto add = CheckRow({.table = "children", .columns = {{"child_id", "c-1"}, {"display_name", "Amy"}}});
  ASSERT_TRUE(add.ok());
  ASSERT_TRUE(state.Apply(*add, 1).ok());
  auto row = state.Get("children", {"c-1"});
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->columns[1].second, "Amy");
  EXPECT_EQ((*row)->columns.back().second, "1");
  auto remove = CheckRow({.table = "children", .columns = {{"child_id", "c-1"}}, .remove = true});
  ASSERT_TRUE(remove.ok());
  ASSERT_TRUE(state.Apply(*remove, 2).ok());
  row = state.Get("children", {"c-1"});
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(row->has_value());
  EXPECT_FALSE(state.Get("nope", {"c-1"}).ok());
}

}  // namespace
}  // namespace continuum::store::internal
