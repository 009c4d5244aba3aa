//! Tables as every page draws them: in a frame that scrolls sideways when the table is wider
//! than the screen, with a shadow at each edge that hides more of it; names that wrap only
//! where a reader expects (after a path's `/`, a field's `_`); and breakdowns whose rows all
//! fell under k said in a sentence, not shown as one "(other)" row.

use maud::{html, Markup};
use tacit_report::privacy::OTHER;
use tacit_report::summary::{Figures, Row};

use super::layout::PageContext;

/// A table cell: markup, already escaped by maud.
pub type Cell = Markup;

/// A `table` in the frame that scrolls it sideways on a narrow screen. The frame's shadows
/// (page.css, `.table-scroll`) show only on a side where columns are out of sight.
pub fn scrolling(table: Markup) -> Markup {
    html! { div.table-scroll { (table) } }
}

/// A table whose first column is a row header and the others are numbers, or a sentence when
/// there are no rows.
pub fn table(headers: &[&str], rows: impl Iterator<Item = Vec<Cell>>) -> Markup {
    let rows: Vec<Vec<Cell>> = rows.collect();
    if rows.is_empty() {
        return html! { p.empty { "Nothing in this range." } };
    }
    scrolling(html! {
        table {
            thead { tr { @for (i, header) in headers.iter().enumerate() {
                @if i == 0 { th scope="col" { (header) } } @else { th.num scope="col" { (header) } }
            } } }
            tbody { @for row in &rows { tr { @for (i, cell) in row.iter().enumerate() {
                @if i == 0 { th.label scope="row" { (cell) } } @else { td.num { (cell) } }
            } } } }
        }
    })
}

/// A breakdown's rows as a [`table`] of `cells`, or a sentence about its `noun` ("channels")
/// when it has no rows, or when every row it had was seen by fewer than `k` visitors (so that
/// only "(other)" is left).
pub fn breakdown<F: Figures>(
    headers: &[&str],
    rows: &[Row<F>],
    k: u64,
    noun: &str,
    cells: impl Fn(&Row<F>) -> Vec<Cell>,
) -> Markup {
    match rows {
        [] => html! { p.empty { "No " (noun) " in this range." } },
        // Rows are folded largest first, so the only row is "(other)" only when even the
        // largest was under k.
        [only] if only.label == OTHER && k > 1 => html! {
            p.empty.all-folded {
                "The " (noun) " had fewer than " (k) " visitors each in this range, so none is named."
            }
        },
        _ => table(headers, rows.iter().map(cells)),
    }
}

/// A page path as a link to its insight summary, breakable after each `/`; "(other)" as plain
/// text, since it names no page.
pub fn page_cell(context: &PageContext, path: &str) -> Cell {
    if path == OTHER {
        return html! { (OTHER) };
    }
    html! { a href=(context.page_link(path)) { (breakable(path, '/')) } }
}

/// `text` with a line-break opportunity (`<wbr>`) after each `after`, so that a long path
/// wraps at its `/` (or a field name at its `_`) rather than inside a word.
pub fn breakable(text: &str, after: char) -> Markup {
    html! {
        @for (i, part) in text.split_inclusive(after).enumerate() {
            @if i > 0 { wbr; }
            (part)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_aggregate::Day;
    use tacit_report::summary::Counted;

    fn context() -> PageContext<'static> {
        let day = Day::parse("2026-12-06").unwrap();
        PageContext {
            site: "demo",
            key: Some("k3y"),
            from: day,
            to: day,
            today: day,
            segment: None,
        }
    }

    fn rows(labels: &[&str]) -> Vec<Row<Counted>> {
        labels.iter().map(|label| Row::new(label, 3, Counted { count: 3 })).collect()
    }

    fn counts(rows: &[Row<Counted>]) -> String {
        breakdown(&["Channel", "Visits"], rows, 5, "channels", |r| {
            vec![html! { (r.label) }, html! { (r.figures.count) }]
        })
        .into_string()
    }

    // Issue 18: "(other)" linked to /s/<site>/p?path=(other), a raw JSON 400.
    #[test]
    fn other_is_text_and_a_page_a_link_that_wraps_at_its_slashes() {
        assert_eq!(page_cell(&context(), OTHER).into_string(), "(other)");
        let link = page_cell(&context(), "/blog/<b>").into_string();
        assert_eq!(
            link,
            "<a href=\"/s/demo/p?path=%2Fblog%2F%3Cb%3E&amp;key=k3y&amp;from=2026-12-06&amp;to=2026-12-06\">\
             /<wbr>blog/<wbr>&lt;b&gt;</a>"
        );
        assert_eq!(breakable("engaged_time_ms", '_').into_string(), "engaged_<wbr>time_<wbr>ms");
        assert_eq!(breakable("direct", '/').into_string(), "direct");
    }

    // Issue 18: a small site's channels read only "(other)".
    #[test]
    fn a_breakdown_whose_every_row_fell_under_k_says_so() {
        let all_folded = counts(&rows(&[OTHER]));
        assert!(all_folded.contains("The channels had fewer than 5 visitors each"), "{all_folded}");
        assert!(!all_folded.contains("<table"));

        let some_named = counts(&rows(&["(direct)", OTHER]));
        assert!(some_named.contains("<table>") && some_named.contains("(other)"), "{some_named}");
        assert!(some_named.starts_with("<div class=\"table-scroll\">"), "{some_named}");
        assert_eq!(counts(&[]), "<p class=\"empty\">No channels in this range.</p>");
    }
}
