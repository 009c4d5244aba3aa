//! Segments on the marketers' pages: the bar that picks the segment every figure is read for,
//! and the tables that set a site's or a page's segments side by side ("mobile against
//! desktop", "social against search"), each row a link to its segment.

use maud::{html, Markup};
use tacit_aggregate::segments::Segment;
use tacit_report::summary::{SegmentRow, SegmentTable};

use super::format;
use super::layout::PageContext;
use super::tables::{table, Cell};

/// The dimensions in the order the tables show them, with their titles.
const DIMENSIONS: [(&str, &str); 4] = [
    ("channel", "Channel groups"),
    ("device", "Devices"),
    ("visitor", "New and returning visitors (journey consent)"),
    ("country", "Top countries"),
];

/// The segment bar: every visitor, or one segment of `segments` (the page's `current_path` with
/// `extra` parameters), and what a segment's figures leave out.
pub fn segment_bar(
    context: &PageContext,
    current_path: &str,
    extra: &[(&str, &str)],
    segments: &SegmentTable,
) -> Markup {
    let active = context.segment.and_then(|segment| Segment::parse(segment).ok());
    html! {
        nav.segments aria-label="Segment" {
            span.segments-title { "Segment: " }
            ul {
                li { (segment_link(context, current_path, extra, None, "All visitors")) }
                @for row in &segments.rows {
                    li { (segment_link(context, current_path, extra, Some(&row.segment), &row.label)) }
                }
            }
        }
        @if let Some(segment) = active {
            p.segment-note {
                "Every figure below is for " strong { (segment.label()) } " only. Lists and "
                "breakdowns (referrers, pages before and after, goals, audience) are not kept per "
                "segment, so they are empty here."
            }
        }
    }
}

fn segment_link(
    context: &PageContext,
    current_path: &str,
    extra: &[(&str, &str)],
    segment: Option<&str>,
    label: &str,
) -> Markup {
    let href = context.segment_link(current_path, extra, segment);
    html! {
        @if context.segment == segment {
            a aria-current="page" href=(href) { (label) }
        } @else {
            a href=(href) { (label) }
        }
    }
}

/// The segments of `segments` side by side, one table per dimension, each row a link to its
/// segment; `k` for the sentence on segments not shown.
pub fn segment_tables(
    context: &PageContext,
    current_path: &str,
    extra: &[(&str, &str)],
    segments: &SegmentTable,
    k: u64,
) -> Markup {
    // The site's rows carry their goals; a page's do not.
    let goals = segments.rows.iter().any(|row| row.goal_completions.is_some());
    let mut headers = vec![
        "Segment",
        "Visitors",
        "Visits",
        "Bounce rate",
        "Engagement",
        "Exit rate",
        "Median engaged time",
    ];
    if goals {
        headers.extend(["Goals", "Value per visit"]);
    }
    let cells = |row: &SegmentRow| -> Vec<Cell> {
        let mut cells = vec![
            html! { a href=(context.segment_link(current_path, extra, Some(&row.segment))) { (row.label) } },
            html! { (format::count(row.visitors)) },
            html! { (format::count(row.visits)) },
            html! { (format::percent(row.bounce_rate)) },
            html! { (format::percent(row.engagement_rate)) },
            html! { (format::percent(row.exit_rate)) },
            html! { (format::duration_ms(row.median_engaged_ms)) },
        ];
        if goals {
            cells.push(html! { (row.goal_completions.map_or_else(String::new, format::count)) });
            cells.push(
                html! { (row.value_per_visit.map_or_else(String::new, |v| format!("{v:.2}"))) },
            );
        }
        cells
    };
    html! {
        @for (dimension, title) in DIMENSIONS {
            @let rows: Vec<&SegmentRow> = segments.rows.iter().filter(|row| row.dimension == dimension).collect();
            @if !rows.is_empty() {
                h3.segment-dimension { (title) }
                (table(&headers, rows.into_iter().map(cells)))
            }
        }
        @if segments.rows.is_empty() {
            p.empty { "No segment had " (k) " visitors or more in this range." }
        }
        @if segments.fewer_than_k > 0 && k > 1 {
            p.note { (segments.fewer_than_k) " segments with fewer than " (k) " visitors each are not shown." }
        }
    }
}
