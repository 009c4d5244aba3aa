//! The journal: what one accepted beacon adds to its day's records, as one small entry that a
//! site shard stores before it acknowledges the beacon.
//!
//! A shard keeps its open day in memory and writes whole records only now and then (a record
//! can be ~140 KB). Each accepted beacon is also appended to the journal as a [`JournalEntry`];
//! a flush writes the records and empties the journal in one transaction, and a shard that
//! starts with a non-empty journal (after a crash, a kill or an orderly restart) applies its
//! entries again. So an acknowledged beacon survives any restart of the edge, at the cost of
//! one small insert per beacon.
//!
//! An entry holds what the beacon adds to the records and nothing more. In particular it never
//! holds the visitor hash: a page view's visitor is kept as a [`SketchKey`], the part of the
//! hash the visitor sketch itself stores.
//!
//! Entries are stored with [`crate::codec::encode_journal_entry`], versioned and checksummed
//! like records.

use crate::record::DayRecord;
use serde::{Deserialize, Serialize};

use crate::segments::SegmentKey;
use crate::visitors::SPARSE_PRECISION;
use crate::{PageDay, SiteDay, VisitorHash};
use tacit_beacon::admission::{Adds, TallyChange};
use tacit_beacon::signal::{BareCause, Event, Leave, View};

/// What the visitor sketches keep of a visitor hash: its top 25 bits and the position of its
/// first 1 bit after them, every other bit cleared (about 31 bits of the 64).
///
/// A HyperLogLog++ sketch of precision `p ≤ 25` reads a hash only through its top `p` bits (the
/// register) and the number of zeros that follow (the value), or in its sparse form through the
/// top 25 bits and the zeros after those. Both are the same for a hash and its key, so
/// inserting the key counts exactly as inserting the hash would, while the key cannot be
/// matched to the visitor hash it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SketchKey(u64);

impl SketchKey {
    /// The key of `visitor`.
    pub fn of(visitor: VisitorHash) -> SketchKey {
        let hash = visitor.as_u64();
        let index_mask = !0u64 << (64 - SPARSE_PRECISION);
        let rest = hash & !index_mask;
        let first_one = if rest == 0 { 0 } else { 1u64 << (63 - rest.leading_zeros()) };
        SketchKey((hash & index_mask) | first_one)
    }

    /// The key as the visitor the sketches insert.
    pub fn visitor(self) -> VisitorHash {
        VisitorHash::from_u64(self.0)
    }
}

/// One accepted beacon, as it changes its day's records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The beacon's retry id: stored again when the entry is replayed, so that a retry is still
    /// recognised.
    pub id: Option<u64>,
    /// When the shard accepted it (its clock, Unix milliseconds).
    pub accepted_ms: i64,
    /// What it changes in the site's consent tally, which counts page views (see
    /// [`tally_change`](tacit_beacon::admission::tally_change)): nothing for a leave, an event
    /// or a bot's beacon.
    pub tally: TallyChange,
    /// The visitor of a page view, as the sketches keep it.
    pub visitor: Option<SketchKey>,
    /// What it adds to the page's record and the site's rollup, after the site's consent mode
    /// was applied.
    pub addition: Addition,
}

/// What an accepted beacon adds to the records besides its consent state: the worker's message
/// to the site's shard, and the journal's record of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Addition {
    /// A page view: one more view, and the visitor, for the page and the site.
    PageView {
        /// The page whose record counts it.
        path: String,
        /// The view's referrer, campaign, device and the rest, as the worker reduced them.
        view: View,
    },
    /// A page left: visits, exits, engagement, frustration and vitals.
    Leave {
        /// The page whose record counts it.
        path: String,
        /// The visitor's engagement, as the leave beacon reported it.
        leave: Leave,
        /// The segments it counts in: its view's, with the request's device and country.
        segments: SegmentKey,
    },
    /// A page's outbound link, download, form, goal or feedback.
    Event {
        /// The page whose record counts it.
        path: String,
        /// The event, validated.
        event: Event,
    },
    /// Nothing but the consent state (an opted-out visitor, or no consent in opt-in mode).
    ConsentOnly,
    /// A bot's beacon: the dropped count only.
    BotDropped,
    /// A page left again: the visitor came back to a page after its leave was sent, and the leave's
    /// figures are replaced by the update's (see
    /// [`DayRecord::update_leave`]).
    LeaveUpdate {
        /// The page whose record counts it.
        path: String,
        /// The figures the page's earlier leave added, taken back (boxed, as in the beacon).
        replaced: Box<Leave>,
        /// The figures added instead.
        leave: Leave,
        /// The segments both count in.
        segments: SegmentKey,
    },
    /// A visit reached the next step of one of the site's funnels (journey consent): counted for
    /// the site only.
    FunnelStep {
        /// The funnel's id.
        funnel: u32,
        /// The step reached, from 1.
        step: u8,
        /// The segments of the visit's entry, with the request's device and country.
        segments: SegmentKey,
    },
    /// A page view the loader sent without the snippet's WebAssembly: counted as a view, and
    /// as a bare one of its cause for the site.
    BarePageView {
        /// The page whose record counts it.
        path: String,
        /// What the worker made of it: its path, the request's browser, device and country.
        view: View,
        /// Why the loader sent it bare.
        cause: BareCause,
    },
}

impl Addition {
    /// What the addition may add where a beacon's consent, under the site's mode, `adds`: all
    /// of it, but a funnel step only with journey consent; else nothing but the consent state.
    pub fn admitted(self, adds: Adds) -> Addition {
        match self {
            Addition::FunnelStep { .. } if adds == Adds::CountedWithJourney => self,
            Addition::FunnelStep { .. } => Addition::ConsentOnly,
            addition if adds.counts() => addition,
            _ => Addition::ConsentOnly,
        }
    }

    /// Whether the shard keeps the visitor's key with it, for the visitor sketches: a page view
    /// and a funnel step.
    pub fn counts_visitor(&self) -> bool {
        matches!(
            self,
            Addition::PageView { .. } | Addition::BarePageView { .. } | Addition::FunnelStep { .. }
        )
    }

    /// Whether it counts a page's leave, whose figures a later update may replace.
    pub fn counts_leave(&self) -> bool {
        matches!(self, Addition::Leave { .. } | Addition::LeaveUpdate { .. })
    }
}

impl JournalEntry {
    /// The page whose record the entry changes, if any.
    pub fn path(&self) -> Option<&str> {
        match &self.addition {
            Addition::PageView { path, .. }
            | Addition::Leave { path, .. }
            | Addition::Event { path, .. }
            | Addition::LeaveUpdate { path, .. }
            | Addition::BarePageView { path, .. } => Some(path),
            Addition::ConsentOnly | Addition::BotDropped | Addition::FunnelStep { .. } => None,
        }
    }

    /// Adds the entry to the site's rollup and to `page`, the record of [`JournalEntry::path`]
    /// (`None` when the entry has no path).
    pub fn apply(&self, site: &mut SiteDay, page: Option<&mut PageDay>) {
        if let Some(state) = self.tally.take_back {
            site.take_back_consent(state);
        }
        if let Some(state) = self.tally.add {
            site.record_consent(state);
        }
        match (&self.addition, page, self.visitor) {
            (
                Addition::PageView { view, .. } | Addition::BarePageView { view, .. },
                Some(page),
                Some(visitor),
            ) => {
                page.record_view(visitor.visitor(), view);
                site.record_view(visitor.visitor(), view);
                if let Addition::BarePageView { cause, .. } = self.addition {
                    site.record_bare_view(cause);
                }
            }
            (Addition::Leave { leave, segments, .. }, Some(page), _) => {
                page.record_leave(leave, *segments);
                site.record_leave(leave, *segments);
            }
            (Addition::LeaveUpdate { replaced, leave, segments, .. }, Some(page), _) => {
                page.update_leave(replaced, leave, *segments);
                site.update_leave(replaced, leave, *segments);
            }
            (Addition::Event { event, .. }, Some(page), _) => {
                page.record_event(event);
                site.record_event(event);
            }
            (Addition::FunnelStep { funnel, step, segments }, _, Some(visitor)) => {
                site.record_funnel_step(*funnel, *step, visitor.visitor(), *segments);
            }
            (Addition::BotDropped, _, _) => site.record_bot_dropped(),
            (Addition::ConsentOnly, _, _) => {}
            (
                Addition::PageView { .. }
                | Addition::Leave { .. }
                | Addition::Event { .. }
                | Addition::LeaveUpdate { .. }
                | Addition::BarePageView { .. }
                | Addition::FunnelStep { .. },
                _,
                _,
            ) => {
                debug_assert!(false, "a page's signal came without its record or visitor");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::SplitMix64;
    use crate::VisitorSketch;
    use tacit_beacon::agent::DeviceClass;
    use tacit_beacon::consent::{Category, ConsentSource, ConsentState, ConsentValue};
    use tacit_beacon::signal::Entry;

    #[test]
    fn a_sketch_counts_keys_exactly_as_it_counts_hashes() {
        let mut rng = SplitMix64(7);
        for visitors in [10u64, 1_000, 100_000] {
            let hashes: Vec<VisitorHash> =
                (0..visitors).map(|_| VisitorHash::from_u64(rng.next_u64())).collect();
            for make in [VisitorSketch::for_page, VisitorSketch::for_site] {
                let (mut by_hash, mut by_key) = (make(), make());
                for &hash in &hashes {
                    by_hash.insert(hash);
                    by_key.insert(SketchKey::of(hash).visitor());
                }
                assert_eq!(by_key.estimate(), by_hash.estimate(), "{visitors} visitors");
            }
        }
    }

    #[test]
    fn a_key_keeps_about_31_bits_of_the_hash() {
        // 25 index bits, then a first 1 bit at position 31, then more bits below it.
        let hash = (0x16D_C74B_u64 << 39) | (0x86B << 20) | 0xbeef;
        let key = SketchKey::of(VisitorHash::from_u64(hash));
        assert_eq!(key.0 >> 39, hash >> 39, "the 25 index bits stay");
        assert_eq!(key.0 & ((1 << 39) - 1), 1 << 31, "only the first 1 bit after them stays");
        // Hashes that differ only below their first 1 bit after the index share a key.
        assert_eq!(SketchKey::of(VisitorHash::from_u64(hash ^ 0xffff)), key);
        assert_eq!(SketchKey::of(VisitorHash::from_u64(0)).0, 0);
    }

    #[test]
    fn only_a_leave_and_its_update_count_a_leave() {
        let path = String::from("/");
        let leave = Leave::default();
        let segments = SegmentKey::of_leave(&leave, DeviceClass::Desktop, None);
        assert!(
            Addition::Leave { path: path.clone(), leave: leave.clone(), segments }.counts_leave()
        );
        let update = Addition::LeaveUpdate {
            path: path.clone(),
            replaced: Box::new(leave.clone()),
            leave,
            segments,
        };
        assert!(update.counts_leave());
        assert!(!Addition::PageView { path, view: View::sample() }.counts_leave());
        assert!(!Addition::ConsentOnly.counts_leave());
        assert!(!Addition::BotDropped.counts_leave());
    }

    #[test]
    fn applying_an_entry_counts_the_beacon_it_came_from() {
        let view = View { entry: Entry::Entry, ..View::sample() };
        let visitor = VisitorHash::from_u64(0x1234_5678_9abc_def0);
        let entry = JournalEntry {
            id: Some(7),
            accepted_ms: 0,
            tally: TallyChange { add: Some(ConsentState::default()), take_back: None },
            visitor: Some(SketchKey::of(visitor)),
            addition: Addition::PageView { path: "/".into(), view },
        };
        let (mut site, mut page) = (SiteDay::default(), PageDay::default());
        entry.apply(&mut site, Some(&mut page));
        assert_eq!((page.views(), page.unique_visitors()), (1, 1));
        assert_eq!((site.views(), site.unique_visitors()), (1, 1));
        let mut tallied = SiteDay::default();
        tallied.record_consent(ConsentState::default());
        assert_eq!(format!("{:?}", site.consent()), format!("{:?}", tallied.consent()));

        let bot = JournalEntry {
            tally: TallyChange::default(),
            visitor: None,
            addition: Addition::BotDropped,
            ..entry
        };
        assert_eq!(bot.path(), None);
        bot.apply(&mut site, None);
        assert_eq!((site.views(), site.bots_dropped()), (1, 1));
    }

    #[test]
    fn a_change_of_consent_on_the_page_moves_its_page_view_in_the_tally() {
        let refused = ConsentState {
            measurement: ConsentValue::Denied,
            journey: ConsentValue::Denied,
            source: ConsentSource::Tcf,
        };
        let granted = ConsentState {
            measurement: ConsentValue::Granted,
            journey: ConsentValue::Granted,
            source: ConsentSource::Tcf,
        };
        let entry = |tally, addition| JournalEntry {
            id: None,
            accepted_ms: 0,
            tally,
            visitor: None,
            addition,
        };
        let mut site = SiteDay::default();
        // The CMP refused: the consent beacon stands for the page view.
        let refusal = TallyChange { add: Some(refused), take_back: None };
        entry(refusal, Addition::ConsentOnly).apply(&mut site, None);
        // The visitor granted: the view takes the refusal's place; its leave adds nothing.
        let view = View { entry: Entry::Entry, ..View::sample() };
        let grant = TallyChange { add: Some(granted), take_back: Some(refused) };
        let mut page = PageDay::default();
        JournalEntry {
            visitor: Some(SketchKey::of(VisitorHash::from_u64(3))),
            ..entry(grant, Addition::PageView { path: "/".into(), view })
        }
        .apply(&mut site, Some(&mut page));
        let segments = SegmentKey::of_leave(&Leave::default(), DeviceClass::Desktop, None);
        let leave = Addition::Leave { path: "/".into(), leave: Leave::default(), segments };
        entry(TallyChange::default(), leave).apply(&mut site, Some(&mut page));
        let tally = site.consent();
        assert_eq!(tally.count(Category::Measurement, ConsentValue::Granted), 1);
        assert_eq!(tally.count(Category::Measurement, ConsentValue::Denied), 0);
        assert_eq!(
            tally.entries().map(|(.., n)| n).sum::<u64>(),
            2,
            "one page view, two categories"
        );
    }
}
