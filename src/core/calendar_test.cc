// Dates, timestamps, the shipped bank-holiday data and working-day arithmetic.
// Most cases are tables: one row per date a practitioner would check by hand.
#include "core/calendar.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace continuum {
namespace {

constexpr Division kEW = Division::kEnglandAndWales;
constexpr Division kSc = Division::kScotland;
constexpr Division kNI = Division::kNorthernIreland;

const std::string kDataFile = std::string(CONTINUUM_DATA_DIR) + "/bank-holidays.yaml";

Date D(std::string_view s) {
  Result<Date> d = Date::Parse(s);
  EXPECT_TRUE(d.ok()) << d.status().message();
  return d.ok() ? *d : Date();
}

Timestamp T(std::string_view s) {
  Result<Timestamp> t = Timestamp::Parse(s);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? *t : Timestamp();
}

// The shipped calendar, loaded once.
const HolidayCalendar& Shipped() {
  static const HolidayCalendar* cal = [] {
    Result<HolidayCalendar> c = HolidayCalendar::LoadFile(kDataFile);
    if (!c.ok()) {
      ADD_FAILURE() << c.status().message();
      std::abort();
    }
    return new HolidayCalendar(std::move(c).value());
  }();
  return *cal;
}

// ------------------------------------------------------------------ Date

TEST(DateTest, ParsesAndFormatsIso) {
  struct Case {
    const char* text;
    int y, m, d;
    unsigned weekday;  // 0 = Sunday
  };
  const Case cases[] = {
      {"2025-01-01", 2025, 1, 1, 3},   {"2024-02-29", 2024, 2, 29, 4}, {"2000-02-29", 2000, 2, 29, 2},
      {"1970-01-01", 1970, 1, 1, 4},   {"0001-01-01", 1, 1, 1, 1},     {"9999-12-31", 9999, 12, 31, 5},
      {"2022-12-25", 2022, 12, 25, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<Date> d = Date::Parse(c.text);
    ASSERT_TRUE(d.ok()) << d.status().message();
    EXPECT_EQ(d->year(), c.y);
    EXPECT_EQ(d->month(), c.m);
    EXPECT_EQ(d->day(), c.d);
    EXPECT_EQ(d->weekday().c_encoding(), c.weekday);
    EXPECT_EQ(d->ToString(), c.text);
    Result<Date> from_parts = Date::FromYmd(c.y, c.m, c.d);
    ASSERT_TRUE(from_parts.ok());
    EXPECT_EQ(*from_parts, *d);
  }
}

TEST(DateTest, RejectsWhatIsNotAnIsoDate) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "'' is not a date in the form YYYY-MM-DD"},
      {"2025-1-01", "'2025-1-01' is not a date in the form YYYY-MM-DD"},
      {"2025/01/01", "'2025/01/01' is not a date in the form YYYY-MM-DD"},
      {"25-01-2025", "'25-01-2025' is not a date in the form YYYY-MM-DD"},
      {"2025-01-01T00:00:00Z", "'2025-01-01T00:00:00Z' is not a date in the form YYYY-MM-DD"},
      {" 2025-01-01", "' 2025-01-01' is not a date in the form YYYY-MM-DD"},
      {"2025-01-0a", "'2025-01-0a' is not a date in the form YYYY-MM-DD"},
      {"+025-01-01", "'+025-01-01' is not a date in the form YYYY-MM-DD"},
      {"2025-02-29", "'2025-02-29' is not a day in the calendar"},
      {"1900-02-29", "'1900-02-29' is not a day in the calendar"},
      {"2025-13-01", "'2025-13-01' is not a day in the calendar"},
      {"2025-04-31", "'2025-04-31' is not a day in the calendar"},
      {"2025-00-10", "'2025-00-10' is not a day in the calendar"},
      {"2025-01-00", "'2025-01-00' is not a day in the calendar"},
      {"0000-01-01", "'0000-01-01' is not a day in the calendar"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<Date> d = Date::Parse(c.text);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(d.status().message(), c.message);
  }
  EXPECT_FALSE(Date::FromYmd(2025, 2, 29).ok());
  EXPECT_FALSE(Date::FromYmd(10000, 1, 1).ok());
  // Long or binary input is shortened and made printable in the message.
  Result<Date> junk = Date::Parse(std::string(100, 'x') + "\n");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().message(),
            "'" + std::string(40, 'x') + "...' is not a date in the form YYYY-MM-DD");
  EXPECT_EQ(Date::Parse("2025\n01-01").status().message(),
            "'2025?01-01' is not a date in the form YYYY-MM-DD");
}

TEST(DateTest, CalendarArithmetic) {
  struct Case {
    const char* from;
    int days;
    const char* to;
  };
  const Case cases[] = {
      {"2025-01-31", 1, "2025-02-01"},   {"2024-02-28", 1, "2024-02-29"},   {"2025-02-28", 1, "2025-03-01"},
      {"2025-12-31", 1, "2026-01-01"},   {"2026-01-01", -1, "2025-12-31"},  {"2025-03-01", -1, "2025-02-28"},
      {"2025-01-01", 365, "2026-01-01"}, {"2024-01-01", 366, "2025-01-01"}, {"2025-06-15", 0, "2025-06-15"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.from) + " + " + std::to_string(c.days));
    EXPECT_EQ(AddDays(D(c.from), c.days), D(c.to));
    EXPECT_EQ(DaysBetween(D(c.from), D(c.to)), c.days);
  }
  EXPECT_EQ(AddWeeks(D("2025-12-18"), 2), D("2026-01-01"));
  EXPECT_EQ(AddWeeks(D("2025-01-01"), -1), D("2024-12-25"));
  EXPECT_EQ(AddWeeks(D("2024-01-01"), 52).ToString(), "2024-12-30");
  EXPECT_TRUE(D("2025-11-29").IsWeekend());   // Saturday
  EXPECT_TRUE(D("2025-11-30").IsWeekend());   // Sunday
  EXPECT_FALSE(D("2025-12-01").IsWeekend());  // Monday
  EXPECT_LT(D("2025-12-31"), D("2026-01-01"));
  EXPECT_EQ(Date().ToString(), "1970-01-01");
  // Arithmetic past year 9999 is written in ISO 8601's expanded form, not wrapped.
  EXPECT_EQ(AddDays(D("9999-12-31"), 1).ToString(), "+10000-01-01");
}

// ------------------------------------------------------------------ Timestamp

TEST(TimestampTest, ParsesUtcAndOffsetsAndFormatsUtc) {
  struct Case {
    const char* text;
    int64_t unix_seconds;
    const char* utc;
  };
  const Case cases[] = {
      {"1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z"},
      {"2026-11-23T10:00:00Z", 1795428000, "2026-11-23T10:00:00Z"},
      {"2026-11-23T10:00:00.123Z", 1795428000, "2026-11-23T10:00:00Z"},  // fraction dropped
      {"2026-11-23T10:00:00.999999999Z", 1795428000, "2026-11-23T10:00:00Z"},
      {"2026-06-01T10:00:00+01:00", 1780304400, "2026-06-01T09:00:00Z"},  // BST
      {"2026-06-01T00:30:00+01:00", 1780270200, "2026-05-31T23:30:00Z"},  // previous UTC day
      {"2026-06-01T23:30:00-02:30", 1780365600, "2026-06-02T02:00:00Z"},
      {"2026-06-01T10:00:00+00:00", 1780308000, "2026-06-01T10:00:00Z"},
      {"1969-12-31T23:59:59Z", -1, "1969-12-31T23:59:59Z"},
      {"2024-02-29T23:59:59Z", 1709251199, "2024-02-29T23:59:59Z"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<Timestamp> t = Timestamp::Parse(c.text);
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(t->unix_seconds(), c.unix_seconds);
    EXPECT_EQ(t->ToString(), c.utc);
  }
  Timestamp before_epoch = Timestamp::FromUnixSeconds(-1);
  EXPECT_EQ(before_epoch.date(), D("1969-12-31"));
  EXPECT_EQ(before_epoch.seconds_of_day(), 86399);
  EXPECT_EQ(Timestamp::FromDate(D("2026-11-23"), 36000), T("2026-11-23T10:00:00Z"));
  EXPECT_EQ(T("2026-11-23T10:00:00Z").date(), D("2026-11-23"));
  EXPECT_EQ(T("2026-11-23T10:00:00Z").seconds_of_day(), 36000);
}

TEST(TimestampTest, RejectsAnythingElse) {
  struct Case {
    const char* text;
    const char* message_ends;
  };
  constexpr const char* kShape =
      " is not a time in the form YYYY-MM-DDTHH:MM:SSZ (or with an offset, +01:00)";
  const Case cases[] = {
      {"2026-11-23", kShape},
      {"2026-11-23T10:00:00", kShape},  // no offset: ambiguous
      {"2026-11-23 10:00:00Z", kShape},
      {"2026-11-23t10:00:00z", kShape},
      {"2026-11-23T10:00Z", kShape},
      {"2026-11-23T10:00:00.Z", kShape},
      {"2026-11-23T10:00:00.1234567890Z", kShape},
      {"2026-11-23T10:00:00+0100", kShape},
      {"2026-11-23T10:00:00+01", kShape},
      {"2026-11-23T10:00:00+24:00", kShape},
      {"2026-11-23T10:00:00ZZ", kShape},
      {"2026-11-23T1a:00:00Z", kShape},
      {"2026-02-30T10:00:00Z", " is not a day in the calendar"},
      {"2026-11-23T24:00:00Z", " is not a time of day (00:00:00 to 23:59:59)"},
      {"2026-11-23T10:60:00Z", " is not a time of day (00:00:00 to 23:59:59)"},
      {"2026-12-31T23:59:60Z", " is not a time of day (00:00:00 to 23:59:59)"},  // no leap seconds
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<Timestamp> t = Timestamp::Parse(c.text);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(t.status().message(), "'" + std::string(c.text) + "'" + c.message_ends);
  }
}

// ------------------------------------------------------------------ Division

TEST(DivisionTest, NamesRoundTrip) {
  for (Division d : kAllDivisions) {
    Result<Division> parsed = ParseDivision(DivisionName(d));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, d);
  }
  EXPECT_STREQ(DivisionName(kEW), "england-and-wales");
  EXPECT_STREQ(DivisionName(kSc), "scotland");
  EXPECT_STREQ(DivisionName(kNI), "northern-ireland");
  Result<Division> wales = ParseDivision("wales");
  ASSERT_FALSE(wales.ok());
  EXPECT_EQ(wales.status().message(),
            "'wales' is not a bank holiday division; use england-and-wales, scotland or northern-ireland");
  EXPECT_FALSE(ParseDivision("Scotland").ok());
}

// ------------------------------------------------------------------ the shipped data

TEST(HolidayCalendarData, ShippedFileLoads) {
  const HolidayCalendar& cal = Shipped();
  EXPECT_EQ(cal.first_year(), 2018);
  EXPECT_EQ(cal.last_year(), 2030);
  EXPECT_EQ(cal.published_through(), 2027);
  EXPECT_EQ(cal.file_name(), kDataFile);
}

TEST(HolidayCalendarData, CountPerDivisionPerYear) {
  // Ordinary years: 8 in England and Wales, 9 in Scotland, 10 in Northern
  // Ireland. 2020 moved a day (VE day) without adding one; 2022 added the
  // Platinum Jubilee and the Queen's state funeral; 2023 the coronation.
  const std::map<int, int> extra = {{2022, 2}, {2023, 1}};
  const std::map<Division, int> ordinary = {{kEW, 8}, {kSc, 9}, {kNI, 10}};
  const HolidayCalendar& cal = Shipped();
  for (Division div : kAllDivisions) {
    std::map<int, int> count;
    for (const BankHoliday& h : cal.Holidays(div)) ++count[h.date.year()];
    for (int y = 2018; y <= 2030; ++y) {
      SCOPED_TRACE(std::string(DivisionName(div)) + " " + std::to_string(y));
      int expected = ordinary.at(div) + (extra.count(y) ? extra.at(y) : 0);
      EXPECT_EQ(count[y], expected);
    }
    EXPECT_EQ(count.size(), 13u);
  }
}

TEST(HolidayCalendarData, EveryHolidayIsAWeekdayInDateOrder) {
  const HolidayCalendar& cal = Shipped();
  for (Division div : kAllDivisions) {
    const std::vector<BankHoliday>& hs = cal.Holidays(div);
    for (size_t i = 0; i < hs.size(); ++i) {
      SCOPED_TRACE(std::string(DivisionName(div)) + " " + hs[i].date.ToString() + " " + hs[i].title);
      EXPECT_FALSE(hs[i].date.IsWeekend());
      EXPECT_FALSE(hs[i].title.empty());
      if (i > 0) {
        EXPECT_LT(hs[i - 1].date, hs[i].date);
      }
      // A substitute day is always a Monday or a Tuesday (after a weekend).
      if (hs[i].substitute) {
        EXPECT_TRUE(hs[i].date.weekday() == std::chrono::Monday ||
                    hs[i].date.weekday() == std::chrono::Tuesday);
      }
    }
  }
}

// Easter Sunday by the anonymous Gregorian computus, independent of the file.
Date Easter(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  return *Date::FromYmd(y, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1);
}

TEST(HolidayCalendarData, EasterEveryYear) {
  const HolidayCalendar& cal = Shipped();
  EXPECT_EQ(Easter(2025), D("2025-04-20"));
  EXPECT_EQ(Easter(2027), D("2027-03-28"));
  for (int y = 2018; y <= 2030; ++y) {
    SCOPED_TRACE(y);
    Date good_friday = AddDays(Easter(y), -2), easter_monday = AddDays(Easter(y), 1);
    for (Division div : kAllDivisions) {
      Result<const BankHoliday*> gf = cal.HolidayOn(good_friday, div);
      ASSERT_TRUE(gf.ok());
      ASSERT_NE(*gf, nullptr) << DivisionName(div);
      EXPECT_EQ((*gf)->title, "Good Friday");
      // Scotland has no Easter Monday bank holiday.
      EXPECT_EQ(*cal.IsBankHoliday(easter_monday, div), div != kSc) << DivisionName(div);
    }
  }
}

// ------------------------------------------------------------------ working days

struct DayCase {
  const char* date;
  Division division;
  bool working;
  const char* holiday;  // title, or "" if not a bank holiday
};

// Each row is one date checked against GOV.UK's list (2018-2027) or the
// statutory pattern (2028-2030).
const DayCase kDays[] = {
    // Weekends are never working days, holiday or not.
    {"2025-11-29", kEW, false, ""},
    {"2025-11-30", kSc, false, ""},                 // St Andrew's Day on a Sunday...
    {"2025-12-01", kSc, false, "St Andrew's Day"},  // ...taken on the Monday
    {"2025-12-01", kEW, true, ""},
    {"2025-12-01", kNI, true, ""},
    {"2024-11-29", kSc, true, ""},
    {"2024-12-02", kSc, false, "St Andrew's Day"},  // 30 Nov 2024 was a Saturday
    {"2026-11-30", kSc, false, "St Andrew's Day"},  // a Monday: no substitute
    {"2030-12-02", kSc, false, "St Andrew's Day"},  // projected: 30 Nov 2030 is a Saturday
    {"2030-11-29", kSc, true, ""},
    // New Year: Scotland's 2 January.
    {"2025-01-01", kEW, false, "New Year's Day"},
    {"2025-01-02", kEW, true, ""},
    {"2025-01-02", kNI, true, ""},
    {"2025-01-02", kSc, false, "2nd January"},
    {"2021-01-04", kSc, false, "2nd January"},  // 2 Jan 2021 a Saturday
    {"2021-01-04", kEW, true, ""},
    {"2022-01-03", kEW, false, "New Year's Day"},  // 1 Jan 2022 a Saturday
    {"2022-01-04", kEW, true, ""},
    {"2022-01-04", kSc, false, "2nd January"},
    {"2023-01-02", kEW, false, "New Year's Day"},  // 1 Jan 2023 a Sunday
    {"2023-01-02", kSc, false, "New Year's Day"},
    {"2023-01-03", kSc, false, "2nd January"},
    {"2023-01-03", kNI, true, ""},
    {"2028-01-03", kSc, false, "New Year's Day"},  // projected: 1 Jan 2028 a Saturday
    {"2028-01-04", kSc, false, "2nd January"},
    {"2028-01-04", kEW, true, ""},
    // Easter.
    {"2025-04-18", kSc, false, "Good Friday"},
    {"2025-04-21", kEW, false, "Easter Monday"},
    {"2025-04-21", kNI, false, "Easter Monday"},
    {"2025-04-21", kSc, true, ""},
    {"2024-03-29", kEW, false, "Good Friday"},
    {"2027-03-29", kNI, false, "Easter Monday"},
    // Northern Ireland: St Patrick's Day and the Twelfth.
    {"2025-03-17", kNI, false, "St Patrick's Day"},
    {"2025-03-17", kEW, true, ""},
    {"2024-03-18", kNI, false, "St Patrick's Day"},  // 17 Mar 2024 a Sunday
    {"2029-03-19", kNI, false, "St Patrick's Day"},  // projected: 17 Mar 2029 a Saturday
    {"2024-07-12", kNI, false, "Battle of the Boyne (Orangemen's Day)"},
    {"2024-07-12", kSc, true, ""},
    {"2025-07-14", kNI, false, "Battle of the Boyne (Orangemen's Day)"},  // 12 July 2025 a Saturday
    {"2025-07-14", kEW, true, ""},
    {"2026-07-13", kNI, false, "Battle of the Boyne (Orangemen's Day)"},  // 12 July 2026 a Sunday
    {"2020-07-13", kNI, false, "Battle of the Boyne (Orangemen's Day)"},
    // Summer: first Monday of August in Scotland, last elsewhere.
    {"2025-08-04", kSc, false, "Summer bank holiday"},
    {"2025-08-04", kEW, true, ""},
    {"2025-08-25", kEW, false, "Summer bank holiday"},
    {"2025-08-25", kSc, true, ""},
    // Christmas at weekends.
    {"2021-12-27", kEW, false, "Christmas Day"},  // 25 Dec 2021 a Saturday
    {"2021-12-28", kEW, false, "Boxing Day"},
    {"2021-12-29", kEW, true, ""},
    {"2022-12-26", kSc, false, "Boxing Day"},  // 25 Dec 2022 a Sunday
    {"2022-12-27", kSc, false, "Christmas Day"},
    {"2022-12-28", kNI, true, ""},
    {"2020-12-28", kNI, false, "Boxing Day"},  // 26 Dec 2020 a Saturday
    {"2026-12-28", kEW, false, "Boxing Day"},  // 26 Dec 2026 a Saturday
    {"2026-12-29", kEW, true, ""},
    {"2027-12-27", kSc, false, "Christmas Day"},  // 25 Dec 2027 a Saturday
    {"2027-12-28", kNI, false, "Boxing Day"},
    // One-offs.
    {"2020-05-04", kEW, true, ""},  // early May moved to VE day...
    {"2020-05-08", kEW, false, "Early May bank holiday (VE day)"},
    {"2020-05-08", kSc, false, "Early May bank holiday (VE day)"},
    {"2022-05-30", kEW, true, ""},  // spring bank holiday moved...
    {"2022-06-02", kEW, false, "Spring bank holiday"},
    {"2022-06-03", kSc, false, "Platinum Jubilee bank holiday"},
    {"2022-06-03", kNI, false, "Platinum Jubilee bank holiday"},
    {"2022-09-19", kEW, false, "Bank Holiday for the State Funeral of Queen Elizabeth II"},
    {"2022-09-19", kSc, false, "Bank Holiday for the State Funeral of Queen Elizabeth II"},
    {"2022-09-19", kNI, false, "Bank Holiday for the State Funeral of Queen Elizabeth II"},
    {"2023-05-01", kEW, false, "Early May bank holiday"},
    {"2023-05-08", kEW, false, "Bank holiday for the coronation of King Charles III"},
    {"2023-05-08", kSc, false, "Bank holiday for the coronation of King Charles III"},
    {"2023-05-08", kNI, false, "Bank holiday for the coronation of King Charles III"},
    // The covered range's ends.
    {"2018-01-01", kEW, false, "New Year's Day"},
    {"2018-01-02", kSc, false, "2nd January"},
    {"2030-12-26", kNI, false, "Boxing Day"},
    {"2030-12-31", kEW, true, ""},
};

TEST(HolidayCalendarWorkingDays, IsWorkingDayAcrossDivisions) {
  const HolidayCalendar& cal = Shipped();
  for (const DayCase& c : kDays) {
    SCOPED_TRACE(std::string(c.date) + " " + DivisionName(c.division));
    Date d = D(c.date);
    Result<bool> working = cal.IsWorkingDay(d, c.division);
    ASSERT_TRUE(working.ok()) << working.status().message();
    EXPECT_EQ(*working, c.working);
    Result<const BankHoliday*> h = cal.HolidayOn(d, c.division);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(*h == nullptr ? "" : (*h)->title, c.holiday);
    EXPECT_EQ(*cal.IsBankHoliday(d, c.division), *c.holiday != '\0');
  }
}

struct AddCase {
  const char* start;
  int n;
  Division division;
  const char* due;
};

const AddCase kAdds[] = {
    // A front-door decision due one working day after a Friday referral.
    {"2025-11-21", 1, kEW, "2025-11-24"},
    {"2025-11-28", 1, kSc, "2025-12-02"},  // Monday 1 December is St Andrew's Day (substitute)
    {"2025-11-28", 1, kEW, "2025-12-01"},
    {"2025-05-23", 1, kEW, "2025-05-27"},  // spring bank holiday Monday
    {"2025-08-01", 1, kSc, "2025-08-05"},  // Scottish summer bank holiday Monday
    {"2025-08-01", 1, kEW, "2025-08-04"},
    // Start at a weekend: the day after start is the first candidate.
    {"2025-11-22", 1, kEW, "2025-11-24"},
    {"2025-11-23", 1, kEW, "2025-11-24"},
    {"2025-11-23", 0, kEW, "2025-11-23"},  // n == 0: start unchanged
    {"2025-11-24", 5, kEW, "2025-12-01"},
    // Christmas and New Year runs.
    {"2025-12-24", 1, kEW, "2025-12-29"},
    {"2025-12-24", 3, kEW, "2025-12-31"},
    {"2025-12-24", 4, kEW, "2026-01-02"},
    {"2025-12-24", 4, kSc, "2026-01-05"},  // 1 and 2 January both off
    {"2021-12-24", 1, kEW, "2021-12-29"},  // 27 and 28 are substitutes
    {"2021-12-31", 1, kSc, "2022-01-05"},  // 3 and 4 January 2022 off in Scotland
    {"2021-12-31", 1, kNI, "2022-01-04"},
    {"2022-12-23", 1, kNI, "2022-12-28"},
    {"2026-12-24", 1, kEW, "2026-12-29"},  // Boxing Day substitute on Monday 28
    {"2027-12-24", 1, kSc, "2027-12-29"},
    {"2027-12-31", 1, kSc, "2028-01-05"},  // crossing into projected 2028
    // Easter.
    {"2025-04-17", 1, kEW, "2025-04-22"},
    {"2025-04-17", 1, kSc, "2025-04-21"},  // Easter Monday is a working day in Scotland
    {"2025-04-17", 1, kNI, "2025-04-22"},
    // Northern Ireland's July.
    {"2025-07-11", 1, kNI, "2025-07-15"},
    {"2025-07-11", 1, kEW, "2025-07-14"},
    {"2025-03-14", 1, kNI, "2025-03-18"},
    // 2022 and 2023 one-offs.
    {"2022-06-01", 1, kEW, "2022-06-06"},
    {"2022-09-16", 1, kSc, "2022-09-20"},
    {"2023-05-05", 1, kNI, "2023-05-09"},
    {"2023-04-28", 2, kEW, "2023-05-03"},
    {"2020-05-07", 1, kEW, "2020-05-11"},
    // Longer timescales across Christmas and New Year.
    {"2025-12-15", 10, kEW, "2025-12-31"},
    {"2025-12-15", 12, kEW, "2026-01-05"},
    {"2025-12-15", 12, kSc, "2026-01-06"},  // 1 and 2 January
    {"2025-12-15", 15, kNI, "2026-01-08"},
    // The last covered working day.
    {"2030-12-27", 1, kEW, "2030-12-30"},
    {"2030-12-27", 2, kEW, "2030-12-31"},
};

TEST(HolidayCalendarWorkingDays, AddWorkingDays) {
  const HolidayCalendar& cal = Shipped();
  for (const AddCase& c : kAdds) {
    SCOPED_TRACE(std::string(c.start) + " + " + std::to_string(c.n) + " " + DivisionName(c.division));
    Result<Date> due = cal.AddWorkingDays(D(c.start), c.n, c.division);
    ASSERT_TRUE(due.ok()) << due.status().message();
    EXPECT_EQ(due->ToString(), c.due);
    Result<int> between = cal.WorkingDaysBetween(D(c.start), *due, c.division);
    ASSERT_TRUE(between.ok());
    EXPECT_EQ(*between, c.n);
  }
}

TEST(HolidayCalendarWorkingDays, WorkingDaysBetween) {
  struct Case {
    const char* a;
    const char* b;
    Division division;
    int expected;
  };
  const Case cases[] = {
      {"2025-11-24", "2025-11-24", kEW, 0},   {"2025-11-24", "2025-11-28", kEW, 4},
      {"2025-11-28", "2025-11-24", kEW, -4},  {"2025-11-21", "2025-11-23", kEW, 0},  // Friday to Sunday
      {"2025-11-28", "2025-12-05", kEW, 5},   {"2025-11-28", "2025-12-05", kSc, 4},
      {"2025-12-19", "2026-01-09", kEW, 12},  {"2025-12-19", "2026-01-09", kSc, 11},
      {"2025-01-01", "2025-12-31", kEW, 253}, {"2025-01-01", "2025-12-31", kSc, 252},
      {"2025-01-01", "2025-12-31", kNI, 251}, {"2018-01-01", "2030-12-31", kEW, 3285},
  };
  const HolidayCalendar& cal = Shipped();
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " .. " + c.b + " " + DivisionName(c.division));
    Result<int> n = cal.WorkingDaysBetween(D(c.a), D(c.b), c.division);
    ASSERT_TRUE(n.ok()) << n.status().message();
    EXPECT_EQ(*n, c.expected);
  }
}

// For every start day and small n: the answer is a working day, and exactly
// n working days lie in (start, answer].
TEST(HolidayCalendarWorkingDays, AddAndBetweenAgreeEverywhere) {
  const HolidayCalendar& cal = Shipped();
  for (Division div : kAllDivisions) {
    for (Date d = D("2018-01-01"); d <= D("2030-11-30"); d = AddDays(d, 1)) {
      for (int n = 1; n <= 12; ++n) {
        Result<Date> due = cal.AddWorkingDays(d, n, div);
        ASSERT_TRUE(due.ok()) << d.ToString();
        ASSERT_TRUE(*cal.IsWorkingDay(*due, div)) << d.ToString() << " + " << n;
        ASSERT_EQ(*cal.WorkingDaysBetween(d, *due, div), n) << d.ToString();
        // The day before the answer is not already n working days on.
        ASSERT_EQ(*cal.WorkingDaysBetween(d, AddDays(*due, -1), div), n - 1) << d.ToString();
      }
    }
  }
}

TEST(HolidayCalendarWorkingDays, OutsideTheCoveredYearsIsAnError) {
  const HolidayCalendar& cal = Shipped();
  const std::string after = "no bank holiday data for 2031; " + kDataFile + " covers 2018\u20132030";
  const std::string before = "no bank holiday data for 2017; " + kDataFile + " covers 2018\u20132030";
  EXPECT_TRUE(cal.Covers(D("2018-01-01")));
  EXPECT_TRUE(cal.Covers(D("2030-12-31")));
  EXPECT_FALSE(cal.Covers(D("2031-01-01")));
  EXPECT_FALSE(cal.Covers(D("2017-12-31")));
  EXPECT_TRUE(cal.CheckCovered(D("2025-06-01")).ok());
  EXPECT_EQ(cal.CheckCovered(D("2031-06-01")).message(), after);

  auto expect_error = [](const Status& s, const std::string& message) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), message);
  };
  expect_error(cal.IsWorkingDay(D("2031-01-02"), kEW).status(), after);
  expect_error(cal.IsBankHoliday(D("2017-12-25"), kSc).status(), before);
  expect_error(cal.HolidayOn(D("2031-01-01"), kNI).status(), after);
  // The answer would fall in 2031: refuse rather than pretend 2031 has no holidays.
  expect_error(cal.AddWorkingDays(D("2030-12-31"), 1, kEW).status(), after);
  expect_error(cal.AddWorkingDays(D("2030-12-20"), 10, kEW).status(), after);
  expect_error(cal.AddWorkingDays(D("2017-12-29"), 1, kEW).status(), before);
  expect_error(cal.WorkingDaysBetween(D("2030-12-01"), D("2031-01-05"), kEW).status(), after);
  expect_error(cal.WorkingDaysBetween(D("2017-12-01"), D("2018-01-05"), kEW).status(), before);
  Result<Date> negative = cal.AddWorkingDays(D("2025-01-10"), -1, kEW);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(), "working days to add must be 0 or more, not -1");
}

// ------------------------------------------------------------------ DueAt

TEST(DueAtTest, TurnsTimescalesIntoDueTimes) {
  struct Case {
    const char* start;
    int amount;
    DueUnit unit;
    Division division;
    const char* due;
  };
  const Case cases[] = {
      {"2026-11-23T10:00:00Z", 24, DueUnit::kHours, kEW, "2026-11-24T10:00:00Z"},
      {"2026-11-27T16:30:00Z", 72, DueUnit::kHours, kEW, "2026-11-30T16:30:00Z"},  // hours ignore weekends
      {"2026-11-23T10:00:00Z", 0, DueUnit::kHours, kEW, "2026-11-23T10:00:00Z"},
      {"2026-11-23T10:00:00Z", 5, DueUnit::kDays, kEW, "2026-11-28T10:00:00Z"},  // a Saturday: calendar days
      {"2026-12-24T09:15:00Z", 7, DueUnit::kDays, kSc, "2026-12-31T09:15:00Z"},
      {"2026-11-23T10:00:00Z", 12, DueUnit::kWeeks, kEW, "2027-02-15T10:00:00Z"},
      // Weeks ignore holidays: this is due on Good Friday.
      {"2026-03-20T10:00:00Z", 2, DueUnit::kWeeks, kEW, "2026-04-03T10:00:00Z"},
      {"2026-11-26T10:00:00Z", 3, DueUnit::kWorkingDays, kSc, "2026-12-02T10:00:00Z"},
      {"2026-11-26T10:00:00Z", 3, DueUnit::kWorkingDays, kEW, "2026-12-01T10:00:00Z"},
      {"2026-11-20T10:00:00Z", 1, DueUnit::kWorkingDays, kEW, "2026-11-23T10:00:00Z"},  // Friday -> Monday
      {"2026-11-21T10:00:00Z", 1, DueUnit::kWorkingDays, kEW, "2026-11-23T10:00:00Z"},  // Saturday -> Monday
      {"2026-04-02T17:45:00Z", 1, DueUnit::kWorkingDays, kEW, "2026-04-07T17:45:00Z"},  // over Easter
      {"2026-04-02T17:45:00Z", 1, DueUnit::kWorkingDays, kSc, "2026-04-06T17:45:00Z"},
      // The Twelfth is taken on Monday 13 July 2026.
      {"2026-07-10T08:00:00Z", 1, DueUnit::kWorkingDays, kNI, "2026-07-14T08:00:00Z"},
      {"2026-12-24T23:59:59Z", 1, DueUnit::kWorkingDays, kEW, "2026-12-29T23:59:59Z"},
      {"2026-11-23T10:00:00Z", 0, DueUnit::kWorkingDays, kEW, "2026-11-23T10:00:00Z"},
      // The UTC date decides: 00:30 BST on Saturday 6 June is 23:30 UTC on Friday 5 June.
      {"2026-06-06T00:30:00+01:00", 1, DueUnit::kWorkingDays, kEW, "2026-06-08T23:30:00Z"},
  };
  const HolidayCalendar& cal = Shipped();
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.start) + " + " + std::to_string(c.amount) + " " + DueUnitName(c.unit) + " " +
                 DivisionName(c.division));
    Result<Timestamp> due = DueAt(T(c.start), c.amount, c.unit, cal, c.division);
    ASSERT_TRUE(due.ok()) << due.status().message();
    EXPECT_EQ(due->ToString(), c.due);
  }
}

TEST(DueAtTest, Errors) {
  const HolidayCalendar& cal = Shipped();
  Result<Timestamp> negative = DueAt(T("2026-11-23T10:00:00Z"), -1, DueUnit::kDays, cal, kEW);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(), "a timescale must be 0 to 100000 days, not -1");
  EXPECT_FALSE(DueAt(T("2026-11-23T10:00:00Z"), 100001, DueUnit::kHours, cal, kEW).ok());
  EXPECT_FALSE(DueAt(Timestamp::FromUnixSeconds(INT64_MAX), 1, DueUnit::kHours, cal, kEW).ok());
  // Working days past the data: an error, not a guess.
  Result<Timestamp> late = DueAt(T("2030-12-30T10:00:00Z"), 5, DueUnit::kWorkingDays, cal, kEW);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().message(),
            "no bank holiday data for 2031; " + kDataFile + " covers 2018\u20132030");
  // Calendar days need no holiday data.
  Result<Timestamp> days = DueAt(T("2030-12-30T10:00:00Z"), 5, DueUnit::kDays, cal, kEW);
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->ToString(), "2031-01-04T10:00:00Z");
  EXPECT_STREQ(DueUnitName(DueUnit::kWorkingDays), "working_days");
}

// ------------------------------------------------------------------ loading

// A minimal valid file; the cases below break one thing each.
constexpr const char* kMini = R"yaml(format: continuum-bank-holidays/1
first_year: 2025
last_year: 2025
published_through: 2025
divisions:
  england-and-wales:
    - {date: 2025-12-25, title: Christmas Day}
  scotland:
    - {date: 2025-12-01, title: "St Andrew's Day", substitute: true}
    - {date: 2025-12-25, title: Christmas Day}
  northern-ireland:
    - {date: 2025-07-14, title: "Battle of the Boyne (Orangemen's Day)", substitute: true}
)yaml";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

TEST(HolidayCalendarLoad, MinimalFileLoads) {
  Result<HolidayCalendar> cal = HolidayCalendar::Load(kMini, "mini.yaml");
  ASSERT_TRUE(cal.ok()) << cal.status().message();
  ASSERT_EQ(cal->Holidays(kSc).size(), 2u);
  EXPECT_TRUE(cal->Holidays(kSc)[0].substitute);
  EXPECT_FALSE(cal->Holidays(kSc)[1].substitute);
  EXPECT_EQ(cal->Holidays(kNI)[0].title, "Battle of the Boyne (Orangemen's Day)");
  EXPECT_FALSE(*cal->IsWorkingDay(D("2025-12-01"), kSc));
  EXPECT_TRUE(*cal->IsWorkingDay(D("2025-12-01"), kEW));
  EXPECT_EQ(cal->CheckCovered(D("2026-01-01")).message(),
            "no bank holiday data for 2026; mini.yaml covers 2025\u20132025");
}

TEST(HolidayCalendarLoad, RefusesBadFilesWithLocatedMessages) {
  struct Case {
    const char* name;
    std::string text;
    const char* message;  // the whole message
  };
  const std::string m = kMini;
  const Case cases[] = {
      {"weekend", Replace(m, "2025-12-01, title", "2025-11-30, title"),
       "x.yaml:9:14: scotland: 2025-11-30 is a Sunday; list the weekday actually taken off (the substitute "
       "day) instead"},
      {"twice", Replace(m, "2025-12-01, title", "2025-12-25, title"),
       "x.yaml:10:14: scotland: 2025-12-25 is given twice"},
      {"order",
       Replace(Replace(m, "2025-12-01, title", "2025-12-26, title"),
               "substitute: true}\n    - {date: 2025-12-25", "substitute: true}\n    - {date: 2025-12-24"),
       "x.yaml:10:14: scotland: 2025-12-24 comes after 2025-12-26; list the dates in order"},
      {"outside", Replace(m, "2025-07-14", "2026-07-13"),
       "x.yaml:12:14: northern-ireland: 2026-07-13 is outside first_year..last_year (2025..2025)"},
      {"year missing",
       Replace(m, "  england-and-wales:\n    - {date: 2025-12-25, title: Christmas Day}",
               "  england-and-wales: []"),
       "x.yaml:6:3: england-and-wales has no bank holidays in 2025; every year from first_year to last_year "
       "must be listed"},
      {"bad date",
       Replace(m, "2025-12-25, title: Christmas Day}\n  scotland",
               "2025-02-29, title: Christmas Day}\n  scotland"),
       "x.yaml:7:14: england-and-wales: '2025-02-29' is not a day in the calendar"},
      {"unknown field",
       Replace(m, "title: Christmas Day}\n  scotland", "title: Christmas Day, notes: x}\n  scotland"),
       "x.yaml:7:48: england-and-wales: unknown field 'notes' (expected date, title, substitute)"},
      {"missing title",
       Replace(m, "{date: 2025-12-25, title: Christmas Day}\n  scotland", "{date: 2025-12-25}\n  scotland"),
       "x.yaml:7:7: england-and-wales: missing required field 'title'"},
      {"substitute not bool",
       Replace(m, "substitute: true}\n    - {date: 2025-12-25", "substitute: yes}\n    - {date: 2025-12-25"),
       "x.yaml:9:64: scotland: substitute must be true or false"},
      {"missing division",
       Replace(m,
               "  northern-ireland:\n    - {date: 2025-07-14, title: \"Battle of the Boyne (Orangemen's "
               "Day)\", substitute: true}\n",
               ""),
       "x.yaml:6:3: divisions: missing required field 'northern-ireland'"},
      {"unknown division", Replace(m, "northern-ireland:", "wales:"),
       "x.yaml:11:3: divisions: unknown field 'wales' (expected england-and-wales, scotland, "
       "northern-ireland)\n"
       "x.yaml:6:3: divisions: missing required field 'northern-ireland'"},
      {"division not a list",
       Replace(m, "  england-and-wales:\n    - {date: 2025-12-25, title: Christmas Day}",
               "  england-and-wales: none"),
       "x.yaml:6:22: england-and-wales: expected a list of {date, title} entries"},
      {"format", Replace(m, "continuum-bank-holidays/1", "continuum-bank-holidays/2"),
       "x.yaml:1:9: format must be 'continuum-bank-holidays/1'"},
      {"year order", Replace(m, "first_year: 2025", "first_year: 2026"),
       "x.yaml:3:12: last_year must be from first_year to first_year + 199"},
      {"year shape", Replace(m, "last_year: 2025", "last_year: 25"),
       "x.yaml:3:12: 'last_year' must be a four-digit year"},
      {"published", Replace(m, "published_through: 2025", "published_through: 2027"),
       "x.yaml:4:20: published_through must be from first_year - 1 (nothing published) to last_year"},
      {"missing key", Replace(m, "published_through: 2025\n", ""),
       "x.yaml:1:1: bank holidays: missing required field 'published_through'"},
      {"top-level key twice", m + "first_year: 2025\n",
       "x.yaml:13:1: bank holidays: field 'first_year' is given twice"},
      {"syntax",
       Replace(m, "{date: 2025-12-25, title: Christmas Day}\n  scotland",
               "{date: 2025-12-25, title: [}\n  scotland"),
       nullptr},
      {"not a map", "- 1\n- 2\n", "x.yaml:1:1: bank holidays: expected a map"},
      {"empty", "", "x.yaml:1:1: bank holidays: expected a map"},
      {"nul", std::string("format: x\0", 10), "x.yaml:1:1: file contains a NUL byte; is it text?"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<HolidayCalendar> cal = HolidayCalendar::Load(c.text, "x.yaml");
    ASSERT_FALSE(cal.ok());
    EXPECT_EQ(cal.status().code(), StatusCode::kInvalidArgument);
    if (c.message != nullptr) {
      EXPECT_EQ(cal.status().message(), c.message);
    } else {
      EXPECT_EQ(cal.status().message().rfind("x.yaml:", 0), 0u) << cal.status().message();
      EXPECT_NE(cal.status().message().find("YAML syntax error"), std::string::npos);
    }
  }
}

TEST(HolidayCalendarLoad, MissingFileIsNotFound) {
  Result<HolidayCalendar> cal =
      HolidayCalendar::LoadFile(std::string(CONTINUUM_DATA_DIR) + "/no-such-file.yaml");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), StatusCode::kNotFound);
  Result<HolidayCalendar> dir = HolidayCalendar::LoadFile(CONTINUUM_DATA_DIR);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace continuum
