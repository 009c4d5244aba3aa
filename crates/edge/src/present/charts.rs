//! Inline SVG charts: drawn at the edge, no script, readable by a screen reader through their
//! labels, and coloured by the page's CSS (`currentColor` and classes), so dark mode follows.
//!
//! A daily chart is drawn twice, for a phone's width and for a wider screen's, and the page's
//! CSS shows the one that fits: an SVG scales its text with it, so a single drawing would
//! have 6 px dates on a phone or 20 px ones on a desktop. Each drawing has its axes: values on
//! the left with their grid lines, dates under the bars, and a bar's value above it when there
//! is room.

use maud::{html, Markup};
use tacit_aggregate::Day;

use super::format;

/// Width and height of a sparkline's view box.
const SPARK: (f64, f64) = (120.0, 28.0);

/// One drawing of a daily chart: its view box, and how many dates fit side by side under it.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// The class the page's CSS shows or hides the drawing by.
    class: &'static str,
    width: f64,
    height: f64,
    dates: usize,
}

/// The drawing for a phone, shown about as wide as its view box (340 px of a 390 px screen).
const NARROW: Frame = Frame { class: "narrow", width: 340.0, height: 190.0, dates: 4 };
/// The drawing for wider screens, shown from about 600 to 930 px wide.
const WIDE: Frame = Frame { class: "wide", width: 720.0, height: 220.0, dates: 8 };

/// Room around the plot: values on the left, half a date to the right, a bar's value above the
/// tallest bar, dates below.
const LEFT: f64 = 44.0;
const RIGHT: f64 = 18.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 24.0;
/// A day's slot narrower than this has no room for its bar's value (the axis gives it).
const MIN_LABELLED_SLOT: f64 = 30.0;
/// The widest bar, so that a single day is a bar rather than a wall.
const MAX_BAR: f64 = 56.0;

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl Frame {
    fn bottom(self) -> f64 {
        self.height - BOTTOM
    }

    /// The width of one day's slot among `days`.
    fn slot(self, days: usize) -> f64 {
        (self.width - LEFT - RIGHT) / days.max(1) as f64
    }

    /// The x of the middle of day `i` of `days`.
    fn centre(self, i: usize, days: usize) -> f64 {
        LEFT + (i as f64 + 0.5) * self.slot(days)
    }

    /// The width of a bar among `days`.
    fn bar_width(self, days: usize) -> f64 {
        (self.slot(days) * 0.7).min(MAX_BAR)
    }

    /// The y of `value` on a scale from 0 at the bottom to `top`.
    fn y(self, value: f64, top: f64) -> f64 {
        self.bottom() - value / top * (self.bottom() - TOP)
    }
}

/// A small line of `values`, oldest first, for a headline metric. `label` says what it shows.
pub fn sparkline(values: &[f64], label: &str) -> Markup {
    let points = polyline_points(values, SPARK.0, SPARK.1, 2.0);
    html! {
        svg.spark viewBox={ "0 0 " (SPARK.0) " " (SPARK.1) } role="img" aria-label=(label) preserveAspectRatio="none" {
            @if !points.is_empty() {
                polyline points=(points) fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" {}
            }
        }
    }
}

/// Daily bars of `current` on a value axis, with `previous` (the period before, same length)
/// as a dashed line on the same axis and a legend that says so. `label` says what it shows.
pub fn daily_chart(current: &[(Day, f64)], previous: &[f64], label: &str) -> Markup {
    let previous = if previous.len() == current.len() { previous } else { &[] };
    html! {
        div.chart-frame {
            (daily_drawing(NARROW, current, previous, label))
            (daily_drawing(WIDE, current, previous, label))
        }
        @if !previous.is_empty() {
            p.legend { span.key.bar {} " this period " span.key.previous {} " the period before" }
        }
    }
}

fn daily_drawing(frame: Frame, current: &[(Day, f64)], previous: &[f64], label: &str) -> Markup {
    let days = current.len();
    let max = current.iter().map(|(_, v)| *v).chain(previous.iter().copied()).fold(0.0, f64::max);
    let ticks = count_ticks(max);
    let top = ticks.last().copied().unwrap_or(1.0);
    let bar_width = frame.bar_width(days);
    let with_values = frame.slot(days) >= MIN_LABELLED_SLOT;
    let count = |value: f64| format::count(value.round().max(0.0) as u64);
    let previous_points = previous_line(frame, previous, top);
    html! {
        svg class={ "chart " (frame.class) } viewBox={ "0 0 " (frame.width) " " (frame.height) } role="img" aria-label=(label) {
            (value_axis(frame, &ticks, top, count))
            @for (i, (day, value)) in current.iter().enumerate() {
                @let y = frame.y(*value, top);
                rect.bar x=(round(frame.centre(i, days) - bar_width / 2.0)) y=(round(y))
                    width=(round(bar_width)) height=(round(frame.bottom() - y)) {
                    title { (day) ": " (count(*value)) }
                }
                @if with_values && *value > 0.0 {
                    text.value x=(round(frame.centre(i, days))) y=(round(y - 5.0)) text-anchor="middle" { (count(*value)) }
                }
            }
            @if !previous_points.is_empty() {
                polyline.previous points=(previous_points) fill="none" stroke-width="1.5" stroke-dasharray="4 3" {}
            }
            (date_axis(frame, &current.iter().map(|(day, _)| *day).collect::<Vec<_>>()))
        }
    }
}

/// The previous period's line through the middle of each day, on the bars' scale; across the
/// bar when the range is a single day.
fn previous_line(frame: Frame, previous: &[f64], top: f64) -> String {
    let days = previous.len();
    let point = |x: f64, value: f64| format!("{},{}", round(x), round(frame.y(value, top)));
    match previous {
        [] => String::new(),
        [value] => {
            let half = frame.bar_width(1) / 2.0 + 8.0;
            let centre = frame.centre(0, 1);
            format!("{} {}", point(centre - half, *value), point(centre + half, *value))
        }
        _ => previous
            .iter()
            .enumerate()
            .map(|(i, value)| point(frame.centre(i, days), *value))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// One 100 % bar per day of `parts`, stacked in the order of `names` (each part drawn with
/// the class of its name), on a 0–100 % axis with the dates under them. A day without any is
/// left empty.
pub fn stacked_daily_shares<const N: usize>(
    days: &[(Day, [u64; N])],
    names: [&str; N],
    label: &str,
) -> Markup {
    html! {
        div.chart-frame {
            (stacked_drawing(NARROW, days, names, label))
            (stacked_drawing(WIDE, days, names, label))
        }
    }
}

fn stacked_drawing<const N: usize>(
    frame: Frame,
    days: &[(Day, [u64; N])],
    names: [&str; N],
    label: &str,
) -> Markup {
    let count = days.len();
    let bar_width = frame.bar_width(count);
    let mut parts = Vec::new();
    for (i, (day, counts)) in days.iter().enumerate() {
        let total: u64 = counts.iter().sum();
        let mut above = 0;
        for (name, &part) in names.iter().zip(counts).filter(|(_, &part)| part > 0) {
            let (top, bottom) =
                (1.0 - above as f64 / total as f64, 1.0 - (above + part) as f64 / total as f64);
            parts.push((i, frame.y(top, 1.0), frame.y(bottom, 1.0), *name, day, part, total));
            above += part;
        }
    }
    html! {
        svg class={ "chart " (frame.class) } viewBox={ "0 0 " (frame.width) " " (frame.height) } role="img" aria-label=(label) {
            (value_axis(frame, &[0.0, 0.5, 1.0], 1.0, |share| format::percent(Some(share))))
            @for (i, top, bottom, name, day, part, total) in parts {
                rect class=(name) x=(round(frame.centre(i, count) - bar_width / 2.0)) y=(round(top))
                    width=(round(bar_width)) height=(round(bottom - top)) {
                    title { (day) ": " (name) " " (part) " of " (total) }
                }
            }
            (date_axis(frame, &days.iter().map(|(day, _)| *day).collect::<Vec<_>>()))
        }
    }
}

/// Grid lines at `ticks` (on a scale from 0 to `top`) with their values to the left.
fn value_axis(frame: Frame, ticks: &[f64], top: f64, show: impl Fn(f64) -> String) -> Markup {
    html! {
        @for &tick in ticks {
            @let y = round(frame.y(tick, top));
            line.gridline x1=(LEFT) x2=(frame.width - RIGHT) y1=(y) y2=(y) {}
            text.axis x=(LEFT - 6.0) y=(round(y + 4.0)) text-anchor="end" { (show(tick)) }
        }
    }
}

/// The dates under the bars: as many as fit, the last day always among them; the whole date
/// under a single day.
fn date_axis(frame: Frame, days: &[Day]) -> Markup {
    let y = frame.height - 6.0;
    html! {
        @if let [day] = days {
            text.axis x=(round(frame.centre(0, 1))) y=(y) text-anchor="middle" { (long_date(*day)) }
        } @else {
            @for i in (0..days.len()).rev().step_by(days.len().div_ceil(frame.dates)) {
                text.axis x=(round(frame.centre(i, days.len()))) y=(y) text-anchor="middle" { (short_date(days[i])) }
            }
        }
    }
}

/// Round values for an axis of counts up to `max`: 0, then steps of 1, 2 or 5 × 10ⁿ (at least
/// 1: counts are whole), about four of them, the last at or above `max`.
fn count_ticks(max: f64) -> Vec<f64> {
    let rough = (max / 4.0).max(1.0);
    let magnitude = 10f64.powi(rough.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|multiple| multiple * magnitude)
        .find(|&step| step >= rough)
        .unwrap_or(10.0 * magnitude);
    let steps = (max / step).ceil().max(1.0) as u32;
    (0..=steps).map(|i| f64::from(i) * step).collect()
}

/// `6 Dec`.
fn short_date(day: Day) -> String {
    let (_, month, day_of_month) = day.ymd();
    format!("{day_of_month} {}", MONTHS[month as usize - 1])
}

/// `6 Dec 2026`.
fn long_date(day: Day) -> String {
    format!("{} {}", short_date(day), day.ymd().0)
}

/// Horizontal bars for a distribution: `(label, share of the total)`.
pub fn share_bars(rows: &[(String, f64)], label: &str) -> Markup {
    html! {
        ul.shares aria-label=(label) {
            @for (name, share) in rows {
                li {
                    span.share-label { (name) }
                    span.share-bar style={ "--share:" (round(share.clamp(0.0, 1.0) * 100.0)) "%" } {}
                    span.share-value { (format::percent(Some(*share))) }
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

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn week() -> Vec<Day> {
        (0..7).map(|i| day("2026-11-30").add_days(i)).collect()
    }

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
    fn an_axis_of_counts_has_round_steps_up_past_the_largest() {
        assert_eq!(count_ticks(17.0), [0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(count_ticks(50.0), [0.0, 20.0, 40.0, 60.0]);
        assert_eq!(count_ticks(3.0), [0.0, 1.0, 2.0, 3.0]);
        assert_eq!(count_ticks(0.0), [0.0, 1.0], "an empty range still has a scale");
        assert_eq!(count_ticks(1_234.0), [0.0, 500.0, 1_000.0, 1_500.0]);
    }

    // Issue 18: the visitors-per-day chart had no axis, no values and no dates.
    #[test]
    fn a_daily_chart_has_values_on_an_axis_and_dates_under_its_bars() {
        let current: Vec<(Day, f64)> =
            week().into_iter().zip([0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 17.0]).collect();
        let svg = daily_chart(&current, &[0.0; 7], "Unique visitors per day").into_string();
        assert_eq!(svg.matches("<svg").count(), 2, "a narrow and a wide drawing");
        for tick in [">0<", ">5<", ">10<", ">15<", ">20<"] {
            assert_eq!(svg.matches(tick).count(), 2, "{tick} on each drawing's axis");
        }
        assert_eq!(svg.matches(">17</text>").count(), 2, "the bar's value above it");
        // Seven days: every date on the wide drawing, every other one on the narrow.
        assert!(svg.contains(">30 Nov<") && svg.contains(">6 Dec<"), "{svg}");
        assert_eq!(svg.matches(">6 Dec<").count(), 2, "the last day is always labelled");
        assert_eq!(svg.matches(">1 Dec<").count(), 1);
        assert!(svg.contains("class=\"legend\""), "the dashed line is named");
    }

    // Issue 18: a single day's labels were drawn at both ends of the chart, over each other.
    #[test]
    fn a_single_day_is_one_bar_with_its_whole_date_under_it() {
        let svg = daily_chart(&[(day("2026-12-06"), 50.0)], &[40.0], "visitors").into_string();
        assert_eq!(svg.matches(">6 Dec 2026<").count(), 2, "one date per drawing: {svg}");
        assert!(svg.contains("x=\"183\" y=\"184\" text-anchor=\"middle\">6 Dec 2026"), "{svg}");
        // At most MAX_BAR wide, in the middle of the narrow drawing's plot (x 44 to 322), on
        // an axis to 60 (y 166 to 18).
        assert!(svg.contains("<rect class=\"bar\" x=\"155\" y=\"42.7\" width=\"56\""), "{svg}");
        assert!(svg.contains(">50</text>"), "its value above it: {svg}");
        assert!(
            svg.contains("points=\"147,67.3 219,67.3\""),
            "the period before across the bar: {svg}"
        );
    }

    #[test]
    fn thirty_days_show_as_many_dates_as_fit() {
        let days: Vec<(Day, f64)> = (0..30).map(|i| (day("2026-11-07").add_days(i), 1.0)).collect();
        let svg = daily_chart(&days, &[], "visitors").into_string();
        let wide = &svg[svg.find("class=\"chart wide\"").unwrap()..];
        let narrow = &svg[..svg.find("class=\"chart wide\"").unwrap()];
        assert_eq!(wide.matches("text-anchor=\"middle\"").count(), 8);
        assert_eq!(narrow.matches("text-anchor=\"middle\"").count(), 4);
        assert!(wide.contains(">6 Dec<") && narrow.contains(">6 Dec<"));
        assert!(!svg.contains("class=\"value\""), "no room for values over 30 bars");
        assert!(!svg.contains("legend"), "no previous period, no legend");
    }

    #[test]
    fn stacked_shares_fill_each_day_with_a_non_empty_day() {
        let days = [(day("2026-12-05"), [1, 3, 0]), (day("2026-12-06"), [0, 0, 0])];
        let svg =
            stacked_daily_shares(&days, ["granted", "denied", "unset"], "consent").into_string();
        let narrow = &svg[..svg.find("class=\"chart wide\"").unwrap()];
        assert_eq!(narrow.matches("<rect").count(), 2, "d1's two parts, nothing for the empty d2");
        // The plot runs from y = 18 (100 %) to 166 (0 %): a quarter granted on top.
        assert!(
            narrow.contains("class=\"granted\" x=\"85.5\" y=\"18\" width=\"56\" height=\"37\""),
            "{narrow}"
        );
        assert!(
            narrow.contains("class=\"denied\" x=\"85.5\" y=\"55\" width=\"56\" height=\"111\""),
            "{narrow}"
        );
        assert!(svg.contains("2026-12-05: denied 3 of 4"));
        assert!(svg.contains(">50 %<") && svg.contains(">100 %<"));
    }

    // Issue 18: `<polyline …>` without its end tag (maud's `;`) took the chart's labels inside
    // it, where a browser does not draw them.
    #[test]
    fn every_shape_is_closed_so_that_the_labels_after_it_are_drawn() {
        let current: Vec<(Day, f64)> = week().into_iter().map(|day| (day, 2.0)).collect();
        let svg = daily_chart(&current, &[1.0; 7], "visitors").into_string();
        for shape in ["line", "polyline", "rect", "text"] {
            let opened = svg.matches(&format!("<{shape} ")).count();
            assert!(opened > 0, "{shape}");
            assert_eq!(svg.matches(&format!("</{shape}>")).count(), opened, "{shape}: {svg}");
        }
        let spark = sparkline(&[1.0, 2.0], "visitors per day").into_string();
        assert!(spark.contains("</polyline>"), "{spark}");
    }

    #[test]
    fn chart_labels_are_escaped_text() {
        let markup =
            daily_chart(&[(day("2026-12-06"), 1.0)], &[], "views \"per\" <day>").into_string();
        assert!(markup.contains("aria-label=\"views &quot;per&quot; &lt;day&gt;\""), "{markup}");
    }
}
