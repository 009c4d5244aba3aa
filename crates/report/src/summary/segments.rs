//! The segment table: the engagement of each segment with at least k visitors (see
//! [`tacit_aggregate::segments`]), for the site or one page, so that segments read side by side
//! ("mobile against desktop", "social against search"). The channel rows are the site's channel
//! groups.

use serde::{Deserialize, Serialize};

use super::rates::{bounce_rate, engagement_rate, exit_rate};
use tacit_aggregate::engagement::Engagement;
use tacit_aggregate::goals::GoalSegments;
use tacit_aggregate::segments::{Segment, SegmentTraffic, Segments};

/// Country rows shown at most: the countries with the most visitors.
pub const MAX_COUNTRY_ROWS: usize = 10;

/// One segment's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentRow {
    /// The segment as `?segment=` names it: `device:mobile`, `channel:social`.
    pub segment: String,
    /// Its dimension: `device`, `channel`, `visitor` or `country`.
    pub dimension: String,
    /// Its name for people: "Mobile", "Organic search", "Returning visitors", "DE".
    pub label: String,
    /// Unique visitors (counted per day, see the summary's `visitors_counted_per_day`).
    pub visitors: u64,
    /// Page views.
    pub views: u64,
    /// Visits (entries).
    pub visits: u64,
    /// Bounces over visits whose leave arrived.
    pub bounce_rate: Option<f64>,
    /// Engaged visits over visits whose leave arrived.
    pub engagement_rate: Option<f64>,
    /// Exits over views whose leave arrived.
    pub exit_rate: Option<f64>,
    /// Median engaged time per view, in milliseconds.
    pub median_engaged_ms: Option<f64>,
    /// The site's rows only: goals reached by the segment's visits (see
    /// [`tacit_aggregate::goals`]); `None` on a page's rows, which keep no goals per segment.
    pub goal_completions: Option<u64>,
    /// The site's rows only: the sum of those goals' values.
    pub goal_value: Option<f64>,
    /// The site's rows only: goal value per visit.
    pub value_per_visit: Option<f64>,
}

/// The segments of a site or page with at least k visitors, by dimension, and how many fewer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentTable {
    /// Device classes, channel groups, new and returning visitors, then the countries with the
    /// most visitors (at most [`MAX_COUNTRY_ROWS`]), each in its dimension's order.
    pub rows: Vec<SegmentRow>,
    /// Segments not shown because fewer than k visitors came in them.
    pub fewer_than_k: usize,
}

impl SegmentTable {
    /// The table of `segments`, hiding segments with fewer than `k` visitors. Views inside a
    /// visit (no channel group), visitors of unknown kind and unknown countries are no rows:
    /// they are what the segments cannot tell apart.
    pub fn new(segments: &Segments, k: u64) -> SegmentTable {
        let mut table = SegmentTable::default();
        let mut countries = Vec::new();
        for (segment, traffic) in segments.iter() {
            if !segment.is_told_apart() {
                continue;
            }
            let row = SegmentRow::of(segment, traffic);
            if row.visitors < k.max(1) {
                table.fewer_than_k += 1;
            } else if let Segment::Country(_) = segment {
                countries.push(row);
            } else {
                table.rows.push(row);
            }
        }
        countries.sort_by(|a, b| b.visitors.cmp(&a.visitors).then_with(|| a.label.cmp(&b.label)));
        table.rows.extend(countries.into_iter().take(MAX_COUNTRY_ROWS));
        table
    }
}

impl SegmentTable {
    /// The table with each row's goals from `goals`: the site's table (a page keeps no goals
    /// per segment).
    pub fn with_goals(mut self, goals: &GoalSegments) -> SegmentTable {
        for row in &mut self.rows {
            let Ok(segment) = Segment::parse(&row.segment) else { continue };
            let count = goals.get(segment);
            row.goal_completions = Some(count.completions);
            row.goal_value = Some(count.value);
            row.value_per_visit = (row.visits > 0).then(|| count.value / row.visits as f64);
        }
        self
    }
}

impl SegmentRow {
    fn of(segment: Segment, traffic: &SegmentTraffic) -> SegmentRow {
        let engagement: &Engagement = &traffic.engagement;
        SegmentRow {
            segment: segment.to_string(),
            dimension: segment.dimension().to_owned(),
            label: segment.label(),
            visitors: traffic.visitors.clone().estimate(),
            views: engagement.views,
            visits: engagement.entries,
            bounce_rate: bounce_rate(engagement),
            engagement_rate: engagement_rate(engagement),
            exit_rate: exit_rate(engagement),
            median_engaged_ms: engagement.engaged_time_ms.quantile(0.5),
            goal_completions: None,
            goal_value: None,
            value_per_visit: None,
        }
    }
}
