#include "core/calendar.h"

#include "core/file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>
#include <utility>

namespace continuum {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int64_t kSecondsPerDay = 86400;
constexpr int kMaxDueAmount = 100000;
constexpr size_t kMaxCalendarBytes = 1 << 20;
constexpr size_t kMaxDiagnostics = 20;
constexpr std::string_view kFormat = "continuum-bank-holidays/1";

// The input, quoted for an error message: at most 40 bytes, control
// characters shown as '?', so a message never carries a whole request body.
std::string Quoted(std::string_view s) {
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < 40; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (s.size() > 40) out += "...";
  out += "'";
  return out;
}

// Reads exactly `n` ASCII digits at s[pos].
std::optional<int> Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Years 1..9999 as the day count sys_days uses.
std::optional<Date> MakeDate(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                     std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return Date::FromSysDays(sys_days(ymd));
}

// "YYYY-MM-DD" at the start of s; nullopt if the shape or the day is wrong.
// `shape_ok` says whether the digits and dashes were right (for messages).
std::optional<Date> ParseIsoDate(std::string_view s, bool* shape_ok) {
  *shape_ok = false;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = Digits(s, 0, 4), m = Digits(s, 5, 2), d = Digits(s, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  *shape_ok = true;
  return MakeDate(*y, *m, *d);
}

const char* WeekdayName(std::chrono::weekday w) {
  static constexpr const char* kNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                           "Thursday", "Friday", "Saturday"};
  return kNames[w.c_encoding() % 7];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

// ---------------------------------------------------------------- Date

Result<Date> Date::Parse(std::string_view text) {
  bool shape_ok = false;
  std::optional<Date> d = text.size() == 10 ? ParseIsoDate(text, &shape_ok) : std::nullopt;
  if (d) return *d;
  if (!shape_ok) return InvalidArgument(Quoted(text) + " is not a date in the form YYYY-MM-DD");
  return InvalidArgument(Quoted(text) + " is not a day in the calendar");
}

Result<Date> Date::FromYmd(int year, int month, int day) {
  if (std::optional<Date> d = MakeDate(year, month, day)) return *d;
  return InvalidArgument("year " + std::to_string(year) + ", month " + std::to_string(month) + ", day " +
                         std::to_string(day) + " is not a day in the calendar (years 1 to 9999)");
}

int Date::year() const { return static_cast<int>(ymd().year()); }
int Date::month() const { return static_cast<int>(static_cast<unsigned>(ymd().month())); }
int Date::day() const { return static_cast<int>(static_cast<unsigned>(ymd().day())); }

bool Date::IsWeekend() const {
  std::chrono::weekday w = weekday();
  return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

std::string Date::ToString() const {
  year_month_day ymd = this->ymd();
  int y = static_cast<int>(ymd.year());
  char buf[32];
  // Years outside 0..9999 (only reachable by arithmetic) in ISO 8601's
  // expanded form, signed, rather than silently wrong.
  std::snprintf(buf, sizeof buf, (y >= 0 && y <= 9999) ? "%04d-%02u-%02u" : "%+05d-%02u-%02u", y,
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Date AddDays(Date d, int n) { return Date::FromSysDays(d.sys_days() + days(n)); }
Date AddWeeks(Date d, int n) { return AddDays(d, n * 7); }
int DaysBetween(Date a, Date b) { return static_cast<int>((b.sys_days() - a.sys_days()).count()); }

// ---------------------------------------------------------------- Timestamp

Result<Timestamp> Timestamp::Parse(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument(Quoted(text) +
                           " is not a time in the form YYYY-MM-DDTHH:MM:SSZ (or with an offset, +01:00)");
  };
  bool shape_ok = false;
  std::optional<Date> date = ParseIsoDate(text, &shape_ok);
  if (!shape_ok || text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':') return bad();
  auto h = Digits(text, 11, 2), mi = Digits(text, 14, 2), s = Digits(text, 17, 2);
  if (!h || !mi || !s) return bad();
  size_t pos = 19;
  if (text[pos] == '.') {
    size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return bad();
  }
  int64_t offset = 0;
  std::string_view zone = text.substr(pos);
  if (zone == "Z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    auto oh = Digits(zone, 1, 2), om = Digits(zone, 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return bad();
    offset = (zone[0] == '-' ? -1 : 1) * (*oh * 3600 + *om * 60);
  } else {
    return bad();
  }
  if (!date) return InvalidArgument(Quoted(text) + " is not a day in the calendar");
  if (*h > 23 || *mi > 59 || *s > 59) {
    return InvalidArgument(Quoted(text) + " is not a time of day (00:00:00 to 23:59:59)");
  }
  int64_t seconds = date->sys_days().time_since_epoch().count() * kSecondsPerDay + *h * 3600 + *mi * 60 + *s;
  return Timestamp(seconds - offset);
}

Timestamp Timestamp::FromDate(Date date, int seconds_of_day) {
  return Timestamp(date.sys_days().time_since_epoch().count() * kSecondsPerDay + seconds_of_day);
}

Date Timestamp::date() const { return Date::FromSysDays(sys_days(days(FloorDiv(seconds_, kSecondsPerDay)))); }

int Timestamp::seconds_of_day() const {
  return static_cast<int>(seconds_ - FloorDiv(seconds_, kSecondsPerDay) * kSecondsPerDay);
}

std::string Timestamp::ToString() const {
  int sod = seconds_of_day();
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", sod / 3600, sod / 60 % 60, sod % 60);
  return date().ToString() + buf;
}

// ---------------------------------------------------------------- Division

const char* DivisionName(Division d) {
  switch (d) {
    case Division::kEnglandAndWales:
      return "england-and-wales";
    case Division::kScotland:
      return "scotland";
    case Division::kNorthernIreland:
      return "northern-ireland";
  }
  return "?";
}

Result<Division> ParseDivision(std::string_view name) {
  for (Division d : kAllDivisions) {
    if (name == DivisionName(d)) return d;
  }
  return InvalidArgument(
      Quoted(name) + " is not a bank holiday division; use england-and-wales, scotland or northern-ireland");
}

// ---------------------------------------------------------------- loading

namespace {

// Collects "file:line:col: message" lines.
class Diagnostics {
 public:
  explicit Diagnostics(std::string_view file) : file_(file) {}

  void Error(const YAML::Mark& mark, std::string_view message) {
    ++count_;
    if (lines_.size() == kMaxDiagnostics) return;
    int l = mark.line >= 0 ? mark.line + 1 : 1;
    int c = mark.column >= 0 ? mark.column + 1 : 1;
    lines_.push_back(file_ + ":" + std::to_string(l) + ":" + std::to_string(c) + ": " + std::string(message));
  }
  void Error(const YAML::Node& at, std::string_view message) { Error(at.Mark(), message); }
  bool empty() const { return count_ == 0; }
  size_t count() const { return count_; }

  Status ToStatus() const {
    std::string out;
    for (const std::string& l : lines_) {
      if (!out.empty()) out += '\n';
      out += l;
    }
    if (count_ > lines_.size()) {
      out += "\n(" + std::to_string(count_ - lines_.size()) + " more problems not shown)";
    }
    return InvalidArgument(std::move(out));
  }

 private:
  std::string file_;
  std::vector<std::string> lines_;
  size_t count_ = 0;
};

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// The entries of a map whose keys must all be in `allowed`; reports a
// non-map, a key that is not a plain word, a key given twice and an unknown
// key. Returns nullopt if `n` is not a map.
std::optional<std::vector<Entry>> ReadMap(Diagnostics& d, const YAML::Node& n, const std::string& where,
                                          std::initializer_list<std::string_view> allowed) {
  if (!n.IsMap()) {
    d.Error(n, where + ": expected a map");
    return std::nullopt;
  }
  std::vector<Entry> out;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) {
      d.Error(it->first, where + ": keys must be plain words");
      continue;
    }
    std::string key = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      d.Error(it->first, where + ": unknown field '" + key + "' (expected " + list + ")");
      continue;
    }
    bool dup = std::any_of(out.begin(), out.end(), [&](const Entry& e) { return e.key == key; });
    if (dup) {
      d.Error(it->first, where + ": field '" + key + "' is given twice");
      continue;
    }
    out.push_back({key, it->first, it->second});
  }
  return out;
}

const Entry* Find(const std::vector<Entry>& entries, std::string_view key) {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const Entry* Require(Diagnostics& d, const YAML::Node& map, const std::vector<Entry>& entries,
                     const std::string& where, std::string_view key) {
  const Entry* e = Find(entries, key);
  if (e == nullptr) d.Error(map, where + ": missing required field '" + std::string(key) + "'");
  return e;
}

std::optional<int> ReadYear(Diagnostics& d, const Entry& e) {
  const std::string s = e.value.IsScalar() ? e.value.Scalar() : "";
  std::optional<int> y = s.size() == 4 ? Digits(s, 0, 4) : std::nullopt;
  if (!y || *y < 1) {
    d.Error(e.value, "'" + e.key + "' must be a four-digit year");
    return std::nullopt;
  }
  return y;
}


}  // namespace

Result<HolidayCalendar> HolidayCalendar::LoadFile(const std::string& path) {
  Result<std::string> text = ReadFileLimited(path, kMaxCalendarBytes);
  if (!text.ok()) return text.status();
  return Load(*text, path);
}

Result<HolidayCalendar> HolidayCalendar::Load(std::string_view yaml_text, std::string_view file_name) {
  Diagnostics d(file_name);
  const std::string file(file_name);
  if (yaml_text.size() > kMaxCalendarBytes) return InvalidArgument(file + ":1:1: file is larger than 1 MiB");
  if (yaml_text.find('\0') != std::string_view::npos) {
    return InvalidArgument(file + ":1:1: file contains a NUL byte; is it text?");
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    d.Error(e.mark, "YAML syntax error: " + e.msg);
    return d.ToStatus();
  } catch (const std::exception& e) {
    d.Error(YAML::Mark::null_mark(), std::string("could not read YAML: ") + e.what());
    return d.ToStatus();
  }

  const std::string top = "bank holidays";
  auto fields =
      ReadMap(d, root, top, {"format", "first_year", "last_year", "published_through", "divisions"});
  if (!fields) return d.ToStatus();

  if (const Entry* f = Require(d, root, *fields, top, "format")) {
    if (!f->value.IsScalar() || f->value.Scalar() != kFormat) {
      d.Error(f->value, "format must be '" + std::string(kFormat) + "'");
    }
  }
  std::optional<int> first, last, published;
  if (const Entry* e = Require(d, root, *fields, top, "first_year")) first = ReadYear(d, *e);
  if (const Entry* e = Require(d, root, *fields, top, "last_year")) last = ReadYear(d, *e);
  if (const Entry* e = Require(d, root, *fields, top, "published_through")) published = ReadYear(d, *e);
  const Entry* divisions = Require(d, root, *fields, top, "divisions");
  if (!first || !last || !published || !divisions) return d.ToStatus();

  if (*last < *first || *last - *first > 199) {
    d.Error(Find(*fields, "last_year")->value, "last_year must be from first_year to first_year + 199");
    return d.ToStatus();
  }
  if (*published < *first - 1 || *published > *last) {
    d.Error(Find(*fields, "published_through")->value,
            "published_through must be from first_year - 1 (nothing published) to last_year");
  }

  HolidayCalendar cal;
  cal.file_name_ = file;
  cal.first_year_ = *first;
  cal.last_year_ = *last;
  cal.published_through_ = *published;
  cal.first_day_ = *MakeDate(*first, 1, 1);
  const int64_t n_days = DaysBetween(cal.first_day_, *MakeDate(*last, 12, 31)) + 1;

  auto division_entries =
      ReadMap(d, divisions->value, "divisions", {"england-and-wales", "scotland", "northern-ireland"});
  if (!division_entries) return d.ToStatus();
  for (Division div : kAllDivisions) {
    const std::string name = DivisionName(div);
    const Entry* e = Require(d, divisions->value, *division_entries, "divisions", name);
    if (e == nullptr) continue;
    if (!e->value.IsSequence()) {
      d.Error(e->value, name + ": expected a list of {date, title} entries");
      continue;
    }
    PerDivision& per = cal.divisions_[static_cast<size_t>(div)];
    std::vector<bool> seen_year(static_cast<size_t>(*last - *first + 1), false);
    const size_t errors_before = d.count();
    for (const YAML::Node& item : e->value) {
      auto f = ReadMap(d, item, name, {"date", "title", "substitute"});
      if (!f) continue;
      BankHoliday h;
      bool ok = true;
      if (const Entry* de = Require(d, item, *f, name, "date")) {
        Result<Date> date = de->value.IsScalar() ? Date::Parse(de->value.Scalar())
                                                 : Result<Date>(InvalidArgument("date must be YYYY-MM-DD"));
        if (!date.ok()) {
          d.Error(de->value, name + ": " + date.status().message());
          ok = false;
        } else {
          h.date = *date;
        }
      } else {
        ok = false;
      }
      if (const Entry* te = Require(d, item, *f, name, "title")) {
        if (!te->value.IsScalar() || te->value.Scalar().empty()) {
          d.Error(te->value, name + ": title must be a non-empty string");
        } else {
          h.title = te->value.Scalar();
        }
      }
      if (const Entry* se = Find(*f, "substitute")) {
        const std::string s = se->value.IsScalar() ? se->value.Scalar() : "";
        if (s == "true" || s == "false") {
          h.substitute = s == "true";
        } else {
          d.Error(se->value, name + ": substitute must be true or false");
        }
      }
      if (!ok) continue;
      const std::string ds = h.date.ToString();
      const YAML::Node& at = Find(*f, "date")->value;
      if (h.date.year() < *first || h.date.year() > *last) {
        d.Error(at, name + ": " + ds + " is outside first_year..last_year (" + std::to_string(*first) + ".." +
                        std::to_string(*last) + ")");
        continue;
      }
      if (h.date.IsWeekend()) {
        d.Error(at, name + ": " + ds + " is a " + WeekdayName(h.date.weekday()) +
                        "; list the weekday actually taken off (the substitute day) instead");
      }
      if (!per.holidays.empty()) {
        Date prev = per.holidays.back().date;
        if (h.date == prev) {
          d.Error(at, name + ": " + ds + " is given twice");
          continue;
        }
        if (h.date < prev) {
          d.Error(at, name + ": " + ds + " comes after " + prev.ToString() + "; list the dates in order");
          continue;
        }
      }
      seen_year[static_cast<size_t>(h.date.year() - *first)] = true;
      per.holidays.push_back(std::move(h));
    }
    // A year with no entries, unless an entry was already refused (a
    // mistyped date would otherwise be reported twice).
    for (int y = *first; y <= *last && d.count() == errors_before; ++y) {
      if (!seen_year[static_cast<size_t>(y - *first)]) {
        d.Error(e->key_node, name + " has no bank holidays in " + std::to_string(y) +
                                 "; every year from first_year to last_year must be listed");
      }
    }

    // Prefix counts of working days over the covered range.
    std::vector<bool> holiday(static_cast<size_t>(n_days), false);
    for (const BankHoliday& h : per.holidays) holiday[static_cast<size_t>(cal.Index(h.date))] = true;
    per.working_before.assign(static_cast<size_t>(n_days) + 1, 0);
    Date day = cal.first_day_;
    for (int64_t i = 0; i < n_days; ++i, day = AddDays(day, 1)) {
      bool working = !day.IsWeekend() && !holiday[static_cast<size_t>(i)];
      per.working_before[static_cast<size_t>(i) + 1] = per.working_before[static_cast<size_t>(i)] + working;
    }
  }
  if (!d.empty()) return d.ToStatus();
  return cal;
}

// ---------------------------------------------------------------- queries

int64_t HolidayCalendar::Index(Date d) const { return (d.sys_days() - first_day_.sys_days()).count(); }

Status HolidayCalendar::NotCovered(int year) const {
  return InvalidArgument("no bank holiday data for " + std::to_string(year) + "; " + file_name_ + " covers " +
                         std::to_string(first_year_) + "\u2013" + std::to_string(last_year_));
}

Status HolidayCalendar::CheckCovered(Date d) const {
  if (Covers(d)) return Status::Ok();
  return NotCovered(d.year());
}

const std::vector<BankHoliday>& HolidayCalendar::Holidays(Division division) const {
  return Of(division).holidays;
}

Result<const BankHoliday*> HolidayCalendar::HolidayOn(Date d, Division division) const {
  CONTINUUM_RETURN_IF_ERROR(CheckCovered(d));
  const std::vector<BankHoliday>& hs = Of(division).holidays;
  auto it = std::lower_bound(hs.begin(), hs.end(), d,
                             [](const BankHoliday& h, Date date) { return h.date < date; });
  if (it == hs.end() || it->date != d) return static_cast<const BankHoliday*>(nullptr);
  return &*it;
}

Result<bool> HolidayCalendar::IsBankHoliday(Date d, Division division) const {
  Result<const BankHoliday*> h = HolidayOn(d, division);
  if (!h.ok()) return h.status();
  return *h != nullptr;
}

Result<bool> HolidayCalendar::IsWorkingDay(Date d, Division division) const {
  CONTINUUM_RETURN_IF_ERROR(CheckCovered(d));
  const std::vector<int32_t>& w = Of(division).working_before;
  size_t i = static_cast<size_t>(Index(d));
  return w[i + 1] > w[i];
}

Result<Date> HolidayCalendar::AddWorkingDays(Date start, int n, Division division) const {
  if (n < 0) return InvalidArgument("working days to add must be 0 or more, not " + std::to_string(n));
  CONTINUUM_RETURN_IF_ERROR(CheckCovered(start));
  if (n == 0) return start;
  // Working days in (start, j] are w[j + 1] - w[start + 1]; the answer is
  // the first j where that reaches n.
  const std::vector<int32_t>& w = Of(division).working_before;
  const size_t i = static_cast<size_t>(Index(start));
  const int64_t target = static_cast<int64_t>(w[i + 1]) + n;
  auto it = std::lower_bound(w.begin() + static_cast<std::ptrdiff_t>(i) + 2, w.end(), target);
  if (it == w.end()) return NotCovered(last_year_ + 1);
  const int64_t j = (it - w.begin()) - 1;
  return Date::FromSysDays(first_day_.sys_days() + days(j));
}

Result<int> HolidayCalendar::WorkingDaysBetween(Date a, Date b, Division division) const {
  CONTINUUM_RETURN_IF_ERROR(CheckCovered(a));
  CONTINUUM_RETURN_IF_ERROR(CheckCovered(b));
  const std::vector<int32_t>& w = Of(division).working_before;
  const int32_t at_a = w[static_cast<size_t>(Index(a)) + 1];
  const int32_t at_b = w[static_cast<size_t>(Index(b)) + 1];
  return at_b - at_a;  // negative when b < a: -(working days in (b, a])
}

// ---------------------------------------------------------------- DueAt

const char* DueUnitName(DueUnit u) {
  switch (u) {
    case DueUnit::kHours:
      return "hours";
    case DueUnit::kDays:
      return "days";
    case DueUnit::kWorkingDays:
      return "working_days";
    case DueUnit::kWeeks:
      return "weeks";
  }
  return "?";
}

Result<Timestamp> DueAt(Timestamp start, int amount, DueUnit unit, const HolidayCalendar& calendar,
                        Division division) {
  if (amount < 0 || amount > kMaxDueAmount) {
    return InvalidArgument("a timescale must be 0 to " + std::to_string(kMaxDueAmount) + " " +
                           DueUnitName(unit) + ", not " + std::to_string(amount));
  }
  // Years 1..9999, so the sums below cannot overflow.
  static const Timestamp kMin = Timestamp::FromDate(*MakeDate(1, 1, 1));
  static const Timestamp kMax = Timestamp::FromDate(*MakeDate(9999, 12, 31), kSecondsPerDay - 1);
  if (start < kMin || start > kMax) return InvalidArgument("start time is outside years 1 to 9999");
  const int64_t s = start.unix_seconds();
  switch (unit) {
    case DueUnit::kHours:
      return Timestamp::FromUnixSeconds(s + int64_t{amount} * 3600);
    case DueUnit::kDays:
      return Timestamp::FromUnixSeconds(s + int64_t{amount} * kSecondsPerDay);
    case DueUnit::kWeeks:
      return Timestamp::FromUnixSeconds(s + int64_t{amount} * 7 * kSecondsPerDay);
    case DueUnit::kWorkingDays: {
      Result<Date> day = calendar.AddWorkingDays(start.date(), amount, division);
      if (!day.ok()) return day.status();
      return Timestamp::FromDate(*day, start.seconds_of_day());
    }
  }
  return Internal("unknown DueUnit");
}

}  // namespace continuum
