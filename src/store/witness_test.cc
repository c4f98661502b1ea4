#include "store/witness.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/store_test_util.h"

namespace continuum::store {
namespace {

namespace fs = std::filesystem;

std::string HashOf(char c) { return std::string(64, c); }

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

bool Mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const std::string& p : problems)
    if (p.find(text) != std::string::npos) return true;
  return false;
}

std::string AllOf(const std::vector<std::string>& problems) {
  std::string out;
  for (const std::string& p : problems) out += "\n  " + p;
  return out;
}

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "continuum-witness-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto id = GenerateWitnessKey(Path("a.key"), Path("a.pub"));
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    key_id_ = *id;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // A witness file of checkpoints at seqs 3, 5 and 9, signed by key a.
  void WriteThree() {
    auto signer = WitnessSigner::Open(Path("a.key"), Path("w.log"));
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    ASSERT_TRUE((*signer)->Append(3, HashOf('3')).ok());
    ASSERT_TRUE((*signer)->Append(5, HashOf('5')).ok());
    ASSERT_TRUE((*signer)->Append(9, HashOf('9')).ok());
  }

  WitnessFile ReadBack(const std::string& public_key = "a.pub") {
    auto file = ReadWitnessFile(Path("w.log"), Path(public_key));
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? *file : WitnessFile{};
  }

  fs::path dir_;
  std::string key_id_;
};

TEST_F(WitnessTest, KeygenWritesAPrivateSecretKeyAndNeverOverwrites) {
  EXPECT_EQ(key_id_.size(), 16u);
  struct stat st {};
  ASSERT_EQ(stat(Path("a.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(Read(Path("a.pub")).find("continuum-witness-public-key v1 " + key_id_ + " "), std::string::npos);

  const std::string secret = Read(Path("a.key"));
  auto again = GenerateWitnessKey(Path("a.key"), Path("b.pub"));
  EXPECT_EQ(again.status().code(), StatusCode::kConflict) << again.status().ToString();
  EXPECT_FALSE(fs::exists(Path("b.pub")));
  EXPECT_EQ(Read(Path("a.key")), secret);
  // An existing public key file refuses too, and no secret key is left behind.
  auto other = GenerateWitnessKey(Path("b.key"), Path("a.pub"));
  EXPECT_EQ(other.status().code(), StatusCode::kConflict);
  EXPECT_FALSE(fs::exists(Path("b.key")));
}

TEST_F(WitnessTest, ASecretKeyOthersMayReadOrADamagedOneIsRefused) {
  ASSERT_EQ(chmod(Path("a.key").c_str(), 0644), 0);
  auto signer = WitnessSigner::Open(Path("a.key"), Path("w.log"));
  ASSERT_FALSE(signer.ok());
  EXPECT_EQ(signer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(signer.status().message().find("may be read by others (mode 0644)"), std::string::npos)
      << signer.status().message();
  EXPECT_FALSE(fs::exists(Path("w.log")));

  ASSERT_EQ(chmod(Path("a.key").c_str(), 0600), 0);
  std::string text = Read(Path("a.key"));
  text[text.find(key_id_)] = key_id_[0] == '0' ? '1' : '0';  // the id no longer matches the key
  Write(Path("a.key"), text);
  signer = WitnessSigner::Open(Path("a.key"), Path("w.log"));
  EXPECT_EQ(signer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(signer.status().message().find("damaged"), std::string::npos) << signer.status().message();

  EXPECT_EQ(WitnessSigner::Open(Path("none.key"), Path("w.log")).status().code(), StatusCode::kNotFound);
  Write(Path("junk.pub"), "hello\n");
  auto file = ReadWitnessFile(Path("w.log"), Path("junk.pub"));
  EXPECT_EQ(file.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadWitnessFile(Path("w.log"), Path("a.pub")).status().code(), StatusCode::kNotFound);
}

TEST_F(WitnessTest, LinesAreSignedCheckpointsReadBackInOrder) {
  WriteThree();
  const std::vector<std::string> lines = Lines(Read(Path("w.log")));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("{\"v\":1,\"seq\":3,\"hash\":\"" + HashOf('3') + "\",\"at\":\"", 0), 0u)
      << lines[0];
  EXPECT_NE(lines[0].find("\"key\":\"" + key_id_ + "\",\"sig\":\""), std::string::npos) << lines[0];

  WitnessFile f = ReadBack();
  EXPECT_TRUE(f.problems.empty()) << AllOf(f.problems);
  EXPECT_EQ(f.lines, 3);
  EXPECT_EQ(f.key_id, key_id_);
  ASSERT_EQ(f.points.size(), 3u);
  EXPECT_EQ(f.points[1].seq, 5);
  EXPECT_EQ(f.points[1].hash, HashOf('5'));
  EXPECT_NE(f.points[1].source.find("w.log line 2 (signed "), std::string::npos) << f.points[1].source;
}

TEST_F(WitnessTest, TheSignedBytesAreLengthPrefixedFields) {
  SignedCheckpoint c{12, HashOf('a'), "2026-05-01T10:00:00Z", "0123456789abcdef", ""};
  const std::string bytes = CheckpointSignedBytes(c);
  auto field = [](std::string_view v) {
    std::string out(7, '\0');
    out.push_back(static_cast<char>(v.size()));
    return out + std::string(v);
  };
  EXPECT_EQ(bytes, field("continuum.checkpoint.v1") + field("12") + field(HashOf('a')) +
                       field("2026-05-01T10:00:00Z") + field("0123456789abcdef"));
}

TEST_F(WitnessTest, AnEditedLineFailsItsSignature) {
  WriteThree();
  std::vector<std::string> lines = Lines(Read(Path("w.log")));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"seq\":5", "\"seq\":6"}, {HashOf('5'), HashOf('6')}, {"\"at\":\"20", "\"at\":\"19"}}) {
    SCOPED_TRACE(from + " -> " + to);
    std::vector<std::string> edited = lines;
    edited[1].replace(edited[1].find(from), from.size(), to);
    Write(Path("w.log"), Join(edited));
    WitnessFile f = ReadBack();
    ASSERT_EQ(f.problems.size(), 1u) << AllOf(f.problems);
    EXPECT_NE(f.problems[0].find("w.log line 2: the signature does not verify"), std::string::npos)
        << f.problems[0];
    EXPECT_EQ(f.points.size(), 2u);  // the other two still count
  }
}

TEST_F(WitnessTest, AnotherKeysLinesAreRefused) {
  WriteThree();
  auto b = GenerateWitnessKey(Path("b.key"), Path("b.pub"));
  ASSERT_TRUE(b.ok());
  // Read with the wrong public key: every line names the key it was signed by.
  WitnessFile f = ReadBack("b.pub");
  ASSERT_EQ(f.problems.size(), 3u) << AllOf(f.problems);
  EXPECT_NE(f.problems[0].find("line 1: signed with key " + key_id_ + ", not with the public key given (" +
                               *b + ")"),
            std::string::npos)
      << f.problems[0];
  EXPECT_TRUE(f.points.empty());

  // A line relabelled with b's id does not verify under b's key either.
  std::vector<std::string> lines = Lines(Read(Path("w.log")));
  lines[0].replace(lines[0].find(key_id_), key_id_.size(), *b);
  Write(Path("w.log"), Join(lines));
  f = ReadBack("b.pub");
  EXPECT_TRUE(Mentions(f.problems, "line 1: the signature does not verify")) << AllOf(f.problems);

  // A line signed with b's key in a file of a's is refused under a's.
  auto signer_b = WitnessSigner::Open(Path("b.key"), Path("w.log"));
  ASSERT_TRUE(signer_b.ok());
  ASSERT_TRUE((*signer_b)->Append(12, HashOf('c')).ok());
  f = ReadBack();
  EXPECT_TRUE(Mentions(f.problems, "line 4: signed with key " + *b)) << AllOf(f.problems);
}

TEST_F(WitnessTest, ReorderedLinesAreReported) {
  WriteThree();
  std::vector<std::string> lines = Lines(Read(Path("w.log")));
  std::swap(lines[1], lines[2]);
  Write(Path("w.log"), Join(lines));
  WitnessFile f = ReadBack();
  ASSERT_EQ(f.problems.size(), 1u) << AllOf(f.problems);
  EXPECT_NE(f.problems[0].find("line 3: seq 5 comes after seq 9 on line 2: lines were moved"),
            std::string::npos)
      << f.problems[0];
}

TEST_F(WitnessTest, MalformedAndIncompleteLinesAreReportedWithTheirNumbers) {
  WriteThree();
  std::vector<std::string> lines = Lines(Read(Path("w.log")));
  std::string extra_member = lines[0];
  extra_member.insert(1, "\"x\":1,");
  std::string no_sig = lines[0].substr(0, lines[0].find(",\"sig\"")) + "}";
  Write(Path("w.log"), Join({lines[0], "garbage", "", extra_member, no_sig, lines[1]}) + lines[2]);
  WitnessFile f = ReadBack();
  EXPECT_TRUE(Mentions(f.problems, "w.log line 2: not a checkpoint: not a JSON object")) << AllOf(f.problems);
  EXPECT_TRUE(Mentions(f.problems, "w.log line 3: empty")) << AllOf(f.problems);
  EXPECT_TRUE(Mentions(f.problems, "w.log line 4: not a checkpoint: unexpected member \"x\""))
      << AllOf(f.problems);
  EXPECT_TRUE(Mentions(f.problems, "w.log line 5: not a checkpoint: no \"sig\"")) << AllOf(f.problems);
  EXPECT_TRUE(Mentions(f.problems, "w.log line 7: incomplete (no newline")) << AllOf(f.problems);
  EXPECT_EQ(f.problems.size(), 5u) << AllOf(f.problems);
  EXPECT_EQ(f.points.size(), 2u);
}

TEST_F(WitnessTest, TwoLinesVouchingForOneSeqWithDifferentHashesAreReported) {
  auto signer = WitnessSigner::Open(Path("a.key"), Path("w.log"));
  ASSERT_TRUE(signer.ok());
  ASSERT_TRUE((*signer)->Append(4, HashOf('4')).ok());
  ASSERT_TRUE((*signer)->Append(4, HashOf('5')).ok());
  WitnessFile f = ReadBack();
  ASSERT_EQ(f.problems.size(), 1u) << AllOf(f.problems);
  EXPECT_NE(f.problems[0].find("line 2: vouches for seq 4 with hash " + HashOf('5') + ", but line 1 with " +
                               HashOf('4') + ": the log was rewritten between the two checkpoints"),
            std::string::npos)
      << f.problems[0];
}

TEST_F(WitnessTest, CheckpointSignsTheHeadOnlyWhenTheLogHasGrown) {
  auto db = testing::TestDatabase::Create(testing::kSqlite);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto store = Open((*db)->url());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto signer = WitnessSigner::Open(Path("a.key"), Path("w.log"));
  ASSERT_TRUE(signer.ok());

  auto none = (*signer)->Checkpoint(**store);  // an empty log: nothing to vouch for
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  auto appended = (*store)->Append(
      {testing::MakeEvent("c-1", "child.registered", "2026-05-01T09:00:00Z", R"({"name":"Amy"})"),
       testing::MakeEvent("c-1", "note.added", "2026-05-01T10:00:00Z")},
      testing::TestProjector);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  auto first = (*signer)->Checkpoint(**store);
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status().ToString();
  EXPECT_EQ((*first)->seq, 2);
  EXPECT_EQ((*first)->hash, appended->back().hash);

  // Nothing new; a second signer (another process) sees the file's last line.
  auto again = (*signer)->Checkpoint(**store);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
  auto other = WitnessSigner::Open(Path("a.key"), Path("w.log"));
  ASSERT_TRUE(other.ok());
  auto from_other = (*other)->Checkpoint(**store);
  ASSERT_TRUE(from_other.ok());
  EXPECT_FALSE(from_other->has_value());
  EXPECT_EQ(Lines(Read(Path("w.log"))).size(), 1u);

  // The schedule takes one once enough events are committed, and a last one
  // when it ends.
  {
    CheckpointSchedule schedule(**store, **signer, 2, std::chrono::seconds(3600),
                                [](const Status& st) { ADD_FAILURE() << st.ToString(); });
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE((*store)
                      ->Append({testing::MakeEvent("c-1", "note.added", "2026-05-01T11:00:00Z")},
                               testing::TestProjector)
                      .ok());
    }
    for (int i = 0; i < 6000 && Lines(Read(Path("w.log"))).size() < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(Lines(Read(Path("w.log"))).size(), 2u);
    ASSERT_TRUE((*store)
                    ->Append({testing::MakeEvent("c-1", "note.added", "2026-05-01T12:00:00Z")},
                             testing::TestProjector)
                    .ok());
  }
  WitnessFile f = ReadBack();
  EXPECT_TRUE(f.problems.empty()) << AllOf(f.problems);
  ASSERT_EQ(f.points.size(), 3u);
  EXPECT_EQ(f.points.back().seq, 5);
  auto report = (*store)->Verify(testing::TestProjector, f.points);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->checkpoints, 3);
}

}  // namespace
}  // namespace continuum::store
