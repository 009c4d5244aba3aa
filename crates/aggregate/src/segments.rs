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

use serde::{Deserialize, Serialize};

use crate::engagement::Engagement;
use crate::{VisitorHash, VisitorSketch};
use tacit_beacon::agent::DeviceClass;
use tacit_beacon::channel::ChannelGroup;
use tacit_beacon::signal::{CountryCode, Entry, Leave, View};

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

    fn segments(self) -> [Segment; 4] {
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

/// The segments of a record, by segment; one with no traffic is absent.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Segments(BTreeMap<Segment, SegmentTraffic>);

impl Segments {
    fn each(&mut self, key: SegmentKey, mut count: impl FnMut(&mut SegmentTraffic)) {
        for segment in key.segments() {
            count(self.0.entry(segment).or_default());
        }
    }

    pub(crate) fn record_view(&mut self, visitor: VisitorHash, view: &View) {
        self.each(SegmentKey::of_view(view), |traffic| {
            traffic.visitors.insert(visitor);
            traffic.engagement.record_view(view.entry);
        });
    }

    pub(crate) fn record_leave(&mut self, leave: &Leave, key: SegmentKey) {
        self.each(key, |traffic| traffic.engagement.record_leave(leave));
    }

    pub(crate) fn retract_leave(&mut self, leave: &Leave, key: SegmentKey) {
        self.each(key, |traffic| traffic.engagement.retract_leave(leave));
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &Segments) {
        for (segment, theirs) in &other.0 {
            let mine = self.0.entry(*segment).or_default();
            mine.visitors.merge(&theirs.visitors);
            mine.engagement.merge(&theirs.engagement);
        }
    }

    /// The traffic of `segment`; `None` when none came in it.
    pub fn get(&self, segment: Segment) -> Option<&SegmentTraffic> {
        self.0.get(&segment)
    }

    /// Drops every segment but `kept` (every one when `kept` is `None`).
    pub fn keep_only(&mut self, kept: Option<Segment>) {
        self.0.retain(|segment, _| Some(*segment) == kept);
    }

    /// Every segment with traffic, in order (device, channel, visitor, country).
    pub fn iter(&self) -> impl Iterator<Item = (Segment, &SegmentTraffic)> {
        self.0.iter().map(|(segment, traffic)| (*segment, traffic))
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
            utm: Utm { source: Some("google".into()), medium: Some("cpc".into()), campaign: None },
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
