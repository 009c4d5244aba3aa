//! The rules, one file per rule (the two feedback rules share one): what each looks at, when it
//! fires, and how it words its card. The page rules read a [`PageContext`]; the site rules read
//! the whole range.

use std::fmt::Write;

use super::discoveries::Tests;
use super::{visitors_lower_bound, Evidence, Finding, InsightCard, Rule, Unit, MIN_VISITORS};
use crate::privacy::OTHER;
use crate::summary::{MergedPage, MergedRange, SummaryOptions};
use tacit_aggregate::record::Activity;

mod answers_then_leaves;
mod channel_engagement;
mod channel_value;
mod conversion_change;
mod drop_off;
mod feedback;
mod frustration;
mod funnel_step;
mod goal_gap;
mod loyalty;
mod mismatch;
mod search_exits;
mod segment_gap;
mod slow_page;
mod traffic_change;

pub(super) use channel_engagement::channel_engagement;
pub(super) use channel_value::channel_value;
pub(super) use conversion_change::conversion_change;
pub(super) use funnel_step::funnel_steps;
pub(super) use goal_gap::goal_gap;
pub(super) use loyalty::loyalty;
pub use segment_gap::{page_segments_testable, MIN_SEGMENT_RATIO};
pub(super) use traffic_change::{channel_traffic_change, page_traffic_change};

/// The page rules' candidate cards for one page, each test counted in `tests`; none for
/// [`OTHER`] or a page under the minimum visitors or under k.
pub(super) fn page_cards(
    page: &MergedPage,
    range: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Vec<InsightCard> {
    if page.path == OTHER || visitors_lower_bound(page.visitors) < MIN_VISITORS.max(options.k) {
        return Vec::new();
    }
    let site = range.site();
    let site_median = site.engagement.engaged_time_ms.quantile(0.5);
    let context = PageContext { page, site, site_median, range, options, tests };
    let mut cards: Vec<InsightCard> = [
        answers_then_leaves::answers_then_leaves(&context),
        mismatch::mismatch(&context),
        slow_page::slow_page(&context),
        frustration::frustration(&context),
        feedback::unhappy_but_engaged(&context),
        feedback::happy_but_brief(&context),
        drop_off::drop_off(&context),
        search_exits::search_exits(&context),
    ]
    .into_iter()
    .flatten()
    .chain(segment_gap::segment_gap(&context))
    .collect();
    // A slow page's bounces are first a matter of speed: the speed card replaces the mismatch.
    if cards.iter().any(|card| card.rule == Rule::SlowPage) {
        cards.retain(|card| card.rule != Rule::Mismatch);
    }
    cards
}

/// What a page rule reads: the page, the site over the same range, and the options; and where
/// it counts its tests.
struct PageContext<'a> {
    page: &'a MergedPage,
    site: &'a Activity,
    site_median: Option<f64>,
    range: &'a MergedRange,
    options: &'a SummaryOptions,
    tests: &'a Tests,
}

impl PageContext<'_> {
    /// The card of `rule`'s finding about the page, which concerns all its visitors.
    fn card(&self, rule: Rule, finding: Finding) -> InsightCard {
        InsightCard::new(
            rule,
            Some(self.page.path.clone()),
            self.range,
            self.page.visitors,
            finding,
        )
    }

    /// The page's median engaged time against the site's.
    fn median_evidence(&self) -> Option<Evidence> {
        let a = self.page.activity();
        let median = a.engagement.engaged_time_ms.quantile(0.5)?;
        Some(
            Evidence::new(
                "median engaged time",
                median,
                Unit::Milliseconds,
                a.engagement.engaged_time_ms.count(),
            )
            .against(self.site_median?, "site median"),
        )
    }
}

/// `47 %`; under 10 % with its tenths, as the evidence shows it (`0.8 %`, not `1 %`), unless
/// they are nought (`4 %`).
fn percent(share: f64) -> String {
    let percent = share * 100.0;
    let tenths = format!("{percent:.1}");
    match tenths.strip_suffix(".0") {
        _ if percent >= 9.95 => format!("{percent:.0} %"),
        Some(whole) => format!("{whole} %"),
        None => format!("{tenths} %"),
    }
}

fn percent_precise(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

fn duration(ms: f64) -> String {
    let seconds = (ms / 1000.0).round() as u64;
    if seconds < 60 {
        format!("{seconds} s")
    } else if seconds.is_multiple_of(60) {
        format!("{} min", seconds / 60)
    } else {
        format!("{} min {} s", seconds / 60, seconds % 60)
    }
}

fn quoted_list(items: &[String]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "\"{item}\"");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_seconds_and_minutes() {
        assert_eq!(duration(9_600.0), "10 s");
        assert_eq!(duration(100_000.0), "1 min 40 s");
        assert_eq!(duration(120_000.0), "2 min");
    }

    #[test]
    fn small_shares_keep_their_tenths() {
        assert_eq!(percent(0.008), "0.8 %");
        assert_eq!(percent(0.066), "6.6 %");
        assert_eq!(percent(0.04), "4 %");
        assert_eq!(percent(0.0996), "10 %");
        assert_eq!(percent(0.47), "47 %");
        assert_eq!(percent(0.0), "0 %");
    }
}
