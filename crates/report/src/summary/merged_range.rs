//! A date range's records merged once: one record per page, the site's rollups, and the daily
//! series, for every summary and insight of that range.

use std::collections::{BTreeMap, HashMap};
use tacit_aggregate::DayRecord;

use serde::{Deserialize, Serialize};

use super::rates::{bounce_rate, engagement_rate};
use super::rows::visitors_per_view;
use tacit_aggregate::funnels::FunnelTallies;
use tacit_aggregate::goals::GoalSegments;
use tacit_aggregate::properties::PropertyValues;
use tacit_aggregate::record::Activity;
use tacit_aggregate::segments::{Segment, Segments};
use tacit_aggregate::{Day, PageDay, SiteDay};
use tacit_beacon::consent::ConsentTally;
use tacit_beacon::signal::BareCause;

/// What the pages say of a range's visitors when it spans more than one day (see
/// [`MergedRange::visitors_counted_per_day`]).
pub const VISITORS_COUNTED_PER_DAY: &str =
    "Visitors are counted per day; a person returning on another day counts again.";

/// The period of equal length that ends the day before `from`: what a range is compared with.
pub fn previous_period(from: Day, to: Day) -> (Day, Day) {
    let length = to.days_after(from) + 1;
    (from.add_days(-length), from.add_days(-1))
}

/// `(path, record)` pairs merged into one record per path, sorted by path. Merging is
/// associative, so pairs that are themselves merges of several days (a range kept merged) merge
/// with single days into the same records as the days one by one.
///
/// A record is large (over a kilobyte inline), so the records stay where they were first put:
/// the paths are hashed to their position and sorted as positions, and each record is moved
/// once more, into its sorted place. Growing a map of records and sorting them moved each
/// several times, most of a read of 10,000 pages.
pub fn merge_by_path(pages: impl IntoIterator<Item = (String, PageDay)>) -> Vec<(String, PageDay)> {
    let pages = pages.into_iter();
    let mut merged: Vec<Option<(String, PageDay)>> = Vec::with_capacity(pages.size_hint().0);
    let mut position: HashMap<String, usize> = HashMap::with_capacity(pages.size_hint().0);
    for (path, record) in pages {
        match position.get(&path) {
            Some(&at) => merged[at].as_mut().expect("a page is taken only below").1.merge(&record),
            None => {
                position.insert(path.clone(), merged.len());
                merged.push(Some((path, record)));
            }
        }
    }
    let mut order: Vec<(String, usize)> = position.into_iter().collect();
    order.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    order.into_iter().map(|(_, at)| merged[at].take().expect("each position once")).collect()
}

/// One page's records over a range, merged, with its unique visitors estimated once.
#[derive(Debug, Clone)]
pub struct MergedPage {
    /// The scrubbed path (or [`tacit_aggregate::record::OTHER_PAGE`]).
    pub path: String,
    /// Everything counted on the page over the range.
    pub record: PageDay,
    /// Unique visitors of the page over the range, from its sketch (a union across days).
    pub visitors: u64,
}

impl MergedPage {
    /// What happened on the page.
    pub fn activity(&self) -> &Activity {
        self.record.activity()
    }

    /// The page's visitors per view, at most 1: the scale of the k estimate of its rows (see
    /// the [module documentation](super)).
    pub fn visitors_per_view(&self) -> f64 {
        visitors_per_view(self.visitors, self.activity().engagement.views)
    }
}

/// One day of the site, for the daily chart and the sparklines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyPoint {
    /// The day.
    pub day: Day,
    /// Unique visitors that day, from the site's sketch.
    pub visitors: u64,
    /// Visits (entries).
    pub visits: u64,
    /// Page views.
    pub views: u64,
    /// Bounces over visits whose leave arrived.
    pub bounce_rate: Option<f64>,
    /// Engaged visits over visits whose leave arrived.
    pub engagement_rate: Option<f64>,
}

impl DailyPoint {
    /// The point of `day` from its rollup.
    fn of(day: Day, record: &mut SiteDay) -> DailyPoint {
        let activity = record.activity();
        DailyPoint {
            day,
            visits: activity.engagement.entries,
            views: activity.engagement.views,
            bounce_rate: bounce_rate(activity),
            engagement_rate: engagement_rate(activity),
            visitors: record.unique_visitors(),
        }
    }

    /// A day without a rollup: nothing was counted.
    fn empty(day: Day) -> DailyPoint {
        DailyPoint {
            day,
            visitors: 0,
            visits: 0,
            views: 0,
            bounce_rate: None,
            engagement_rate: None,
        }
    }
}

/// The records of a date range merged once, for every summary and insight of that range.
///
/// Merging is the expensive part of a read; build one per range and pass it to
/// [`Report::build`](crate::Report::build), which builds the summaries and the cards from it.
#[derive(Debug, Clone)]
pub struct MergedRange {
    from: Day,
    to: Day,
    pages: Vec<MergedPage>,
    site: SiteDay,
    site_visitors: u64,
    daily: Vec<DailyPoint>,
    /// The site's rollup of each day with one, for a segment's daily series.
    site_days: BTreeMap<Day, SiteDay>,
}

impl MergedRange {
    /// Merges `(path, record)` pairs, one per page and day, and `(day, rollup)` pairs, one per
    /// day, of the range `from..=to`. Rollups of days outside the range are ignored; days
    /// without a rollup are zero in the daily series.
    ///
    /// The site's unique visitors come from the merged rollups (the site's precision, 0.41 %
    /// relative standard error).
    pub fn new(
        from: Day,
        to: Day,
        pages: impl IntoIterator<Item = (String, PageDay)>,
        site_days: impl IntoIterator<Item = (Day, SiteDay)>,
    ) -> MergedRange {
        let site_days: Vec<(Day, SiteDay)> = site_days.into_iter().collect();
        // Merged into the first day's rollup, not an empty one: a segment's rollups
        // ([`SiteDay::of_segment`]) count visitors at a page's precision, which a sketch of
        // the site's precision cannot take in.
        let mut site: Option<SiteDay> = None;
        for (_, record) in site_days.iter().filter(|(day, _)| from <= *day && *day <= to) {
            match &mut site {
                Some(site) => site.merge(record),
                None => site = Some(record.clone()),
            }
        }
        MergedRange::with_site_total(from, to, pages, site_days, site.unwrap_or_default())
    }

    /// As [`MergedRange::new`], with the site's records of the range already merged into
    /// `site` (by a shard, from its stored rollups and single days: see
    /// [`tacit_aggregate::rollup`]), so that `site_days` only give the daily series. Page pairs
    /// may likewise be periods merged: merging is associative.
    pub fn with_site_total(
        from: Day,
        to: Day,
        pages: impl IntoIterator<Item = (String, PageDay)>,
        site_days: impl IntoIterator<Item = (Day, SiteDay)>,
        mut site: SiteDay,
    ) -> MergedRange {
        let pages: Vec<(String, PageDay)> = pages.into_iter().collect();
        // A range's pages as a read decodes them are merged and sorted already
        // ([`crate::stored_range::PartPages`]): merging them again would hash and sort
        // every path, and move every record twice, for nothing.
        let merged_already = pages.windows(2).all(|pair| pair[0].0 < pair[1].0);
        let pages = if merged_already { pages } else { merge_by_path(pages) };
        let pages: Vec<MergedPage> = pages
            .into_iter()
            .map(|(path, mut record)| {
                let visitors = record.unique_visitors();
                MergedPage { path, record, visitors }
            })
            .collect();

        let mut by_day: BTreeMap<Day, SiteDay> = BTreeMap::new();
        for (day, record) in site_days {
            if day < from || day > to {
                continue;
            }
            match by_day.get_mut(&day) {
                Some(merged) => merged.merge(&record),
                None => {
                    by_day.insert(day, record);
                }
            }
        }
        let mut daily = Vec::with_capacity(to.days_after(from).max(0) as usize + 1);
        let mut day = from;
        while day <= to {
            daily.push(match by_day.get_mut(&day) {
                Some(record) => DailyPoint::of(day, record),
                None => DailyPoint::empty(day),
            });
            day = day.add_days(1);
        }
        let site_visitors = site.unique_visitors();
        MergedRange { from, to, pages, site, site_visitors, daily, site_days: by_day }
    }

    /// The range as `segment` alone saw it: every page's and day's record reduced to the
    /// segment's (see [`PageDay::of_segment`]). A segment of merged records is the merge of
    /// the days' segments, so this equals merging the segments day by day.
    pub fn of_segment(&self, segment: Segment) -> MergedRange {
        let pages =
            self.pages.iter().map(|page| (page.path.clone(), page.record.of_segment(segment)));
        let days = self.site_days.iter().map(|(day, record)| (*day, record.of_segment(segment)));
        let site = self.site.of_segment(segment);
        MergedRange::with_site_total(self.from, self.to, pages, days, site)
    }

    /// The site's segments over the range.
    pub fn site_segments(&self) -> &Segments {
        self.site.segments()
    }

    /// First day of the range.
    pub fn from(&self) -> Day {
        self.from
    }

    /// Last day of the range, included.
    pub fn to(&self) -> Day {
        self.to
    }

    /// Every page with a record in the range, by path.
    pub fn pages(&self) -> &[MergedPage] {
        &self.pages
    }

    /// The page at `path`, if it has a record in the range.
    pub fn page(&self, path: &str) -> Option<&MergedPage> {
        self.pages
            .binary_search_by(|page| page.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.pages[i])
    }

    /// What happened on the whole site, from the rollups.
    pub fn site(&self) -> &Activity {
        self.site.activity()
    }

    /// The goals' custom properties, from the rollups.
    pub fn goal_properties(&self) -> &PropertyValues {
        self.site.goal_properties()
    }

    /// The custom events' custom properties, from the rollups.
    pub fn event_properties(&self) -> &PropertyValues {
        self.site.event_properties()
    }

    /// Unique visitors of the site over the range.
    pub fn site_visitors(&self) -> u64 {
        self.site_visitors
    }

    /// The visits that reached each funnel step, from the rollups.
    pub fn funnels(&self) -> &FunnelTallies {
        self.site.funnels()
    }

    /// Goal completions and their value per segment, from the rollups.
    pub fn goal_segments(&self) -> &GoalSegments {
        self.site.goal_segments()
    }

    /// The consent states of the range's page views.
    pub fn consent(&self) -> &ConsentTally {
        self.site.consent()
    }

    /// Page views dropped as bots'.
    pub fn bots_dropped(&self) -> u64 {
        self.site.bots_dropped()
    }

    /// Page views counted bare, without the snippet's WebAssembly, whatever the cause.
    pub fn bare_views(&self) -> u64 {
        self.site.bare_views().total()
    }

    /// Page views counted bare for `cause`.
    pub fn bare_views_of(&self, cause: BareCause) -> u64 {
        self.site.bare_views().of(cause)
    }

    /// Whether the range spans more than one day, so that its visitors are counted per day:
    /// each day hashes visitors with its own salt, so a person who returns on another day
    /// counts again ([`VISITORS_COUNTED_PER_DAY`]).
    pub fn visitors_counted_per_day(&self) -> bool {
        self.to > self.from
    }

    /// One point per day of the range, in order.
    pub fn daily(&self) -> &[DailyPoint] {
        &self.daily
    }

    /// The site's visitors per view, at most 1: the scale of the k estimate of site rows.
    pub fn site_visitors_per_view(&self) -> f64 {
        visitors_per_view(self.site_visitors, self.site().engagement.views)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::testing::{bounce, day, onward, Site};
    use tacit_aggregate::VisitorHash;
    use tacit_beacon::signal::View;

    fn record(visitors: &[u64]) -> PageDay {
        let mut record = PageDay::default();
        let view = View::sample();
        for &v in visitors {
            record.record_view(VisitorHash::from_u64(v.wrapping_mul(0x9E37_79B9_7F4A_7C15)), &view);
        }
        record
    }

    #[test]
    fn a_range_kept_merged_merges_with_further_days_as_the_days_one_by_one() {
        let days = [
            ("/".to_string(), record(&[1, 2])),
            ("/a".to_string(), record(&[3])),
            ("/".to_string(), record(&[2, 4])),
            ("/".to_string(), record(&[5, 1])),
        ];
        let one_by_one = merge_by_path(days.clone());
        let kept = merge_by_path(days[..3].to_vec());
        let kept_then_last = merge_by_path(kept.into_iter().chain([days[3].clone()]));
        let encoded = |pages: &[(String, PageDay)]| -> Vec<(String, Vec<u8>)> {
            pages
                .iter()
                .map(|(path, r)| (path.clone(), tacit_aggregate::codec::encode_page_day(r)))
                .collect()
        };
        assert_eq!(encoded(&one_by_one), encoded(&kept_then_last));
        let paths: Vec<&str> = one_by_one.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(paths, ["/", "/a"]);
        let mut home = one_by_one[0].1.clone();
        assert_eq!(home.activity().engagement.views, 6);
        assert_eq!(home.unique_visitors(), 4);
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        assert_eq!(
            previous_period(day("2026-11-17"), day("2026-11-23")),
            (day("2026-11-10"), day("2026-11-16"))
        );
        assert_eq!(
            previous_period(day("2026-11-23"), day("2026-11-23")),
            (day("2026-11-22"), day("2026-11-22"))
        );
    }

    #[test]
    fn the_daily_series_has_one_point_per_day_and_zeros_for_days_without_data() {
        let mut monday = Site::default();
        monday.visits("/", 0, 3, None, &bounce());
        let mut wednesday = Site::default();
        wednesday.visits("/", 0, 2, None, &onward("/a"));
        let range = MergedRange::new(
            day("2026-11-23"),
            day("2026-11-25"),
            [],
            [
                (day("2026-11-23"), monday.site.clone()),
                (day("2026-11-25"), wednesday.site.clone()),
                (day("2026-11-30"), wednesday.site.clone()),
            ],
        );
        let points: Vec<(String, u64, Option<f64>)> =
            range.daily().iter().map(|p| (p.day.to_string(), p.visitors, p.bounce_rate)).collect();
        assert_eq!(
            points,
            vec![
                ("2026-11-23".into(), 3, Some(1.0)),
                ("2026-11-24".into(), 0, None),
                ("2026-11-25".into(), 2, Some(0.0)),
            ]
        );
        // Visitor 0 and 1 came on both days: a union, not a sum.
        assert_eq!(range.site_visitors(), 3);
        assert!(range.visitors_counted_per_day(), "three days");
        assert!(!monday.range(day("2026-11-23")).visitors_counted_per_day(), "one day");
    }
}
