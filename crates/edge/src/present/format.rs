//! How numbers read on the pages: counts, rates, durations and changes, always for a person.
//!
//! One rule for every percentage (a share, a change, percentage points, a scroll depth): a
//! whole number from 10 on (`42 %`), one decimal below (`3.5 %`), decided after rounding so
//! that 9.96 % reads `10 %` beside `90 %`, never `10.0 %`. One rule for every duration a person
//! spends: seconds with one decimal below a minute (`0.4 s`, `12.5 s`), then `m:ss` (`2:05`)
//! and `h:mm:ss`.

/// A count with thin grouping: `1 234`, `12.3k`, `4.5M`.
pub fn count(value: u64) -> String {
    match value {
        0..=9_999 => group_thousands(value),
        10_000..=999_999 => one_decimal(value as f64 / 1_000.0, "k"),
        _ => one_decimal(value as f64 / 1_000_000.0, "M"),
    }
}

/// A share between 0 and 1 as a percentage: `42 %`, `3.5 %`, `0.4 %`, `0 %`; `–` when unknown.
pub fn percent(share: Option<f64>) -> String {
    match share {
        None => "–".into(),
        Some(share) => format!("{} %", percent_number(share * 100.0)),
    }
}

/// A value already in percent (a scroll depth of `62.0`) as `62 %`, by the rule of [`percent`].
pub fn percent_value(value: Option<f64>) -> String {
    percent(value.map(|value| value / 100.0))
}

/// A difference between two shares in percentage points, signed: `+3.4 pts`, `−12 pts`,
/// `±0 pts`.
pub fn points(difference: f64) -> String {
    let number = percent_number(difference.abs() * 100.0);
    match sign(difference * 100.0) {
        Some(sign) => format!("{sign}{number} pts"),
        None => "±0 pts".into(),
    }
}

/// A duration in milliseconds: `0.4 s`, `12.5 s`, `2:05`, `1:02:05`; `–` when unknown.
pub fn duration_ms(ms: Option<f64>) -> String {
    let Some(ms) = ms else { return "–".into() };
    let tenths = (ms.max(0.0) / 100.0).round() as u64;
    if tenths < 600 {
        return format!("{}.{} s", tenths / 10, tenths % 10);
    }
    let seconds = (ms / 1_000.0).round() as u64;
    let (hours, minutes, seconds) = (seconds / 3_600, seconds % 3_600 / 60, seconds % 60);
    if hours == 0 {
        format!("{minutes}:{seconds:02}")
    } else {
        format!("{hours}:{minutes:02}:{seconds:02}")
    }
}

/// A latency in whole milliseconds, as Core Web Vitals' INP is read: `120 ms`; `–` when
/// unknown.
pub fn milliseconds(ms: Option<f64>) -> String {
    ms.map_or("–".into(), |ms| format!("{} ms", group_thousands(ms.max(0.0).round() as u64)))
}

/// A moment in milliseconds since the Unix epoch as `2026-11-23 09:05 UTC`.
pub fn utc_time(unix_ms: i64) -> String {
    let day = tacit_aggregate::Day::from_unix_ms(unix_ms);
    let minutes = (unix_ms - day.start_ms()) / 60_000;
    format!("{day} {:02}:{:02} UTC", minutes / 60, minutes % 60)
}

/// A relative change from `previous` to `current`: `+12 %`, `−3.4 %`, `new` when there was
/// nothing before, `–` when neither is known.
pub fn change(current: Option<f64>, previous: Option<f64>) -> String {
    match (current, previous) {
        (Some(current), Some(previous)) if previous != 0.0 => {
            let relative = (current - previous) / previous;
            match sign(relative * 100.0) {
                Some(sign) => format!("{sign}{}", percent(Some(relative.abs()))),
                None => "±0 %".into(),
            }
        }
        (Some(current), Some(_)) if current > 0.0 => "new".into(),
        (Some(_), Some(_)) => "±0 %".into(),
        _ => "–".into(),
    }
}

/// A number of percent by the one rule: rounded to a tenth, then to a whole from 10 on.
fn percent_number(pct: f64) -> String {
    let tenths = (pct * 10.0).round() / 10.0;
    if tenths == 0.0 {
        "0".into()
    } else if tenths.abs() >= 10.0 {
        format!("{tenths:.0}")
    } else {
        format!("{tenths:.1}")
    }
}

/// The sign a change of `pct` percent shows, `None` when it rounds to nothing.
fn sign(pct: f64) -> Option<char> {
    match percent_number(pct.abs()).as_str() {
        "0" => None,
        _ if pct > 0.0 => Some('+'),
        _ => Some('\u{2212}'),
    }
}

fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + 2);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(digit);
    }
    grouped
}

fn one_decimal(value: f64, unit: &str) -> String {
    if value >= 100.0 {
        format!("{value:.0}{unit}")
    } else {
        format!("{value:.1}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_at_a_glance() {
        assert_eq!(count(7), "7");
        assert_eq!(count(1_234), "1\u{202f}234");
        assert_eq!(count(12_345), "12.3k");
        assert_eq!(count(456_789), "457k");
        assert_eq!(count(4_500_000), "4.5M");
    }

    #[test]
    fn changes_read_naturally() {
        assert_eq!(change(Some(112.0), Some(100.0)), "+12 %");
        assert_eq!(change(Some(96.6), Some(100.0)), "\u{2212}3.4 %");
        assert_eq!(change(Some(5.0), Some(0.0)), "new");
        assert_eq!(change(Some(0.0), Some(0.0)), "±0 %");
        assert_eq!(change(Some(100.01), Some(100.0)), "±0 %", "a change that rounds to nothing");
        assert_eq!(change(None, Some(3.0)), "–");
    }

    // Issue 18: "10.0 %" stood beside "90 %" (1 − 0.9 is 9.999… %).
    #[test]
    fn every_percentage_has_a_whole_number_from_ten_on_and_one_decimal_below() {
        assert_eq!(percent(Some(0.4213)), "42 %");
        assert_eq!(percent(Some(0.035)), "3.5 %");
        assert_eq!(percent(Some(0.03)), "3.0 %");
        assert_eq!(percent(Some(1.0 - 0.9)), "10 %");
        assert_eq!(percent(Some(0.0996)), "10 %", "rounded first, then the rule");
        assert_eq!(percent(Some(0.0)), "0 %");
        assert_eq!(percent(Some(1.0)), "100 %");
        assert_eq!(percent(None), "–");
        assert_eq!(percent_value(Some(62.4)), "62 %");
        assert_eq!(percent_value(Some(100.0)), "100 %");
        assert_eq!(points(0.034), "+3.4 pts");
        assert_eq!(points(-0.1), "\u{2212}10 pts");
        assert_eq!(points(0.0), "±0 pts");
        assert_eq!(change(Some(110.0), Some(100.0)), "+10 %");
    }

    // Issue 18: a median engaged time read "399 ms".
    #[test]
    fn durations_are_seconds_with_a_decimal_below_a_minute_then_minutes_and_seconds() {
        assert_eq!(duration_ms(Some(399.0)), "0.4 s");
        assert_eq!(duration_ms(Some(0.0)), "0.0 s");
        assert_eq!(duration_ms(Some(12_460.0)), "12.5 s");
        assert_eq!(duration_ms(Some(59_940.0)), "59.9 s");
        assert_eq!(duration_ms(Some(59_960.0)), "1:00", "rounds up into the next unit");
        assert_eq!(duration_ms(Some(125_000.0)), "2:05");
        assert_eq!(duration_ms(Some(3_599_600.0)), "1:00:00");
        assert_eq!(duration_ms(Some(3_725_000.0)), "1:02:05");
        assert_eq!(duration_ms(None), "–");
        assert_eq!(milliseconds(Some(119.6)), "120 ms");
        assert_eq!(milliseconds(Some(1_234.0)), "1\u{202f}234 ms");
    }
}
