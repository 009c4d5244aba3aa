//! The report a read asks for ([`ReportKind`]), built from a merged range as a typed value
//! ([`Report`]): the summary, the site or page report, or the insight cards. A site's Durable
//! Object builds it and serialises it once, as its answer; the worker builds it the same way
//! when it merges the records of several shards itself.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::insights::{find_insights, page_insights, InsightCard};
use crate::summary::{
    previous_period, MergedRange, PageSummary, PageUnavailable, RangeSummary, SiteSummary,
    SummaryOptions,
};
use tacit_aggregate::Day;

/// Insight cards shown with the site summary; the insights report lists them all.
pub const TOP_SITE_INSIGHTS: usize = 5;

/// Which report a read asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportKind {
    /// The pages table: a [`RangeSummary`].
    Pages,
    /// The site summary with its top cards: a [`SiteReport`].
    Site,
    /// One page's cards and summary: a [`PageReport`].
    Page {
        /// The page's path.
        path: String,
    },
    /// Every insight card.
    Insights,
}

impl ReportKind {
    /// The range a report over `from..=to` is compared with, which must then be merged too:
    /// the previous period of equal length, for every report but the pages table.
    pub fn compared_with(&self, from: Day, to: Day) -> Option<(Day, Day)> {
        (*self != ReportKind::Pages).then(|| previous_period(from, to))
    }
}

/// The site summary with its top insight cards, compared with the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteReport {
    /// The figures of the site.
    pub summary: SiteSummary,
    /// The [`TOP_SITE_INSIGHTS`] cards of highest impact.
    pub insights: Vec<InsightCard>,
}

/// One page's insight summary: its cards first, then its figures against the site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageReport {
    /// The cards about the page.
    pub insights: Vec<InsightCard>,
    /// The figures of the page.
    pub summary: PageSummary,
}

/// A report, as a read answers it. In JSON it is the report itself, without a tag: the reader
/// knows which kind it asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Report {
    /// The pages table.
    Pages(RangeSummary),
    /// The site report.
    Site(SiteReport),
    /// A page report.
    Page(PageReport),
    /// Every insight card, highest impact first.
    Insights(Vec<InsightCard>),
}

/// Why a page report cannot be built: the page is not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageNotShown {
    /// The page asked for.
    pub path: String,
    /// The site's k.
    pub k: u64,
    /// Why it is not shown.
    pub reason: PageUnavailable,
}

impl Report {
    /// The report `kind` over `current`, compared with `previous` where the kind compares (see
    /// [`ReportKind::compared_with`]).
    pub fn build(
        kind: ReportKind,
        current: &MergedRange,
        previous: Option<&MergedRange>,
        options: &SummaryOptions,
    ) -> Result<Report, PageNotShown> {
        Ok(match kind {
            ReportKind::Pages => Report::Pages(RangeSummary::from_merged(current, options.k)),
            ReportKind::Site => {
                let mut insights = find_insights(current, previous, options);
                insights.truncate(TOP_SITE_INSIGHTS);
                let summary = SiteSummary::new(current, previous, options);
                Report::Site(SiteReport { summary, insights })
            }
            ReportKind::Page { path } => {
                let summary = PageSummary::new(&path, current, previous, options)
                    .map_err(|reason| PageNotShown { k: options.k, reason, path: path.clone() })?;
                let insights = page_insights(&path, current, previous, options);
                Report::Page(PageReport { insights, summary })
            }
            ReportKind::Insights => Report::Insights(find_insights(current, previous, options)),
        })
    }
}

impl fmt::Display for PageNotShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, k) = (&self.path, self.k);
        match self.reason {
            PageUnavailable::NoRecord => write!(f, "no page views of '{path}' in this range"),
            PageUnavailable::FewerThanK => write!(
                f,
                "'{path}' had fewer than {k} visitors in this range; pages are shown from {k}"
            ),
        }
    }
}

impl std::error::Error for PageNotShown {}

/// The report of each kind out of a [`Report`], which is given back when it is another kind.
macro_rules! report_of_kind {
    ($($variant:ident => $answer:ty),*) => {$(
        impl TryFrom<Report> for $answer {
            type Error = Report;

            fn try_from(report: Report) -> Result<$answer, Report> {
                match report {
                    Report::$variant(answer) => Ok(answer),
                    other => Err(other),
                }
            }
        }
    )*};
}

report_of_kind!(
    Pages => RangeSummary,
    Site => SiteReport,
    Page => PageReport,
    Insights => Vec<InsightCard>
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::testing::{bounce, day, exit_after, onward, Site};

    /// A day of 150 visits to `/guide`, read long and left, and 300 bounces on `/`.
    fn site() -> Site {
        let mut site = Site::default();
        site.visits("/", 1_000, 300, None, &bounce());
        site.visits("/guide", 0, 150, None, &exit_after(90_000));
        site
    }

    #[test]
    fn only_the_pages_table_is_built_without_the_previous_period() {
        let (from, to) = (day("2026-11-17"), day("2026-11-23"));
        assert_eq!(ReportKind::Pages.compared_with(from, to), None);
        let previous = Some((day("2026-11-10"), day("2026-11-16")));
        for kind in [ReportKind::Site, ReportKind::Page { path: "/".into() }, ReportKind::Insights]
        {
            assert_eq!(kind.compared_with(from, to), previous, "{kind:?}");
        }
    }

    #[test]
    fn each_kind_builds_its_report_and_serialises_as_it_alone() {
        let (current, previous) =
            (site().range(day("2026-11-23")), site().range(day("2026-11-22")));
        let options = SummaryOptions::default();
        let build = |kind| Report::build(kind, &current, Some(&previous), &options).unwrap();

        let site_report = SiteReport::try_from(build(ReportKind::Site)).unwrap();
        assert_eq!(site_report.summary, SiteSummary::new(&current, Some(&previous), &options));
        assert_eq!(site_report.insights, find_insights(&current, Some(&previous), &options));
        let json = serde_json::to_value(Report::Site(site_report.clone())).unwrap();
        assert_eq!(json, serde_json::to_value(&site_report).unwrap());

        let page = build(ReportKind::Page { path: "/guide".into() });
        let page = PageReport::try_from(page).unwrap();
        assert_eq!(page.summary.path, "/guide");
        assert_eq!(page.insights, page_insights("/guide", &current, Some(&previous), &options));

        let pages = RangeSummary::try_from(build(ReportKind::Pages)).unwrap();
        assert_eq!(pages, RangeSummary::from_merged(&current, options.k));
        let cards = Vec::<InsightCard>::try_from(build(ReportKind::Insights)).unwrap();
        assert_eq!(cards, find_insights(&current, Some(&previous), &options));
        assert!(SiteReport::try_from(build(ReportKind::Insights)).is_err());
    }

    #[test]
    fn the_site_report_shows_the_top_cards_only() {
        // Guides read long and left, each against a site of visits that go on.
        let mut site = Site::default();
        site.visits("/", 100_000, 3_000, None, &onward("/a"));
        for n in 0..(TOP_SITE_INSIGHTS as u64 + 2) {
            site.visits(&format!("/guide/{n}"), 10_000 + n * 200, 150, None, &exit_after(90_000));
        }
        let range = site.range(day("2026-11-23"));
        let options = SummaryOptions::default();
        let all = find_insights(&range, None, &options);
        assert!(all.len() > TOP_SITE_INSIGHTS, "{all:?}");
        let report = Report::build(ReportKind::Site, &range, None, &options).unwrap();
        let report = SiteReport::try_from(report).unwrap();
        assert_eq!(report.insights, all[..TOP_SITE_INSIGHTS]);
    }

    #[test]
    fn a_page_report_of_a_page_not_shown_says_why() {
        let range = site().range(day("2026-11-23"));
        let options = SummaryOptions { k: 200, ..SummaryOptions::default() };
        let page = |path: &str| ReportKind::Page { path: path.into() };
        let unseen = Report::build(page("/nope"), &range, None, &options).unwrap_err();
        assert_eq!(unseen.to_string(), "no page views of '/nope' in this range");
        let small = Report::build(page("/guide"), &range, None, &options).unwrap_err();
        assert_eq!(
            small.to_string(),
            "'/guide' had fewer than 200 visitors in this range; pages are shown from 200"
        );
    }
}
