//! Insight cards: a finding, its evidence against a baseline, how sure it is, and what to do.

use maud::{html, Markup};
use tacit_report::insights::{ConfidenceLevel, Evidence, InsightCard, InsightKind, Unit};

use super::format;
use super::layout::PageContext;
use super::tables::page_cell;

/// The cards, or a sentence saying why there are none.
pub fn cards(context: &PageContext, cards: &[InsightCard], none: &str) -> Markup {
    html! {
        @if cards.is_empty() {
            p.empty { (none) }
        } @else {
            ol.cards {
                @for card in cards { li { (one(context, card)) } }
            }
        }
    }
}

fn one(context: &PageContext, card: &InsightCard) -> Markup {
    html! {
        article.card {
            p.card-kind { span.badge { (kind(card.kind)) } " · " (confidence(card.confidence.level)) }
            h3 { (card.statement) }
            @if let Some(path) = &card.page {
                p.card-page { "Page " (page_cell(context, path)) }
            }
            ul.evidence {
                @for evidence in &card.evidence { li { (evidence_line(evidence)) } }
            }
            p.action { strong { "What to do: " } (card.action) }
            p.card-meta {
                (format::count(card.visitors_affected)) " visitors affected · "
                (test_name(card)) " z = " (format!("{:.1}", card.confidence.statistic))
            }
        }
    }
}

fn evidence_line(evidence: &Evidence) -> Markup {
    let value = |v: f64| match evidence.unit {
        Unit::Share => format::percent(Some(v)),
        Unit::Milliseconds => format::duration_ms(Some(v)),
        Unit::Count => format::count(v.round().max(0.0) as u64),
        Unit::Score => format!("{v:.2}"),
    };
    html! {
        (evidence.measure) ": " strong { (value(evidence.value)) }
        @if let Some(baseline) = evidence.baseline {
            " against " (value(baseline))
            @if let Some(label) = &evidence.baseline_label { " (" (label) ")" }
        }
        " · n = " (format::count(evidence.sample))
    }
}

fn kind(kind: InsightKind) -> &'static str {
    match kind {
        InsightKind::Behavioural => "Behaviour",
        InsightKind::Emotional => "Emotion",
        InsightKind::Need => "Need",
        InsightKind::Value => "Value",
        InsightKind::Journey => "Journey",
        InsightKind::Channel => "Channel",
    }
}

fn confidence(level: ConfidenceLevel) -> &'static str {
    match level {
        ConfidenceLevel::Likely => "likely (95 %)",
        ConfidenceLevel::Strong => "strong evidence (99 %)",
        ConfidenceLevel::VeryStrong => "very strong evidence (99.9 %)",
    }
}

fn test_name(card: &InsightCard) -> &'static str {
    match card.confidence.test {
        tacit_report::insights::Test::TwoProportionZ => "two-proportion z-test,",
        tacit_report::insights::Test::OneProportionZ => "one-proportion z-test,",
    }
}
