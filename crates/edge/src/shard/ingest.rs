//! Counting one beacon: its origin, its rate limits, its retry id, what the site's consent
//! mode admits of it, and, for a leave update, what it may replace. Then one journal entry,
//! stored before the beacon is acknowledged, and the open day changed in memory.

use tacit_aggregate::codec::encode_journal_entry;
use tacit_aggregate::journal::{Addition, JournalEntry, SketchKey};
use tacit_aggregate::rate_limit::{
    limiter_key, FixedWindow, RecentIds, DEDUP_WINDOW_MS, RATE_WINDOW_MS,
};
use tacit_aggregate::settings::{origin_hostname, SiteSettings};
use tacit_aggregate::{Day, VisitorHash};
use tacit_beacon::admission::admit;

use super::protocol::{Client, Ingest, ReplacedLeave, WasLeaveCounted};
use super::SiteShard;
use crate::error::{AppError, AppResult};
use crate::tokens::random_bytes;

/// Visitors tracked by the rate limit in one window; more are let through (the site limit holds).
const MAX_TRACKED_VISITORS: usize = 100_000;
/// Beacon ids remembered at most (the oldest are forgotten first).
const MAX_RECENT_IDS: usize = 200_000;

/// What protects ingest, in memory only: rate-limit counters keyed by a short keyed hash of the
/// visitor hash (see [`limiter_key`]), the site's counter, and the ids of recent beacons (also
/// stored, so that a retry after a restart is recognised).
pub(super) struct Guard {
    secret: [u8; 16],
    visitors: FixedWindow,
    site: FixedWindow,
    ids: RecentIds,
    /// Ids seen since the last flush.
    pub(super) unsaved_ids: Vec<SeenId>,
    /// Ids stored since old ones were last deleted.
    pub(super) new_ids: u32,
}

/// A beacon id seen since the last flush: when, and whether its beacon counted a leave (which
/// a later update may replace).
pub(super) struct SeenId {
    pub(super) id: u64,
    pub(super) seen_ms: i64,
    pub(super) counted_leave: bool,
}

impl SiteShard {
    /// Counts a validated beacon (or acknowledges a retry of one already counted), and sees
    /// that the open day is written soon.
    pub(super) async fn ingest(&self, message: Ingest) -> AppResult<()> {
        let site = self.registered(&message.site)?;
        let now = self.clock.now_ms();
        let salt = self.salt(&site, now).await?;
        check_origin(&site.settings, message.origin.as_deref())?;
        let Client { ip, user_agent } = message.client;
        let visitor = VisitorHash::compute(&salt, &site.id, &ip, &user_agent);
        // The address and browser were needed for this hash only.
        drop((ip, user_agent));
        self.check_rates(&site.settings, visitor, now)?;
        if let Some(id) = message.id {
            if !self.remember_id(id, now)? {
                // A retry of a beacon already counted: acknowledged, not counted again.
                return Ok(());
            }
        }
        let mut addition = match message.addition {
            Addition::BotDropped => Addition::BotDropped,
            // A step of a funnel the site no longer has (a tab that read the funnels before
            // they changed) counts nowhere.
            Addition::FunnelStep { funnel, step, .. }
                if !site.settings.funnels.iter().any(|f| f.has_step(funnel, step)) =>
            {
                return Ok(());
            }
            addition => {
                let mode = site.settings.consent_mode;
                addition.admitted(admit(message.consent, message.headers, mode).adds)
            }
        };
        if let Addition::PageView { view, .. } | Addition::BarePageView { view, .. } = &mut addition
        {
            site.settings.keep_asked(view);
        }
        if let Some(replaced) = message.replaces {
            addition = self.replacing(addition, replaced, now)?;
        }
        if let Some(id) = message.id.filter(|_| addition.counts_leave()) {
            self.mark_counted_leave(id);
        }
        let visitor = addition.counts_visitor().then(|| SketchKey::of(visitor));
        let entry = JournalEntry {
            id: message.id,
            accepted_ms: now,
            tally: message.tally,
            visitor,
            addition,
        };
        let today = Day::from_unix_ms(now);
        let max_pages = site.settings.max_pages_per_day as usize;
        {
            let mut open_day = self.open_day.borrow_mut();
            self.open_day_in(&mut open_day, today)?.apply(&self.store, &entry, max_pages)?;
        }
        // Written before the answer leaves: the runtime holds it until it is durable.
        self.store.append_journal(today, &encode_journal_entry(&entry))?;
        self.schedule_flush().await
    }

    /// Counts the beacon against the visitor's and the site's per-minute limits: `429` with the
    /// seconds until the window ends once either is reached.
    fn check_rates(
        &self,
        settings: &SiteSettings,
        visitor: VisitorHash,
        now: i64,
    ) -> AppResult<()> {
        let mut guard = self.guard.borrow_mut();
        let guard = self.guard_in(&mut guard, now)?;
        let key = limiter_key(&guard.secret, visitor);
        guard
            .visitors
            .check(key, settings.visitor_beacons_per_minute, now)
            .map_err(AppError::TooManyRequests)?;
        guard
            .site
            .check(0, settings.site_beacons_per_minute, now)
            .map_err(AppError::TooManyRequests)
    }

    /// What a leave update adds, by the leave it replaces (see [`Replacement::of`]).
    fn replacing(
        &self,
        addition: Addition,
        replaced: ReplacedLeave,
        now: i64,
    ) -> AppResult<Addition> {
        let Addition::LeaveUpdate { path, leave, replaced: figures, segments } = addition else {
            return Ok(addition);
        };
        let sent_today =
            Day::from_unix_ms(now - i64::from(replaced.after_ms)) == Day::from_unix_ms(now);
        let counted = sent_today && self.counted_leave(replaced.id)?;
        Ok(match Replacement::of(sent_today, counted) {
            Replacement::Nothing => Addition::ConsentOnly,
            Replacement::Figures => {
                Addition::LeaveUpdate { path, leave, replaced: figures, segments }
            }
            Replacement::OwnLeave => {
                self.remember_id(replaced.id, now)?;
                Addition::Leave { path, leave, segments }
            }
        })
    }

    /// Tells the worker whether this shard counted the leave it asks about (see
    /// [`crate::shard_client::shard_of_leave`]).
    pub(super) fn was_leave_counted(&self, query: WasLeaveCounted) -> AppResult<bool> {
        self.registered(&query.site)?;
        self.counted_leave(query.id)
    }

    /// Whether the beacon `id` counted a leave today: since the last flush, or stored.
    fn counted_leave(&self, id: u64) -> AppResult<bool> {
        let unsaved = self.guard.borrow().as_ref().is_some_and(|guard| {
            guard.unsaved_ids.iter().any(|seen| seen.id == id && seen.counted_leave)
        });
        Ok(unsaved || self.store.counted_leave(id)?)
    }

    /// Marks the beacon `id`, remembered by this ingest, as one that counted a leave.
    fn mark_counted_leave(&self, id: u64) {
        if let Some(guard) = self.guard.borrow_mut().as_mut() {
            if let Some(seen) = guard.unsaved_ids.iter_mut().rev().find(|seen| seen.id == id) {
                seen.counted_leave = true;
            }
        }
    }

    /// Forgets the stored beacon ids older than the de-duplication window, except today's
    /// counted leaves, which an update may still replace.
    pub(super) fn forget_old_ids(&self, now: i64) -> AppResult<()> {
        let today_start = Day::from_unix_ms(now).start_ms();
        self.store.delete_beacon_ids_before(now - DEDUP_WINDOW_MS, today_start)
    }

    /// Remembers a beacon id; `false` when it was seen within the window (a retry).
    fn remember_id(&self, id: u64, now: i64) -> AppResult<bool> {
        let mut guard = self.guard.borrow_mut();
        let guard = self.guard_in(&mut guard, now)?;
        if !guard.ids.insert(id, now) {
            return Ok(false);
        }
        // Stored with the records the beacon changes, in the next flush: a crash loses both, and
        // the retry is counted; never the id alone, which would make the retry look counted.
        guard.unsaved_ids.push(SeenId { id, seen_ms: now, counted_leave: false });
        Ok(true)
    }

    /// The guard, made on first use with a fresh secret and the stored recent beacon ids.
    fn guard_in<'a>(&self, slot: &'a mut Option<Guard>, now: i64) -> AppResult<&'a mut Guard> {
        if slot.is_none() {
            let mut ids = RecentIds::new(DEDUP_WINDOW_MS, MAX_RECENT_IDS);
            for (seen_ms, id) in self.store.beacon_ids_since(now - DEDUP_WINDOW_MS)? {
                ids.insert(id, seen_ms);
            }
            *slot = Some(Guard {
                secret: random_bytes::<16>()?,
                visitors: FixedWindow::new(RATE_WINDOW_MS, MAX_TRACKED_VISITORS),
                site: FixedWindow::new(RATE_WINDOW_MS, 1),
                ids,
                unsaved_ids: Vec::new(),
                new_ids: 0,
            });
        }
        Ok(slot.as_mut().expect("the guard was just made"))
    }
}

/// What a leave update may change, by the leave it replaces.
#[derive(Debug, PartialEq, Eq)]
enum Replacement {
    /// Nothing but the consent tally: the leave was sent on an earlier UTC day. That day's
    /// record is closed, and today's never counted the view's leave, so replacing it here
    /// would count the leave twice.
    Nothing,
    /// The leave's figures, replaced by the update's: this shard counted it today (its id is
    /// kept with the mark of a counted leave until the day ends).
    Figures,
    /// A leave of its own, with nothing taken back: the leave never arrived (the browser gave
    /// up on it), or arrived but counted no leave (the visitor's consent then admitted only
    /// the tally). Its id is then remembered, so that a late retry of it is not counted too.
    OwnLeave,
}

impl Replacement {
    fn of(sent_today: bool, counted_today: bool) -> Replacement {
        match (sent_today, counted_today) {
            (false, _) => Replacement::Nothing,
            (true, true) => Replacement::Figures,
            (true, false) => Replacement::OwnLeave,
        }
    }
}

/// A beacon from a browser carries the page's `Origin`; it must be one of the site's hostnames.
/// A request without `Origin` does not come from a web page (a server, a script, a test) and is
/// let through: refusing it would stop nobody, since such a client can send any `Origin` it
/// likes, and the rate limits bound what it can add.
fn check_origin(settings: &SiteSettings, origin: Option<&str>) -> AppResult<()> {
    let Some(origin) = origin else { return Ok(()) };
    match origin_hostname(origin) {
        Some(host) if settings.allows_hostname(&host) => Ok(()),
        _ => Err(AppError::Forbidden(
            "the page's origin is not one of the site's allowed hostnames".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_replaces_only_a_leave_counted_today() {
        assert_eq!(Replacement::of(false, false), Replacement::Nothing);
        assert_eq!(Replacement::of(false, true), Replacement::Nothing);
        assert_eq!(Replacement::of(true, true), Replacement::Figures);
        assert_eq!(Replacement::of(true, false), Replacement::OwnLeave);
    }

    #[test]
    fn a_beacon_without_origin_passes_and_one_from_elsewhere_does_not() {
        let settings = SiteSettings {
            hostnames: vec!["example.com".into(), "*.example.com".into()],
            ..SiteSettings::default()
        };
        assert!(check_origin(&settings, None).is_ok());
        assert!(check_origin(&settings, Some("https://www.example.com")).is_ok());
        assert!(check_origin(&settings, Some("http://example.com:8080")).is_ok());
        for origin in ["https://example.org", "null", "https://example.com.evil.net"] {
            assert!(check_origin(&settings, Some(origin)).is_err(), "{origin}");
        }
    }
}
