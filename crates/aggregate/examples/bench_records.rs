//! Writes the stored records of a synthetic site, for the read benchmarks of
//! scripts/bench-edge.mjs, which store them in the site's shards and read them back: a year of
//! days cannot be seeded through `POST /e` in a benchmark's time (one edge restart per day).
//!
//!   cargo run --release -p tacit-aggregate --example bench_records -- FIRST_DAY DAYS PAGES SHARDS
//!
//! Each page of each day gets what scripts/bench-edge.mjs's seeded days give it through the
//! beacon path: one view by a visitor of its own (a third of them from a referrer, the rest from
//! another page of the site) and that view's leave (engaged time, scroll, vitals, and for every
//! other page a next page). A visitor's shard is their hash, mixed, modulo SHARDS: as random as the
//! edge's pick by a hash of address and browser; each shard gets its own page and site records.
//!
//! Output, to stdout, one record after another (integers little-endian): kind (u8: 1 a page's
//! record, 2 the site's), shard (u16), day (i32, days since 1970-01-01), path length (u16) and
//! UTF-8 bytes (empty for the site), record length (u32) and the codec's bytes.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};

use tacit_aggregate::codec::{encode_page_day, encode_site_day};
use tacit_aggregate::segments::SegmentKey;
use tacit_aggregate::{Day, DayRecord, PageDay, SiteDay, VisitorHash};
use tacit_beacon::signal::{Entry, Leave, View};

const REFERRERS: [&str; 3] = ["news.example.com", "www.google.com", "t.co"];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench_records FIRST_DAY DAYS PAGES SHARDS";
    let [first, days, pages, shards] = args.as_slice() else { panic!("{usage}") };
    let first = Day::parse(first).expect(usage);
    let (days, pages, shards): (i32, u64, u64) =
        (days.parse().expect(usage), pages.parse().expect(usage), shards.parse().expect(usage));
    let mut out = BufWriter::new(std::io::stdout().lock());
    for day_index in 0..days {
        let day = first.add_days(day_index);
        let mut sites: BTreeMap<u64, SiteDay> = BTreeMap::new();
        for page in 0..pages {
            let n = day_index as u64 * pages + page;
            let visitor = VisitorHash::from_u64((n + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let shard = mixed(visitor.as_u64()) % shards;
            let (view, leave) = visit(page, pages);
            // The leave's segments, as the edge reads them from its request (View::sample's).
            let segments = SegmentKey::of_leave(&leave, view.device, view.country);
            let mut record = PageDay::default();
            record.record_view(visitor, &view);
            record.record_leave(&leave, segments);
            let site = sites.entry(shard).or_default();
            site.record_view(visitor, &view);
            site.record_leave(&leave, segments);
            write(
                &mut out,
                1,
                shard,
                day,
                &format!("/docs/page-{page}"),
                &encode_page_day(&record),
            )?;
        }
        for (shard, site) in sites {
            write(&mut out, 2, shard, day, "", &encode_site_day(&site))?;
        }
    }
    out.flush()
}

/// `hash` with every bit mixed into every other (MurmurHash3's 64-bit finalizer): the visitor
/// hashes here are n times an odd number, whose low bits repeat every 64 n, so with 1,000
/// pages a page's visitors of every day fell in 8 of 64 shards, and whose high bits spread
/// evenly, more than at random.
fn mixed(mut hash: u64) -> u64 {
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

/// Page `page`'s view and leave, as scripts/bench-edge.mjs's seedRangeDay sends them.
fn visit(page: u64, pages: u64) -> (View, Leave) {
    let entry = page.is_multiple_of(3);
    let view = View {
        referrer: entry.then(|| REFERRERS[(page / 3) as usize % REFERRERS.len()].to_owned()),
        previous: (!entry).then(|| format!("/docs/page-{}", (page + 7) % pages)),
        entry: if entry { Entry::Entry } else { Entry::NotEntry },
        ..View::sample()
    };
    let leave = Leave {
        entry: view.entry,
        referrer: view.referrer.clone(),
        engaged_ms: ((page * 137) % 90_000) as u32,
        scroll_pct: ((page * 31) % 101) as u8,
        interactions: (page % 7) as u32,
        lcp_ms: Some(800 + ((page * 53) % 3_000) as u32),
        inp_ms: Some(40 + ((page * 17) % 400) as u32),
        cls: Some(((page * 11) % 300) as f32 / 1000.0),
        next: page.is_multiple_of(2).then(|| format!("/docs/page-{}", (page + 1) % pages)),
        ..Leave::default()
    };
    (view, leave)
}

fn write(
    out: &mut impl Write,
    kind: u8,
    shard: u64,
    day: Day,
    path: &str,
    record: &[u8],
) -> std::io::Result<()> {
    out.write_all(&[kind])?;
    out.write_all(&(shard as u16).to_le_bytes())?;
    out.write_all(&day.days_since_epoch().to_le_bytes())?;
    out.write_all(&(path.len() as u16).to_le_bytes())?;
    out.write_all(path.as_bytes())?;
    out.write_all(&(record.len() as u32).to_le_bytes())?;
    out.write_all(record)
}
