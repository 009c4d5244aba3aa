//! [`Rule::ChannelTrafficChange`] and [`Rule::PageTrafficChange`]: a channel's visits or a
//! page's views changed since the previous period far beyond the site's own change.

use super::percent_precise;
use crate::insights::discoveries::Tests;
use crate::insights::stats::{two_proportion_z, Confidence, Test};
use crate::insights::{
    Counts, Evidence, Finding, InsightCard, Rule, Unit, MIN_LEAVES, MIN_LEVEL, MIN_VISITS,
    TRAFFIC_FACTOR,
};
use crate::privacy::OTHER;
use crate::summary::{channel_rows, ratio, MergedRange, SummaryOptions};
use tacit_beacon::signal::DIRECT_CHANNEL;

/// A count and its period's total, now and in the previous period.
struct Shares {
    now: u64,
    now_total: u64,
    before: u64,
    before_total: u64,
}

/// The test of a share's change between periods, when it changed by [`TRAFFIC_FACTOR`] at
/// [`MIN_LEVEL`]: the test and the shares now and before.
fn changed(s: &Shares) -> Option<(Confidence, f64, f64)> {
    let z = two_proportion_z(s.now, s.now_total, s.before, s.before_total)?;
    let (now, before) = (ratio(s.now, s.now_total)?, ratio(s.before, s.before_total)?);
    let confidence = Confidence::of(Test::TwoProportionZ, z)?;
    let far = now >= before * TRAFFIC_FACTOR || now * TRAFFIC_FACTOR <= before;
    (far && confidence.level >= MIN_LEVEL).then_some((confidence, now, before))
}

/// The relative change from `before` to `now`.
fn relative(now: u64, before: u64) -> f64 {
    (now as f64 - before as f64) / before.max(1) as f64
}

/// `+12 %` or `−75 %`: the relative change from `before` to `now`.
fn change(now: u64, before: u64) -> String {
    let relative = relative(now, before);
    format!("{}{:.0} %", if relative < 0.0 { "−" } else { "+" }, relative.abs() * 100.0)
}

/// `fell 75 %`, `rose 12 %` or `held steady`: how a count moved from `before` to `now`, which
/// a share's change may not follow (a page's views that held while the site's rose).
fn moved(now: u64, before: u64) -> String {
    let relative = relative(now, before);
    let size = format!("{:.0} %", relative.abs() * 100.0);
    match size.as_str() {
        "0 %" => "held steady".to_owned(),
        _ if relative < 0.0 => format!("fell {size}"),
        _ => format!("rose {size}"),
    }
}

/// The evidence of a share's change: the share against the previous period's, and the counts.
fn evidence(what: &str, s: &Shares) -> Vec<Evidence> {
    vec![
        Evidence::share(&format!("share of {what}"), Counts { count: s.now, of: s.now_total })
            .against_share(Counts { count: s.before, of: s.before_total }, "previous period"),
        Evidence::new(what, s.now as f64, Unit::Count, s.now)
            .against(s.before as f64, "previous period"),
        Evidence::new(&format!("site {what}"), s.now_total as f64, Unit::Count, s.now_total)
            .against(s.before_total as f64, "previous period"),
    ]
}

/// A channel whose share of the site's visits (entries) grew or shrank by [`TRAFFIC_FACTOR`]
/// since the previous period, tested between the periods at [`MIN_LEVEL`].
///
/// Minimum: [`MIN_VISITS`] visits from the channel in the larger period, and the channel shown
/// in both periods' folded channel breakdowns (a channel that falls under k is not named).
pub(in crate::insights) fn channel_traffic_change(
    current: &MergedRange,
    previous: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Vec<InsightCard> {
    let rows =
        |range: &MergedRange| channel_rows(range.site(), range.site_visitors_per_view(), options);
    let before_rows = rows(previous);
    let (now_site, before_site) = (current.site(), previous.site());
    let visitors_per_entry =
        ratio(current.site_visitors(), now_site.engagement.entries).map_or(1.0, |r| r.min(1.0));
    let mut cards = Vec::new();
    for row in rows(current).into_iter().filter(|row| row.label != OTHER) {
        let Some(before) = before_rows.iter().find(|b| b.label == row.label) else { continue };
        let shares = Shares {
            now: row.figures.entries,
            now_total: now_site.engagement.entries,
            before: before.figures.entries,
            before_total: before_site.engagement.entries,
        };
        if shares.now.max(shares.before) < MIN_VISITS {
            continue;
        }
        tests.run();
        let Some((confidence, now, was)) = changed(&shares) else { continue };
        let channel = &row.label;
        let fell = now < was;
        let statement = format!(
            "Visits from {channel} {} since the previous period ({} to {}), while the \
             site's changed {} ({} to {}): its share of visits went from {} to {}.",
            moved(shares.now, shares.before),
            shares.before,
            shares.now,
            change(shares.now_total, shares.before_total),
            shares.before_total,
            shares.now_total,
            percent_precise(was),
            percent_precise(now),
        );
        let action = match (fell, channel == DIRECT_CHANNEL) {
            // Direct visits come with no referrer: nothing outside the site to check.
            (true, true) => "Check that tacit's tag still loads on every landing page, and \
                             whether an app or a mail client now sends a referrer."
                .to_owned(),
            (true, false) => format!(
                "Find what changed at {channel}: a link removed, a campaign ended, a ranking \
                 lost. Restore it, or replace those visits."
            ),
            (false, _) => format!(
                "Find what brought the rise from {channel} (a mention, a campaign, a ranking) \
                 and whether its visitors engage, before it fades."
            ),
        };
        let visitors_affected =
            (shares.now.max(shares.before) as f64 * visitors_per_entry).round() as u64;
        let finding = Finding {
            statement,
            evidence: evidence("visits", &shares),
            confidence,
            action,
            effect_size: (now - was).abs(),
        };
        cards.push(InsightCard::new(
            Rule::ChannelTrafficChange,
            None,
            current,
            visitors_affected,
            finding,
        ));
    }
    cards
}

/// A page whose share of the site's views grew or shrank by [`TRAFFIC_FACTOR`] since the
/// previous period, tested between the periods at [`MIN_LEVEL`].
///
/// Minimum: [`MIN_LEAVES`] views of the page in the larger period, and k visitors of the page
/// in each period.
pub(in crate::insights) fn page_traffic_change(
    current: &MergedRange,
    previous: &MergedRange,
    options: &SummaryOptions,
    tests: &Tests,
) -> Vec<InsightCard> {
    let (now_site, before_site) = (current.site(), previous.site());
    let mut cards = Vec::new();
    for page in current.pages().iter().filter(|p| p.path != OTHER && p.visitors >= options.k) {
        let Some(earlier) = previous.page(&page.path).filter(|p| p.visitors >= options.k) else {
            continue;
        };
        let shares = Shares {
            now: page.activity().engagement.views,
            now_total: now_site.engagement.views,
            before: earlier.activity().engagement.views,
            before_total: before_site.engagement.views,
        };
        if shares.now.max(shares.before) < MIN_LEAVES {
            continue;
        }
        tests.run();
        let Some((confidence, now, was)) = changed(&shares) else { continue };
        let path = &page.path;
        let fell = now < was;
        let statement = format!(
            "Views of {path} {} since the previous period ({} to {}), while the site's \
             changed {}: its share of views went from {} to {}.",
            moved(shares.now, shares.before),
            shares.before,
            shares.now,
            change(shares.now_total, shares.before_total),
            percent_precise(was),
            percent_precise(now),
        );
        let action = if fell {
            format!(
                "Check how visitors reach {path}: links to it removed or moved, a lost search \
                 ranking, a page that no longer leads there."
            )
        } else {
            format!(
                "Find what sends visitors to {path} now, and make sure it leads them on to a \
                 next step."
            )
        };
        let finding = Finding {
            statement,
            evidence: evidence("views", &shares),
            confidence,
            action,
            effect_size: (now - was).abs(),
        };
        let visitors_affected = page.visitors.max(earlier.visitors);
        cards.push(InsightCard::new(
            Rule::PageTrafficChange,
            Some(path.clone()),
            current,
            visitors_affected,
            finding,
        ));
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_that_held_while_its_share_moved_is_said_to_hold() {
        assert_eq!(moved(850, 850), "held steady");
        assert_eq!(moved(100, 400), "fell 75 %");
        assert_eq!(moved(1_040, 300), "rose 247 %");
        assert_eq!(moved(1_001, 1_000), "held steady");
    }
    use crate::insights::testing::{background, BACKGROUND};
    use crate::insights::{find_insights, InsightKind};
    use crate::summary::testing::{bounce, day, onward, Site};

    /// The background site with `news` visits from news.example and `blog` views of /blog.
    fn site(news: u64, blog: u64) -> Site {
        let mut site = background();
        site.visits("/", 2 * BACKGROUND, news, Some("news.example"), &onward("/docs"));
        site.visits("/blog", 3 * BACKGROUND, blog, None, &bounce());
        site
    }

    fn cards_of(
        now: &Site,
        before: &Site,
        options: &SummaryOptions,
        rule: Rule,
    ) -> Vec<InsightCard> {
        let (current, previous) = (now.range(day("2026-11-23")), before.range(day("2026-11-22")));
        let mut cards = find_insights(&current, Some(&previous), options);
        cards.retain(|card| card.rule == rule);
        cards
    }

    fn changes(now: &Site, before: &Site, rule: Rule) -> Vec<InsightCard> {
        cards_of(now, before, &SummaryOptions::default(), rule)
    }

    #[test]
    fn a_channel_falling_while_the_rest_hold_is_a_channel_card() {
        let found = changes(&site(40, 100), &site(160, 100), Rule::ChannelTrafficChange);
        assert_eq!(found.len(), 1, "{found:?}");
        let card = &found[0];
        assert_eq!(card.kind, InsightKind::Channel);
        assert!(card.statement.contains("news.example fell 75 % since"), "{}", card.statement);
        assert!(card.statement.contains("(160 to 40)"), "{}", card.statement);
        assert!(card.action.contains("news.example"), "{}", card.action);
    }

    #[test]
    fn a_channel_that_changes_with_the_site_makes_no_card() {
        let mut before = site(160, 100);
        // The rest of the site falls by three quarters too.
        before.visits("/", 4 * BACKGROUND, 1_200, None, &onward("/docs"));
        let mut now = site(40, 100);
        now.visits("/", 4 * BACKGROUND, 100, None, &onward("/docs"));
        assert_eq!(changes(&now, &before, Rule::ChannelTrafficChange), vec![]);
    }

    #[test]
    fn a_channel_just_under_the_minimum_visits_makes_no_traffic_card() {
        let found = changes(&site(0, 100), &site(MIN_VISITS - 1, 100), Rule::ChannelTrafficChange);
        assert_eq!(found, vec![]);
    }

    #[test]
    fn a_channel_seen_by_fewer_than_k_visitors_in_a_period_is_not_named() {
        let options = SummaryOptions { k: 50, ..SummaryOptions::default() };
        let found = cards_of(&site(40, 100), &site(160, 100), &options, Rule::ChannelTrafficChange);
        assert!(found.iter().all(|c| !c.statement.contains("news.example")), "{found:?}");
    }

    #[test]
    fn a_page_whose_views_spike_is_a_page_card() {
        let found = changes(&site(0, 300), &site(0, 100), Rule::PageTrafficChange);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].page.as_deref(), Some("/blog"));
        assert!(found[0].statement.contains("rose 200 %"), "{}", found[0].statement);
    }

    #[test]
    fn a_page_just_under_the_minimum_views_makes_no_traffic_card() {
        let found = changes(&site(0, MIN_LEAVES - 1), &site(0, 30), Rule::PageTrafficChange);
        assert_eq!(found, vec![]);
    }

    #[test]
    fn a_page_seen_by_fewer_than_k_visitors_in_a_period_is_not_named() {
        let options = SummaryOptions { k: 150, ..SummaryOptions::default() };
        let found = cards_of(&site(0, 300), &site(0, 100), &options, Rule::PageTrafficChange);
        assert!(found.iter().all(|c| c.page.as_deref() != Some("/blog")), "{found:?}");
    }
}
