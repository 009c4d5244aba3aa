//! Reading a site's figures: the viewer token, the date range, and the report, from the site's
//! one shard or merged here from its several.

use futures_util::future::join;
use serde::de::DeserializeOwned;
use tacit_aggregate::segments::Segment;
use tacit_aggregate::Day;
use tacit_report::public::{NoiseKey, PublicSummary};
use tacit_report::stored_range::RecordsNeeded;
use tacit_report::summary::previous_period;
use tacit_report::{Report, ReportKind, SummaryOptions};
use worker::{Env, Request, Url};

use crate::access::{token_of, Credential, PresentedToken};
use crate::admin::known_site;
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::shard::protocol::Summary;
use crate::shard::SALT_KEY_SECRET;
use crate::shard_client;
use crate::tokens::token_sha256;

/// Days shown when the request names no range: the last seven, today included.
pub const DEFAULT_RANGE_DAYS: i32 = 7;
/// The longest range one request may merge, which bounds the work of a read.
const MAX_RANGE_DAYS: i32 = 400;

/// The `report` of `site` over the range in the request's `from` and `to` parameters, for the
/// holder of the site's viewer token: the [`Report`] of that kind, as `T`.
pub async fn report<T: DeserializeOwned + TryFrom<Report>>(
    req: &Request,
    env: &Env,
    site: &str,
    report: ReportKind,
) -> AppResult<T> {
    let site = known_site(site)?;
    let url = req.url()?;
    let (from, to) = requested_range(&url, today(env), DEFAULT_RANGE_DAYS)?;
    let segment = requested_segment(&url)?;
    let token = token_of(req)?;
    let viewer = Credential::Token(token_sha256(token.as_ref().map_or("", PresentedToken::secret)));
    let count = shard_client::shard_count(env, &site).await?;
    if count > 1 {
        // Several shards: the worker merges their records and builds the report itself, with
        // the settings, the range and the period it is compared with asked at once.
        let needed = RecordsNeeded::of(&report, segment);
        let previous = report.compared_with(from, to);
        let ranges: Vec<(Day, Day)> = [Some((from, to)), previous].into_iter().flatten().collect();
        let (settings, merged) = join(
            shard_client::settings(env, &site),
            shard_client::merged_ranges(env, &site, count, &viewer, &ranges, &needed),
        )
        .await;
        let settings = settings?;
        let options = SummaryOptions {
            k: u64::from(settings.k),
            segment,
            funnels: settings.funnels,
            ..SummaryOptions::default()
        };
        let mut merged = merged?.into_iter();
        let current = merged.next().expect("a range per range asked");
        let previous = merged.next();
        let report = Report::build(report, &current, previous.as_ref(), &options)?;
        return T::try_from(report)
            .map_err(|_| AppError::Internal("the report built is not of the kind asked".into()));
    }
    let query = Summary { site: site.clone(), credential: viewer, from, to, report, segment };
    let json = shard_client::ask(env, &site, 0, &query).await?;
    Ok(serde_json::from_str(&json.0)?)
}

/// The public summary of `site`, for anyone, when the site publishes one (its `public`
/// setting); `401` when it does not. The noise is keyed by a key derived from the `SALT_KEY`
/// secret and the site, so the same range always shows the same figures.
pub async fn public_summary(req: &Request, env: &Env, site: &str) -> AppResult<PublicSummary> {
    let site = known_site(site)?;
    let (from, to) = requested_range(&req.url()?, today(env), DEFAULT_RANGE_DAYS)?;
    let settings = shard_client::settings(env, &site).await?;
    if !settings.public {
        return Err(AppError::Unauthorized);
    }
    let secret = env.secret(SALT_KEY_SECRET).map_err(|_| {
        AppError::Internal(format!("the {SALT_KEY_SECRET} secret is not set: no public noise"))
    })?;
    let key = NoiseKey::derive(&secret.to_string(), &site);
    let count = settings.shards;
    // The public summary reads no segment.
    let needed = RecordsNeeded::default();
    let ranges = [(from, to)];
    let merged =
        shard_client::merged_ranges(env, &site, count, &Credential::Admin, &ranges, &needed)
            .await?;
    let range = merged.first().expect("a range per range asked");
    Ok(PublicSummary::build(range, settings.epsilon.get(), u64::from(settings.k), &key))
}

/// The `segment` query parameter (`device:mobile`): `None` when absent or empty, a `400` that
/// says what is expected when it names no segment.
pub fn requested_segment(url: &Url) -> AppResult<Option<Segment>> {
    query_param(url, "segment")
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            Segment::parse(&segment)
                .map_err(|error| AppError::BadRequest(format!("segment: {error}")))
        })
        .transpose()
}

/// The `path` query parameter of a page report.
pub fn requested_path(url: &Url) -> AppResult<String> {
    query_param(url, "path")
        .filter(|path| path.starts_with('/'))
        .ok_or_else(|| AppError::BadRequest("name the page as ?path=/its/path".into()))
}

/// Whether the request asks for CSV (`?format=csv`) rather than JSON.
pub fn wants_csv(url: &Url) -> bool {
    query_param(url, "format").as_deref() == Some("csv")
}

/// Which table a summary's CSV holds: `?table=metrics` (the default), `properties`, `segments`
/// or `funnels`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryTable {
    /// The headline metrics.
    Metrics,
    /// The goals' and custom events' properties.
    Properties,
    /// The segments side by side.
    Segments,
    /// The funnels, a row per step.
    Funnels,
}

/// The summary CSV's table the request asks for.
pub fn summary_table(url: &Url) -> AppResult<SummaryTable> {
    match query_param(url, "table").as_deref() {
        None | Some("metrics") => Ok(SummaryTable::Metrics),
        Some("properties") => Ok(SummaryTable::Properties),
        Some("segments") => Ok(SummaryTable::Segments),
        Some("funnels") => Ok(SummaryTable::Funnels),
        Some(other) => Err(AppError::BadRequest(format!(
            "table '{other}' is not one of the summary's: metrics, properties, segments, funnels"
        ))),
    }
}

/// Today, in UTC, by the edge's clock.
pub fn today(env: &Env) -> Day {
    Day::from_unix_ms(Clock::from_env(env).now_ms())
}

fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

/// The `from`..=`to` range of the URL's query, defaulting to the `default_days` that end
/// `today` (or `to`). Every range read is one that can be compared with the period of equal
/// length before it ([`previous_period`]), so that period must have dates too: it may not
/// begin before [`Day::FIRST`]. This is where the edge decides which ranges exist.
pub fn requested_range(url: &Url, today: Day, default_days: i32) -> AppResult<(Day, Day)> {
    let day = |name: &str| {
        query_param(url, name).filter(|v| !v.is_empty()).map(|v| Day::parse(&v)).transpose()
    };
    let to = day("to")?.unwrap_or(today);
    let from = day("from")?.unwrap_or(to.add_days(1 - default_days));
    if from > to {
        return Err(AppError::BadRequest(format!("'from' ({from}) is after 'to' ({to})")));
    }
    if to.days_after(from) >= MAX_RANGE_DAYS {
        return Err(AppError::BadRequest(format!(
            "a range may span at most {MAX_RANGE_DAYS} days"
        )));
    }
    if previous_period(from, to).0 < Day::FIRST {
        return Err(AppError::BadRequest(format!(
            "'from' ({from}) is too early: a range is compared with as many days before it, \
             which may not begin before {}",
            Day::FIRST
        )));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(query: &str) -> Url {
        Url::parse(&format!("https://edge.test/api/v1/sites/demo/summary{query}")).unwrap()
    }

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn range(query: &str) -> AppResult<(Day, Day)> {
        requested_range(&url(query), day("2026-03-10"), 7)
    }

    #[test]
    fn a_range_defaults_to_the_days_that_end_today_or_at_to() {
        assert_eq!(range("").unwrap(), (day("2026-03-04"), day("2026-03-10")));
        assert_eq!(range("?from=&to=").unwrap(), range("").unwrap(), "empty is absent");
        assert_eq!(range("?to=2026-02-01").unwrap(), (day("2026-01-26"), day("2026-02-01")));
        assert_eq!(range("?from=2026-03-09").unwrap(), (day("2026-03-09"), day("2026-03-10")));
        assert_eq!(
            range("?from=2025-01-01&to=2025-01-01").unwrap(),
            (day("2025-01-01"), day("2025-01-01"))
        );
    }

    #[test]
    fn a_range_backwards_too_long_or_unreadable_is_a_bad_request() {
        for query in [
            "?from=2026-03-11&to=2026-03-10",
            "?from=2025-01-01&to=2026-03-10",
            "?from=yesterday",
            "?to=2026-02-30",
        ] {
            assert!(matches!(range(query), Err(AppError::BadRequest(_))), "{query}");
        }
        // 400 days, both ends included, is the longest.
        assert!(range("?from=2025-02-04&to=2026-03-10").is_ok());
        assert!(range("?from=2025-02-03&to=2026-03-10").is_err());
    }

    #[test]
    fn the_summary_csv_holds_the_metrics_or_the_properties_and_no_other_table() {
        assert_eq!(summary_table(&url("?format=csv")).unwrap(), SummaryTable::Metrics);
        assert_eq!(summary_table(&url("?table=metrics")).unwrap(), SummaryTable::Metrics);
        let properties = url("?format=csv&table=properties");
        assert_eq!(summary_table(&properties).unwrap(), SummaryTable::Properties);
        assert_eq!(summary_table(&url("?table=segments")).unwrap(), SummaryTable::Segments);
        assert!(matches!(summary_table(&url("?table=goals")), Err(AppError::BadRequest(_))));
    }

    #[test]
    fn a_range_whose_previous_period_has_no_date_is_a_bad_request() {
        // Regression (issue 18): from=0000-01-01 was compared with days of the year -1, which no
        // date names; the report's JSON did not read back and the answer was a 500.
        for query in ["?from=0000-01-01&to=0000-01-07", "?from=0000-01-07&to=0000-01-13"] {
            assert!(matches!(range(query), Err(AppError::BadRequest(_))), "{query}");
        }
        // The earliest range of a week: the week before it is 0000-01-01..=07.
        assert_eq!(
            range("?from=0000-01-08&to=0000-01-14").unwrap(),
            (day("0000-01-08"), day("0000-01-14"))
        );
        assert_eq!(range("?from=0000-01-02&to=0000-01-02").unwrap().0, day("0000-01-02"));
        assert!(range("?from=9999-12-25&to=9999-12-31").is_ok(), "the last week has a date");
    }

    #[test]
    fn a_page_is_named_by_its_path_and_csv_is_asked_for_by_format() {
        assert_eq!(requested_path(&url("?path=/a%20b")).unwrap(), "/a b");
        assert!(requested_path(&url("?path=a")).is_err());
        assert!(requested_path(&url("")).is_err());
        assert!(wants_csv(&url("?format=csv")));
        assert!(!wants_csv(&url("?format=json")));
        assert!(!wants_csv(&url("")));
    }
}
