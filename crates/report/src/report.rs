//! The report a read asks for ([`ReportKind`]), built from a merged range as a typed value
//! ([`Report`]): the summary, the site or page report, or the insight cards. A site's Durable
//! Object builds it and serialises it once, as its answer; the worker builds it the same way
//! when it merges the records of several shards itself.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::insights::{find_insights, page_insights, InsightCard};
use crate::summary::{
    previous_period, MergedRange, PageSummary, PageUnavailable, RangeSummary, SegmentTable,
    SiteSummary, SummaryOptions,
};
use tacit_aggregate::record::DayRecord;
use tacit_aggregate::segments::Segment;
use tacit_aggregate::Day;

/// Insight cards the site summary's page shows open; the others it folds under them.
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
    /// Every card, highest impact first, as the insights report lists them (the page shows
    /// the first [`TOP_SITE_INSIGHTS`] open).
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

/// Why a report cannot be built: the page or the segment asked for is not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotShown {
    /// A page report of a page that is not shown.
    Page {
        /// The page asked for.
        path: String,
        /// The site's k.
        k: u64,
        /// Why it is not shown.
        reason: PageUnavailable,
    },
    /// A report for a segment that fewer than k visitors came in, which would say too much
    /// about each of them.
    Segment {
        /// The segment asked for.
        segment: Segment,
        /// The site's k.
        k: u64,
    },
}

impl Report {
    /// The report `kind` over `current`, compared with `previous` where the kind compares (see
    /// [`ReportKind::compared_with`]), for the visitors of `options.segment` when it names one.
    ///
    /// A segment's report reads the segment's records as a whole range's (see
    /// [`MergedRange::of_segment`]), and keeps the segment table of every visitor, so that the
    /// other segments stay in reach. A segment that fewer than k visitors came in (over the
    /// site, or the page of a page report) is not shown.
    pub fn build(
        kind: ReportKind,
        current: &MergedRange,
        previous: Option<&MergedRange>,
        options: &SummaryOptions,
    ) -> Result<Report, NotShown> {
        let Some(segment) = options.segment else {
            return Self::build_for(kind, current, previous, options);
        };
        let fewer_than_k = || NotShown::Segment { segment, k: options.k };
        let segmented = current.of_segment(segment);
        if segmented.site_visitors() < options.k.max(1) {
            return Err(fewer_than_k());
        }
        let previous = previous.map(|range| range.of_segment(segment));
        let report =
            Self::build_for(kind, &segmented, previous.as_ref(), options).map_err(|not_shown| {
                match not_shown {
                    NotShown::Page { reason: PageUnavailable::FewerThanK, .. } => fewer_than_k(),
                    other => other,
                }
            })?;
        Ok(match report {
            Report::Site(mut report) => {
                report.summary.segments = SegmentTable::new(current.site_segments(), options.k)
                    .with_goals(current.goal_segments());
                Report::Site(report)
            }
            Report::Page(mut report) => {
                if let Some(page) = current.page(&report.summary.path) {
                    report.summary.segments = SegmentTable::new(page.record.segments(), options.k);
                }
                Report::Page(report)
            }
            other => other,
        })
    }

    fn build_for(
        kind: ReportKind,
        current: &MergedRange,
        previous: Option<&MergedRange>,
        options: &SummaryOptions,
    ) -> Result<Report, NotShown> {
        Ok(match kind {
            ReportKind::Pages => {
                Report::Pages(RangeSummary::from_merged(current, options.k, options.segment))
            }
            ReportKind::Site => {
                let insights = find_insights(current, previous, options);
                let summary = SiteSummary::new(current, previous, options);
                Report::Site(SiteReport { summary, insights })
            }
            ReportKind::Page { path } => {
                let summary =
                    PageSummary::new(&path, current, previous, options).map_err(|reason| {
                        NotShown::Page { k: options.k, reason, path: path.clone() }
                    })?;
                let insights = page_insights(&path, current, previous, options);
                Report::Page(PageReport { insights, summary })
            }
            ReportKind::Insights => Report::Insights(find_insights(current, previous, options)),
        })
    }
}

impl fmt::Display for NotShown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotShown::Page { path, reason: PageUnavailable::NoRecord, .. } => {
                write!(f, "no page views of '{path}' in this range")
            }
            NotShown::Page { path, k, reason: PageUnavailable::FewerThanK } => write!(
                f,
                "'{path}' had fewer than {k} visitors in this range; pages are shown from {k}"
            ),
            NotShown::Segment { segment, k } => write!(
                f,
                "fewer than {k} visitors in the segment {segment} in this range; segments are \
                 shown from {k}"
            ),
        }
    }
}

impl std::error::Error for NotShown {}

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
        assert_eq!(pages, RangeSummary::from_merged(&current, options.k, None));
        let cards = Vec::<InsightCard>::try_from(build(ReportKind::Insights)).unwrap();
        assert_eq!(cards, find_insights(&current, Some(&previous), &options));
        assert!(SiteReport::try_from(build(ReportKind::Insights)).is_err());
    }

    #[test]
    fn the_site_report_lists_every_card_the_insights_find() {
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
        assert_eq!(report.insights, all);
    }

    #[test]
    fn a_segment_report_reads_the_segment_alone_over_several_days() {
        // Two days, each of 30 visits from a search engine that bounce and 10 direct ones
        // that read long: the segments' rollups merge over the days as the whole does.
        let days = [day("2026-11-22"), day("2026-11-23")];
        let (mut pages, mut rollups) = (Vec::new(), Vec::new());
        for (n, day) in days.into_iter().enumerate() {
            let mut site = Site::default();
            let first = n as u64 * 1_000;
            site.visits("/", first, 30, Some("www.google.com"), &bounce());
            site.visits("/guide", first + 500, 10, None, &exit_after(90_000));
            pages.extend(site.pages);
            rollups.push((day, site.site));
        }
        let range = MergedRange::new(days[0], days[1], pages, rollups);
        let of = |segment: &str| SummaryOptions {
            k: 5,
            segment: Some(Segment::parse(segment).unwrap()),
            ..SummaryOptions::default()
        };
        let report = Report::build(ReportKind::Site, &range, None, &of("channel:organic_search"));
        let summary = SiteReport::try_from(report.unwrap()).unwrap().summary;
        assert_eq!(summary.segment.as_deref(), Some("channel:organic_search"));
        assert_eq!((summary.metrics.visits.current, summary.metrics.visitors.current), (60, 60));
        assert_eq!(summary.metrics.bounce_rate.current, Some(1.0));
        assert_eq!(summary.daily.iter().map(|d| d.visits).collect::<Vec<_>>(), [30, 30]);
        let direct = summary.segments.rows.iter().find(|r| r.segment == "channel:direct");
        assert_eq!(direct.map(|r| (r.visits, r.bounce_rate)), Some((20, Some(0.0))));

        let page = ReportKind::Page { path: "/guide".into() };
        let guide =
            PageReport::try_from(Report::build(page, &range, None, &of("channel:direct")).unwrap());
        assert_eq!(guide.unwrap().summary.metrics.views.current, 20);
        let below_k = Report::build(ReportKind::Site, &range, None, &of("channel:social"));
        assert_eq!(
            below_k.unwrap_err().to_string(),
            "fewer than 5 visitors in the segment channel:social in this range; segments are \
             shown from 5"
        );
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
