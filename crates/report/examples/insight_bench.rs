//! The insight engine's error rate on synthetic ranges, as `name=value` lines for `make bench`:
//! planted effects found over planted, cards per background-only range, and the seeds.
//!
//!   cargo run --release -p tacit-report --features synthetic --example insight_bench [seeds]
//!
//! `seeds` (default 100) runs seeds 1..=seeds: one background range and one range per planted
//! effect each (see `tacit_report::insights::synthetic`).

use tacit_report::insights::synthetic::{measure, Effect};
use tacit_report::summary::SummaryOptions;

fn main() {
    let seeds: u64 = match std::env::args().nth(1).map(|s| s.parse()) {
        None => 100,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: insight_bench [seeds, a positive number]");
            std::process::exit(2);
        }
    };
    let seeds: Vec<u64> = (1..=seeds).collect();
    let measured = measure(&seeds, &SummaryOptions::default());
    for (effect, ranks) in &measured.planted {
        let found = ranks.iter().flatten().count();
        let first = ranks.iter().filter(|r| **r == Some(1)).count();
        eprintln!("{effect:?}: found {found}/{}, first {first}", ranks.len());
    }
    for card in measured.null_cards.iter().flatten() {
        eprintln!("false card: {}", card.statement);
    }
    println!("insight_seeds=1..{}", seeds.len());
    println!("insight_planted_effects={}", Effect::ALL.len());
    println!("insight_recall={:.3}", measured.recall());
    println!("insight_found_first={:.3}", measured.found_first());
    println!("insight_false_cards_per_null_site={:.3}", measured.false_cards_per_null_site());
    println!(
        "insight_null_sites_with_cards={}/{}",
        seeds.len() - measured.null_sites_without_cards(),
        seeds.len()
    );
}
