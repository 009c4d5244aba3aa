//! UTC calendar days: the unit every aggregate is kept in.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Milliseconds in one day.
const MS_PER_DAY: i64 = 86_400_000;

/// A UTC calendar day, counted in days since 1970-01-01.
///
/// Days order, subtract and print as `YYYY-MM-DD`. The conversions use Howard Hinnant's
/// proleptic Gregorian algorithms, valid for every day a `i32` can count; the days that have a
/// `YYYY-MM-DD` form, and so a JSON form, are [`Day::FIRST`] to [`Day::LAST`]. In JSON a day is
/// its `YYYY-MM-DD` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day(i32);

/// Why a string is not a `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayError;

impl Day {
    /// 0000-01-01, the first day a `YYYY-MM-DD` date names. A day before it prints as
    /// `-001-12-31`, which no parse (and so no JSON reader) takes back.
    pub const FIRST: Day = Day(-719_528);
    /// 9999-12-31, the last day a `YYYY-MM-DD` date names.
    pub const LAST: Day = Day(2_932_896);

    /// The day that contains the instant `unix_ms` milliseconds after the Unix epoch.
    pub fn from_unix_ms(unix_ms: i64) -> Day {
        Day(unix_ms.div_euclid(MS_PER_DAY) as i32)
    }

    /// The day numbered `days` since 1970-01-01 (the form it is stored in).
    pub fn from_days_since_epoch(days: i32) -> Day {
        Day(days)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The instant the day starts (00:00 UTC), in milliseconds since the Unix epoch.
    pub fn start_ms(self) -> i64 {
        i64::from(self.0) * MS_PER_DAY
    }

    /// Parses a `YYYY-MM-DD` date, rejecting impossible ones such as `2026-02-30`.
    pub fn parse(text: &str) -> Result<Day, DayError> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DayError);
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32, DayError> {
            let part = &text[range];
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DayError);
            }
            part.parse().map_err(|_| DayError)
        };
        let (year, month, day) = (number(0..4)? as i32, number(5..7)?, number(8..10)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(DayError);
        }
        Ok(Day(days_from_civil(year, month, day)))
    }

    /// The day `days` later (or earlier, when negative).
    pub fn add_days(self, days: i32) -> Day {
        Day(self.0 + days)
    }

    /// How many days `self` is after `earlier` (negative when it is before).
    pub fn days_after(self, earlier: Day) -> i32 {
        self.0 - earlier.0
    }

    /// Year, month (1–12) and day of month (1–31).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era =
        year_of_era as u32 * 365 + year_of_era as u32 / 4 - year_of_era as u32 / 100 + day_of_year;
    era * 146_097 + day_of_era as i32 - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = (shifted - era * 146_097) as u32;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era as i32 + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl TryFrom<String> for Day {
    type Error = DayError;

    fn try_from(text: String) -> Result<Day, DayError> {
        Day::parse(&text)
    }
}

impl From<Day> for String {
    fn from(day: Day) -> String {
        day.to_string()
    }
}

impl fmt::Display for DayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected a date as YYYY-MM-DD")
    }
}

impl std::error::Error for DayError {}

/// In the OpenAPI document a day is what it is in JSON: a `YYYY-MM-DD` date.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Day {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Day {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(Day::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(Day::parse("2000-03-01").unwrap().days_since_epoch(), 11_017);
        // 2026-11-23T19:16:23Z, the day this module was written.
        assert_eq!(Day::from_unix_ms(1_795_461_383_000).to_string(), "2026-11-23");
        assert_eq!(Day::from_unix_ms(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn round_trips_every_day_for_four_centuries() {
        let start = Day::parse("1900-01-01").unwrap();
        for offset in 0..146_097 {
            let day = start.add_days(offset);
            assert_eq!(Day::parse(&day.to_string()), Ok(day));
        }
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "+026-01-01",
            "2026-01-0a",
            "",
        ] {
            assert_eq!(Day::parse(text), Err(DayError), "{text}");
        }
        assert!(Day::parse("2024-02-29").is_ok());
    }

    #[test]
    fn first_and_last_are_the_ends_of_the_yyyy_mm_dd_form() {
        assert_eq!(Day::parse("0000-01-01"), Ok(Day::FIRST));
        assert_eq!(Day::parse("9999-12-31"), Ok(Day::LAST));
        // One day further each way prints in a form that no longer reads back.
        assert_eq!(Day::FIRST.add_days(-1).to_string(), "-001-12-31");
        assert_eq!(Day::LAST.add_days(1).to_string(), "10000-01-01");
        for outside in [Day::FIRST.add_days(-1), Day::LAST.add_days(1)] {
            assert_eq!(Day::parse(&outside.to_string()), Err(DayError), "{outside}");
        }
    }

    #[test]
    fn arithmetic_crosses_months_and_years() {
        let day = Day::parse("2026-12-31").unwrap();
        assert_eq!(day.add_days(1).to_string(), "2027-01-01");
        assert_eq!(day.add_days(1).days_after(day), 1);
    }
}
