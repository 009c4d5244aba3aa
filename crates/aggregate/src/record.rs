//! The per-UTC-day records: one per page ([`PageDay`]) and one rollup per site ([`SiteDay`]).
//!
//! Both hold an [`Activity`]: counters, distributions and bounded top-k lists, every one of
//! them mergeable, so the record of a date range is the merge of its days. Unique visitors are
//! kept apart from the activity because a page's sketch and the site's differ in precision.
//!
//! A record's size is bounded whatever the traffic: counters are fixed, quantile sketches cap
//! their buckets, top-k lists their entries and key lengths, and breakdowns are closed sets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engagement::{Engagement, LeaveFigures};
use crate::funnels::FunnelTallies;
use crate::goals::GoalSegments;
use crate::properties::PropertyValues;
use crate::segments::{Segment, SegmentKey, Segments};
use crate::top_k::TopK;
use crate::{VisitorHash, VisitorSketch};
use tacit_beacon::agent::{BrowserFamily, DeviceClass};
use tacit_beacon::consent::{ConsentState, ConsentTally};
use tacit_beacon::signal::BareCause;
use tacit_beacon::signal::{CountryCode, Event, FeedbackScore, Leave, View};

/// Entries kept per top-k list. Space-Saving with `m` counters over-counts by at most `N / m`
/// and is guaranteed to hold every item above that frequency: with 32, everything above ~3 %
/// of a list's weight; with 128 (referrers, channels) everything above ~0.8 %, so every
/// channel that brings 1 % of visits is listed.
const TOP_K_SMALL: usize = 32;
const TOP_K_LARGE: usize = 128;

/// The label of the page record that collects a day's pages beyond the per-day cap.
pub const OTHER_PAGE: &str = "(other)";

/// Distinct pages a site may have in one day before further pages fold into [`OTHER_PAGE`].
pub const DEFAULT_MAX_PAGES_PER_DAY: usize = 1000;

/// What happened on a page, or on the whole site, in one day: its [`Engagement`], and the
/// lists and breakdowns of where visitors came from, went to and what they did.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Activity {
    /// Views, visits and what visitors did on them: what each segment keeps too.
    pub engagement: Engagement,
    /// External referrer hosts.
    pub referrers: TopK,
    /// UTM campaigns as `source / medium / campaign`.
    pub campaigns: TopK,
    /// `utm_term` values: paid keywords.
    pub campaign_terms: TopK,
    /// `utm_content` values: which ad or link.
    pub campaign_contents: TopK,
    /// Entries per channel (see [`View::channel`]).
    pub entry_channels: TopK,
    /// Engaged visits per channel.
    pub engaged_channels: TopK,
    /// Same-site pages visitors came from.
    pub previous_pages: TopK,
    /// Same-site pages visitors went on to.
    pub next_pages: TopK,
    /// Site-search terms.
    pub search_terms: TopK,
    /// Goals, with the sum of their values.
    pub goals: TopK,
    /// Custom events (`tacit('event', name)`), with the sum of their values: counted as goals
    /// are, but no conversions (see [`Event::Custom`]).
    pub custom_events: TopK,
    /// Outbound links, downloads and form submissions, as `outbound:<host>`,
    /// `download:<file>` and `form:<name>`.
    pub events: TopK,
    /// Views per device class.
    pub devices: BTreeMap<DeviceClass, u64>,
    /// Views per browser family.
    pub browsers: BTreeMap<BrowserFamily, u64>,
    /// Views per country.
    pub countries: BTreeMap<CountryCode, u64>,
    /// Views per primary language.
    pub languages: TopK,
    /// Feedback answers per score.
    pub feedback: BTreeMap<FeedbackScore, u64>,
}

impl Default for Activity {
    fn default() -> Activity {
        Activity {
            engagement: Engagement::default(),
            referrers: TopK::with_capacity(TOP_K_LARGE),
            campaigns: TopK::with_capacity(TOP_K_SMALL),
            campaign_terms: TopK::with_capacity(TOP_K_SMALL),
            campaign_contents: TopK::with_capacity(TOP_K_SMALL),
            entry_channels: TopK::with_capacity(TOP_K_LARGE),
            engaged_channels: TopK::with_capacity(TOP_K_LARGE),
            previous_pages: TopK::with_capacity(TOP_K_SMALL),
            next_pages: TopK::with_capacity(TOP_K_SMALL),
            search_terms: TopK::with_capacity(TOP_K_SMALL),
            goals: TopK::with_capacity(TOP_K_SMALL),
            custom_events: TopK::with_capacity(TOP_K_SMALL),
            events: TopK::with_capacity(TOP_K_SMALL),
            devices: BTreeMap::new(),
            browsers: BTreeMap::new(),
            countries: BTreeMap::new(),
            languages: TopK::with_capacity(TOP_K_SMALL),
            feedback: BTreeMap::new(),
        }
    }
}

impl Activity {
    fn record_view(&mut self, view: &View) {
        self.engagement.record_view(view.entry);
        if let Some(referrer) = &view.referrer {
            self.referrers.insert(referrer, 1, 0.0);
        }
        if let Some(campaign) = campaign_key(view) {
            self.campaigns.insert(&campaign, 1, 0.0);
        }
        if let Some(term) = &view.utm.term {
            self.campaign_terms.insert(term, 1, 0.0);
        }
        if let Some(content) = &view.utm.content {
            self.campaign_contents.insert(content, 1, 0.0);
        }
        if let Some(channel) = view.channel() {
            self.entry_channels.insert(channel, 1, 0.0);
        }
        if let Some(previous) = &view.previous {
            self.previous_pages.insert(previous, 1, 0.0);
        }
        if let Some(term) = &view.search_term {
            self.search_terms.insert(term, 1, 0.0);
        }
        *self.devices.entry(view.device).or_default() += 1;
        *self.browsers.entry(view.browser).or_default() += 1;
        if let Some(country) = view.country {
            *self.countries.entry(country).or_default() += 1;
        }
        if let Some(language) = view.language {
            self.languages.insert(language.as_str(), 1, 0.0);
        }
    }

    fn record_leave(&mut self, leave: &Leave, figures: &LeaveFigures) {
        self.engagement.record_leave(figures);
        if let Some(next) = &leave.next {
            self.next_pages.insert(next, 1, 0.0);
        }
        if let Some(channel) = leave.channel().filter(|_| leave.is_engaged_visit()) {
            self.engaged_channels.insert(channel, 1, 0.0);
        }
    }

    /// Takes back what [`Activity::record_leave`] counted for `leave` (see
    /// [`Engagement::retract_leave`]; each list loses its key, [`TopK::retract`]).
    fn retract_leave(&mut self, leave: &Leave, figures: &LeaveFigures) {
        self.engagement.retract_leave(figures);
        if let Some(next) = &leave.next {
            self.next_pages.retract(next);
        }
        if let Some(channel) = leave.channel().filter(|_| leave.is_engaged_visit()) {
            self.engaged_channels.retract(channel);
        }
    }

    fn record_event(&mut self, event: &Event) {
        let mut key = |kind: &str, name: &str| {
            let mut key = String::with_capacity(kind.len() + 1 + name.len());
            key.push_str(kind);
            key.push(':');
            key.push_str(name);
            self.events.insert(&key, 1, 0.0);
        };
        match event {
            Event::Outbound { host } => key("outbound", host),
            Event::Download { file } => key("download", file),
            Event::FormSubmit { form } => key("form", form),
            Event::Goal { name, value, .. } => self.goals.insert(name, 1, value.unwrap_or(0.0)),
            Event::Custom { name, value, .. } => {
                self.custom_events.insert(name, 1, value.unwrap_or(0.0))
            }
            Event::Feedback { score } => *self.feedback.entry(*score).or_default() += 1,
        }
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &Activity) {
        self.engagement.merge(&other.engagement);
        for (mine, theirs) in [
            (&mut self.referrers, &other.referrers),
            (&mut self.campaigns, &other.campaigns),
            (&mut self.campaign_terms, &other.campaign_terms),
            (&mut self.campaign_contents, &other.campaign_contents),
            (&mut self.entry_channels, &other.entry_channels),
            (&mut self.engaged_channels, &other.engaged_channels),
            (&mut self.previous_pages, &other.previous_pages),
            (&mut self.next_pages, &other.next_pages),
            (&mut self.search_terms, &other.search_terms),
            (&mut self.goals, &other.goals),
            (&mut self.custom_events, &other.custom_events),
            (&mut self.events, &other.events),
            (&mut self.languages, &other.languages),
        ] {
            mine.merge(theirs);
        }
        add_counts(&mut self.devices, &other.devices);
        add_counts(&mut self.browsers, &other.browsers);
        add_counts(&mut self.countries, &other.countries);
        add_counts(&mut self.feedback, &other.feedback);
    }
}

impl AsRef<Engagement> for Activity {
    fn as_ref(&self) -> &Engagement {
        &self.engagement
    }
}

/// `source / medium / campaign` of a tagged view, with `-` for a missing part.
fn campaign_key(view: &View) -> Option<String> {
    let utm = &view.utm;
    if utm.source.is_none() && utm.medium.is_none() && utm.campaign.is_none() {
        return None;
    }
    let part = |p: &Option<String>| p.as_deref().unwrap_or("-").to_owned();
    Some([part(&utm.source), part(&utm.medium), part(&utm.campaign)].join(" / "))
}

fn add_counts<K: Ord + Copy>(mine: &mut BTreeMap<K, u64>, theirs: &BTreeMap<K, u64>) {
    for (key, count) in theirs {
        *mine.entry(*key).or_default() += count;
    }
}

/// Unique visitors and activity: what a page's record and the site's rollup both hold, and
/// count through [`DayRecord`]. They differ in the sketch's precision and in what only the site
/// keeps.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Traffic {
    visitors: VisitorSketch,
    /// Boxed: 1.7 KB held in place, moved with every record as it is decoded and merged.
    activity: Box<Activity>,
    segments: Segments,
}

impl Traffic {
    fn new(visitors: VisitorSketch) -> Traffic {
        Traffic { visitors, activity: Box::default(), segments: Segments::default() }
    }

    fn merge(&mut self, other: &Traffic) {
        self.visitors.merge(&other.visitors);
        self.activity.merge(&other.activity);
        self.segments.merge(&other.segments);
    }

    /// The traffic of one segment alone, as a whole record would hold it: its visitors and
    /// engagement, with no lists or breakdowns (segments keep none) and no segments.
    fn of_segment(&self, segment: Segment) -> Traffic {
        let (visitors, engagement) = match self.segments.get(segment) {
            Some(traffic) => (traffic.visitors.clone(), traffic.engagement.clone()),
            None => (VisitorSketch::for_page(), Engagement::default()),
        };
        Traffic {
            visitors,
            activity: Box::new(Activity { engagement, ..Activity::default() }),
            segments: Segments::default(),
        }
    }
}

/// A record of one UTC day, a page's ([`PageDay`]) or the site's ([`SiteDay`]): both count
/// visitors and activity with this one implementation, over the [`Traffic`] they hold.
pub trait DayRecord {
    /// The visitors and activity counted.
    fn traffic(&self) -> &Traffic;

    /// The visitors and activity, to count into.
    fn traffic_mut(&mut self) -> &mut Traffic;

    /// Counts a page view by `visitor`.
    fn record_view(&mut self, visitor: VisitorHash, view: &View) {
        let traffic = self.traffic_mut();
        traffic.visitors.insert(visitor);
        traffic.activity.record_view(view);
        traffic.segments.record_view(visitor, view);
    }

    /// Counts what a visitor did before leaving a page, in the whole and in the segments of
    /// `key` (see [`SegmentKey::of_leave`]).
    fn record_leave(&mut self, leave: &Leave, key: SegmentKey) {
        let figures = LeaveFigures::of(leave);
        let traffic = self.traffic_mut();
        traffic.activity.record_leave(leave, &figures);
        traffic.segments.record_leave(&figures, key);
    }

    /// Replaces what a visitor did before leaving a page, as an earlier leave of the same view
    /// reported it (`replaced`, already counted), with what its update reports (`leave`): the
    /// visitor came back to the page after it was hidden. Both count in the segments of `key`.
    fn update_leave(&mut self, replaced: &Leave, leave: &Leave, key: SegmentKey) {
        let (replaced_figures, figures) = (LeaveFigures::of(replaced), LeaveFigures::of(leave));
        let traffic = self.traffic_mut();
        traffic.activity.retract_leave(replaced, &replaced_figures);
        traffic.activity.record_leave(leave, &figures);
        traffic.segments.retract_leave(&replaced_figures, key);
        traffic.segments.record_leave(&figures, key);
    }

    /// Counts an event.
    fn record_event(&mut self, event: &Event) {
        self.traffic_mut().activity.record_event(event);
    }

    /// What happened.
    fn activity(&self) -> &Activity {
        &self.traffic().activity
    }

    /// The visitor sketch.
    fn visitors(&self) -> &VisitorSketch {
        &self.traffic().visitors
    }

    /// The segments' visitors and engagement.
    fn segments(&self) -> &Segments {
        &self.traffic().segments
    }

    /// Page views.
    fn views(&self) -> u64 {
        self.traffic().activity.engagement.views
    }

    /// Estimated distinct visitors (see [`VisitorSketch::estimate`] for why it needs `&mut`).
    fn unique_visitors(&mut self) -> u64 {
        self.traffic_mut().visitors.estimate()
    }
}

/// One page's record for one UTC day. Its storage key (site, page path, day) lives outside it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PageDay(Traffic);

/// A page record's fields before its segments, which come last: the codec reads a record's
/// bytes as these and stops there, for a read that needs no segment of the page
/// ([`crate::codec::decode_page_day_without_segments`]).
#[derive(Deserialize)]
pub(crate) struct PageDayWithoutSegments {
    visitors: VisitorSketch,
    activity: Box<Activity>,
}

impl From<PageDayWithoutSegments> for PageDay {
    fn from(head: PageDayWithoutSegments) -> PageDay {
        let PageDayWithoutSegments { visitors, activity } = head;
        PageDay(Traffic { visitors, activity, segments: Segments::default() })
    }
}

impl Default for PageDay {
    fn default() -> PageDay {
        PageDay(Traffic::new(VisitorSketch::for_page()))
    }
}

impl PageDay {
    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &PageDay) {
        self.0.merge(&other.0);
    }

    /// Drops every segment but `kept` (every one when `kept` is `None`): what a read that
    /// shows the page as a whole, or for one segment, needs of it. A record's segments are
    /// most of what decoding and merging it costs.
    pub fn keep_only_segment(&mut self, kept: Option<Segment>) {
        self.0.segments.keep_only(kept);
    }

    /// A copy without the segments: for a read that needs none of them, or adds those it
    /// needs apart ([`PageDay::merge_segments`], [`PageDay::merge_segment`]). A record's
    /// segments are most of its memory.
    pub fn head(&self) -> PageDay {
        let Traffic { visitors, activity, segments: _ } = &self.0;
        PageDay(Traffic {
            visitors: visitors.clone(),
            activity: activity.clone(),
            segments: Segments::default(),
        })
    }

    /// Adds everything `other` counted but its segments: the first step of merging a record
    /// whose segments are added apart, if needed.
    pub fn merge_head(&mut self, other: &PageDay) {
        self.0.visitors.merge(&other.0.visitors);
        self.0.activity.merge(&other.0.activity);
    }

    /// Adds `segment`'s traffic of `segments`, a record's of the same page.
    pub fn merge_segment(&mut self, segments: &Segments, segment: Segment) {
        self.0.segments.merge_one(segments, segment);
    }

    /// Adds the segments of a record of the same page, whose other figures were merged
    /// already: the second step of a read that decodes a page's segments only when it needs
    /// them ([`crate::codec::decode_page_day_head`]).
    pub fn merge_segments(&mut self, segments: &Segments) {
        self.0.segments.merge(segments);
    }

    /// The page's record for the views of `segment` alone, as a whole record would hold them:
    /// the segment's visitors and engagement, with no lists or breakdowns (segments keep none).
    pub fn of_segment(&self, segment: Segment) -> PageDay {
        PageDay(self.0.of_segment(segment))
    }
}

impl DayRecord for PageDay {
    fn traffic(&self) -> &Traffic {
        &self.0
    }

    fn traffic_mut(&mut self) -> &mut Traffic {
        &mut self.0
    }
}

/// A site's rollup for one UTC day: the site-wide traffic, with visitors at a higher precision
/// than a page's, plus the goals' and custom events' properties, the consent tally, the bots
/// dropped and the bare page views.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SiteDay {
    traffic: Traffic,
    goal_properties: PropertyValues,
    event_properties: PropertyValues,
    consent: ConsentTally,
    bots_dropped: u64,
    bare_views: BareViews,
    funnels: FunnelTallies,
    goal_segments: GoalSegments,
}

/// A site's bare page views of one day, by the cause the loader saw (see [`BareCause`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BareViews {
    wasm_refused: u64,
    not_loaded: u64,
}

impl BareViews {
    fn count_mut(&mut self, cause: BareCause) -> &mut u64 {
        match cause {
            BareCause::WasmRefused => &mut self.wasm_refused,
            BareCause::NotLoaded => &mut self.not_loaded,
        }
    }

    /// The bare page views of `cause`.
    pub fn of(self, cause: BareCause) -> u64 {
        match cause {
            BareCause::WasmRefused => self.wasm_refused,
            BareCause::NotLoaded => self.not_loaded,
        }
    }

    /// Every bare page view, whatever its cause.
    pub fn total(self) -> u64 {
        BareCause::ALL.into_iter().map(|cause| self.of(cause)).sum()
    }

    fn merge(&mut self, other: BareViews) {
        for cause in BareCause::ALL {
            *self.count_mut(cause) += other.of(cause);
        }
    }
}

impl Default for SiteDay {
    fn default() -> SiteDay {
        SiteDay {
            traffic: Traffic::new(VisitorSketch::for_site()),
            goal_properties: PropertyValues::default(),
            event_properties: PropertyValues::default(),
            consent: ConsentTally::default(),
            bots_dropped: 0,
            bare_views: BareViews::default(),
            funnels: FunnelTallies::default(),
            goal_segments: GoalSegments::default(),
        }
    }
}

impl SiteDay {
    /// Counts the consent state of one page view (for an opted-out visitor, the only thing
    /// kept).
    pub fn record_consent(&mut self, state: ConsentState) {
        self.consent.record(state);
    }

    /// Takes back a page view counted under `state`: consent changed on the page since (see
    /// [`ConsentTally::take_back`]).
    pub fn take_back_consent(&mut self, state: ConsentState) {
        self.consent.take_back(state);
    }

    /// Counts a page view dropped as a bot's.
    pub fn record_bot_dropped(&mut self) {
        self.bots_dropped += 1;
    }

    /// Counts a page view that the loader sent without the snippet's WebAssembly, for
    /// `cause`: its path only (also counted as a view).
    pub fn record_bare_view(&mut self, cause: BareCause) {
        *self.bare_views.count_mut(cause) += 1;
    }

    /// Counts a visit of `visitor`, in the segments `key`, that reached `step` of `funnel`.
    pub fn record_funnel_step(
        &mut self,
        funnel: u32,
        step: u8,
        visitor: VisitorHash,
        key: SegmentKey,
    ) {
        self.funnels.record(funnel, step, visitor, key);
    }

    /// The site's rollup for the views of `segment` alone, as [`PageDay::of_segment`] reads a
    /// page's: no properties, the funnel counts of the segment's visits, and the consent tally,
    /// dropped bots and bare views of the whole site, which no segment divides.
    pub fn of_segment(&self, segment: Segment) -> SiteDay {
        SiteDay {
            traffic: self.traffic.of_segment(segment),
            goal_properties: PropertyValues::default(),
            event_properties: PropertyValues::default(),
            funnels: self.funnels.of_segment(segment),
            goal_segments: self.goal_segments.of_segment(segment),
            ..self.clone()
        }
    }

    /// Drops every segment but `kept` (every one when `kept` is `None`), as
    /// [`PageDay::keep_only_segment`] does.
    pub fn keep_only_segment(&mut self, kept: Option<Segment>) {
        self.traffic.segments.keep_only(kept);
    }

    /// Keeps only what a day's point of a range's daily series reads: the visitors, the
    /// engagement and the segment `kept` (none when `None`), for which the series may be read.
    /// A range's own site record keeps the rest; a day's lists and breakdowns are most of its
    /// bytes, which a site's worker would otherwise decode and merge for every shard and day.
    pub fn keep_only_daily_series(&mut self, kept: Option<Segment>) {
        let engagement = std::mem::take(&mut self.traffic.activity.engagement);
        let visitors = std::mem::replace(&mut self.traffic.visitors, VisitorSketch::for_site());
        let mut segments = std::mem::take(&mut self.traffic.segments);
        segments.keep_only(kept);
        let activity = Activity { engagement, ..Activity::default() };
        *self = SiteDay {
            traffic: Traffic { visitors, activity: Box::new(activity), segments },
            ..SiteDay::default()
        };
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &SiteDay) {
        self.traffic.merge(&other.traffic);
        self.goal_properties.merge(&other.goal_properties);
        self.event_properties.merge(&other.event_properties);
        self.consent.merge(&other.consent);
        self.bots_dropped += other.bots_dropped;
        self.bare_views.merge(other.bare_views);
        self.funnels.merge(&other.funnels);
        self.goal_segments.merge(&other.goal_segments);
    }

    /// Counts a goal of `value` in the segments `key` (see [`GoalSegments`]).
    pub fn record_goal_segments(&mut self, value: Option<f64>, key: SegmentKey) {
        self.goal_segments.record(value, key);
    }

    /// Goal completions and their value per segment.
    pub fn goal_segments(&self) -> &GoalSegments {
        &self.goal_segments
    }

    /// The visits that reached each funnel step.
    pub fn funnels(&self) -> &FunnelTallies {
        &self.funnels
    }

    /// The goals' custom properties.
    pub fn goal_properties(&self) -> &PropertyValues {
        &self.goal_properties
    }

    /// The custom events' custom properties.
    pub fn event_properties(&self) -> &PropertyValues {
        &self.event_properties
    }

    /// The consent states of the day's page views.
    pub fn consent(&self) -> &ConsentTally {
        &self.consent
    }

    /// Page views dropped as bots'.
    pub fn bots_dropped(&self) -> u64 {
        self.bots_dropped
    }

    /// Page views sent bare, without the snippet's WebAssembly, by cause (see
    /// [`SiteDay::record_bare_view`]).
    pub fn bare_views(&self) -> BareViews {
        self.bare_views
    }
}

impl DayRecord for SiteDay {
    fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// Counts an event, and a goal's or custom event's properties, which only the site keeps.
    fn record_event(&mut self, event: &Event) {
        self.traffic.activity.record_event(event);
        match event {
            Event::Goal { name, value, props } => self.goal_properties.record(name, *value, props),
            Event::Custom { name, value, props } => {
                self.event_properties.record(name, *value, props)
            }
            _ => {}
        }
    }

    fn traffic_mut(&mut self) -> &mut Traffic {
        &mut self.traffic
    }
}

/// The page record a view of `path` belongs in: its own when the page already has a record
/// today or the day has room for another, else [`OTHER_PAGE`]. This keeps a site with
/// unbounded distinct paths (or an attack on them) from growing storage without bound.
pub fn page_record_key(
    path: &str,
    has_record_today: bool,
    pages_today: usize,
    max_pages: usize,
) -> &str {
    if has_record_today || pages_today < max_pages {
        path
    } else {
        OTHER_PAGE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge_laws::{both_groupings, both_orders};
    use crate::top_k::TopKEntry;
    use proptest::prelude::*;
    use tacit_beacon::signal::{Entry, Leave};

    /// The segments of `leave` on a desktop of unknown country.
    fn on_desktop(leave: &Leave) -> SegmentKey {
        SegmentKey::of_leave(leave, DeviceClass::Desktop, None)
    }

    fn leave(entry: bool, next: Option<&str>, engaged_ms: u32) -> Leave {
        Leave {
            entry: Entry::of(!entry, None),
            next: next.map(str::to_owned),
            engaged_ms,
            scroll_pct: 50,
            ..Leave::default()
        }
    }

    #[test]
    fn counts_bare_views_by_cause_and_merges_them() {
        let mut a = SiteDay::default();
        a.record_bare_view(BareCause::WasmRefused);
        let mut b = SiteDay::default();
        b.record_bare_view(BareCause::NotLoaded);
        b.record_bare_view(BareCause::NotLoaded);
        a.merge(&b);
        let bare = a.bare_views();
        assert_eq!((bare.of(BareCause::WasmRefused), bare.of(BareCause::NotLoaded)), (1, 2));
        assert_eq!(bare.total(), 3);
    }

    #[test]
    fn sorts_entries_into_bounces_and_engaged_visits_and_counts_exits() {
        let mut page = PageDay::default();
        page.record_leave(&leave(true, None, 2_000), on_desktop(&leave(true, None, 2_000))); // bounce, exit
        page.record_leave(&leave(true, None, 25_000), on_desktop(&leave(true, None, 25_000))); // engaged by time, exit
        page.record_leave(
            &leave(true, Some("/pricing"), 1_000),
            on_desktop(&leave(true, Some("/pricing"), 1_000)),
        ); // engaged by continuing
        page.record_leave(&leave(false, None, 500), on_desktop(&leave(false, None, 500))); // not an entry: only an exit
        page.record_leave(
            &Leave { reached_goal: true, ..leave(true, None, 0) },
            on_desktop(&Leave { reached_goal: true, ..leave(true, None, 0) }),
        ); // engaged by goal
        let activity = page.activity();
        assert_eq!((activity.engagement.bounces, activity.engagement.engaged_visits), (1, 3));
        assert_eq!((activity.engagement.leaves, activity.engagement.exits), (5, 4));
        assert_eq!(activity.next_pages.top(1)[0].key, "/pricing");
        assert_eq!(activity.engagement.engaged_time_ms.count(), 5);
    }

    #[test]
    fn counts_frustration_and_vitals() {
        let mut page = PageDay::default();
        page.record_leave(
            &Leave {
                rage_clicks: 2,
                dead_clicks: 1,
                lcp_ms: Some(2400),
                cls: Some(0.12),
                ..Leave::default()
            },
            on_desktop(&Leave {
                rage_clicks: 2,
                dead_clicks: 1,
                lcp_ms: Some(2400),
                cls: Some(0.12),
                ..Leave::default()
            }),
        );
        page.record_leave(
            &Leave { quick_back: true, inp_ms: Some(180), ..Leave::default() },
            on_desktop(&Leave { quick_back: true, inp_ms: Some(180), ..Leave::default() }),
        );
        let activity = page.activity();
        assert_eq!(
            (
                activity.engagement.rage_clicks,
                activity.engagement.dead_clicks,
                activity.engagement.quick_backs
            ),
            (2, 1, 1)
        );
        assert_eq!(activity.engagement.frustrated_views, 1);
        assert_eq!(
            (
                activity.engagement.lcp_ms.count(),
                activity.engagement.inp_ms.count(),
                activity.engagement.cls_milli.count()
            ),
            (1, 1, 1)
        );
        let cls = activity.engagement.cls_milli.quantile(0.5).unwrap();
        assert!((cls - 120.0).abs() <= 120.0 * 0.011, "cls×1000 {cls}");
    }

    #[test]
    fn counts_events_goals_with_values_and_feedback() {
        let mut page = PageDay::default();
        for event in [
            Event::Goal { name: "signup".into(), value: Some(12.5), props: vec![] },
            Event::Goal { name: "signup".into(), value: Some(7.5), props: vec![] },
            Event::Goal { name: "newsletter".into(), value: None, props: vec![] },
            Event::Custom { name: "video_play".into(), value: Some(2.0), props: vec![] },
            Event::Outbound { host: "github.com".into() },
            Event::Download { file: "/files/guide.pdf".into() },
            Event::FormSubmit { form: "contact".into() },
            Event::Feedback { score: FeedbackScore::new(3).unwrap() },
        ] {
            page.record_event(&event);
        }
        let activity = page.activity();
        let signup = &activity.goals.top(1)[0];
        assert_eq!((signup.key.as_str(), signup.count, signup.value_sum), ("signup", 2, 20.0));
        assert_eq!(activity.goals.total(), 3, "a custom event is no goal");
        let video = &activity.custom_events.top(1)[0];
        assert_eq!((video.key.as_str(), video.count, video.value_sum), ("video_play", 1, 2.0));
        let mut events: Vec<String> = activity.events.top(10).into_iter().map(|e| e.key).collect();
        events.sort();
        assert_eq!(events, ["download:/files/guide.pdf", "form:contact", "outbound:github.com"]);
        assert_eq!(activity.feedback.get(&FeedbackScore::new(3).unwrap()), Some(&1));
    }

    #[test]
    fn only_the_site_keeps_properties_a_goals_apart_from_a_custom_events() {
        let props = vec![("plan".to_owned(), "pro".to_owned())];
        let (mut site, mut page) = (SiteDay::default(), PageDay::default());
        for event in [
            Event::Goal { name: "signup".into(), value: Some(12.5), props: props.clone() },
            Event::Custom { name: "signup".into(), value: None, props: props.clone() },
            Event::Custom { name: "video_play".into(), value: None, props },
        ] {
            site.record_event(&event);
            page.record_event(&event);
        }
        let plan = |table: &PropertyValues, name| table.of(name).map(|keys| keys["plan"].top(1));
        let pro = |count, value_sum| {
            vec![TopKEntry { key: "pro".into(), count, max_error: 0, value_sum }]
        };
        assert_eq!(plan(site.goal_properties(), "signup"), Some(pro(1, 12.5)));
        assert_eq!(plan(site.event_properties(), "signup"), Some(pro(1, 0.0)));
        assert_eq!(plan(site.goal_properties(), "video_play"), None);
        assert_eq!(page.activity().custom_events.total(), 2, "the page counts the events");
        let mut merged = site.clone();
        merged.merge(&site);
        assert_eq!(plan(merged.goal_properties(), "signup"), Some(pro(2, 25.0)));
    }

    #[test]
    fn counts_channels_campaigns_and_breakdowns_of_views() {
        let mut site = SiteDay::default();
        let mut view = View::sample();
        view.utm.source = Some("newsletter".into());
        view.utm.campaign = Some("launch".into());
        view.country = CountryCode::parse("DE");
        site.record_view(VisitorHash::from_u64(1), &view);
        let activity = site.activity();
        assert_eq!(activity.campaigns.top(1)[0].key, "newsletter / - / launch");
        assert_eq!(activity.entry_channels.top(1)[0].key, "newsletter");
        assert_eq!(activity.countries.get(&CountryCode::parse("DE").unwrap()), Some(&1));
        assert_eq!(activity.devices.get(&DeviceClass::Desktop), Some(&1));
        assert_eq!((activity.engagement.views, activity.engagement.entries), (1, 1));
    }

    #[test]
    fn a_day_kept_for_the_daily_series_keeps_its_visitors_engagement_and_one_segment() {
        let mut site = SiteDay::default();
        let mut view = View::sample();
        view.utm.source = Some("newsletter".into());
        for visitor in 0..3 {
            site.record_view(VisitorHash::from_u64(visitor), &view);
        }
        site.record_bot_dropped();
        let desktop = Segment::Device(DeviceClass::Desktop);
        let mut kept = site.clone();
        kept.keep_only_daily_series(Some(desktop));
        assert_eq!(kept.unique_visitors(), 3);
        assert_eq!(kept.activity().engagement.views, site.activity().engagement.views);
        assert!(kept.activity().entry_channels.is_empty(), "no lists");
        assert_eq!(kept.bots_dropped(), 0);
        let segments: Vec<Segment> = kept.segments().iter().map(|(s, _)| s).collect();
        assert_eq!(segments, [desktop]);
        kept.keep_only_daily_series(None);
        assert_eq!((kept.segments().iter().count(), kept.unique_visitors()), (0, 3));
    }

    #[test]
    fn folds_pages_beyond_the_daily_cap_into_other() {
        assert_eq!(page_record_key("/a", false, 999, 1000), "/a");
        assert_eq!(page_record_key("/b", false, 1000, 1000), OTHER_PAGE);
        assert_eq!(page_record_key("/a", true, 1000, 1000), "/a", "a page with a record keeps it");
    }

    /// One signal of a synthetic stream; keys come from small sets so that every top-k list
    /// stays below its capacity and is exact, which makes merged and direct records comparable.
    #[derive(Debug, Clone)]
    enum Op {
        View { visitor: u64, referrer: Option<u8>, previous: Option<u8>, entry: u8, device: u8 },
        Leave { entry: bool, next: Option<u8>, engaged_ms: u32, scroll: u8, rage: u8 },
        Goal { name: u8, value: u16 },
    }

    fn leave_op() -> impl Strategy<Value = Op> {
        (any::<bool>(), proptest::option::of(0..20u8), 0..120_000u32, 0..=100u8, 0..3u8).prop_map(
            |(entry, next, engaged_ms, scroll, rage)| Op::Leave {
                entry,
                next,
                engaged_ms,
                scroll,
                rage,
            },
        )
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (
                any::<u64>(),
                proptest::option::of(0..20u8),
                proptest::option::of(0..20u8),
                0..4u8,
                0..3u8
            )
                .prop_map(|(visitor, referrer, previous, entry, device)| Op::View {
                    visitor,
                    referrer,
                    previous,
                    entry,
                    device
                }),
            leave_op(),
            (0..10u8, 0..500u16).prop_map(|(name, value)| Op::Goal { name, value }),
        ]
    }

    impl Op {
        fn leave(&self) -> Option<Leave> {
            let Op::Leave { entry, next, engaged_ms, scroll, rage } = *self else {
                return None;
            };
            Some(Leave {
                entry: Entry::of(!entry, None),
                next: next.map(|n| format!("/n{n}")),
                engaged_ms,
                scroll_pct: scroll,
                rage_clicks: u32::from(rage),
                ..Leave::default()
            })
        }
    }

    fn apply(record: &mut PageDay, op: &Op) {
        match *op {
            Op::View { visitor, referrer, previous, entry, device } => {
                let view = View {
                    referrer: referrer.map(|r| format!("ref{r}.example")),
                    previous: previous.map(|p| format!("/p{p}")),
                    device: DeviceClass::ALL[usize::from(device)],
                    entry: [Entry::NotEntry, Entry::Entry, Entry::FirstVisit, Entry::Returning]
                        [usize::from(entry)],
                    ..View::sample()
                };
                record.record_view(VisitorHash::from_u64(visitor), &view);
            }
            Op::Leave { .. } => {
                let leave = op.leave().expect("a leave");
                record.record_leave(&leave, on_desktop(&leave));
            }
            Op::Goal { name, value } => record.record_event(&Event::Goal {
                name: format!("goal{name}"),
                value: Some(f64::from(value)),
                props: vec![],
            }),
        }
    }

    fn build(ops: &[Op]) -> PageDay {
        let mut record = PageDay::default();
        ops.iter().for_each(|op| apply(&mut record, op));
        record
    }

    /// Everything a summary can read from a record, in comparable form.
    fn observe(record: &PageDay) -> String {
        let mut record = record.clone();
        let visitors = record.unique_visitors();
        let a = record.activity();
        let quantiles: Vec<Option<f64>> =
            [0.5, 0.9].iter().map(|&q| a.engagement.engaged_time_ms.quantile(q)).collect();
        let top = |list: &TopK| -> Vec<(String, u64, u64)> {
            let mut entries: Vec<_> = list
                .top(usize::MAX)
                .into_iter()
                .map(|e| (e.key, e.count, e.value_sum as u64))
                .collect();
            entries.sort();
            entries
        };
        format!(
            "{visitors} {} {} {} {} {} {} {} {quantiles:?} {:?} {:?} {:?} {:?} {:?}",
            a.engagement.views,
            a.engagement.entries,
            a.engagement.leaves,
            a.engagement.exits,
            a.engagement.bounces,
            a.engagement.engaged_visits,
            a.engagement.rage_clicks,
            top(&a.referrers),
            top(&a.previous_pages),
            top(&a.next_pages),
            top(&a.goals),
            a.devices,
        )
    }

    proptest! {
        #[test]
        fn merge_is_commutative(a in proptest::collection::vec(op(), 0..60), b in proptest::collection::vec(op(), 0..60)) {
            let (ab, ba) = both_orders(&build(&a), &build(&b), |day, other| day.merge(other));
            prop_assert_eq!(observe(&ab), observe(&ba));
        }

        #[test]
        fn merge_is_associative(
            a in proptest::collection::vec(op(), 0..40),
            b in proptest::collection::vec(op(), 0..40),
            c in proptest::collection::vec(op(), 0..40),
        ) {
            let (left, right) =
                both_groupings(&build(&a), &build(&b), &build(&c), |day, other| day.merge(other));
            prop_assert_eq!(observe(&left), observe(&right));
        }

        #[test]
        fn an_update_counts_as_if_only_the_new_leave_had_been_counted(
            before in proptest::collection::vec(op(), 0..60),
            first in leave_op(),
            after in proptest::collection::vec(op(), 0..60),
            update in leave_op(),
        ) {
            let (Some(replaced), Some(leave)) = (first.leave(), update.leave()) else {
                return Ok(());
            };
            // An update is of the same view: whether it was an entry does not change.
            let leave = Leave { entry: replaced.entry, ..leave };
            let mut updated = build(&before);
            updated.record_leave(&replaced, on_desktop(&replaced));
            after.iter().for_each(|op| apply(&mut updated, op));
            updated.update_leave(&replaced, &leave, on_desktop(&leave));

            let mut counted_once = build(&before);
            after.iter().for_each(|op| apply(&mut counted_once, op));
            counted_once.record_leave(&leave, on_desktop(&leave));
            // The distributions' buckets agree; their extremes within α (see
            // `QuantileSketch::remove`), so each is compared on its own.
            let (ours, theirs) = (
                &updated.activity().engagement.engaged_time_ms,
                &counted_once.activity().engagement.engaged_time_ms,
            );
            prop_assert_eq!(ours.count(), theirs.count());
            for q in [0.0, 0.5, 0.9, 1.0] {
                let (a, b) = (ours.quantile(q).unwrap_or(0.0), theirs.quantile(q).unwrap_or(0.0));
                prop_assert!((a - b).abs() <= 0.021 * b.max(1.0), "p{}: {} vs {}", q, a, b);
            }
            updated.0.activity.engagement.engaged_time_ms = theirs.clone();
            prop_assert_eq!(observe(&updated), observe(&counted_once));
        }

        #[test]
        fn merging_days_equals_counting_them_together(a in proptest::collection::vec(op(), 0..60), b in proptest::collection::vec(op(), 0..60)) {
            let mut merged = build(&a);
            merged.merge(&build(&b));
            let together = build(&[a, b].concat());
            prop_assert_eq!(observe(&merged), observe(&together));
        }
    }
}
