//! The background site the rules' tests add a finding to, and what they read of the cards.

use super::{find_insights, InsightCard, Rule};
use crate::summary::testing::{bounce, day, exit_after, onward, Site};
use crate::summary::SummaryOptions;
use tacit_beacon::signal::{Entry, Leave, View};

/// Visitor numbers of the background traffic; each test's page uses lower ones.
pub(super) const BACKGROUND: u64 = 100_000;

/// A site where nothing stands out: 300 direct visits to `/` (100 go on to `/docs`, 100
/// stay 15 s and leave, 100 bounce) and 100 views of `/docs` (half go back, half leave
/// after 20 s). Exit rate 250/400, engagement 200/300, median engaged time 15 s.
pub(super) fn background() -> Site {
    let mut site = Site::default();
    site.visits("/", BACKGROUND, 100, None, &onward("/docs"));
    site.visits("/", BACKGROUND + 100, 100, None, &exit_after(15_000));
    site.visits("/", BACKGROUND + 200, 100, None, &bounce());
    views(&mut site, "/docs", BACKGROUND, 50, Some("/"), &onward("/"));
    views(&mut site, "/docs", BACKGROUND + 50, 50, Some("/"), &exit_after(20_000));
    site
}

/// `n` views of `path` inside visits, by visitors numbered from `first`, each followed by
/// `leave`.
pub(super) fn views(
    site: &mut Site,
    path: &str,
    first: u64,
    n: u64,
    previous: Option<&str>,
    leave: &Leave,
) {
    let view =
        View { entry: Entry::NotEntry, previous: previous.map(str::to_owned), ..View::sample() };
    for v in first..first + n {
        site.view(path, v, &view);
        site.leave(path, leave);
    }
}

/// A leave with rage clicks and a slow interaction.
pub(super) fn frustrated() -> Leave {
    Leave { rage_clicks: 2, inp_ms: Some(650), ..exit_after(15_000) }
}

/// The cards of `rule` over the site's day.
pub(super) fn cards(site: &Site, rule: Rule) -> Vec<InsightCard> {
    let range = site.range(day("2026-11-23"));
    let mut cards = find_insights(&range, None, &SummaryOptions::default());
    cards.retain(|card| card.rule == rule);
    cards
}

/// The page each card names.
pub(super) fn pages_of(cards: &[InsightCard]) -> Vec<Option<&str>> {
    cards.iter().map(|c| c.page.as_deref()).collect()
}
