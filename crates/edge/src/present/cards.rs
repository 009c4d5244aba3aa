//! Insight cards: a finding, its evidence against a baseline, how sure it is, and what to do.

use maud::{html, Markup};
use tacit_report::insights::{
    ConfidenceLevel, Counts, Evidence, EvidenceView, InsightCard, InsightKind, Unit,
    FALSE_DISCOVERY_RATE,
};

use super::format;
use super::layout::PageContext;
use super::tables::page_cell;

/// The cards, or a sentence saying why there are none.
pub fn cards(context: &PageContext, cards: &[InsightCard], none: &str) -> Markup {
    html! {
        @if cards.is_empty() {
            p.empty { (none) }
        } @else {
            p.cards-order {
                "Ranked by expected impact: the visitors a finding concerns times the size of its \
                 effect, so the first card is the one most worth acting on. Each passed its own \
                 test at 99 % and the control of false discoveries over every test of this range: \
                 at most " (format::percent(Some(FALSE_DISCOVERY_RATE))) " of the cards shown are \
                 expected to be chance."
            }
            ol.cards {
                @for card in cards { li { (one(context, card)) } }
            }
        }
    }
}

/// The cards, the first `open` of them shown and the others folded under them: a site's
/// cards can be many, and the first are the ones most worth acting on.
pub fn top_cards(context: &PageContext, all: &[InsightCard], none: &str, open: usize) -> Markup {
    let (top, more) = all.split_at(open.min(all.len()));
    html! {
        (cards(context, top, none))
        @if !more.is_empty() {
            details.more-cards {
                summary {
                    (more.len()) " more " (if more.len() == 1 { "finding" } else { "findings" })
                    ", of lower expected impact"
                }
                ol.cards start=(open + 1) {
                    @for card in more { li { (one(context, card)) } }
                }
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
                ", p = " (format!("{:.1e}", card.confidence.p_value))
            }
            p.card-view { a href=(view_link(context, &card.view)) { (view_label(&card.view)) } }
        }
    }
}

/// The HTML page of the view that shows a card's evidence: the page report or the site page,
/// for the card's range (each compares it with the previous period), and for the card's
/// segment, or else the segment shown.
fn view_link(context: &PageContext, view: &EvidenceView) -> String {
    let context = PageContext { segment: view.segment.as_deref().or(context.segment), ..*context };
    match &view.page {
        Some(path) => context.link_for(
            &format!("/s/{}/p", context.site),
            view.from,
            view.to,
            &[("path", path)],
        ),
        None => context.link_for(&format!("/s/{}", context.site), view.from, view.to, &[]),
    }
}

fn view_label(view: &EvidenceView) -> String {
    let report = match &view.page {
        Some(path) => format!("the report of {path}"),
        None => "the site summary".to_owned(),
    };
    let report = match &view.segment {
        Some(segment) => format!("{report} for {segment}"),
        None => report,
    };
    format!(
        "Check it: {report}, {} – {}, compared with {} – {}",
        view.from, view.to, view.compared_from, view.compared_to
    )
}

fn evidence_line(evidence: &Evidence) -> Markup {
    let value = |v: f64| match evidence.unit {
        Unit::Share => format::percent(Some(v)),
        Unit::Milliseconds => format::duration_ms(Some(v)),
        Unit::Count => format::count(v.round().max(0.0) as u64),
        Unit::Score | Unit::Value => format!("{v:.2}"),
    };
    html! {
        (evidence.measure) ": " strong { (value(evidence.value)) }
        @if let Some(baseline) = evidence.baseline {
            " against " (value(baseline))
            @if let Some(label) = &evidence.baseline_label { " (" (label) ")" }
        }
        @match (evidence.counts, evidence.baseline_counts) {
            (Some(counts), baseline) => {
                " · " (counts_text(counts))
                @if let Some(baseline) = baseline { " against " (counts_text(baseline)) }
            }
            (None, _) => { " · n = " (format::count(evidence.sample)) }
        }
    }
}

/// "126 of 150": the counts behind a share.
fn counts_text(counts: Counts) -> String {
    format!("{} of {}", format::count(counts.count), format::count(counts.of))
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

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_aggregate::Day;
    use tacit_report::insights::{Confidence, Rule, Test};

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn card() -> InsightCard {
        let exits = Evidence {
            measure: "exit rate of /signup".into(),
            value: 0.84,
            baseline: Some(70.0 / 150.0),
            baseline_label: Some("previous period".into()),
            unit: Unit::Share,
            sample: 150,
            counts: Some(Counts { count: 126, of: 150 }),
            baseline_counts: Some(Counts { count: 70, of: 150 }),
        };
        let confidence = Confidence {
            test: Test::TwoProportionZ,
            statistic: -4.4,
            p_value: 1.1e-5,
            level: ConfidenceLevel::VeryStrong,
        };
        let view = EvidenceView {
            page: Some("/signup".into()),
            from: day("2026-11-23"),
            to: day("2026-11-29"),
            compared_from: day("2026-11-16"),
            compared_to: day("2026-11-22"),
            segment: None,
            link: "page?path=/signup&from=2026-11-23&to=2026-11-29".into(),
        };
        InsightCard {
            kind: InsightKind::Value,
            rule: Rule::ConversionChange,
            statement: "Conversions fell.".into(),
            evidence: vec![exits],
            confidence,
            action: "Start with /signup.".into(),
            page: None,
            visitors_affected: 300,
            effect_size: 0.1,
            impact: 30.0,
            view,
        }
    }

    #[test]
    fn a_card_shows_the_counts_behind_its_shares_and_links_to_the_view_of_its_evidence() {
        let today = day("2026-12-06");
        let context = PageContext {
            site: "demo",
            key: Some("k3y"),
            from: day("2026-11-23"),
            to: day("2026-11-29"),
            today,
            segment: None,
        };
        let html = one(&context, &card()).into_string();
        let shares = "84 %</strong> against 47 % (previous period) · 126 of 150 against 70 of 150";
        assert!(html.contains(shares), "{html}");
        let link = "/s/demo/p?path=%2Fsignup&amp;key=k3y&amp;from=2026-11-23&amp;to=2026-11-29";
        assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
        assert!(html.contains("compared with 2026-11-16 – 2026-11-22"), "{html}");
    }

    #[test]
    fn a_card_about_a_segment_links_to_the_view_of_that_segment() {
        let day = day("2026-12-06");
        let context =
            PageContext { site: "demo", key: None, from: day, to: day, today: day, segment: None };
        let mut card = card();
        card.view.segment = Some("device:mobile".into());
        let html = one(&context, &card).into_string();
        let link = "/s/demo/p?path=%2Fsignup&amp;segment=device%3Amobile&amp;from=";
        assert!(html.contains(link), "{html}");
        assert!(html.contains("the report of /signup for device:mobile"), "{html}");
    }

    #[test]
    fn the_cards_say_what_their_order_means() {
        let day = day("2026-12-06");
        let context =
            PageContext { site: "demo", key: None, from: day, to: day, today: day, segment: None };
        let html = cards(&context, &[card()], "none").into_string();
        assert!(html.contains("Ranked by expected impact"), "{html}");
        assert!(html.contains("at most 5.0 % of the cards"), "{html}");
    }

    #[test]
    fn cards_past_the_top_are_folded_under_them_in_order() {
        let day = day("2026-12-06");
        let context =
            PageContext { site: "demo", key: None, from: day, to: day, today: day, segment: None };
        let all: Vec<InsightCard> =
            (0..7).map(|n| InsightCard { statement: format!("Finding {n}."), ..card() }).collect();
        let html = top_cards(&context, &all, "none", 5).into_string();
        let (open, folded) = html.split_once("<details").expect("the rest folded");
        assert!(open.contains("Finding 4.") && !open.contains("Finding 5."), "{html}");
        assert!(folded.contains("2 more findings, of lower expected impact"), "{html}");
        assert!(folded.contains("<ol class=\"cards\" start=\"6\">"), "{html}");
        assert!(folded.find("Finding 5.") < folded.find("Finding 6."), "{html}");
        let few = top_cards(&context, &all[..5], "none", 5).into_string();
        assert!(!few.contains("<details"), "{few}");
        assert!(top_cards(&context, &[], "none yet", 5).into_string().contains("none yet"));
    }
}
