//! Segments: the engagement figures of a page or site, kept again for each value of a few
//! low-cardinality dimensions, so that every figure can be read for one segment ("mobile
//! visitors", "visits from social networks").
//!
//! | dimension | values                                                                  |
//! |-----------|-------------------------------------------------------------------------|
//! | `device`  | `mobile`, `tablet`, `desktop`                                           |
//! | `channel` | the entry's [`ChannelGroup`]; `none` for a view inside a visit          |
//! | `visitor` | `new`, `returning` (an entry under journey consent); `unknown` otherwise |
//! | `country` | the visitor's country (ISO 3166-1 alpha-2); `unknown` when not known     |
//!
//! Every page view, leave and its figures count in exactly one value of each dimension, so the
//! sum over a dimension's values is the whole (a property test holds that for every counter).
//! A segment keeps an [`Engagement`] and a visitor sketch, not the lists and breakdowns
//! (referrers, next pages, goals...), which would multiply a record's size by the segments'
//! count. A segment value takes room in a record only when traffic came in it.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::engagement::{Engagement, LeaveFigures};
use crate::{VisitorHash, VisitorSketch};
use tacit_beacon::agent::DeviceClass;
use tacit_beacon::channel::ChannelGroup;
use tacit_beacon::funnel::VisitEntry;
use tacit_beacon::signal::{CountryCode, Entry, Leave, View};
use tacit_beacon::GoalContext;

/// Whether an entry's visitor came before, as far as the snippet may tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum VisitorKind {
    /// An entry under journey consent with no earlier visit marked.
    New,
    /// An entry under journey consent of a visitor who came before.
    Returning,
    /// No journey consent, or a view inside a visit.
    Unknown,
}

impl VisitorKind {
    /// Every kind, in order.
    pub const ALL: [VisitorKind; 3] =
        [VisitorKind::New, VisitorKind::Returning, VisitorKind::Unknown];

    fn of(entry: Entry) -> VisitorKind {
        match entry {
            Entry::FirstVisit => VisitorKind::New,
            Entry::Returning => VisitorKind::Returning,
            Entry::NotEntry | Entry::Entry => VisitorKind::Unknown,
        }
    }

    /// The kind's name in `?segment=`.
    pub const fn as_str(self) -> &'static str {
        match self {
            VisitorKind::New => "new",
            VisitorKind::Returning => "returning",
            VisitorKind::Unknown => "unknown",
        }
    }
}

/// One value of one dimension: a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Segment {
    /// Views on one class of device.
    Device(DeviceClass),
    /// Views of entries of one channel group; `None`: views inside a visit.
    Channel(Option<ChannelGroup>),
    /// Views by one kind of visitor.
    Visitor(VisitorKind),
    /// Views from one country; `None`: the country is not known.
    Country(Option<CountryCode>),
}

/// Why a `?segment=` value names no segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentError(String);

impl fmt::Display for SegmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SegmentError {}

const NONE: &str = "none";
const UNKNOWN: &str = "unknown";

impl Segment {
    /// The segment named `dimension:value`, as in `?segment=device:mobile`.
    pub fn parse(name: &str) -> Result<Segment, SegmentError> {
        let unknown_value = |dimension: &str, values: &str| {
            SegmentError(format!("unknown {dimension} segment: expected one of {values}"))
        };
        let (dimension, value) = name.split_once(':').ok_or_else(|| {
            SegmentError("a segment is dimension:value, such as device:mobile".into())
        })?;
        match dimension {
            "device" => DeviceClass::ALL
                .iter()
                .find(|device| device.as_str() == value)
                .map(|device| Segment::Device(*device))
                .ok_or_else(|| unknown_value("device", "mobile, tablet, desktop")),
            "channel" if value == NONE => Ok(Segment::Channel(None)),
            "channel" => ChannelGroup::parse(value).map(|group| Segment::Channel(Some(group))).ok_or_else(
                || {
                    unknown_value(
                        "channel",
                        "direct, organic_search, paid_search, social, email, referral, campaign, none",
                    )
                },
            ),
            "visitor" => VisitorKind::ALL
                .into_iter()
                .find(|kind| kind.as_str() == value)
                .map(Segment::Visitor)
                .ok_or_else(|| unknown_value("visitor", "new, returning, unknown")),
            "country" if value == UNKNOWN => Ok(Segment::Country(None)),
            "country" => CountryCode::parse(value)
                .filter(|_| value.bytes().all(|b| b.is_ascii_uppercase()))
                .map(|code| Segment::Country(Some(code)))
                .ok_or_else(|| unknown_value("country", "a country code such as DE, or unknown")),
            _ => Err(SegmentError("unknown dimension: expected device, channel, visitor or country".into())),
        }
    }

    /// Whether the segment is a value the segments tell apart, not what they cannot: views
    /// inside a visit (no channel group), visitors of unknown kind, an unknown country.
    pub const fn is_told_apart(self) -> bool {
        !matches!(
            self,
            Segment::Channel(None)
                | Segment::Visitor(VisitorKind::Unknown)
                | Segment::Country(None)
        )
    }

    /// The segment's dimension, as in `?segment=`.
    pub const fn dimension(self) -> &'static str {
        match self {
            Segment::Device(_) => "device",
            Segment::Channel(_) => "channel",
            Segment::Visitor(_) => "visitor",
            Segment::Country(_) => "country",
        }
    }

    /// The segment's name for people: "Mobile", "Organic search", "Returning visitors", "DE".
    pub fn label(self) -> String {
        match self {
            Segment::Device(DeviceClass::Mobile) => "Mobile".to_owned(),
            Segment::Device(DeviceClass::Tablet) => "Tablet".to_owned(),
            Segment::Device(DeviceClass::Desktop) => "Desktop".to_owned(),
            Segment::Channel(Some(group)) => group.label().to_owned(),
            Segment::Channel(None) => "Inside a visit".to_owned(),
            Segment::Visitor(VisitorKind::New) => "New visitors".to_owned(),
            Segment::Visitor(VisitorKind::Returning) => "Returning visitors".to_owned(),
            Segment::Visitor(VisitorKind::Unknown) => {
                "Visitors not known as new or returning".to_owned()
            }
            Segment::Country(Some(code)) => code.as_str().to_owned(),
            Segment::Country(None) => "Country not known".to_owned(),
        }
    }

    /// The segment's value, as in `?segment=`.
    pub fn value(self) -> String {
        match self {
            Segment::Device(device) => device.as_str().to_owned(),
            Segment::Channel(group) => group.map_or(NONE, ChannelGroup::as_str).to_owned(),
            Segment::Visitor(kind) => kind.as_str().to_owned(),
            Segment::Country(code) => {
                code.map_or(UNKNOWN.to_owned(), |code| code.as_str().to_owned())
            }
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.dimension(), self.value())
    }
}

/// The segments one page view counts in, one of each dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentKey {
    /// The device class.
    pub device: DeviceClass,
    /// The entry's channel group; `None` inside a visit.
    pub channel: Option<ChannelGroup>,
    /// The kind of visitor.
    pub visitor: VisitorKind,
    /// The country.
    pub country: Option<CountryCode>,
}

impl SegmentKey {
    /// The segments of a view.
    pub fn of_view(view: &View) -> SegmentKey {
        SegmentKey {
            device: view.device,
            channel: view.channel_group(),
            visitor: VisitorKind::of(view.entry),
            country: view.country,
        }
    }

    /// The segments of a leave: its view's, as the leave repeats them, with the device class
    /// and country of its request where the leave has none (see [`Leave::viewport`]).
    pub fn of_leave(
        leave: &Leave,
        device: DeviceClass,
        country: Option<CountryCode>,
    ) -> SegmentKey {
        SegmentKey {
            device: leave.viewport.unwrap_or(device),
            channel: leave.channel_group(),
            visitor: VisitorKind::of(leave.entry),
            country,
        }
    }

    /// The segments of a visit that reached a funnel step: its entry's (see
    /// [`VisitEntry`]), with the device class and country of its request where it has none.
    pub fn of_funnel(
        entry: &VisitEntry,
        device: DeviceClass,
        country: Option<CountryCode>,
    ) -> SegmentKey {
        SegmentKey {
            device: entry.viewport.unwrap_or(device),
            channel: Some(entry.channel_group()),
            visitor: VisitorKind::of(Entry::of(false, entry.returning)),
            country,
        }
    }

    /// The segments of a goal: its page view's device class and country, and its visit's entry
    /// where the tab knew it (else `channel:none` and an unknown kind of visitor).
    pub fn of_goal(
        context: &GoalContext,
        device: DeviceClass,
        country: Option<CountryCode>,
    ) -> SegmentKey {
        let entry = context.entry.as_ref();
        SegmentKey {
            device: context.viewport.unwrap_or(device),
            channel: entry.map(VisitEntry::channel_group),
            visitor: VisitorKind::of(Entry::of(entry.is_none(), entry.and_then(|e| e.returning))),
            country,
        }
    }

    pub(crate) fn segments(self) -> [Segment; 4] {
        [
            Segment::Device(self.device),
            Segment::Channel(self.channel),
            Segment::Visitor(self.visitor),
            Segment::Country(self.country),
        ]
    }
}

/// One segment's visitors and engagement.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SegmentTraffic {
    /// The segment's visitors, at a page's precision.
    pub visitors: VisitorSketch,
    /// What the segment's views and visits did.
    pub engagement: Engagement,
}

impl Default for SegmentTraffic {
    fn default() -> SegmentTraffic {
        SegmentTraffic { visitors: VisitorSketch::for_page(), engagement: Engagement::default() }
    }
}

/// The segments of a record; one with no traffic is absent.
///
/// Device classes, channel groups and kinds of visitor are few: each has a slot of its own, found
/// without a search, as the four segments of every view and leave are. Countries are open-ended
/// and kept by code. Stored, the segments are a map in [`Segment`] order, as a `BTreeMap` is.
#[derive(Clone, Debug, Default)]
pub struct Segments {
    /// The traffic of [`FIXED`]`[i]` in slot `i`.
    fixed: [Option<Box<SegmentTraffic>>; FIXED.len()],
    /// Boxed: a map's node holds eleven values, so one country's traffic held in place took
    /// about ten times its size (half of a one-view page record's memory, decoded).
    countries: BTreeMap<Option<CountryCode>, Box<SegmentTraffic>>,
}

/// Every segment but the countries, in [`Segment`] order: the segments with a slot.
const FIXED: [Segment; 14] = [
    Segment::Device(DeviceClass::Mobile),
    Segment::Device(DeviceClass::Tablet),
    Segment::Device(DeviceClass::Desktop),
    Segment::Channel(None),
    Segment::Channel(Some(ChannelGroup::Direct)),
    Segment::Channel(Some(ChannelGroup::OrganicSearch)),
    Segment::Channel(Some(ChannelGroup::PaidSearch)),
    Segment::Channel(Some(ChannelGroup::Social)),
    Segment::Channel(Some(ChannelGroup::Email)),
    Segment::Channel(Some(ChannelGroup::Referral)),
    Segment::Channel(Some(ChannelGroup::Campaign)),
    Segment::Visitor(VisitorKind::New),
    Segment::Visitor(VisitorKind::Returning),
    Segment::Visitor(VisitorKind::Unknown),
];

/// Where a segment's traffic is kept.
enum Place {
    /// The slot of [`FIXED`]`[i]`.
    Slot(usize),
    /// A country's entry.
    Country(Option<CountryCode>),
}

impl Segment {
    /// Where the segment's traffic is kept. The enums' declaration order is their order, so a
    /// value's discriminant is its place among its dimension's values in [`FIXED`].
    fn place(self) -> Place {
        const FIRST_CHANNEL: usize = DeviceClass::ALL.len();
        const FIRST_VISITOR: usize = FIRST_CHANNEL + 1 + ChannelGroup::ALL.len();
        match self {
            Segment::Device(device) => Place::Slot(device as usize),
            Segment::Channel(None) => Place::Slot(FIRST_CHANNEL),
            Segment::Channel(Some(group)) => Place::Slot(FIRST_CHANNEL + 1 + group as usize),
            Segment::Visitor(kind) => Place::Slot(FIRST_VISITOR + kind as usize),
            Segment::Country(code) => Place::Country(code),
        }
    }
}

impl Segments {
    fn each(&mut self, key: SegmentKey, mut count: impl FnMut(&mut SegmentTraffic)) {
        for segment in key.segments() {
            count(self.traffic_mut(segment));
        }
    }

    /// The traffic of `segment`, to count into.
    fn traffic_mut(&mut self, segment: Segment) -> &mut SegmentTraffic {
        match segment.place() {
            Place::Slot(slot) => self.fixed[slot].get_or_insert_with(Box::default),
            Place::Country(code) => self.countries.entry(code).or_default(),
        }
    }

    pub(crate) fn record_view(&mut self, visitor: VisitorHash, view: &View) {
        self.each(SegmentKey::of_view(view), |traffic| {
            traffic.visitors.insert(visitor);
            traffic.engagement.record_view(view.entry);
        });
    }

    pub(crate) fn record_leave(&mut self, leave: &LeaveFigures, key: SegmentKey) {
        self.each(key, |traffic| traffic.engagement.record_leave(leave));
    }

    pub(crate) fn retract_leave(&mut self, leave: &LeaveFigures, key: SegmentKey) {
        self.each(key, |traffic| traffic.engagement.retract_leave(leave));
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &Segments) {
        for (segment, theirs) in other.iter() {
            let mine = self.traffic_mut(segment);
            mine.visitors.merge(&theirs.visitors);
            mine.engagement.merge(&theirs.engagement);
        }
    }

    /// Adds what `other` counted in `segment` alone.
    pub fn merge_one(&mut self, other: &Segments, segment: Segment) {
        if let Some(theirs) = other.get(segment) {
            let mine = self.traffic_mut(segment);
            mine.visitors.merge(&theirs.visitors);
            mine.engagement.merge(&theirs.engagement);
        }
    }

    /// The traffic of `segment`; `None` when none came in it.
    pub fn get(&self, segment: Segment) -> Option<&SegmentTraffic> {
        match segment.place() {
            Place::Slot(slot) => self.fixed[slot].as_deref(),
            Place::Country(code) => self.countries.get(&code).map(Box::as_ref),
        }
    }

    /// Drops every segment but `kept` (every one when `kept` is `None`).
    pub fn keep_only(&mut self, kept: Option<Segment>) {
        for (segment, traffic) in FIXED.iter().zip(&mut self.fixed) {
            if Some(*segment) != kept {
                *traffic = None;
            }
        }
        self.countries.retain(|code, _| Some(Segment::Country(*code)) == kept);
    }

    /// Every segment with traffic, in order (device, channel, visitor, country).
    pub fn iter(&self) -> impl Iterator<Item = (Segment, &SegmentTraffic)> {
        let fixed = FIXED.iter().zip(&self.fixed);
        let fixed = fixed.filter_map(|(segment, traffic)| Some((*segment, traffic.as_deref()?)));
        let countries = self.countries.iter();
        fixed.chain(countries.map(|(code, traffic)| (Segment::Country(*code), traffic.as_ref())))
    }
}

impl Serialize for Segments {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // postcard writes a map's length first: it needs the count before the entries.
        let mut map = serializer.serialize_map(Some(self.iter().count()))?;
        for (segment, traffic) in self.iter() {
            map.serialize_entry(&segment, traffic)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Segments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Segments, D::Error> {
        struct SegmentsVisitor;

        impl<'de> Visitor<'de> for SegmentsVisitor {
            type Value = Segments;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of segments to their traffic")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Segments, A::Error> {
                let mut segments = Segments::default();
                while let Some((segment, traffic)) = map.next_entry::<Segment, SegmentTraffic>()? {
                    *segments.traffic_mut(segment) = traffic;
                }
                Ok(segments)
            }
        }

        deserializer.deserialize_map(SegmentsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::DayRecord;
    use crate::PageDay;
    use proptest::prelude::*;
    use tacit_beacon::scrub::Utm;

    const REFERRERS: [Option<&str>; 4] =
        [None, Some("www.google.com"), Some("t.co"), Some("blog.example.org")];
    const MEDIUMS: [Option<&str>; 3] = [None, Some("cpc"), Some("email")];
    const COUNTRIES: [Option<&str>; 3] = [None, Some("DE"), Some("BR")];

    /// A view or a leave of a synthetic stream, each attribute from a small set.
    #[derive(Debug, Clone)]
    struct Signal {
        visitor: u64,
        leave: bool,
        /// 0: inside a visit; 1: an entry of unknown kind; 2: a first visit; 3: returning.
        entry: u8,
        referrer: usize,
        medium: usize,
        device: usize,
        country: usize,
        continued: bool,
        engaged_ms: u32,
        rage_clicks: u8,
        lcp_ms: Option<u32>,
    }

    fn signal() -> impl Strategy<Value = Signal> {
        (
            (any::<u64>(), any::<bool>(), 0..4u8, 0..4usize, 0..3usize, 0..3usize, 0..3usize),
            (any::<bool>(), 0..60_000u32, 0..3u8, proptest::option::of(100..6_000u32)),
        )
            .prop_map(
                |(
                    (visitor, leave, entry, referrer, medium, device, country),
                    (continued, engaged_ms, rage_clicks, lcp_ms),
                )| Signal {
                    visitor,
                    leave,
                    entry,
                    referrer,
                    medium,
                    device,
                    country,
                    continued,
                    engaged_ms,
                    rage_clicks,
                    lcp_ms,
                },
            )
    }

    impl Signal {
        fn entry(&self) -> Entry {
            [Entry::NotEntry, Entry::Entry, Entry::FirstVisit, Entry::Returning]
                [usize::from(self.entry)]
        }

        fn apply(&self, record: &mut PageDay) {
            let entry = self.entry();
            let referrer = REFERRERS[self.referrer].filter(|_| entry.is_entry()).map(String::from);
            let utm = Utm {
                medium: MEDIUMS[self.medium].filter(|_| entry.is_entry()).map(String::from),
                ..Utm::default()
            };
            let device = DeviceClass::ALL[self.device];
            let country = COUNTRIES[self.country].and_then(CountryCode::parse);
            if self.leave {
                let leave = Leave {
                    entry,
                    referrer,
                    utm,
                    next: self.continued.then(|| "/next".to_owned()),
                    engaged_ms: self.engaged_ms,
                    rage_clicks: u32::from(self.rage_clicks),
                    lcp_ms: self.lcp_ms,
                    ..Leave::default()
                };
                record.record_leave(&leave, SegmentKey::of_leave(&leave, device, country));
            } else {
                let view = View { entry, referrer, utm, device, country, ..View::sample() };
                record.record_view(VisitorHash::from_u64(self.visitor), &view);
            }
        }
    }

    /// Every counter and every distribution's count of `engagement`, in comparable form.
    fn counters(engagement: &Engagement) -> [u64; 18] {
        let e = engagement;
        [
            e.views,
            e.entries,
            e.leaves,
            e.exits,
            e.bounces,
            e.engaged_visits,
            e.interactions,
            e.rage_clicks,
            e.dead_clicks,
            e.quick_backs,
            e.frustrated_views,
            e.engaged_time_ms.count(),
            e.scroll_depth_pct.count(),
            e.lcp_ms.count(),
            e.inp_ms.count(),
            e.cls_milli.count(),
            e.known_visits.first,
            e.known_visits.returning,
        ]
    }

    proptest! {
        #[test]
        fn the_segments_of_a_dimension_add_up_to_the_whole(
            signals in proptest::collection::vec(signal(), 0..120),
        ) {
            let mut record = PageDay::default();
            signals.iter().for_each(|signal| signal.apply(&mut record));
            let whole = counters(&record.activity().engagement);
            for dimension in ["device", "channel", "visitor", "country"] {
                let mut sum = [0u64; 18];
                let mut visitors = VisitorSketch::for_page();
                for (_, traffic) in record.segments().iter().filter(|(s, _)| s.dimension() == dimension) {
                    for (total, count) in sum.iter_mut().zip(counters(&traffic.engagement)) {
                        *total += count;
                    }
                    visitors.merge(&traffic.visitors);
                }
                prop_assert_eq!(sum, whole, "{}", dimension);
                // Each view's visitor is in one value of the dimension: the union is the whole.
                prop_assert_eq!(visitors.estimate(), record.unique_visitors(), "{}", dimension);
            }
        }

        #[test]
        fn a_segment_merges_as_the_whole_does(
            a in proptest::collection::vec(signal(), 0..60),
            b in proptest::collection::vec(signal(), 0..60),
        ) {
            let (mut first, mut second, mut together) =
                (PageDay::default(), PageDay::default(), PageDay::default());
            a.iter().for_each(|signal| signal.apply(&mut first));
            b.iter().for_each(|signal| signal.apply(&mut second));
            a.iter().chain(&b).for_each(|signal| signal.apply(&mut together));
            first.merge(&second);
            for (segment, traffic) in together.segments().iter() {
                let merged = first.of_segment(segment);
                prop_assert_eq!(counters(&merged.activity().engagement), counters(&traffic.engagement));
            }
        }
    }

    #[test]
    fn a_leave_counts_in_its_views_channel_group_and_the_requests_country() {
        let leave = Leave {
            entry: Entry::Returning,
            utm: Utm {
                source: Some("google".into()),
                medium: Some("cpc".into()),
                campaign: None,
                ..Utm::default()
            },
            viewport: Some(DeviceClass::Tablet),
            ..Leave::default()
        };
        let key = SegmentKey::of_leave(&leave, DeviceClass::Desktop, CountryCode::parse("FR"));
        assert_eq!(
            key.segments(),
            [
                Segment::Device(DeviceClass::Tablet),
                Segment::Channel(Some(ChannelGroup::PaidSearch)),
                Segment::Visitor(VisitorKind::Returning),
                Segment::Country(CountryCode::parse("FR")),
            ]
        );
        let inside = Leave { entry: Entry::NotEntry, ..Leave::default() };
        let key = SegmentKey::of_leave(&inside, DeviceClass::Mobile, None);
        assert_eq!((key.channel, key.visitor), (None, VisitorKind::Unknown));
    }

    #[test]
    fn the_fixed_segments_are_in_order_each_in_its_own_slot() {
        assert!(FIXED.windows(2).all(|pair| pair[0] < pair[1]));
        for (i, segment) in FIXED.into_iter().enumerate() {
            assert!(matches!(segment.place(), Place::Slot(slot) if slot == i), "{segment}");
        }
        let segments =
            DeviceClass::ALL.len() + 1 + ChannelGroup::ALL.len() + VisitorKind::ALL.len();
        assert_eq!(FIXED.len(), segments);
    }

    #[test]
    fn segments_are_stored_as_a_map_in_segment_order() {
        let mut record = PageDay::default();
        for (device, country) in [(DeviceClass::Desktop, "DE"), (DeviceClass::Mobile, "BR")] {
            let view = View { device, country: CountryCode::parse(country), ..View::sample() };
            record.record_view(VisitorHash::from_u64(1), &view);
        }
        let segments = record.segments();
        let as_map: BTreeMap<Segment, &SegmentTraffic> = segments.iter().collect();
        let bytes = postcard::to_allocvec(segments).unwrap();
        assert_eq!(bytes, postcard::to_allocvec(&as_map).unwrap());
        let decoded: Segments = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(postcard::to_allocvec(&decoded).unwrap(), bytes);
        assert_eq!(
            decoded.iter().map(|(segment, _)| segment).collect::<Vec<_>>(),
            as_map.into_keys().collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_segment_parses_from_its_name_and_back() {
        for name in [
            "device:mobile",
            "channel:organic_search",
            "channel:none",
            "visitor:returning",
            "country:DE",
            "country:unknown",
        ] {
            let segment = Segment::parse(name).unwrap();
            assert_eq!(segment.to_string(), name);
        }
    }

    #[test]
    fn a_hostile_or_mistyped_segment_is_refused_with_what_is_expected() {
        for name in [
            "",
            "device",
            "device:phone",
            "channel:Social",
            "country:de",
            "country:XX",
            "country:<script>",
            "os:linux",
            "device:mobile:extra",
        ] {
            let error = Segment::parse(name).unwrap_err().to_string();
            assert!(
                !error.contains('<') && error.contains("expected") || error.contains("dimension"),
                "{name}: {error}"
            );
        }
    }
}
