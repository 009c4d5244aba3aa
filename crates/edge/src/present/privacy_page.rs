//! `GET /privacy/<site>`: the consent audit a privacy officer reads without reading tacit's
//! code — the assessment first, then the policy and what each consent state collects, the data
//! inventory, consent rates per day, salts, retention and the verified change log. Everything
//! on it comes from [`PrivacyReport`], which the JSON API and the export serve as they are.

use maud::{html, Markup};
use tacit_beacon::consent::ConsentValue;
use tacit_report::audit::assessment::Verdict;
use tacit_report::audit::{ConsentCounts, Form, PrivacyReport};
use worker::Response;

use super::charts::stacked_daily_shares;
use super::format;
use super::layout::{audit_page, PageContext};
use super::tables::breakable;
use crate::error::AppResult;

/// Renders the privacy page.
pub fn privacy_page(context: &PageContext, report: &PrivacyReport) -> AppResult<Response> {
    let checked =
        report.assessment.iter().filter(|c| matches!(c.verdict, Verdict::Pass | Verdict::Fail));
    let passed = checked.clone().filter(|c| c.verdict == Verdict::Pass).count();
    let body = html! {
        section.verdict aria-labelledby="assessment" {
            h2 #assessment { "CNIL audience-measurement exemption" }
            p.badge-line {
                @if report.exemption_conditions_met {
                    span.badge.pass { "Conditions met" }
                } @else {
                    span.badge.fail { "Conditions not met" }
                }
                " " (passed) " of " (checked.count()) " conditions tacit can check pass."
            }
            div.table-scroll {
                table.stack {
                    thead { tr { th scope="col" { "Condition" } th scope="col" { "Verdict" } th.prose scope="col" { "Evidence" } } }
                    tbody {
                        @for condition in &report.assessment {
                            tr {
                                th.label scope="row" { (condition.condition) }
                                td { (verdict(condition.verdict)) }
                                td.prose { (condition.evidence) }
                            }
                        }
                    }
                }
            }
            p.export {
                a href=(context.link(&format!("/api/v1/sites/{}/export", context.site), &[])) { "Download the JSON export" }
                " for a DPIA or your record of processing (it holds this report and the processing under GDPR art. 30's headings). "
                "This page prints as it is."
            }
        }
        section aria-labelledby="policy" {
            h2 #policy { "Consent policy" }
            p { "Mode: " strong { (report.policy.mode.as_str()) } " — " (report.policy.mode_meaning) "." }
            div.table-scroll {
                table.stack {
                    thead { tr {
                        th scope="col" { "Signal" } th.prose scope="col" { "Read from" }
                        th scope="col" { "An opt-out stops counting" } th scope="col" { "Consent lets it count" }
                    } }
                    tbody {
                        @for signal in &report.policy.signals {
                            tr {
                                th.label scope="row" { (signal.name) }
                                td.prose { code { (signal.read_from) } }
                                @if signal.counted_without_signal.is_some() {
                                    td { "–" }
                                    td { "Counted without a signal: " (yes_no(signal.counted_without_signal.unwrap_or(false))) }
                                } @else {
                                    td { (yes_no(signal.denial_stops_counting)) }
                                    td { (signal.grant_allows_counting.map_or("–", yes_no)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="collection" {
            h2 #collection { "What is collected in each consent state" }
            p.note { "Computed by calling the function the edge applies to every beacon." }
            div.table-scroll {
                table.stack #collection-matrix {
                    thead { tr {
                        th scope="col" { "Measurement" } th scope="col" { "Journey" }
                        th scope="col" { "Counted" } th.prose scope="col" { "Collected" }
                    } }
                    tbody {
                        @for row in &report.policy.collection {
                            tr data-measurement=(row.measurement.as_str()) data-journey=(row.journey.as_str()) data-counted=(row.counted) {
                                th.label scope="row" { (row.measurement.as_str()) }
                                td { (row.journey.as_str()) }
                                td { (yes_no(row.counted)) }
                                td.prose { (row.collected) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="inventory" {
            h2 #inventory { "Data inventory" }
            div.table-scroll {
                table.stack {
                    thead { tr { th scope="col" { "Held" } th.prose scope="col" { "Form" } th scope="col" { "Kept for" } } }
                    tbody {
                        @for held in &report.inventory.held {
                            tr { th.label scope="row" { (held.kind) } td.prose { (held.form) } td { (held.kept_for) } }
                        }
                    }
                }
            }
            h3 { "Fields of a day record" }
            div.table-scroll {
                table.stack {
                    thead { tr { th scope="col" { "Field" } th scope="col" { "Form" } th.prose scope="col" { "Holds" } } }
                    tbody {
                        @for field in &report.inventory.record_fields {
                            tr { th.label scope="row" { code { (breakable(field.name, '_')) } } td { (form_name(field.form)) } td.prose { (field.description) } }
                        }
                    }
                }
            }
            h3 { "Never stored" }
            div.table-scroll {
                table {
                    thead { tr { th scope="col" { "What" } th scope="col" { "Instead" } } }
                    tbody {
                        @for item in &report.inventory.never_stored {
                            tr { th.label scope="row" { (item.what) } td { (item.instead) } }
                        }
                    }
                }
            }
        }
        section aria-labelledby="consent" {
            h2 #consent { "Consent rates per day" }
            (stacked_daily_shares(
                &report.consent.days.iter().map(|d| {
                    let m = &d.counts.measurement;
                    (d.day, [m.granted, m.denied, m.unset])
                }).collect::<Vec<_>>(),
                ConsentValue::ALL.map(ConsentValue::as_str),
                "Measurement consent per day: granted, denied and unset shares of the page views",
            ))
            p.legend {
                span.key.granted {} " granted " span.key.denied {} " denied " span.key.unset {} " unset (the mode decides)"
            }
            p.note {
                "Each page view counts once, under the last consent state it was sent under: counted, or refused. A visitor's leave and events add nothing; a page view whose consent changed on the page counts under the new state."
            }
            (consent_table(report))
            h3 { "By source, over the range" }
            @if report.consent.total.by_source.is_empty() {
                p.empty { "No page views in this range." }
            } @else {
                div.table-scroll {
                    table {
                        thead { tr {
                            th scope="col" { "Source" } th.num scope="col" { "Granted" }
                            th.num scope="col" { "Denied" } th.num scope="col" { "Unset" }
                        } }
                        tbody {
                            @for source in &report.consent.total.by_source {
                                tr {
                                    th.label scope="row" { (source.source.as_str()) }
                                    td.num { (format::count(source.granted)) }
                                    td.num { (format::count(source.denied)) }
                                    td.num { (format::count(source.unset)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.grid {
            section aria-labelledby="salts" {
                h2 #salts { "Salt rotation" }
                dl.facts {
                    dt { "Last rotation" } dd { (report.salts.last_rotation_ms.map_or("none yet".into(), format::utc_time)) }
                    dt { "Salts held" } dd { (report.salts.held) " (" (report.salts.days.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) ")" }
                    dt { "Oldest" } dd { (report.salts.oldest_age_hours.map_or("–".into(), |h| format!("{h:.1} hours old"))) " (limit " (report.salts.max_age_hours) " hours)" }
                    dt { "Within the limit" } dd { (yes_no(report.salts.within_limit)) }
                }
            }
            section aria-labelledby="retention" {
                h2 #retention { "Retention" }
                dl.facts {
                    dt { "Records kept" } dd { (report.retention.days) " days" }
                    dt { "Oldest record held" } dd { (report.retention.oldest_record_day.map_or("none".into(), |d| d.to_string())) }
                    dt { "Deleting records before" } dd { (report.retention.deleting_before) }
                    dt { "Within the retention" } dd { (yes_no(report.retention.within)) }
                }
            }
        }
        section aria-labelledby="changes" {
            h2 #changes { "Configuration change log" }
            p #chain-verdict {
                @if report.change_log.verified {
                    span.badge.pass { "Chain verified" }
                    " just now: each entry's hash covers the one before it (" (report.change_log.entries.len()) " entries)."
                } @else {
                    span.badge.fail { "Chain broken" }
                    " " (report.change_log.error.as_deref().unwrap_or_default())
                }
            }
            ol.changes {
                @for entry in &report.change_log.entries {
                    li {
                        p.change-head {
                            strong { "#" (entry.seq) } " · " (format::utc_time(entry.time_ms)) " · by " (entry.actor)
                            " · " code { (entry.field) }
                        }
                        p { span.muted { "from " } code { (entry.old) } }
                        p { span.muted { "to " } code { (entry.new) } }
                        p.muted { "hash " code { (entry.hash) } }
                    }
                }
            }
        }
    };
    audit_page(context, "Privacy audit", &format!("/privacy/{}", context.site), body)
}

fn consent_table(report: &PrivacyReport) -> Markup {
    let row = |label: String, counts: &ConsentCounts| {
        let m = &counts.measurement;
        let j = &counts.journey;
        html! {
            th.label.nowrap scope="row" { (label) }
            td.num { (format::count(counts.page_views)) }
            td.num { (format::percent(m.granted_rate)) }
            td.num { (format::percent(m.denied_rate)) }
            td.num { (format::percent(m.unset_rate)) }
            td.num { (format::percent(j.granted_rate)) }
            td.num { (format::count(counts.opt_outs_gpc)) }
            td.num { (format::count(counts.opt_outs_dnt)) }
        }
    };
    html! {
        p.note { "Days without page views are left out of the table; the chart shows every day." }
        div.table-scroll {
            table #consent-days {
                thead { tr {
                    th scope="col" { "Day" } th.num scope="col" { "Page views" }
                    th.num scope="col" { "Measurement granted" } th.num scope="col" { "Denied" }
                    th.num scope="col" { "Unset" } th.num scope="col" { "Journey granted" }
                    th.num scope="col" { "GPC opt\u{2011}outs" } th.num scope="col" { "DNT opt\u{2011}outs" }
                } }
                tbody {
                    @for day in report.consent.days.iter().rev().filter(|day| day.counts.page_views > 0) {
                        tr { (row(day.day.to_string(), &day.counts)) }
                    }
                }
                tfoot { tr { (row("Range".into(), &report.consent.total)) } }
            }
        }
    }
}

fn verdict(verdict: Verdict) -> Markup {
    match verdict {
        Verdict::Pass => html! { span.badge.pass { "Pass" } },
        Verdict::Fail => html! { span.badge.fail { "Fail" } },
        Verdict::SiteOwner => html! { span.badge { "Site owner" } },
        Verdict::ByDesign => html! { span.badge { "By design" } },
    }
}

fn yes_no(yes: bool) -> &'static str {
    if yes {
        "yes"
    } else {
        "no"
    }
}

fn form_name(form: Form) -> &'static str {
    match form {
        Form::Count => "count",
        Form::VisitorSketch => "HyperLogLog++ sketch",
        Form::Distribution => "quantile sketch",
        Form::TopK => "top-k, k-anonymous",
        Form::Breakdown => "counts per value",
        Form::Segments => "per segment: sketch, counts, distributions",
    }
}
