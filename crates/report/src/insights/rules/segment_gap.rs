//! [`Rule::SegmentGap`]: one segment of a landing page's visits (mobile, a channel group, new
//! visitors, a country) bounces far more, or far less, than the rest of its dimension.

use super::{percent, PageContext};
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{
    visitors_lower_bound, Counts, Evidence, Finding, InsightCard, Rule, MIN_DIFFERENCE, MIN_LEVEL,
    MIN_VISITORS, MIN_VISITS,
};
use tacit_aggregate::engagement::Engagement;
use tacit_aggregate::segments::{Segment, SegmentTraffic, VisitorKind};
use tacit_aggregate::DayRecord;
use tacit_beacon::agent::DeviceClass;

/// How many times the rest's bounce rate a segment's must be to bounce "far more" (or the
/// rest's, the segment's, to bounce "far less"): ten points apart alone is ordinary between
/// bounce rates of 60 % and 70 %.
pub const MIN_SEGMENT_RATIO: f64 = 1.5;

/// Whether the segments of a page with this `engagement` can be tested at all: a test needs
/// [`MIN_VISITS`] ended visits in a segment and as many in the rest of its dimension, and a
/// dimension's segments hold the page's ended visits between them, each in one. A read of the
/// whole site decodes the segments of these pages alone ([`crate::stored_range`]): the others'
/// are never tested, nor counted by the control of false discoveries.
pub fn page_segments_testable(engagement: &Engagement) -> bool {
    engagement.bounces + engagement.engaged_visits >= 2 * MIN_VISITS
}

/// The dimensions, each tested on its own.
const DIMENSIONS: [&str; 4] = ["device", "channel", "visitor", "country"];

/// For each dimension, the segment of the page's visits whose bounce rate is far from the rest
/// of its dimension's (the page's other visits with a known value of it): [`MIN_SEGMENT_RATIO`]
/// times it or more (or a [`MIN_SEGMENT_RATIO`]th or less) and at least [`MIN_DIFFERENCE`] away,
/// at [`MIN_LEVEL`]. Of several, the one that bounces more with the smallest p-value: a segment
/// far worse than the rest makes the others look better against a rest that holds it, and is
/// the one to act on; one that bounces far less only when none bounces far more. The values the
/// segments cannot tell apart (see [`Segment::is_told_apart`]) are neither tested nor in the
/// rest.
///
/// Minimum: [`MIN_VISITS`] ended visits in the segment and in the rest; [`MIN_VISITORS`]
/// visitors (lower bound, at least k) in the segment, which the card names, and in the rest
/// when it is a single value, which the card names too: the other value of a dimension of two.
/// There the two segments' tests are one test, counted once, about the one that bounces more.
pub(super) fn segment_gap(c: &PageContext) -> Vec<InsightCard> {
    if !page_segments_testable(&c.page.activity().engagement) {
        return Vec::new();
    }
    DIMENSIONS.into_iter().filter_map(|dimension| dimension_gap(c, dimension)).collect()
}

fn dimension_gap(c: &PageContext, dimension: &str) -> Option<InsightCard> {
    let groups: Vec<Group> = c
        .page
        .record
        .segments()
        .iter()
        .filter(|(segment, _)| segment.dimension() == dimension && segment.is_told_apart())
        .map(|(segment, traffic)| Group::of(segment, traffic))
        .collect();
    let all = groups.iter().fold(Counts { count: 0, of: 0 }, |sum, group| Counts {
        count: sum.count + group.bounces.count,
        of: sum.of + group.bounces.of,
    });
    let tested: Vec<usize> = if groups.len() == 2 {
        let rate = |i: usize| groups[i].bounces.share().unwrap_or(0.0);
        vec![usize::from(rate(1) > rate(0))]
    } else {
        (0..groups.len()).collect()
    };
    tested
        .into_iter()
        .filter_map(|i| {
            let group = &groups[i];
            let rest =
                Counts { count: all.count - group.bounces.count, of: all.of - group.bounces.of };
            let named_rest = (groups.len() == 2).then(|| groups[1 - i].visitors);
            gap_card(c, group, rest, named_rest)
        })
        .min_by(|a, b| {
            let better = |card: &InsightCard| card.confidence.statistic < 0.0;
            better(a).cmp(&better(b)).then(a.confidence.p_value.total_cmp(&b.confidence.p_value))
        })
}

/// One segment's bounces of its ended visits, and its visitors.
struct Group {
    segment: Segment,
    bounces: Counts,
    visitors: u64,
}

impl Group {
    fn of(segment: Segment, traffic: &SegmentTraffic) -> Group {
        let e = &traffic.engagement;
        Group {
            segment,
            bounces: Counts { count: e.bounces, of: e.bounces + e.engaged_visits },
            visitors: traffic.visitors.clone().estimate(),
        }
    }
}

/// The card of `group` against `rest`, the bounces of the rest of its dimension (seen by
/// `named_rest` visitors when the rest is a single value), if the gap is far.
fn gap_card(
    c: &PageContext,
    group: &Group,
    rest: Counts,
    named_rest: Option<u64>,
) -> Option<InsightCard> {
    let enough_visitors =
        |visitors| visitors_lower_bound(visitors) >= MIN_VISITORS.max(c.options.k);
    if group.bounces.of < MIN_VISITS
        || rest.of < MIN_VISITS
        || !enough_visitors(group.visitors)
        || !named_rest.is_none_or(enough_visitors)
    {
        return None;
    }
    c.tests.run();
    let (segment, counts) = (group.segment, group.bounces);
    let z = two_proportion_z(counts.count, counts.of, rest.count, rest.of)?;
    let confidence = Confidence::of(Test::TwoProportionZ, z)?;
    let (rate, rest_rate) = (counts.share()?, rest.share()?);
    let (high, low) = if z > 0.0 { (rate, rest_rate) } else { (rest_rate, rate) };
    if confidence.level < MIN_LEVEL || high - low < MIN_DIFFERENCE || high < low * MIN_SEGMENT_RATIO
    {
        return None;
    }
    let path = &c.page.path;
    let who = who(segment);
    let others = others(segment);
    let how = if z > 0.0 && rest_rate > 0.0 {
        format!("{} as often as", times(rate / rest_rate))
    } else if z > 0.0 {
        // No ratio of a rest that never bounces.
        "far more often than".to_owned()
    } else {
        "far less often than".to_owned()
    };
    let statement = format!(
        "{who} bounce from {path} {how} {others}: {} of their visits against {}.",
        percent(rate),
        percent(rest_rate),
    );
    let page = &c.page.activity().engagement;
    let evidence = vec![
        Evidence::share(&format!("bounce rate of {}", lower_first(&who)), counts)
            .against_share(rest, &others),
        Evidence::share(
            &format!("{}' share of the page's ended visits", lower_first(&who)),
            Counts { count: counts.of, of: page.bounces + page.engaged_visits },
        ),
    ];
    let action = if z > 0.0 {
        worse_action(segment, path)
    } else {
        format!(
            "Find what {} get from {path} that others do not, and bring more of them to it: the \
             page keeps them far better.",
            lower_first(&who)
        )
    };
    let finding = Finding { statement, evidence, confidence, action, effect_size: high - low };
    let card =
        InsightCard::new(Rule::SegmentGap, Some(path.clone()), c.range, group.visitors, finding);
    Some(InsightCard { view: card.view.of_segment(segment), ..card })
}

/// Who a segment's visits are, to start a sentence: "Mobile visitors", "Organic search visits".
pub(super) fn who(segment: Segment) -> String {
    match segment {
        Segment::Device(_) => format!("{} visitors", segment.label()),
        Segment::Visitor(_) => segment.label(),
        Segment::Channel(_) => format!("{} visits", segment.label()),
        Segment::Country(_) => format!("Visitors from {}", segment.label()),
    }
}

/// `text` with its first letter in lower case, for the middle of a sentence.
pub(super) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_lowercase().chain(chars).collect())
}

/// The rest of a segment's dimension, as the baseline of its card.
pub(super) fn others(segment: Segment) -> String {
    match segment {
        Segment::Device(_) => "visitors on other devices".to_owned(),
        Segment::Channel(_) => "visits from other channels".to_owned(),
        Segment::Visitor(VisitorKind::New) => "returning visitors".to_owned(),
        Segment::Visitor(_) => "new visitors".to_owned(),
        Segment::Country(_) => "visitors from other countries".to_owned(),
    }
}

/// "twice", "2.5 times".
fn times(ratio: f64) -> String {
    let rounded = (ratio * 10.0).round() / 10.0;
    if rounded == 2.0 {
        "twice".to_owned()
    } else {
        format!("{rounded:.1} times")
    }
}

/// A device of the class, as an action names it: "a phone".
pub(super) fn a_device(device: DeviceClass) -> &'static str {
    match device {
        DeviceClass::Mobile => "a phone",
        DeviceClass::Tablet => "a tablet",
        DeviceClass::Desktop => "a desktop computer",
    }
}

/// What to do about a segment that bounces far more than the rest of its dimension.
fn worse_action(segment: Segment, path: &str) -> String {
    match segment {
        Segment::Device(device) => {
            let on = a_device(device);
            format!(
                "Open {path} on {on} and go through what its visitors see first: the layout, the \
                 speed, what is above the fold and what there is to tap or click next."
            )
        }
        Segment::Channel(_) => format!(
            "Compare what {} visits are promised before they land on {path} (the link, the ad, \
             the post, the mail) with what the page shows first, and make them match.",
            segment.label().to_lowercase()
        ),
        Segment::Visitor(VisitorKind::New) => format!(
            "Make {path} explain itself to first-time visitors: what the site is, and what to do \
             next."
        ),
        Segment::Visitor(_) => format!(
            "Find what returning visitors come back to {path} for and put it first; check what \
             changed since their last visit."
        ),
        Segment::Country(_) => format!(
            "Check {path} for visitors from {}: the language, prices and currency, delivery, \
             and how fast it loads there.",
            segment.label()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::find_insights;
    use crate::insights::testing::{background, cards};
    use crate::summary::testing::{bounce, day, onward, Site};
    use crate::summary::SummaryOptions;
    use tacit_beacon::signal::{CountryCode, Entry, Leave, View};

    /// `visits` visits landing on `path` as `view`, by visitors numbered from `first` (`visitors`
    /// of them, in turn), each left as `leave` from the view's country.
    fn land(
        site: &mut Site,
        path: &str,
        view: &View,
        first: u64,
        visits: u64,
        visitors: u64,
        leave: &Leave,
    ) {
        let leave = crate::summary::testing::leave_of(view, leave);
        for v in 0..visits {
            site.view(path, first + v % visitors, view);
            site.leave_from(path, &leave, view.country);
        }
    }

    fn mobile() -> View {
        View { device: DeviceClass::Mobile, ..View::sample() }
    }

    fn segment_cards(site: &Site, k: u64) -> Vec<InsightCard> {
        let range = site.range(day("2026-11-23"));
        let mut cards = find_insights(&range, None, &SummaryOptions { k, ..Default::default() });
        cards.retain(|card| card.rule == Rule::SegmentGap);
        cards
    }

    #[test]
    fn mobile_visits_that_bounce_far_more_make_a_card_that_links_to_their_segment() {
        let mut site = background();
        land(&mut site, "/", &mobile(), 0, 90, 90, &bounce());
        land(&mut site, "/", &mobile(), 90, 60, 60, &onward("/docs"));
        let found = cards(&site, Rule::SegmentGap);
        assert_eq!(found.len(), 1, "{found:?}");
        let card = &found[0];
        assert_eq!(card.page.as_deref(), Some("/"));
        assert_eq!(
            card.statement,
            "Mobile visitors bounce from / 1.8 times as often as visitors on other devices: 60 % \
             of their visits against 33 %."
        );
        assert_eq!(card.evidence[0].counts, Some(Counts { count: 90, of: 150 }));
        assert_eq!(card.evidence[0].baseline_counts, Some(Counts { count: 100, of: 300 }));
        assert_eq!(card.evidence[1].counts, Some(Counts { count: 150, of: 450 }));
        assert!(card.confidence.p_value < 1e-5, "{:?}", card.confidence);
        assert!(card.action.contains("on a phone"), "{}", card.action);
        assert_eq!(card.visitors_affected, 150);
        assert_eq!(card.view.segment.as_deref(), Some("device:mobile"));
        assert_eq!(
            card.view.link,
            "page?path=/&from=2026-11-23&to=2026-11-23&segment=device%3Amobile"
        );
    }

    // A screenshot showed "inf times as often" against a rest that never bounced.
    #[test]
    fn against_a_rest_that_never_bounces_the_card_names_no_ratio() {
        let mut site = Site::default();
        land(&mut site, "/pricing", &mobile(), 0, 60, 60, &bounce());
        land(&mut site, "/pricing", &View::sample(), 60, 60, 60, &onward("/signup"));
        let found = segment_cards(&site, 5);
        let statements: Vec<&str> = found.iter().map(|card| card.statement.as_str()).collect();
        assert!(
            statements.contains(
                &"Mobile visitors bounce from /pricing far more often than visitors on other \
                  devices: 100 % of their visits against 0 %."
            ),
            "{statements:?}"
        );
    }

    #[test]
    fn a_segment_that_bounces_far_less_than_the_rest_of_three_is_a_card_too() {
        let mut site = background();
        let tablet = View { device: DeviceClass::Tablet, ..View::sample() };
        land(&mut site, "/", &tablet, 0, 50, 50, &bounce());
        land(&mut site, "/", &tablet, 50, 100, 100, &onward("/docs"));
        land(&mut site, "/", &mobile(), 150, 20, 20, &bounce());
        land(&mut site, "/", &mobile(), 170, 130, 130, &onward("/docs"));
        let found = cards(&site, Rule::SegmentGap);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].statement,
            "Mobile visitors bounce from / far less often than visitors on other devices: 13 % \
             of their visits against 33 %."
        );
        assert!(found[0].action.starts_with("Find what mobile visitors get from /"));
    }

    #[test]
    fn of_a_segment_far_worse_and_the_others_far_better_against_it_the_worse_is_the_card() {
        // Desktops bounce 33 %, phones 80 %, three tablets 100 %: against phones and tablets,
        // desktops bounce far less, with a smaller p-value than phones' gap; the phones' is
        // the card.
        let mut site = background();
        land(&mut site, "/", &mobile(), 0, 80, 80, &bounce());
        land(&mut site, "/", &mobile(), 80, 20, 20, &onward("/docs"));
        let tablet = View { device: DeviceClass::Tablet, ..View::sample() };
        land(&mut site, "/", &tablet, 100, 3, 3, &bounce());
        let found = cards(&site, Rule::SegmentGap);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].view.segment.as_deref(), Some("device:mobile"));
        assert!(found[0].statement.contains("2.4 times as often"), "{}", found[0].statement);
    }

    #[test]
    fn a_segment_just_under_the_minimum_visits_makes_no_card() {
        let mut site = background();
        land(&mut site, "/", &mobile(), 0, MIN_VISITS - 1, MIN_VISITS - 1, &bounce());
        assert_eq!(cards(&site, Rule::SegmentGap), vec![]);
        land(&mut site, "/", &mobile(), MIN_VISITS, 1, 1, &bounce());
        assert_eq!(cards(&site, Rule::SegmentGap).len(), 1);
    }

    #[test]
    fn a_segment_folded_under_k_makes_no_card() {
        // 150 bouncing mobile visits by 40 visitors: a card at k = 5, none at k = 50, where
        // the segment table folds the row.
        let mut site = background();
        land(&mut site, "/", &mobile(), 0, 150, 40, &bounce());
        assert_eq!(segment_cards(&site, 5).len(), 1);
        assert_eq!(segment_cards(&site, 50), vec![]);
    }

    #[test]
    fn a_card_names_no_segment_under_k_in_its_rest_or_in_a_dimension_of_two() {
        let country = |code| View { country: CountryCode::parse(code), ..View::sample() };
        let mut site = background();
        land(&mut site, "/", &country("DE"), 0, 150, 150, &bounce());
        land(&mut site, "/", &country("FR"), 150, 50, 50, &bounce());
        land(&mut site, "/", &country("FR"), 200, 100, 100, &onward("/docs"));
        // Brazil: 60 visits by 40 visitors, under k = 45.
        land(&mut site, "/", &country("BR"), 300, 60, 40, &bounce());
        let first = View { entry: Entry::FirstVisit, ..View::sample() };
        let returning = View { entry: Entry::Returning, ..View::sample() };
        land(&mut site, "/", &first, 400, 150, 150, &bounce());
        land(&mut site, "/", &returning, 550, 60, 40, &onward("/docs"));
        let found = segment_cards(&site, 45);
        assert!(!found.is_empty());
        for card in &found {
            let text = format!("{card:?}");
            assert!(!text.contains("BR") && !text.contains("visitor:"), "{text}");
        }
        // At k = 30 both reach it: the visitors card is made, against returning visitors.
        let found = segment_cards(&site, 30);
        let visitors = found.iter().find(|c| c.view.segment.as_deref() == Some("visitor:new"));
        assert!(visitors.is_some_and(|c| c.statement.contains("returning visitors")), "{found:?}");
    }
}
