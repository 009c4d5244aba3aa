//! The present stage: summaries as HTML pages for people, and as JSON or CSV for the API.
//!
//! Pages and API render the same summaries the shard computed, so they can never disagree.
//! Every string that came from a beacon goes through maud (HTML-escaped) or [`csv`]
//! (quoted, and defused against spreadsheet formulas).

mod cards;
mod charts;
mod format;
mod funnels;
mod layout;
mod page_report;
mod privacy_page;
mod public_page;
mod segments;
mod site_page;
mod tables;

use serde::Serialize;
use tacit_aggregate::Day;
use tacit_report::audit::{PrivacyExport, PrivacyReport};
use tacit_report::insights::InsightCard;
use tacit_report::summary::{Compared, Count, Funnels, Measure, Rate, SegmentTable};
use tacit_report::{PageRow, RangeSummary};
use worker::Response;

use crate::error::AppResult;
use tacit_report::{PageReport, SiteReport};

pub use layout::PageContext;
pub use page_report::{page_not_shown, page_report, site_not_shown};
pub use privacy_page::privacy_page;
pub use public_page::public_page;
pub use site_page::site_page;

/// The answer of `GET /api/v1/sites/<site>/pages`.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pages<'a> {
    site: &'a str,
    from: Day,
    to: Day,
    totals: PageTotals,
    pages: &'a [PageRow],
    /// The segment the pages are read for (`device:mobile`); none for every visitor.
    segment: Option<&'a str>,
}

/// The range's totals over every page.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageTotals {
    views: u64,
    /// Estimated unique visitors of the site over the range (see `RangeSummary::visitors`).
    visitors: u64,
    bots_dropped: u64,
}

/// `GET /api/v1/sites/<site>/pages`: the range's totals and per-page rows.
pub fn pages_json(site: &str, summary: &RangeSummary) -> AppResult<Response> {
    json(&Pages {
        site,
        from: summary.from,
        to: summary.to,
        totals: PageTotals {
            views: summary.views,
            visitors: summary.visitors,
            bots_dropped: summary.bots_dropped,
        },
        pages: &summary.pages,
        segment: summary.segment.as_deref(),
    })
}

/// The pages as CSV: `path,views,visitors`.
pub fn pages_csv(summary: &RangeSummary) -> AppResult<Response> {
    let rows = summary
        .pages
        .iter()
        .map(|p| vec![p.label.clone(), p.figures.views.to_string(), p.visitors.to_string()]);
    csv(&["path", "views", "visitors"], rows)
}

/// The site's headline metrics as CSV: `metric,current,previous`.
pub fn summary_csv(report: &SiteReport) -> AppResult<Response> {
    let m = &report.summary.metrics;
    let rows = [
        count_row("visitors", &m.visitors),
        count_row("visits", &m.visits),
        count_row("views", &m.views),
        measure_row("views_per_visit", &m.views_per_visit),
        rate_row("bounce_rate", &m.bounce_rate),
        rate_row("engagement_rate", &m.engagement_rate),
        measure_row("median_engaged_ms", &m.median_engaged_ms),
        measure_row("median_scroll_pct", &m.median_scroll_pct),
        count_row("bots_dropped", &m.bots_dropped),
        count_row("bare_views", &m.bare_views),
        count_row("bare_views_wasm_refused", &m.bare_views_wasm_refused),
        count_row("bare_views_not_loaded", &m.bare_views_not_loaded),
        count_row("known_visits", &m.known_visits),
        rate_row("returning_rate", &m.returning_rate),
    ];
    csv(&["metric", "current", "previous"], rows.into_iter())
}

/// The goals' and custom events' properties as CSV, a row per value shown:
/// `kind,name,key,value,count,value_sum` (`kind` is `goal` or `event`).
pub fn properties_csv(report: &SiteReport) -> AppResult<Response> {
    let summary = &report.summary;
    let goals = summary.goal_properties.iter().map(|b| ("goal", b));
    let events = summary.event_properties.iter().map(|b| ("event", b));
    let rows = goals.chain(events).flat_map(|(kind, b)| {
        b.values.iter().map(move |v| {
            vec![
                kind.to_owned(),
                b.name.clone(),
                b.key.clone(),
                v.label.clone(),
                v.figures.count.to_string(),
                v.figures.value_sum.to_string(),
            ]
        })
    });
    csv(&["kind", "name", "key", "value", "count", "value_sum"], rows)
}

/// Segments side by side as CSV, a row per segment shown: `segment,label,visitors,views,visits,
/// bounce_rate,engagement_rate,exit_rate,median_engaged_ms`.
pub fn segments_csv(table: &SegmentTable) -> AppResult<Response> {
    let rows = table.rows.iter().map(|row| {
        vec![
            row.segment.clone(),
            row.label.clone(),
            row.visitors.to_string(),
            row.views.to_string(),
            row.visits.to_string(),
            number(row.bounce_rate),
            number(row.engagement_rate),
            number(row.exit_rate),
            number(row.median_engaged_ms),
        ]
    });
    let headers = [
        "segment",
        "label",
        "visitors",
        "views",
        "visits",
        "bounce_rate",
        "engagement_rate",
        "exit_rate",
        "median_engaged_ms",
    ];
    csv(&headers, rows)
}

/// The funnels as CSV, a row per step: `funnel,since,step_number,step,visits,from_previous,
/// from_start` (no visits: fewer than k visitors reached the step).
pub fn funnels_csv(funnels: &Funnels) -> AppResult<Response> {
    let rows = funnels.funnels.iter().flat_map(|funnel| {
        funnel.steps.iter().enumerate().map(|(i, step)| {
            vec![
                funnel.name.clone(),
                funnel.since.to_string(),
                (i + 1).to_string(),
                step.step.clone(),
                step.visits.map(|visits| visits.to_string()).unwrap_or_default(),
                number(step.from_previous),
                number(step.from_start),
            ]
        })
    });
    let headers =
        ["funnel", "since", "step_number", "step", "visits", "from_previous", "from_start"];
    csv(&headers, rows)
}

/// A page's metrics as CSV: `metric,page,site,previous`.
pub fn page_csv(report: &PageReport) -> AppResult<Response> {
    let s = &report.summary;
    let m = &s.metrics;
    let compared = |name: &str, c: &Compared| {
        vec![name.to_owned(), number(c.page), number(c.site), number(c.previous)]
    };
    let rows = [
        vec![
            "visitors".into(),
            m.visitors.current.to_string(),
            String::new(),
            m.visitors.previous.map(|p| p.to_string()).unwrap_or_default(),
        ],
        vec![
            "views".into(),
            m.views.current.to_string(),
            String::new(),
            m.views.previous.map(|p| p.to_string()).unwrap_or_default(),
        ],
        compared("bounce_rate", &m.bounce_rate),
        compared("engagement_rate", &m.engagement_rate),
        compared("exit_rate", &m.exit_rate),
        compared("median_engaged_ms", &m.median_engaged_ms),
        compared("median_scroll_pct", &m.median_scroll_pct),
        compared("returning_rate", &m.returning_rate),
        compared("rage_clicks_per_view", &s.frustration.rage_clicks_per_view),
        compared("dead_clicks_per_view", &s.frustration.dead_clicks_per_view),
        compared("frustrated_view_rate", &s.frustration.frustrated_view_rate),
        compared("quick_back_rate", &s.frustration.quick_back_rate),
    ];
    csv(&["metric", "page", "site", "previous"], rows.into_iter())
}

/// Insight cards as CSV, one per line, with the link to the JSON view of each card's evidence
/// (relative to the API route, as in the JSON).
pub fn insights_csv(cards: &[InsightCard]) -> AppResult<Response> {
    let rows = cards.iter().map(|card| {
        vec![
            serde_plain(&card.kind),
            serde_plain(&card.rule),
            card.page.clone().unwrap_or_default(),
            card.statement.clone(),
            card.action.clone(),
            serde_plain(&card.confidence.level),
            format!("{:.3e}", card.confidence.p_value),
            card.visitors_affected.to_string(),
            format!("{:.3}", card.impact),
            card.view.link.clone(),
        ]
    });
    csv(
        &[
            "kind",
            "rule",
            "page",
            "statement",
            "action",
            "confidence",
            "p_value",
            "visitors_affected",
            "impact",
            "view",
        ],
        rows,
    )
}

/// The privacy report's consent rates as CSV, a row per day.
pub fn privacy_csv(report: &PrivacyReport) -> AppResult<Response> {
    let rows = report.consent.days.iter().map(|day| {
        let (m, j) = (&day.counts.measurement, &day.counts.journey);
        [
            day.counts.page_views,
            m.granted,
            m.denied,
            m.unset,
            j.granted,
            j.denied,
            j.unset,
            day.counts.opt_outs_gpc,
            day.counts.opt_outs_dnt,
        ]
        .iter()
        .map(u64::to_string)
        .fold(vec![day.day.to_string()], |mut row, field| {
            row.push(field);
            row
        })
    });
    csv(
        &[
            "day",
            "page_views",
            "measurement_granted",
            "measurement_denied",
            "measurement_unset",
            "journey_granted",
            "journey_denied",
            "journey_unset",
            "opt_outs_gpc",
            "opt_outs_dnt",
        ],
        rows,
    )
}

/// The export for a DPIA, as a JSON file to save.
pub fn privacy_export(export: &PrivacyExport) -> AppResult<Response> {
    let response = json(export)?;
    let day = Day::from_unix_ms(export.report.generated_ms);
    let file = format!("tacit-{}-privacy-{day}.json", export.report.site);
    response.headers().set("Content-Disposition", &format!("attachment; filename=\"{file}\""))?;
    Ok(response)
}

/// Any serializable value as a JSON response that caches are told not to keep.
pub fn json(value: &impl Serialize) -> AppResult<Response> {
    let response = Response::from_json(value)?;
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}

/// Rows as `text/csv`: fields quoted when they need it, and a field that a spreadsheet would
/// run as a formula (`=`, `+`, `-`, `@`, tab, CR at its start) prefixed with `'`.
fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> AppResult<Response> {
    let mut text = String::new();
    let mut line = |fields: &mut dyn Iterator<Item = &str>| {
        let fields: Vec<String> = fields.map(csv_field).collect();
        text.push_str(&fields.join(","));
        text.push_str("\r\n");
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    let response = Response::ok(text)?;
    let headers = response.headers();
    headers.set("Content-Type", "text/csv; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(response)
}

fn csv_field(field: &str) -> String {
    let defused =
        if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && field.parse::<f64>().is_err() {
            format!("'{field}")
        } else {
            field.to_owned()
        };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn count_row(name: &str, count: &Count) -> Vec<String> {
    vec![
        name.to_owned(),
        count.current.to_string(),
        count.previous.map(|p| p.to_string()).unwrap_or_default(),
    ]
}

fn measure_row(name: &str, measure: &Measure) -> Vec<String> {
    vec![name.to_owned(), number(measure.current), number(measure.previous)]
}

fn rate_row(name: &str, rate: &Rate) -> Vec<String> {
    vec![name.to_owned(), number(rate.current), number(rate.previous)]
}

/// An enum's serde name (`"behavioural"`), the same word the JSON uses.
fn serde_plain(value: &impl Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("/pricing"), "/pricing");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-3.5"), "-3.5", "a negative number stays a number");
        assert_eq!(csv_field("@cmd"), "'@cmd");
    }
}
