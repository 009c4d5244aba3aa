//! Rollups: the records of a closed ISO week or calendar month, merged once and stored, so that
//! a range read merges a few dozen records whatever its length.
//!
//! Closed days never change (a beacon counts on the current UTC day), so a shard's daily
//! maintenance merges each closed [`Rollup`] period's page and site records once and stores
//! them. A range is then read as [`pieces`]: whole months, whole weeks outside them, and runs
//! of single days (the range's ragged ends, and the open day). Merging is associative and every
//! sketch merges as a union, so the figures are those of merging the days one by one.
//!
//! A rollup never outlives its oldest day: retention deletes the rollups that cover a deleted
//! day ([`Rollup::outlives`]), and what is left of their days is read singly.
//!
//! ```
//! use tacit_aggregate::rollup::{pieces, Piece, Rollup};
//! use tacit_aggregate::Day;
//!
//! let day = |text| Day::parse(text).unwrap();
//! // Thursday 2027-01-21 to Tuesday 2027-03-02, read on 2027-03-03 (February 2027 starts on a
//! // Monday, so the week before it is whole too).
//! let read = pieces(day("2027-01-21"), day("2027-03-02"), day("2027-03-03"));
//! assert_eq!(
//!     read,
//!     [
//!         Piece::Days(day("2027-01-21"), day("2027-01-24")),
//!         Piece::Rollup(Rollup::week_of(day("2027-01-25"))),
//!         Piece::Rollup(Rollup::month_of(day("2027-02-01"))),
//!         Piece::Days(day("2027-03-01"), day("2027-03-02")),
//!     ]
//! );
//! ```

use crate::Day;

/// A closed period whose records are stored merged: an ISO week (Monday to Sunday) or a
/// calendar month, from `first` to `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rollup {
    /// The period's first day.
    pub first: Day,
    /// The period's last day, included.
    pub last: Day,
}

/// A part of a range as it is read: a stored rollup, or the days from one day to another
/// (both included), read singly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// The records of a whole closed period, merged.
    Rollup(Rollup),
    /// Each day's own records.
    Days(Day, Day),
}

impl Rollup {
    /// The ISO week (Monday to Sunday) that holds `day`.
    pub fn week_of(day: Day) -> Rollup {
        let monday = day.add_days(-weekday(day));
        Rollup { first: monday, last: monday.add_days(6) }
    }

    /// The calendar month that holds `day`.
    pub fn month_of(day: Day) -> Rollup {
        let first = first_of_month(day);
        // 32 days after a 1st is early in the next month, whatever the months' lengths.
        let next_first = first_of_month(first.add_days(32));
        Rollup { first, last: next_first.add_days(-1) }
    }

    /// Every week and month that is closed on `today` (its last day is before it) and whose
    /// days are all on or after `first_kept`: the rollups a shard keeps.
    pub fn closed_since(first_kept: Day, today: Day) -> Vec<Rollup> {
        let mut rollups = Vec::new();
        let mut week = Rollup::week_of(first_kept);
        while week.last < today {
            if week.first >= first_kept {
                rollups.push(week);
            }
            week = Rollup::week_of(week.last.add_days(1));
        }
        let mut month = Rollup::month_of(first_kept);
        while month.last < today {
            if month.first >= first_kept {
                rollups.push(month);
            }
            month = Rollup::month_of(month.last.add_days(1));
        }
        rollups.sort();
        rollups
    }

    /// Whether the rollup covers a day before `first_kept`, which retention deleted: it must
    /// go with that day.
    pub fn outlives(&self, first_kept: Day) -> bool {
        self.first < first_kept
    }

    /// Whether `day` is one of the rollup's days.
    pub fn covers(&self, day: Day) -> bool {
        self.first <= day && day <= self.last
    }
}

/// The 1st of `day`'s month.
fn first_of_month(day: Day) -> Day {
    let (_, _, day_of_month) = day.ymd();
    day.add_days(1 - day_of_month as i32)
}

/// Days since Monday: 0 for a Monday, 6 for a Sunday (1970-01-01 was a Thursday).
fn weekday(day: Day) -> i32 {
    (day.days_since_epoch() + 3).rem_euclid(7)
}

/// How to read `from..=to` on `today`: the whole calendar months closed on `today`, then the
/// whole ISO weeks closed on `today` that overlap none of those months, and runs of single days
/// for the rest (the open day and any day after it among them). The pieces are in order, cover
/// every day of the range exactly once, and are empty when `from` is after `to`.
pub fn pieces(from: Day, to: Day, today: Day) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let closed_to = to.min(today.add_days(-1));
    let mut run_start: Option<Day> = None;
    let mut day = from;
    // Past the last closed day nothing is rolled up: the rest is one run, however long.
    while day <= closed_to {
        match rollup_from(day, from, closed_to) {
            Some(rollup) => {
                if let Some(start) = run_start.take() {
                    pieces.push(Piece::Days(start, day.add_days(-1)));
                }
                pieces.push(Piece::Rollup(rollup));
                day = rollup.last.add_days(1);
            }
            None => {
                run_start.get_or_insert(day);
                day = day.add_days(1);
            }
        }
    }
    if day <= to {
        pieces.push(Piece::Days(run_start.unwrap_or(day), to));
    } else if let Some(start) = run_start {
        pieces.push(Piece::Days(start, to));
    }
    pieces
}

/// The rollup that starts on `day` and lies within `from..=closed_to`, if any: its month, or
/// its week when no month that the range holds whole starts inside that week.
fn rollup_from(day: Day, from: Day, closed_to: Day) -> Option<Rollup> {
    let within = |rollup: Rollup| rollup.first >= from && rollup.last <= closed_to;
    let month = Rollup::month_of(day);
    if month.first == day && within(month) {
        return Some(month);
    }
    let week = Rollup::week_of(day);
    let month_inside = Rollup::month_of(week.last);
    let overlaps_a_whole_month = month_inside.first > week.first && within(month_inside);
    (week.first == day && within(week) && !overlaps_a_whole_month).then_some(week)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    /// Every day of `from..=to`, as the pieces cover it: each exactly once, in order.
    fn covered(pieces: &[Piece]) -> Vec<Day> {
        let mut days = Vec::new();
        for piece in pieces {
            let (first, last) = match *piece {
                Piece::Rollup(rollup) => (rollup.first, rollup.last),
                Piece::Days(first, last) => (first, last),
            };
            let mut day = first;
            while day <= last {
                days.push(day);
                day = day.add_days(1);
            }
        }
        days
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_months_to_their_last_day() {
        assert_eq!(Rollup::week_of(day("2026-12-07")).first, day("2026-12-07"), "a Monday");
        assert_eq!(Rollup::week_of(day("2026-12-13")).first, day("2026-12-07"), "a Sunday");
        let across_years = Rollup::week_of(day("2027-01-01"));
        assert_eq!((across_years.first, across_years.last), (day("2026-12-28"), day("2027-01-03")));
        for (inside, first, last) in [
            ("2027-02-14", "2027-02-01", "2027-02-28"),
            ("2028-02-29", "2028-02-01", "2028-02-29"),
            ("2026-12-31", "2026-12-01", "2026-12-31"),
            ("2026-04-01", "2026-04-01", "2026-04-30"),
        ] {
            assert_eq!(
                Rollup::month_of(day(inside)),
                Rollup { first: day(first), last: day(last) }
            );
        }
    }

    #[test]
    fn a_range_is_read_as_whole_months_then_weeks_then_single_days() {
        // Wednesday 2026-09-16 to Thursday 2026-12-03, read on 2026-12-07.
        let read = pieces(day("2026-09-16"), day("2026-12-03"), day("2026-12-07"));
        let week = |monday| Piece::Rollup(Rollup::week_of(day(monday)));
        let month = |first| Piece::Rollup(Rollup::month_of(day(first)));
        assert_eq!(
            read,
            [
                Piece::Days(day("2026-09-16"), day("2026-09-20")),
                week("2026-09-21"),
                // The week of 2026-09-28 runs into October, which is read whole.
                Piece::Days(day("2026-09-28"), day("2026-09-30")),
                month("2026-10-01"),
                month("2026-11-01"),
                Piece::Days(day("2026-12-01"), day("2026-12-03")),
            ]
        );
        assert_eq!(covered(&read).len(), 79);
    }

    #[test]
    fn the_open_day_and_the_days_after_it_are_read_singly() {
        // The month of November 2026 is not closed until December; its 1st is a Sunday.
        let read = pieces(day("2026-11-01"), day("2026-11-30"), day("2026-11-30"));
        assert_eq!(read[0], Piece::Days(day("2026-11-01"), day("2026-11-01")));
        assert_eq!(read[1], Piece::Rollup(Rollup::week_of(day("2026-11-02"))));
        assert_eq!(read[4], Piece::Rollup(Rollup::week_of(day("2026-11-29"))), "closed on Sunday");
        assert_eq!(read[5], Piece::Days(day("2026-11-30"), day("2026-11-30")), "the open day");
        assert_eq!(
            pieces(day("2026-12-01"), day("2027-12-31"), day("2026-12-07")).last(),
            Some(&Piece::Days(day("2026-12-01"), day("2027-12-31"))),
            "the closed days of an unfinished week and the open day are one run, however long"
        );
        assert!(pieces(day("2026-12-02"), day("2026-12-01"), day("2026-12-07")).is_empty());
    }

    #[test]
    fn every_range_is_covered_once_in_order_by_closed_periods_inside_it() {
        let today = day("2027-03-03");
        let start = day("2026-12-20");
        for from_offset in 0..50 {
            for length in 0..80 {
                let from = start.add_days(from_offset);
                let to = from.add_days(length);
                let read = pieces(from, to, today);
                let expected: Vec<Day> = (0..=length).map(|n| from.add_days(n)).collect();
                assert_eq!(covered(&read), expected, "{from}..{to}");
                for piece in &read {
                    if let Piece::Rollup(rollup) = piece {
                        assert!(rollup.last < today && rollup.first >= from && rollup.last <= to);
                        let is_week = *rollup == Rollup::week_of(rollup.first);
                        assert!(is_week || *rollup == Rollup::month_of(rollup.first));
                    }
                }
                // Runs of days never touch: two in a row would be one.
                assert!(read
                    .windows(2)
                    .all(|pair| !matches!(pair, [Piece::Days(..), Piece::Days(..)])));
            }
        }
    }

    #[test]
    fn a_year_reads_as_about_a_dozen_months_and_a_few_weeks_and_days() {
        let read = pieces(day("2025-12-10"), day("2026-12-06"), day("2026-12-07"));
        let rollups = read.iter().filter(|piece| matches!(piece, Piece::Rollup(_))).count();
        assert!(rollups <= 15, "{read:?}");
        assert!(read.len() <= 17, "{read:?}");
    }

    #[test]
    fn the_rollups_kept_are_the_closed_periods_within_the_retention() {
        let kept = Rollup::closed_since(day("2026-11-04"), day("2026-12-07"));
        let week = |monday| Rollup::week_of(day(monday));
        assert_eq!(
            kept,
            [
                // November's month starts before the first kept day.
                week("2026-11-09"),
                week("2026-11-16"),
                week("2026-11-23"),
                week("2026-11-30"),
            ]
        );
        let kept = Rollup::closed_since(day("2026-11-01"), day("2026-12-01"));
        assert!(kept.contains(&Rollup::month_of(day("2026-11-01"))));
        assert!(kept.iter().all(|rollup| !rollup.outlives(day("2026-11-01"))));
        assert!(Rollup::month_of(day("2026-11-01")).outlives(day("2026-11-02")));
    }
}
