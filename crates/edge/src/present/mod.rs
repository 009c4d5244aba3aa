//! The present stage: a summary as JSON for the API and as an HTML page for marketers.
//!
//! Both render the same [`RangeSummary`], so the page and the API can never disagree.

mod summary_page;

use serde::Serialize;
use tacit_core::{Day, PageRow, RangeSummary};
use worker::Response;

use crate::error::AppResult;

pub use summary_page::summary_page;

/// `GET /api/v1/sites/<site>/pages`: the range's totals and per-page rows.
pub fn pages_json(site: &str, summary: &RangeSummary) -> AppResult<Response> {
    #[derive(Serialize)]
    struct Totals {
        views: u64,
        visitors: u64,
        bots_dropped: u64,
    }
    #[derive(Serialize)]
    struct Pages<'a> {
        site: &'a str,
        from: Day,
        to: Day,
        totals: Totals,
        pages: &'a [PageRow],
    }
    let body = Pages {
        site,
        from: summary.from,
        to: summary.to,
        totals: Totals {
            views: summary.views,
            visitors: summary.visitors,
            bots_dropped: summary.bots_dropped,
        },
        pages: &summary.pages,
    };
    let response = Response::from_json(&body)?;
    response.headers().set("Cache-Control", "no-store")?;
    Ok(response)
}
