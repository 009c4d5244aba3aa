//! How numbers read on the pages: counts, rates, durations and changes, always for a person.

/// A count with thin grouping: `1 234`, `12.3k`, `4.5M`.
pub fn count(value: u64) -> String {
    match value {
        0..=9_999 => group_thousands(value),
        10_000..=999_999 => one_decimal(value as f64 / 1_000.0, "k"),
        _ => one_decimal(value as f64 / 1_000_000.0, "M"),
    }
}

/// A share between 0 and 1 as a percentage: `42 %`, `3.5 %`, `0.4 %`; `–` when unknown.
pub fn percent(share: Option<f64>) -> String {
    match share {
        None => "–".into(),
        Some(share) => {
            let pct = share * 100.0;
            if pct.abs() >= 10.0 || pct == 0.0 {
                format!("{pct:.0} %")
            } else {
                format!("{pct:.1} %")
            }
        }
    }
}

/// A duration in milliseconds: `850 ms`, `12 s`, `3 min 05 s`, `1 h 02 min`; `–` when unknown.
pub fn duration_ms(ms: Option<f64>) -> String {
    let Some(ms) = ms else { return "–".into() };
    let ms = ms.max(0.0);
    if ms < 1_000.0 {
        return format!("{ms:.0} ms");
    }
    let seconds = (ms / 1_000.0).round() as u64;
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3_599 => format!("{} min {:02} s", seconds / 60, seconds % 60),
        _ => format!("{} h {:02} min", seconds / 3_600, seconds % 3_600 / 60),
    }
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
            let text = percent(Some(relative.abs()));
            match relative {
                r if r > 0.0 => format!("+{text}"),
                r if r < 0.0 => format!("\u{2212}{text}"),
                _ => "±0 %".into(),
            }
        }
        (Some(current), Some(_)) if current > 0.0 => "new".into(),
        (Some(_), Some(_)) => "±0 %".into(),
        _ => "–".into(),
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
    fn rates_durations_and_changes_read_naturally() {
        assert_eq!(percent(Some(0.4213)), "42 %");
        assert_eq!(percent(Some(0.035)), "3.5 %");
        assert_eq!(percent(None), "–");
        assert_eq!(duration_ms(Some(850.0)), "850 ms");
        assert_eq!(duration_ms(Some(12_400.0)), "12 s");
        assert_eq!(duration_ms(Some(185_000.0)), "3 min 05 s");
        assert_eq!(duration_ms(Some(3_720_000.0)), "1 h 02 min");
        assert_eq!(change(Some(112.0), Some(100.0)), "+12 %");
        assert_eq!(change(Some(96.6), Some(100.0)), "\u{2212}3.4 %");
        assert_eq!(change(Some(5.0), Some(0.0)), "new");
        assert_eq!(change(Some(0.0), Some(0.0)), "±0 %");
        assert_eq!(change(None, Some(3.0)), "–");
    }
}
