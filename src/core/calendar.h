// Dates, UTC timestamps, and working days with UK bank holidays.
//
//   auto cal = HolidayCalendar::LoadFile("data/bank-holidays.yaml");
//   if (!cal.ok()) return cal.status();              // file:line:col: ...
//   Result<Date> referral = Date::Parse("2025-12-19");  // a Friday
//   if (!referral.ok()) return referral.status();
//   // A front-door decision due one working day after the referral:
//   Result<Date> due = cal->AddWorkingDays(*referral, 1, Division::kEnglandAndWales);
//   // *due == 2025-12-22, the Monday; a referral on Wed 24 December gives
//   // Mon 29 December, past Christmas Day and Boxing Day.
//
//   // A framework timescale ("3 working days") from a UTC start time:
//   Result<Timestamp> start = Timestamp::Parse("2026-11-26T10:00:00Z");  // Thursday
//   Result<Timestamp> at = DueAt(*start, 3, DueUnit::kWorkingDays, *cal, Division::kScotland);
//   // at->ToString() == "2026-12-02T10:00:00Z": Friday 27, then Tuesday 1 and
//   // Wednesday 2 December, because Monday 30 November is St Andrew's Day.
//   // (In England and Wales it would be Tuesday 1 December.)
//
// Rules (docs/calendar.md has them in full):
//  * A working day is Monday to Friday and not a bank holiday in the chosen
//    division (England and Wales, Scotland, Northern Ireland).
//  * AddWorkingDays(start, n) is the n-th working day after start. The day
//    after start is the first candidate; start itself never counts, whether
//    or not it is a working day. n == 0 gives start unchanged.
//  * WorkingDaysBetween(a, b) counts the working days d with a < d <= b, so
//    AddWorkingDays(a, n) == b implies WorkingDaysBetween(a, b) == n.
//  * The calendar knows the bank holidays of a fixed range of years (the data
//    file's first_year..last_year). Any question that needs a date outside
//    that range fails with kInvalidArgument ("no bank holiday data for 2031;
//    data/bank-holidays.yaml covers 2018–2030"); it is never answered as if
//    that year had no bank holidays.
//
// Dates are proleptic Gregorian calendar days with no time zone; Timestamps
// are instants in UTC. Working-day questions about a Timestamp use its UTC
// calendar date (see DueAt).
//
// Date, Timestamp and HolidayCalendar are values. A loaded HolidayCalendar is
// immutable: share it between threads freely.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace continuum {

// A calendar day, year 1 to 9999 when parsed or built from parts.
class Date {
 public:
  Date() = default;  // 1970-01-01

  // "YYYY-MM-DD" exactly (four-digit year, two-digit month and day); a day
  // that does not exist ("2025-02-29") is an error.
  static Result<Date> Parse(std::string_view text);
  static Result<Date> FromYmd(int year, int month, int day);
  static constexpr Date FromSysDays(std::chrono::sys_days days) { return Date(days); }

  constexpr std::chrono::sys_days sys_days() const { return days_; }
  std::chrono::year_month_day ymd() const { return std::chrono::year_month_day(days_); }
  int year() const;
  int month() const;  // 1..12
  int day() const;    // 1..31
  std::chrono::weekday weekday() const { return std::chrono::weekday(days_); }
  bool IsWeekend() const;  // Saturday or Sunday

  std::string ToString() const;  // "YYYY-MM-DD"

  friend constexpr bool operator==(Date a, Date b) = default;
  friend constexpr auto operator<=>(Date a, Date b) = default;

 private:
  constexpr explicit Date(std::chrono::sys_days days) : days_(days) {}
  std::chrono::sys_days days_{};
};

// Calendar-day arithmetic; n may be negative. Callers adding amounts that
// come from outside should bound them first (DueAt does), so the result stays
// within years 1..9999.
Date AddDays(Date d, int n);
Date AddWeeks(Date d, int n);
// b - a in calendar days (negative when b is before a).
int DaysBetween(Date a, Date b);

// An instant, in whole seconds since 1970-01-01T00:00:00Z.
class Timestamp {
 public:
  Timestamp() = default;  // 1970-01-01T00:00:00Z

  // ISO 8601 with a date, a time to the second and an offset:
  // "2026-11-23T10:00:00Z" or "2026-06-01T10:00:00+01:00" (converted to UTC).
  // A fraction of a second ("10:00:00.250Z", as JavaScript writes it) is
  // accepted and dropped. Anything else, including a missing offset, is an
  // error: a time without an offset is ambiguous in the UK half the year.
  static Result<Timestamp> Parse(std::string_view text);
  static constexpr Timestamp FromUnixSeconds(int64_t seconds) { return Timestamp(seconds); }
  // Midnight UTC at the start of `date`, plus `seconds_of_day`.
  static Timestamp FromDate(Date date, int seconds_of_day = 0);

  constexpr int64_t unix_seconds() const { return seconds_; }
  std::chrono::sys_seconds sys_seconds() const {
    return std::chrono::sys_seconds(std::chrono::seconds(seconds_));
  }
  Date date() const;           // the UTC calendar date
  int seconds_of_day() const;  // 0..86399, UTC

  std::string ToString() const;  // "2026-11-23T10:00:00Z"

  friend constexpr bool operator==(Timestamp a, Timestamp b) = default;
  friend constexpr auto operator<=>(Timestamp a, Timestamp b) = default;

 private:
  constexpr explicit Timestamp(int64_t seconds) : seconds_(seconds) {}
  int64_t seconds_ = 0;
};

// The UK's three bank-holiday divisions, named as GOV.UK names them.
enum class Division { kEnglandAndWales, kScotland, kNorthernIreland };
inline constexpr std::array<Division, 3> kAllDivisions = {Division::kEnglandAndWales, Division::kScotland,
                                                          Division::kNorthernIreland};
const char* DivisionName(Division d);  // "england-and-wales", "scotland", "northern-ireland"
Result<Division> ParseDivision(std::string_view name);

struct BankHoliday {
  Date date;                // always Monday to Friday: the day actually taken off
  std::string title;        // "Boxing Day"
  bool substitute = false;  // the holiday itself fell at a weekend
};

// The bank holidays of a range of years, loaded from data/bank-holidays.yaml
// (format in docs/calendar.md). Loading is strict: an unknown key, a missing
// division or year, a date out of order, given twice, outside the declared
// years or at a weekend is an error reported as "file:line:col: message".
class HolidayCalendar {
 public:
  static Result<HolidayCalendar> Load(std::string_view yaml_text, std::string_view file_name);
  static Result<HolidayCalendar> LoadFile(const std::string& path);

  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }
  // Years up to and including this one are as GOV.UK publishes them; later
  // covered years are projected from the statutory pattern.
  int published_through() const { return published_through_; }
  const std::string& file_name() const { return file_name_; }

  // Whether d's year is one the calendar has data for.
  bool Covers(Date d) const { return d.year() >= first_year_ && d.year() <= last_year_; }
  // Ok, or kInvalidArgument "no bank holiday data for 2031; <file> covers 2018–2030".
  Status CheckCovered(Date d) const;

  // In date order.
  const std::vector<BankHoliday>& Holidays(Division division) const;
  // The holiday taken on d, or nullptr if d is not a bank holiday there. The
  // pointer is into this calendar and lives as long as it does.
  Result<const BankHoliday*> HolidayOn(Date d, Division division) const;
  Result<bool> IsBankHoliday(Date d, Division division) const;
  Result<bool> IsWorkingDay(Date d, Division division) const;

  // The n-th working day after start (n >= 0; see the rules above). Fails if
  // n < 0, or if start or any day up to the answer is not covered.
  Result<Date> AddWorkingDays(Date start, int n, Division division) const;
  // Working days d with a < d <= b; negative (-WorkingDaysBetween(b, a)) when
  // b is before a. Both dates must be covered.
  Result<int> WorkingDaysBetween(Date a, Date b, Division division) const;

 private:
  HolidayCalendar() = default;
  struct PerDivision {
    std::vector<BankHoliday> holidays;
    // working_before[i] = working days among the first i covered days, so
    // day i is a working day iff working_before[i + 1] > working_before[i].
    std::vector<int32_t> working_before;
  };
  const PerDivision& Of(Division d) const { return divisions_[static_cast<size_t>(d)]; }
  int64_t Index(Date d) const;  // days since 1 January of first_year
  Status NotCovered(int year) const;

  std::string file_name_;
  int first_year_ = 0;
  int last_year_ = 0;
  int published_through_ = 0;
  Date first_day_;
  std::array<PerDivision, 3> divisions_;
};

// The unit of a timescale ("within 3 working days"). Mirrors
// framework::TimeUnit, which maps onto it; core does not know frameworks.
enum class DueUnit { kHours, kDays, kWorkingDays, kWeeks };
const char* DueUnitName(DueUnit u);  // "hours", "days", "working_days", "weeks"

// When something that must happen within `amount` `unit`s of `start` is due.
//  * kHours: start + amount hours (elapsed time; weekends and holidays count).
//  * kDays, kWeeks: the same UTC time of day, amount (x 7) calendar days later.
//  * kWorkingDays: the same UTC time of day on AddWorkingDays(start's UTC
//    date, amount), so a referral at 10:00 on a Friday with "1 working day"
//    is due at 10:00 on Monday (Tuesday if Monday is a bank holiday). The
//    start need not be a working day or in working hours: 10:00 on a Saturday
//    plus 1 working day is also 10:00 Monday. The calendar decides only which
//    days count; start's UTC date is the day the clock starts from, so in
//    British Summer Time a start between 00:00 and 01:00 local time counts
//    from the previous day.
// amount must be 0..100000; the calendar is consulted only for kWorkingDays
// (and then fails if the dates are not covered).
Result<Timestamp> DueAt(Timestamp start, int amount, DueUnit unit, const HolidayCalendar& calendar,
                        Division division);

}  // namespace continuum
