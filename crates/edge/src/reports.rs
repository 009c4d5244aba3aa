//! The summarize stage's last step, shared by a site's shard (one shard: it merges and answers)
//! and the worker (several shards: it merges their records): a merged range in, the JSON of
//! the report asked for out.

use tacit_aggregate::Day;
use tacit_report::insights::{find_insights, page_insights};
use tacit_report::summary::previous_period;
use tacit_report::{
    MergedRange, PageSummary, PageUnavailable, RangeSummary, SiteSummary, SummaryOptions,
};

use crate::error::{AppError, AppResult};
use crate::shard::protocol::{PageReport, Report, SiteReport};

/// Insight cards shown on the site page; the insights API lists them all.
const TOP_SITE_INSIGHTS: usize = 5;

/// The JSON of `report` over `current`. `merged` gives the merged records of another range; it
/// is called for the previous period only when the report compares with it.
pub fn build(
    report: Report,
    current: &MergedRange,
    merged: impl FnOnce(Day, Day) -> AppResult<MergedRange>,
    options: &SummaryOptions,
) -> AppResult<String> {
    let previous = || {
        let (from, to) = previous_period(current.from(), current.to());
        merged(from, to)
    };
    Ok(match report {
        Report::Pages => serde_json::to_string(&RangeSummary::from_merged(current, options.k))?,
        Report::Site => {
            let previous = previous()?;
            let mut insights = find_insights(current, Some(&previous), options);
            insights.truncate(TOP_SITE_INSIGHTS);
            let summary = SiteSummary::new(current, Some(&previous), options);
            serde_json::to_string(&SiteReport { summary, insights })?
        }
        Report::Page { path } => {
            let summary = PageSummary::new(&path, current, Some(&previous()?), options)
                .map_err(|reason| page_unavailable(&path, reason, options.k))?;
            let insights = page_insights(&path, current, options);
            serde_json::to_string(&PageReport { insights, summary })?
        }
        Report::Insights => {
            serde_json::to_string(&find_insights(current, Some(&previous()?), options))?
        }
    })
}

fn page_unavailable(path: &str, reason: PageUnavailable, k: u64) -> AppError {
    AppError::NotFound(match reason {
        PageUnavailable::NoRecord => format!("no page views of '{path}' in this range"),
        PageUnavailable::FewerThanK => {
            format!("'{path}' had fewer than {k} visitors in this range; pages are shown from {k}")
        }
    })
}
