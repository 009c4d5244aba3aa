//! Funnels on the site summary: each funnel's steps with the visits that reached them and the
//! conversion from the step before and from the start, the step that loses the most visits,
//! and the devices and channel groups of the visits lost there.

use maud::{html, Markup};
use tacit_beacon::funnel::GOAL_PREFIX;
use tacit_report::summary::{DropRow, FunnelSummary, Funnels};

use super::format;
use super::tables::{breakable, table, Cell};

/// The funnels section's content.
pub fn funnels(funnels: &Funnels, k: u64, segment: Option<&str>) -> Markup {
    if funnels.funnels.is_empty() {
        return html! {
            p.empty {
                "No funnels are set. An admin sets up to 10, each a name and 2 to 8 steps (a path such as "
                code { "/blog/*" } " or a goal such as " code { "goal:Signed up" } "), with "
                code { "PATCH /api/v1/sites/<site>" } " and " code { "{\"funnels\": [...]}" } "."
            }
        };
    }
    html! {
        p.note {
            "A visit counts at a step once it has reached every step before it, in order; a step "
            "skipped stops it there. Only visits with journey consent are followed from page to page: "
            (format::percent(funnels.journey_coverage)) " of this range's page views had it."
            @if k > 1 { " Steps reached by fewer than " (k) " visitors show no count." }
        }
        @for funnel in &funnels.funnels {
            (one(funnel, segment))
        }
    }
}

fn one(funnel: &FunnelSummary, segment: Option<&str>) -> Markup {
    let rows = funnel.steps.iter().enumerate().map(|(i, step)| -> Vec<Cell> {
        vec![
            html! { (i + 1) ". " (step_label(&step.step)) },
            html! { (step.visits.map_or_else(|| "—".to_owned(), format::count)) },
            html! { @if i == 0 { "" } @else { (format::percent(step.from_previous)) } },
            html! { (format::percent(step.from_start)) },
        ]
    });
    html! {
        article.funnel {
            h3 { (funnel.name) }
            p.note { "Counted since " (funnel.since) ", when its steps were last set." }
            (table(&["Step", "Visits", "From the step before", "From the start"], rows))
            @if let Some(drop) = &funnel.biggest_drop {
                @let step = &funnel.steps[drop.after_step - 1].step;
                p.funnel-drop {
                    strong { "Biggest drop: " }
                    (format::count(drop.visits)) " visits (" (format::percent(drop.share)) ") reached "
                    (step_label(step)) " and went no further."
                }
                @if segment.is_some() {
                    p.note { "Who drops out is shown for all visitors only." }
                } @else {
                    div.funnel-who {
                        (who("By device", &drop.devices))
                        (who("By channel group", &drop.channels))
                    }
                }
            }
        }
    }
}

/// A step as a reader names it: a path, or "Goal" and the goal's name.
fn step_label(step: &str) -> Markup {
    match step.strip_prefix(GOAL_PREFIX) {
        Some(goal) => html! { "Goal " strong { (goal) } },
        None => html! { code { (breakable(step, '/')) } },
    }
}

fn who(title: &str, rows: &[DropRow]) -> Markup {
    html! {
        div {
            h4 { (title) }
            (table(&["Of those who dropped", "Visits", "Drop rate"], rows.iter().map(|row| -> Vec<Cell> {
                vec![html! { (row.label) }, html! { (format::count(row.visits)) }, html! { (format::percent(row.drop_rate)) }]
            })))
        }
    }
}
