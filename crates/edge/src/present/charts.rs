//! Inline SVG charts: drawn at the edge, no script, readable by a screen reader through their
//! labels, and coloured by the page's CSS (`currentColor` and classes), so dark mode follows.

use maud::{html, Markup};

/// Width and height of a sparkline's view box.
const SPARK: (f64, f64) = (120.0, 28.0);
/// Width and height of the daily chart's view box, and the room kept for labels.
const CHART: (f64, f64) = (720.0, 180.0);
const CHART_LABEL_ROOM: f64 = 18.0;

/// A small line of `values`, oldest first, for a headline metric. `label` says what it shows.
pub fn sparkline(values: &[f64], label: &str) -> Markup {
    let points = polyline_points(values, SPARK.0, SPARK.1, 2.0);
    html! {
        svg.spark viewBox={ "0 0 " (SPARK.0) " " (SPARK.1) } role="img" aria-label=(label) preserveAspectRatio="none" {
            @if !points.is_empty() {
                polyline points=(points) fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke";
            }
        }
    }
}

/// Daily bars of `current`, with `previous` (the period before, same length) as a line, and
/// the first and last day's labels under them.
pub fn daily_chart(current: &[(String, f64)], previous: &[f64], label: &str) -> Markup {
    let (width, height) = (CHART.0, CHART.1 - CHART_LABEL_ROOM);
    let max = current.iter().map(|(_, v)| *v).chain(previous.iter().copied()).fold(0.0, f64::max);
    let slot = width / current.len().max(1) as f64;
    let bar_height = |value: f64| if max > 0.0 { value / max * (height - 4.0) } else { 0.0 };
    let previous_points = polyline_points(previous, width, height, 4.0);
    html! {
        svg.chart viewBox={ "0 0 " (CHART.0) " " (CHART.1) } role="img" aria-label=(label) {
            @for (i, (day, value)) in current.iter().enumerate() {
                rect.bar x=(round(i as f64 * slot + slot * 0.15)) y=(round(height - bar_height(*value)))
                    width=(round(slot * 0.7)) height=(round(bar_height(*value))) {
                    title { (day) ": " (value) }
                }
            }
            @if !previous_points.is_empty() {
                polyline.previous points=(previous_points) fill="none" stroke-width="1.5" stroke-dasharray="4 3";
            }
            @if max > 0.0 {
                text.max x="0" y="12" { "max " (max) }
            }
            @if let (Some((first, _)), Some((last, _))) = (current.first(), current.last()) {
                text.axis x="0" y=(CHART.1 - 4.0) { (first) }
                text.axis x=(CHART.0) y=(CHART.1 - 4.0) text-anchor="end" { (last) }
            }
        }
    }
}

/// One 100 % bar per day of `parts`, stacked in the order of `names` (each part drawn with
/// the class of its name), with the first and last day under them. A day without any is left
/// empty.
pub fn stacked_daily_shares<const N: usize>(
    days: &[(String, [u64; N])],
    names: [&str; N],
    label: &str,
) -> Markup {
    let height = CHART.1 - CHART_LABEL_ROOM;
    let slot = CHART.0 / days.len().max(1) as f64;
    let mut parts = Vec::new();
    for (i, (day, counts)) in days.iter().enumerate() {
        let total: u64 = counts.iter().sum();
        let mut top = 0.0;
        for (name, &count) in names.iter().zip(counts).filter(|(_, &count)| count > 0) {
            let part_height = count as f64 / total as f64 * height;
            parts.push((i, top, part_height, *name, day, count, total));
            top += part_height;
        }
    }
    html! {
        svg.chart viewBox={ "0 0 " (CHART.0) " " (CHART.1) } role="img" aria-label=(label) {
            @for (i, top, part_height, name, day, count, total) in parts {
                rect class=(name) x=(round(i as f64 * slot + slot * 0.15)) y=(round(top))
                    width=(round(slot * 0.7)) height=(round(part_height)) {
                    title { (day) ": " (name) " " (count) " of " (total) }
                }
            }
            @if let (Some((first, _)), Some((last, _))) = (days.first(), days.last()) {
                text.axis x="0" y=(CHART.1 - 4.0) { (first) }
                text.axis x=(CHART.0) y=(CHART.1 - 4.0) text-anchor="end" { (last) }
            }
        }
    }
}

/// Horizontal bars for a distribution: `(label, share of the total)`.
pub fn share_bars(rows: &[(String, f64)], label: &str) -> Markup {
    html! {
        ul.shares aria-label=(label) {
            @for (name, share) in rows {
                li {
                    span.share-label { (name) }
                    span.share-bar style={ "--share:" (round(share.clamp(0.0, 1.0) * 100.0)) "%" } {}
                    span.share-value { (super::format::percent(Some(*share))) }
                }
            }
        }
    }
}

/// `x,y` pairs of `values` spread over `width`, scaled to `height` with `pad` above and below.
fn polyline_points(values: &[f64], width: f64, height: f64, pad: f64) -> String {
    if values.len() < 2 {
        return String::new();
    }
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    let span = if max > min { max - min } else { 1.0 };
    let step = width / (values.len() - 1) as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = height - pad - (v - min) / span * (height - 2.0 * pad);
            format!("{},{}", round(i as f64 * step), round(y))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_spans_its_box_and_scales_to_its_range() {
        let points = polyline_points(&[1.0, 3.0, 2.0], 120.0, 28.0, 2.0);
        assert_eq!(points, "0,26 60,2 120,14");
    }

    #[test]
    fn a_flat_or_single_series_draws_without_dividing_by_zero() {
        assert_eq!(polyline_points(&[5.0, 5.0], 100.0, 20.0, 2.0), "0,18 100,18");
        assert_eq!(polyline_points(&[5.0], 100.0, 20.0, 2.0), "");
    }

    #[test]
    fn stacked_shares_fill_each_day_with_a_non_empty_day() {
        let days = [("d1".to_owned(), [1, 3, 0]), ("d2".to_owned(), [0, 0, 0])];
        let svg =
            stacked_daily_shares(&days, ["granted", "denied", "unset"], "consent").into_string();
        assert_eq!(svg.matches("<rect").count(), 2, "d1's two parts, nothing for the empty d2");
        assert!(svg.contains("class=\"granted\" x=\"54\" y=\"0\" width=\"252\" height=\"40.5\""));
        assert!(svg.contains("class=\"denied\" x=\"54\" y=\"40.5\" width=\"252\" height=\"121.5\""));
        assert!(svg.contains("d1: denied 3 of 4"));
    }

    #[test]
    fn chart_labels_are_escaped_text() {
        let markup = daily_chart(&[("<b>".into(), 1.0)], &[], "views \"per\" day").into_string();
        assert!(markup.contains("&lt;b&gt;"));
        assert!(markup.contains("aria-label=\"views &quot;per&quot; day\""));
    }
}
