//! Synthetic ranges for measuring the insight engine: seeded background traffic in which no
//! page, channel or period differs from the others, with or without one planted [`Effect`].
//!
//! The background site has eight pages visited through five channels, from phones, tablets
//! and desktops alike; every visit lands on a page, goes on to a random page with the same
//! chance on every page, and each view draws its engaged time, clicks, vitals and feedback from
//! the same distributions. Its funnel ([`funnel`]) goes from `/signup` to the goal, and every
//! goal and funnel step is counted in its visit's segments. So on a background
//! range every card is a false discovery, and on a planted range the planted effect is the one
//! finding the engine must make. [`measure`] runs both over a set of seeds: the figures
//! `make bench` prints (`cargo run --release -p tacit-report --features synthetic --example
//! insight_bench`).
//!
//! Everything here is pure and seeded: a seed gives the same records on every platform.

use std::collections::BTreeMap;

use tacit_aggregate::segments::SegmentKey;
use tacit_aggregate::settings::Funnel;
use tacit_aggregate::test_rng::SplitMix64;
use tacit_aggregate::{Day, DayRecord, PageDay, SiteDay, VisitorHash};
use tacit_beacon::agent::DeviceClass;
use tacit_beacon::funnel::VisitEntry;
use tacit_beacon::signal::{CountryCode, Entry, Event, FeedbackScore, Leave, View};
use tacit_beacon::GoalContext;

use super::{find_insights, InsightCard, Rule};
use crate::summary::{MergedRange, SummaryOptions};

/// One day of a site, page records and rollup kept together as the edge keeps them.
#[derive(Default)]
pub struct Site {
    /// The page records, by path.
    pub pages: BTreeMap<String, PageDay>,
    /// The site's rollup.
    pub site: SiteDay,
}

/// `figures` as the leave of `view`, which it repeats (see [`Leave::entry`] and
/// [`Leave::viewport`]).
pub fn leave_of(view: &View, figures: &Leave) -> Leave {
    Leave {
        entry: view.entry,
        referrer: view.referrer.clone(),
        utm: view.utm.clone(),
        viewport: Some(view.device),
        ..figures.clone()
    }
}

/// A spread-out visitor hash for visitor number `n`.
pub fn visitor(n: u64) -> VisitorHash {
    VisitorHash::from_u64(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

impl Site {
    /// A view of `path` by visitor number `visitor_n`.
    pub fn view(&mut self, path: &str, visitor_n: u64, view: &View) {
        let visitor = visitor(visitor_n);
        self.pages.entry(path.to_owned()).or_default().record_view(visitor, view);
        self.site.record_view(visitor, view);
    }

    /// The leave of a view of `path`, from a desktop (unless the leave repeats its view's
    /// viewport) in an unknown country, as [`View::sample`].
    pub fn leave(&mut self, path: &str, leave: &Leave) {
        self.leave_from(path, leave, None);
    }

    /// The leave of a view of `path`, whose request came from `country`.
    pub fn leave_from(&mut self, path: &str, leave: &Leave, country: Option<CountryCode>) {
        let segments = SegmentKey::of_leave(leave, DeviceClass::Desktop, country);
        self.pages.entry(path.to_owned()).or_default().record_leave(leave, segments);
        self.site.record_leave(leave, segments);
    }

    /// An event on `path`.
    pub fn event(&mut self, path: &str, event: &Event) {
        self.pages.entry(path.to_owned()).or_default().record_event(event);
        self.site.record_event(event);
    }

    /// `n` visits by new visitors numbered from `first`, each a view of `path` through
    /// `channel` (a referrer host, `None` for direct) and the leave `leave`.
    pub fn visits(&mut self, path: &str, first: u64, n: u64, channel: Option<&str>, leave: &Leave) {
        let view = View { referrer: channel.map(str::to_owned), ..View::sample() };
        let leave = leave_of(&view, leave);
        for v in first..first + n {
            self.view(path, v, &view);
            self.leave(path, &leave);
        }
    }

    /// The site's day as a one-day range.
    pub fn range(&self, day: Day) -> MergedRange {
        MergedRange::new(
            day,
            day,
            self.pages.iter().map(|(p, r)| (p.clone(), r.clone())),
            [(day, self.site.clone())],
        )
    }
}

/// The background's pages. Visits land on the first five; `/signup` is where the goal is
/// reached, and `/search` carries site-search terms.
const PAGES: [&str; 8] =
    ["/", "/docs", "/pricing", "/blog", "/features", "/about", "/search", "/signup"];
/// The pages visits land on, with the same weight each.
const LANDINGS: [&str; 5] = ["/", "/docs", "/pricing", "/blog", "/features"];
/// The channels' referrer hosts (`None` is direct) and their weights.
const CHANNELS: [(Option<&str>, f64); 5] = [
    (None, 0.35),
    (Some("google.com"), 0.30),
    (Some("news.example"), 0.15),
    (Some("social.example"), 0.12),
    (Some("newsletter.example"), 0.08),
];
/// Visits of each period, before their day-to-day spread of ±5 %.
const VISITS: u64 = 2_000;
/// The goal reached on `/signup`, and its value.
const GOAL: &str = "signup";
const GOAL_VALUE: f64 = 20.0;
/// The background's funnel: `/signup`, then the goal.
pub fn funnel() -> Funnel {
    let steps = ["/signup", "goal:signup"].map(String::from).to_vec();
    Funnel { name: "Signup".into(), steps, since: current_day().add_days(-1) }
}

/// Search terms on `/search`.
const TERMS: [&str; 3] = ["pricing", "api keys", "refund"];

/// How views of a page behave: every background view draws from [`Behaviour::BACKGROUND`].
#[derive(Debug, Clone, Copy)]
struct Behaviour {
    /// The chance that a view continues to another page.
    continues: f64,
    /// Median engaged time (log-normal, σ = 0.8).
    engaged_median_ms: f64,
    /// The chance of rage clicks in a view.
    rage: f64,
    /// Median LCP and INP (log-normal, σ = 0.4).
    lcp_median_ms: f64,
    inp_median_ms: f64,
    /// The chance that a view is rated, and the chances of an unhappy and a happy rating.
    rated: f64,
    unhappy: f64,
    happy: f64,
}

impl Behaviour {
    const BACKGROUND: Behaviour = Behaviour {
        continues: 0.45,
        engaged_median_ms: 8_000.0,
        rage: 0.03,
        lcp_median_ms: 1_800.0,
        inp_median_ms: 120.0,
        rated: 0.05,
        unhappy: 0.15,
        happy: 0.5,
    };
}

/// What a period's traffic is: the background, or the background changed by an effect.
#[derive(Debug, Clone)]
struct Traffic {
    channel_weights: [f64; 5],
    returning: f64,
    goal_rate: f64,
    /// Pages that behave otherwise than the background.
    pages: Vec<(&'static str, Behaviour)>,
    /// Pages whose views on phones behave otherwise than the background and the page's own.
    mobile_pages: Vec<(&'static str, Behaviour)>,
    /// Extra visits through `channel` along `path`, whose last view behaves as given.
    cohort: Option<Cohort>,
    /// The chance that a view of `/signup` reaches the goal on a phone, when not the
    /// background's.
    mobile_goal_rate: Option<f64>,
    /// The chance that a view of `/signup` reaches the goal in a visit through one channel,
    /// when not the background's.
    channel_goal_rate: Option<(&'static str, f64)>,
    /// The chance that a view of `/signup` reaches the goal in a first visit, when not the
    /// background's.
    new_visitor_goal_rate: Option<f64>,
}

#[derive(Debug, Clone)]
struct Cohort {
    visits: u64,
    channel: Option<&'static str>,
    path: &'static [&'static str],
    last: Behaviour,
}

impl Traffic {
    fn background() -> Traffic {
        Traffic {
            channel_weights: CHANNELS.map(|(_, w)| w),
            returning: 0.3,
            goal_rate: 0.3,
            pages: Vec::new(),
            mobile_pages: Vec::new(),
            cohort: None,
            mobile_goal_rate: None,
            channel_goal_rate: None,
            new_visitor_goal_rate: None,
        }
    }

    /// The chance that a view of `/signup` reaches the goal.
    fn goal_rate(&self, channel: Option<&str>, device: DeviceClass, entry: Entry) -> f64 {
        match (self.channel_goal_rate, self.mobile_goal_rate, self.new_visitor_goal_rate) {
            (Some((host, rate)), _, _) if channel == Some(host) => rate,
            (_, Some(rate), _) if device == DeviceClass::Mobile => rate,
            (_, _, Some(rate)) if entry == Entry::FirstVisit => rate,
            _ => self.goal_rate,
        }
    }

    fn behaviour(&self, path: &str, device: DeviceClass) -> Behaviour {
        let mobile = self.mobile_pages.iter().filter(|_| device == DeviceClass::Mobile);
        let page = mobile.chain(&self.pages).find(|(p, _)| *p == path);
        page.map_or(Behaviour::BACKGROUND, |&(_, b)| b)
    }
}

/// An effect planted into the background, and the card that must find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `/guide`: 150 visits read for a median 90 s, nearly all ending there.
    AnswersThenLeaves,
    /// `/offer`: 150 visits from `ads.example` that bounce after a median 3 s.
    Mismatch,
    /// `/pricing`: rage clicks in 30 % of its views, against 3 %.
    Frustration,
    /// `/docs`: read twice as long, rated by 30 % of its views, 60 % of them unhappy.
    UnhappyButEngaged,
    /// `/faq`: 150 visits of a median 5 s, rated by 40 %, 90 % of them happy.
    HappyButBrief,
    /// `partner.example`: 150 visits, 85 % of which continue.
    ChannelInvest,
    /// `spam.example`: 150 visits that leave after a median 2 s.
    ChannelCheck,
    /// `/checkout`: 150 visits go `/` → `/pricing` → `/checkout` and end there.
    DropOff,
    /// `/search`: 5 % of its views continue, against 45 %.
    SearchExits,
    /// `signup`: reached by 10 % of the views of `/signup` this period, 40 % the previous.
    ConversionFall,
    /// `news.example`: a quarter of the previous period's visits, while the others hold.
    ChannelFall,
    /// `/features`: LCP and INP medians of 5 s and 500 ms, 20 % of views continuing, 4 s
    /// engaged.
    SlowPage,
    /// Returning visits: 15 % of the known visits this period, 40 % the previous.
    LoyaltyFall,
    /// `/pricing` on phones: 10 % of views continuing, 3 s engaged.
    MobileBounce,
    /// 300 more visits go `/pricing` → `/signup`, where phones reach the goal in 2 % of views,
    /// against 30 %.
    FunnelMobileDrop,
    /// `newsletter.example` (a referral, as `news.example` and `social.example` are): 150 more
    /// visits go `/pricing` → `/signup` and reach the goal in 90 % of its views there, against
    /// 30 %.
    ChannelValue,
    /// 300 more visits go `/pricing` → `/signup`, where first visits reach the goal in 3 % of
    /// its views, against 30 %.
    NewVisitorGoals,
}

impl Effect {
    /// Every effect the generator plants.
    pub const ALL: [Effect; 17] = [
        Effect::AnswersThenLeaves,
        Effect::Mismatch,
        Effect::Frustration,
        Effect::UnhappyButEngaged,
        Effect::HappyButBrief,
        Effect::ChannelInvest,
        Effect::ChannelCheck,
        Effect::DropOff,
        Effect::SearchExits,
        Effect::ConversionFall,
        Effect::ChannelFall,
        Effect::SlowPage,
        Effect::LoyaltyFall,
        Effect::MobileBounce,
        Effect::FunnelMobileDrop,
        Effect::ChannelValue,
        Effect::NewVisitorGoals,
    ];

    /// The rule whose card finds the effect.
    pub fn rule(self) -> Rule {
        match self {
            Effect::AnswersThenLeaves => Rule::AnswersThenLeaves,
            Effect::Mismatch => Rule::Mismatch,
            Effect::Frustration => Rule::Frustration,
            Effect::UnhappyButEngaged => Rule::UnhappyButEngaged,
            Effect::HappyButBrief => Rule::HappyButBrief,
            Effect::ChannelInvest | Effect::ChannelCheck => Rule::ChannelEngagement,
            Effect::DropOff => Rule::DropOff,
            Effect::SearchExits => Rule::SearchExits,
            Effect::ConversionFall => Rule::ConversionChange,
            Effect::ChannelFall => Rule::ChannelTrafficChange,
            Effect::SlowPage => Rule::SlowPage,
            Effect::LoyaltyFall => Rule::Loyalty,
            Effect::MobileBounce => Rule::SegmentGap,
            Effect::FunnelMobileDrop => Rule::FunnelStep,
            Effect::ChannelValue => Rule::ChannelValue,
            Effect::NewVisitorGoals => Rule::GoalGap,
        }
    }

    /// What the card must be about: a page (its `page`) or, for a site card, a name its
    /// statement gives.
    pub fn subject(self) -> Subject {
        match self {
            Effect::AnswersThenLeaves => Subject::Page("/guide"),
            Effect::Mismatch => Subject::Page("/offer"),
            Effect::Frustration => Subject::Page("/pricing"),
            Effect::UnhappyButEngaged => Subject::Page("/docs"),
            Effect::HappyButBrief => Subject::Page("/faq"),
            Effect::ChannelInvest => Subject::Named("partner.example"),
            Effect::ChannelCheck => Subject::Named("spam.example"),
            Effect::DropOff => Subject::Page("/checkout"),
            Effect::SearchExits => Subject::Page("/search"),
            Effect::ConversionFall => Subject::Named(GOAL),
            Effect::ChannelFall => Subject::Named("news.example"),
            Effect::SlowPage => Subject::Page("/features"),
            Effect::LoyaltyFall => Subject::Named("returning visits"),
            Effect::MobileBounce => Subject::Segment("/pricing", "device:mobile"),
            Effect::FunnelMobileDrop => Subject::Named("mobile visits dropped out"),
            Effect::ChannelValue => Subject::Named("Visits from Referral"),
            Effect::NewVisitorGoals => Subject::Named("New visitors reach a goal far less"),
        }
    }

    /// Whether `card` is the one that finds the effect.
    pub fn is_found_by(self, card: &InsightCard) -> bool {
        card.rule == self.rule()
            && match self.subject() {
                Subject::Page(path) => card.page.as_deref() == Some(path),
                Subject::Named(name) => card.statement.contains(name),
                Subject::Segment(path, segment) => {
                    card.page.as_deref() == Some(path)
                        && card.view.segment.as_deref() == Some(segment)
                }
            }
    }

    /// The current and previous periods' traffic with the effect planted.
    fn traffic(self) -> (Traffic, Traffic) {
        let mut previous = Traffic::background();
        let mut current = Traffic::background();
        let background = Behaviour::BACKGROUND;
        let cohort = |channel, path, last| Some(Cohort { visits: 150, channel, path, last });
        match self {
            Effect::AnswersThenLeaves => {
                let last = Behaviour { continues: 0.05, engaged_median_ms: 90_000.0, ..background };
                current.cohort = cohort(None, &["/guide"], last);
            }
            Effect::Mismatch => {
                let last = Behaviour { continues: 0.03, engaged_median_ms: 3_000.0, ..background };
                current.cohort = cohort(Some("ads.example"), &["/offer"], last);
            }
            Effect::Frustration => {
                current.pages.push(("/pricing", Behaviour { rage: 0.3, ..background }))
            }
            Effect::UnhappyButEngaged => {
                let docs = Behaviour {
                    engaged_median_ms: 30_000.0,
                    rated: 0.3,
                    unhappy: 0.6,
                    happy: 0.2,
                    ..background
                };
                current.pages.push(("/docs", docs));
            }
            Effect::HappyButBrief => {
                let last = Behaviour {
                    engaged_median_ms: 5_000.0,
                    rated: 0.4,
                    unhappy: 0.02,
                    happy: 0.9,
                    ..background
                };
                current.cohort = cohort(None, &["/faq"], last);
            }
            Effect::ChannelInvest => {
                let last = Behaviour { continues: 0.85, ..background };
                current.cohort = cohort(Some("partner.example"), &["/"], last);
            }
            Effect::ChannelCheck => {
                let last = Behaviour { continues: 0.03, engaged_median_ms: 2_000.0, ..background };
                current.cohort = cohort(Some("spam.example"), &["/"], last);
            }
            Effect::DropOff => {
                let last = Behaviour { continues: 0.0, engaged_median_ms: 4_000.0, ..background };
                current.cohort = cohort(None, &["/", "/pricing", "/checkout"], last);
            }
            Effect::SearchExits => {
                current.pages.push(("/search", Behaviour { continues: 0.05, ..background }))
            }
            Effect::ConversionFall => {
                current.goal_rate = 0.1;
                previous.goal_rate = 0.4;
            }
            Effect::ChannelFall => {
                let news = CHANNELS.iter().position(|(host, _)| *host == Some("news.example"));
                current.channel_weights[news.expect("a background channel")] /= 4.0;
            }
            Effect::SlowPage => {
                let slow = Behaviour {
                    continues: 0.2,
                    engaged_median_ms: 4_000.0,
                    lcp_median_ms: 5_000.0,
                    inp_median_ms: 500.0,
                    ..background
                };
                current.pages.push(("/features", slow));
            }
            Effect::LoyaltyFall => {
                current.returning = 0.15;
                previous.returning = 0.4;
            }
            Effect::MobileBounce => {
                let phone = Behaviour { continues: 0.1, engaged_median_ms: 3_000.0, ..background };
                current.mobile_pages.push(("/pricing", phone));
            }
            Effect::FunnelMobileDrop => {
                current.cohort = Some(Cohort {
                    visits: 300,
                    channel: None,
                    path: &["/pricing", "/signup"],
                    last: background,
                });
                current.mobile_goal_rate = Some(0.02);
            }
            Effect::ChannelValue => {
                current.cohort =
                    cohort(Some("newsletter.example"), &["/pricing", "/signup"], background);
                current.channel_goal_rate = Some(("newsletter.example", 0.9));
            }
            Effect::NewVisitorGoals => {
                current.cohort = Some(Cohort {
                    visits: 300,
                    channel: None,
                    path: &["/pricing", "/signup"],
                    last: background,
                });
                current.new_visitor_goal_rate = Some(0.03);
            }
        }
        (current, previous)
    }
}

/// What a planted effect's card is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A page, by path.
    Page(&'static str),
    /// A channel or a goal, which the card's statement names.
    Named(&'static str),
    /// A page and the segment (as `?segment=` names it) whose view the card links to.
    Segment(&'static str, &'static str),
}

/// The first day of the current period of every synthetic range; the previous period is the
/// day before.
pub fn current_day() -> Day {
    Day::parse("2026-11-23").expect("a valid day")
}

/// A synthetic range: this period and the previous one, background traffic from `seed` with
/// `effect` planted (or none).
pub fn range(seed: u64, effect: Option<Effect>) -> (MergedRange, MergedRange) {
    let (current, previous) =
        effect.map_or_else(|| (Traffic::background(), Traffic::background()), Effect::traffic);
    let mut rng = SplitMix64(seed);
    let day = current_day();
    let previous = generate(&mut rng, &previous).range(day.add_days(-1));
    let current = generate(&mut rng, &current).range(day);
    (current, previous)
}

/// One period's records of `traffic`.
fn generate(rng: &mut SplitMix64, traffic: &Traffic) -> Site {
    let mut site = Site::default();
    let total: f64 = traffic.channel_weights.iter().sum();
    let visits = VISITS - VISITS / 20 + rng.below(VISITS / 10 + 1);
    for _ in 0..visits {
        let mut pick = rng.unit() * total;
        let channel = CHANNELS
            .iter()
            .zip(traffic.channel_weights)
            .find(|(_, w)| {
                pick -= w;
                pick < 0.0
            })
            .and_then(|((host, _), _)| *host);
        let landing = LANDINGS[rng.below(LANDINGS.len() as u64) as usize];
        visit(rng, &mut site, traffic, channel, &[landing], None);
    }
    if let Some(cohort) = &traffic.cohort {
        for _ in 0..cohort.visits {
            visit(rng, &mut site, traffic, cohort.channel, cohort.path, Some(cohort.last));
        }
    }
    site
}

/// One visit through `channel`: along `path`, whose last view behaves as `last` (or its page's
/// behaviour), and then on to random pages while views continue, five views at most.
fn visit(
    rng: &mut SplitMix64,
    site: &mut Site,
    traffic: &Traffic,
    channel: Option<&str>,
    path: &[&'static str],
    last: Option<Behaviour>,
) {
    let visitor_n = rng.next_u64();
    // From the visitor's number, which the stream drew anyway: the other draws stay the same.
    let device = DeviceClass::ALL[(visitor_n % DeviceClass::ALL.len() as u64) as usize];
    let entry = match (rng.unit() < 0.5, rng.unit() < traffic.returning) {
        (false, _) => Entry::Entry,
        (true, false) => Entry::FirstVisit,
        (true, true) => Entry::Returning,
    };
    // What the tab keeps with journey consent: the visit's entry and its funnel progress.
    let visit_entry = VisitEntry {
        referrer: channel.map(str::to_owned),
        returning: entry.returning(),
        ..VisitEntry::default()
    };
    let funnel = funnel();
    let mut funnel_steps = 0u8;
    let mut reach = |site: &mut Site, step: &str| {
        if funnel.steps.get(usize::from(funnel_steps)).is_some_and(|next| next == step) {
            funnel_steps += 1;
            let key = SegmentKey::of_funnel(&visit_entry, device, None);
            site.site.record_funnel_step(funnel.id(), funnel_steps, visitor(visitor_n), key);
        }
    };
    let mut previous: Option<&str> = None;
    let mut page = path[0];
    for step in 0..5 {
        let planned = path.get(step + 1).copied();
        let behaviour = match (planned, step + 1 == path.len()) {
            (None, true) => last.unwrap_or_else(|| traffic.behaviour(page, device)),
            _ => traffic.behaviour(page, device),
        };
        let next = planned.or_else(|| {
            (step < 4 && rng.unit() < behaviour.continues).then(|| loop {
                let next = PAGES[rng.below(PAGES.len() as u64) as usize];
                if next != page {
                    break next;
                }
            })
        });
        let is_entry = previous.is_none();
        let view = View {
            referrer: channel.filter(|_| is_entry).map(str::to_owned),
            previous: previous.map(str::to_owned),
            search_term: (page == "/search")
                .then(|| TERMS[rng.below(TERMS.len() as u64) as usize].to_owned()),
            entry: if is_entry { entry } else { Entry::NotEntry },
            device,
            ..View::sample()
        };
        let reached_goal =
            page == "/signup" && rng.unit() < traffic.goal_rate(channel, device, entry);
        let log_normal = |rng: &mut SplitMix64, median: f64, sigma: f64| {
            (median.ln() + sigma * rng.normal()).exp().round() as u32
        };
        let leave = Leave {
            next: next.map(str::to_owned),
            engaged_ms: log_normal(rng, behaviour.engaged_median_ms, 0.8),
            scroll_pct: rng.below(101) as u8,
            interactions: rng.below(6) as u32,
            rage_clicks: u32::from(rng.unit() < behaviour.rage),
            reached_goal,
            lcp_ms: Some(log_normal(rng, behaviour.lcp_median_ms, 0.4)),
            inp_ms: Some(log_normal(rng, behaviour.inp_median_ms, 0.4)),
            ..leave_of(&view, &Leave::default())
        };
        site.view(page, visitor_n, &view);
        reach(site, page);
        if reached_goal {
            let goal = Event::Goal { name: GOAL.into(), value: Some(GOAL_VALUE), props: vec![] };
            site.event(page, &goal);
            let context = GoalContext { entry: Some(visit_entry.clone()), viewport: Some(device) };
            site.site.record_goal_segments(
                Some(GOAL_VALUE),
                SegmentKey::of_goal(&context, device, None),
            );
            reach(site, &format!("goal:{GOAL}"));
        }
        if rng.unit() < behaviour.rated {
            let draw = rng.unit();
            let score = if draw < behaviour.unhappy {
                1
            } else if draw < 1.0 - behaviour.happy {
                2
            } else {
                3
            };
            let score = FeedbackScore::new(score).expect("a score from 1 to 3");
            site.event(page, &Event::Feedback { score });
        }
        site.leave(page, &leave);
        match next {
            Some(next) => {
                previous = Some(page);
                page = next;
            }
            None => break,
        }
    }
}

/// What the engine found over a set of seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// The seeds, each used for one background range and one range per planted effect.
    pub seeds: Vec<u64>,
    /// Cards on each background range, by seed.
    pub null_cards: Vec<Vec<InsightCard>>,
    /// For each effect and seed, the rank (1 = first) of the card that found it, if any.
    pub planted: Vec<(Effect, Vec<Option<usize>>)>,
}

impl Measured {
    /// Planted effects found over planted effects run.
    pub fn recall(&self) -> f64 {
        let ranks = self.planted.iter().flat_map(|(_, ranks)| ranks);
        let (found, all) = ranks.fold((0, 0), |(f, a), r| (f + usize::from(r.is_some()), a + 1));
        found as f64 / all.max(1) as f64
    }

    /// Cards on background ranges, per range.
    pub fn false_cards_per_null_site(&self) -> f64 {
        let cards: usize = self.null_cards.iter().map(Vec::len).sum();
        cards as f64 / self.null_cards.len().max(1) as f64
    }

    /// Background ranges that showed no card.
    pub fn null_sites_without_cards(&self) -> usize {
        self.null_cards.iter().filter(|cards| cards.is_empty()).count()
    }

    /// Of the planted effects found, the share whose card came first.
    pub fn found_first(&self) -> f64 {
        let ranks: Vec<usize> =
            self.planted.iter().flat_map(|(_, ranks)| ranks.iter().flatten().copied()).collect();
        ranks.iter().filter(|&&r| r == 1).count() as f64 / ranks.len().max(1) as f64
    }
}

/// Runs the engine over a background range and a range per planted effect for each seed.
pub fn measure(seeds: &[u64], options: &SummaryOptions) -> Measured {
    // The synthetic site's own setting: its funnel.
    let options = &SummaryOptions { funnels: vec![funnel()], ..options.clone() };
    let cards_of = |seed, effect| {
        let (current, previous) = range(seed, effect);
        find_insights(&current, Some(&previous), options)
    };
    let null_cards = seeds.iter().map(|&seed| cards_of(seed, None)).collect();
    let planted = Effect::ALL
        .iter()
        .map(|&effect| {
            let ranks = seeds
                .iter()
                .map(|&seed| {
                    let cards = cards_of(seed, Some(effect));
                    cards.iter().position(|card| effect.is_found_by(card)).map(|i| i + 1)
                })
                .collect();
            (effect, ranks)
        })
        .collect();
    Measured { seeds: seeds.to_vec(), null_cards, planted }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seeds of the core test: the bench runs the same generator over more.
    const SEEDS: std::ops::Range<u64> = 1..21;

    #[test]
    fn a_seed_gives_the_same_range_every_time() {
        let (a, _) = range(7, Some(Effect::Mismatch));
        let (b, _) = range(7, Some(Effect::Mismatch));
        assert_eq!(a.site().engagement.views, b.site().engagement.views);
        assert_eq!(a.site().engagement.bounces, b.site().engagement.bounces);
        let (c, _) = range(8, Some(Effect::Mismatch));
        assert_ne!(a.site().engagement.views, c.site().engagement.views);
    }

    #[test]
    fn background_ranges_make_no_card_and_every_planted_effect_is_found() {
        let seeds: Vec<u64> = SEEDS.collect();
        let measured = measure(&seeds, &SummaryOptions::default());
        // Benjamini–Hochberg at q = 0.05 allows a card on one background range in twenty.
        assert!(
            measured.null_sites_without_cards() >= 19,
            "{:?}",
            measured.null_cards.iter().flatten().map(|c| &c.statement).collect::<Vec<_>>()
        );
        for (effect, ranks) in &measured.planted {
            assert!(ranks.iter().all(Option::is_some), "{effect:?} not found: {ranks:?}");
        }
    }
}
