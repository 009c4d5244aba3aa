//! Writes the codec fuzz target's seed corpus: real encoded records, so that the fuzzer starts
//! from valid payloads instead of guessing postcard's layout byte by byte.
//!
//!   cargo run -p tacit-aggregate --example codec_seeds -- fuzz/seeds/codec
//!
//! Each record and journal entry is written twice, in the fuzz target's two modes (see
//! fuzz/fuzz_targets/codec.rs): mode byte 0 and the bytes as stored; mode byte 1 (page), 3 (site)
//! or 5 (journal entry), the version byte and the payload, which the target frames with a valid
//! checksum.

use std::path::PathBuf;
use tacit_aggregate::DayRecord;

use tacit_aggregate::codec::{encode_journal_entry, encode_page_day, encode_site_day};
use tacit_aggregate::journal::{Addition, JournalEntry, SketchKey};
use tacit_aggregate::segments::SegmentKey;
use tacit_aggregate::{PageDay, SiteDay, VisitorHash};
use tacit_beacon::admission::TallyChange;
use tacit_beacon::agent::{BrowserFamily, DeviceClass};
use tacit_beacon::consent::{ConsentSource, ConsentState, ConsentValue};
use tacit_beacon::signal::{
    BareCause, CountryCode, Entry, Event, FeedbackScore, Language, Leave, View,
};

/// Header (magic, version, kind) and checksum around a record's payload.
const HEADER_LEN: usize = 4;
const CHECKSUM_LEN: usize = 4;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: codec_seeds <directory>"));
    std::fs::create_dir_all(&dir)?;
    for visitors in [0u64, 3, 20_000] {
        let (mut page, mut site) = (PageDay::default(), SiteDay::default());
        for n in 0..visitors {
            let visitor = VisitorHash::from_u64(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let view = view(n);
            page.record_view(visitor, &view);
            site.record_view(visitor, &view);
            if n.is_multiple_of(3) {
                page.record_leave(&leave(n), segments(n));
                site.record_event(&event(n));
                site.record_consent(ConsentState::default());
            }
        }
        site.record_funnel_step(0x1234, 1, VisitorHash::from_u64(visitors), segments(1));
        site.record_funnel_step(0x1234, 2, VisitorHash::from_u64(visitors), segments(2));
        site.record_bot_dropped();
        site.record_bare_view(BareCause::WasmRefused);
        site.record_bare_view(BareCause::NotLoaded);
        write(&dir, &format!("page-{visitors}"), 1, &encode_page_day(&page))?;
        write(&dir, &format!("site-{visitors}"), 3, &encode_site_day(&site))?;
    }
    let visitor = SketchKey::of(VisitorHash::from_u64(0x9E37_79B9_7F4A_7C15));
    let additions = [
        (Some(visitor), Addition::PageView { path: "/pricing".into(), view: view(0) }),
        (None, Addition::Leave { path: "/pricing".into(), leave: leave(7), segments: segments(7) }),
        (None, Addition::Event { path: "/pricing".into(), event: event(0) }),
        (None, Addition::BotDropped),
        (
            None,
            Addition::LeaveUpdate {
                path: "/pricing".into(),
                replaced: Box::new(leave(7)),
                leave: leave(8),
                segments: segments(8),
            },
        ),
        (
            Some(visitor),
            Addition::BarePageView {
                path: "/pricing".into(),
                view: view(1),
                cause: BareCause::NotLoaded,
            },
        ),
        (None, Addition::ConsentOnly),
        (None, Addition::Event { path: "/pricing".into(), event: event(2) }),
        (Some(visitor), Addition::FunnelStep { funnel: 0x1234, step: 2, segments: segments(3) }),
    ];
    for (n, (visitor, addition)) in additions.into_iter().enumerate() {
        // A page view's tally, moved from the refusal it first had by the consent-only entry.
        let refused = ConsentState {
            measurement: ConsentValue::Denied,
            journey: ConsentValue::Denied,
            source: ConsentSource::Tcf,
        };
        let tally = match addition {
            Addition::ConsentOnly => {
                TallyChange { add: Some(refused), take_back: Some(ConsentState::default()) }
            }
            _ => TallyChange { add: Some(ConsentState::default()), take_back: None },
        };
        let entry = JournalEntry {
            id: Some(n as u64),
            accepted_ms: 1_764_000_000_000,
            tally,
            visitor,
            addition,
        };
        write(&dir, &format!("journal-{n}"), 5, &encode_journal_entry(&entry))?;
    }
    write(&dir, "site-goal-sum-negative-zero", 3, &site_with_negative_zero_goal_sum())?;
    Ok(())
}

/// A site rollup whose one goal has a value sum of −0, which `TopK::insert` never stores but
/// a corrupted record can hold: the codec fuzz target found that such a list was written back
/// without sums and read as +0 (see `top_k::tests::negative_zero_value_sums_survive_a_round_trip`).
fn site_with_negative_zero_goal_sum() -> Vec<u8> {
    let mut site = SiteDay::default();
    site.record_event(&Event::Goal { name: "signup".into(), value: Some(1.5), props: vec![] });
    let mut record = encode_site_day(&site);
    // Value sums are postcard's plain little-endian f64s; this one is the only 1.5 in the record.
    let sum = 1.5f64.to_le_bytes();
    let at: Vec<usize> = (0..record.len() - 8).filter(|&i| record[i..i + 8] == sum).collect();
    assert_eq!(at.len(), 1, "one value sum of 1.5 in {record:?}");
    record[at[0]..at[0] + 8].copy_from_slice(&(-0.0f64).to_le_bytes());
    let body_len = record.len() - CHECKSUM_LEN;
    let checksum = crc32fast::hash(&record[..body_len]);
    record[body_len..].copy_from_slice(&checksum.to_le_bytes());
    record
}

/// Seeds are named after the format version that wrote them: after a format change the
/// decoders refuse the older ones, which are then deleted and written again by this example.
fn write(dir: &std::path::Path, name: &str, framed_mode: u8, record: &[u8]) -> std::io::Result<()> {
    let version = record[2];
    let name = format!("v{version}-{name}");
    std::fs::write(dir.join(format!("{name}-stored")), [&[0], record].concat())?;
    let payload = &record[HEADER_LEN..record.len() - CHECKSUM_LEN];
    std::fs::write(dir.join(format!("{name}-payload")), [&[framed_mode, version], payload].concat())
}

fn view(n: u64) -> View {
    View {
        referrer: n.is_multiple_of(2).then(|| "news.example.com".into()),
        previous: (n % 2 == 1).then(|| "/pricing".into()),
        utm: Default::default(),
        search_term: n.is_multiple_of(5).then(|| "shoes".into()),
        browser: BrowserFamily::ALL[n as usize % BrowserFamily::ALL.len()],
        device: DeviceClass::ALL[n as usize % DeviceClass::ALL.len()],
        country: CountryCode::parse("DE"),
        language: Language::from_tag("en-GB"),
        // Views from outside the site are entries of each kind in turn.
        entry: Entry::of(n % 2 == 1, [None, Some(false), Some(true)][(n / 2 % 3) as usize]),
    }
}

/// The segments of `leave(n)`: a mobile browser in a country of three.
fn segments(n: u64) -> SegmentKey {
    SegmentKey::of_leave(
        &leave(n),
        DeviceClass::Mobile,
        CountryCode::parse(["DE", "BR", "JP"][(n % 3) as usize]),
    )
}

fn leave(n: u64) -> Leave {
    Leave {
        entry: Entry::of(false, [None, Some(false), Some(true)][(n % 3) as usize]),
        referrer: n.is_multiple_of(2).then(|| "www.google.com".to_owned()),
        viewport: n.is_multiple_of(5).then_some(DeviceClass::Tablet),
        engaged_ms: (n % 60_000) as u32,
        scroll_pct: (n % 101) as u8,
        rage_clicks: (n % 2) as u32,
        lcp_ms: Some(1200),
        cls: Some(0.05),
        ..Leave::default()
    }
}

fn event(n: u64) -> Event {
    let plan = [("plan".to_owned(), ["pro", "free"][n as usize % 2].to_owned())];
    match n % 4 {
        0 => Event::Goal { name: "signup".into(), value: Some(12.5), props: plan.to_vec() },
        1 => Event::Feedback { score: FeedbackScore::new(2).expect("1 to 3") },
        2 => Event::Custom { name: "video_play".into(), value: None, props: plan.to_vec() },
        _ => Event::Outbound { host: "partner.example".into() },
    }
}
