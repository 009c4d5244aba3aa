//! The shard's daily maintenance, as pure arithmetic on a clock the caller passes in.
//!
//! At 00:00 UTC each site shard draws the new day's salt, deletes salts older than 48 hours (a
//! salt serves its own day and the next, see [`crate::DailySalt::is_expired`]) and records
//! older than the site's retention, then sets its alarm for the next midnight. The same plan
//! runs when a shard starts, so a missed alarm is caught up on the next request. Tests fake the
//! clock by passing any `now_ms`.
//!
//! ```
//! use tacit_aggregate::schedule::Maintenance;
//! use tacit_aggregate::Day;
//!
//! // 2026-11-23 at 23:59:59.999 UTC, with the default 762 days of retention.
//! let now = Day::parse("2026-11-24").unwrap().start_ms() - 1;
//! let plan = Maintenance::plan(now, 762);
//! assert_eq!(plan.today.to_string(), "2026-11-23");
//! assert_eq!(plan.next_alarm_ms, now + 1);
//! assert_eq!(plan.delete_salts_through.to_string(), "2026-11-21");
//! assert_eq!(plan.delete_records_before.to_string(), "2024-10-23"); // 762 days, today included
//! ```

use crate::Day;

/// What a shard's maintenance does at `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Maintenance {
    /// The UTC day of `now_ms`: its salt is drawn if it does not exist yet.
    pub today: Day,
    /// Salts of this day and earlier are deleted: every salt but today's and yesterday's.
    pub delete_salts_through: Day,
    /// Records of days before this one are deleted: `retention_days` days are kept, today
    /// included.
    pub delete_records_before: Day,
    /// When the next maintenance is due: the next 00:00 UTC.
    pub next_alarm_ms: i64,
}

impl Maintenance {
    /// The maintenance due at `now_ms` for a site that keeps `retention_days` (≥ 1) days.
    pub fn plan(now_ms: i64, retention_days: u32) -> Maintenance {
        let today = Day::from_unix_ms(now_ms);
        let kept = retention_days.clamp(1, i32::MAX as u32) as i32;
        Maintenance {
            today,
            delete_salts_through: today.add_days(-2),
            delete_records_before: today.add_days(1 - kept),
            next_alarm_ms: today.add_days(1).start_ms(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DailySalt;

    const HOUR_MS: i64 = 3_600_000;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    #[test]
    fn the_alarm_is_always_the_next_midnight() {
        let monday = day("2026-11-23");
        for offset in [0, 1, HOUR_MS, 23 * HOUR_MS, 24 * HOUR_MS - 1] {
            let plan = Maintenance::plan(monday.start_ms() + offset, 30);
            assert_eq!(plan.today, monday);
            assert_eq!(plan.next_alarm_ms, day("2026-11-24").start_ms());
        }
        // Across a month and a year.
        let plan = Maintenance::plan(day("2026-12-31").start_ms() + HOUR_MS, 30);
        assert_eq!(Day::from_unix_ms(plan.next_alarm_ms), day("2027-01-01"));
    }

    #[test]
    fn keeps_only_todays_and_yesterdays_salt() {
        // A faked clock walks through four midnights: each alarm keeps exactly two salts.
        let mut salts: Vec<Day> = Vec::new();
        let mut now = day("2026-11-23").start_ms();
        for _ in 0..4 {
            let plan = Maintenance::plan(now, 762);
            salts.push(plan.today);
            salts.retain(|salt_day| *salt_day > plan.delete_salts_through);
            assert!(salts.iter().all(|salt_day| !DailySalt::is_expired(*salt_day, plan.today)));
            assert!(salts.len() <= 2);
            // No salt held is older than 48 hours at any time before the next alarm.
            let oldest = salts.iter().min().unwrap();
            assert!(plan.next_alarm_ms - oldest.start_ms() <= 48 * HOUR_MS);
            now = plan.next_alarm_ms;
        }
        assert_eq!(salts, [day("2026-11-25"), day("2026-11-26")]);
    }

    #[test]
    fn deletes_records_beyond_the_retention() {
        let now = day("2026-11-23").start_ms() + 5 * HOUR_MS;
        assert_eq!(Maintenance::plan(now, 1).delete_records_before, day("2026-11-23"));
        assert_eq!(Maintenance::plan(now, 2).delete_records_before, day("2026-11-22"));
        // 25 months ≈ 762 days: a record of 2024-10-23 is the oldest kept on 2026-11-23.
        assert_eq!(Maintenance::plan(now, 762).delete_records_before, day("2024-10-23"));
        // A zero retention is read as one day: today's records are never deleted.
        assert_eq!(Maintenance::plan(now, 0).delete_records_before, day("2026-11-23"));
    }
}
