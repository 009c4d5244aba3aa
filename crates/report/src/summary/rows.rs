//! Breakdown rows: one generic [`Row`] (a label, its visitors and its [`Figures`]), built from
//! a range's pages, a scope's top-k lists and its count maps, then folded as the [module
//! documentation](super) says.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::rates::{mean_feedback, ratio};
use super::{MergedRange, SummaryOptions};
use crate::privacy::{fold_small_rows, Breakdown, OTHER};
use tacit_aggregate::properties::PropertyValues;
use tacit_aggregate::record::Activity;
use tacit_aggregate::top_k::{TopK, TopKEntry};

/// One row of a breakdown: what it is about, its visitors, and what was counted for it.
///
/// In JSON the label is named after what it names ([`Figures::LABEL`]), then come the visitors
/// of a page row, then the figures:
/// `{"channel": "news.example", "entries": 25, "engaged_visits": 25, "engagement_rate": 1.0}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<F> {
    /// A page path, a referrer host, a channel, a goal, a device class...
    pub label: String,
    /// Estimated unique visitors, which the k test reads. A page row's come from the page's
    /// sketch and are published; other rows' are the estimate of the [module
    /// documentation](super), which is not: such a row read back from JSON has 0. In an
    /// [`OTHER`] row they are the sum of the folded rows', an upper bound of their union.
    pub visitors: u64,
    /// What was counted for the label.
    pub figures: F,
}

/// What a row's label names, which is its name in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLabel {
    /// A page path, `"path"`: the only rows with a visitor sketch of their own, whose
    /// [`Row::visitors`] are therefore published.
    Path,
    /// A channel, `"channel"`.
    Channel,
    /// A goal, `"goal"`.
    Goal,
    /// A custom event, `"event"`.
    CustomEvent,
    /// A custom property's value, `"value"`.
    PropertyValue,
    /// Anything else counted by label (a referrer host, a term, a device...), `"label"`.
    Other,
}

impl RowLabel {
    /// The label's name in JSON.
    pub fn json_name(self) -> &'static str {
        match self {
            RowLabel::Path => "path",
            RowLabel::Channel => "channel",
            RowLabel::Goal => "goal",
            RowLabel::CustomEvent => "event",
            RowLabel::PropertyValue => "value",
            RowLabel::Other => "label",
        }
    }

    /// Whether a row's visitors are published: only a page's come from a sketch.
    fn publishes_visitors(self) -> bool {
        self == RowLabel::Path
    }
}

/// What a breakdown row counts: measures that add up when rows fold into [`OTHER`], and the
/// rates made from them.
pub trait Figures: Serialize + DeserializeOwned {
    /// What the row's label names.
    const LABEL: RowLabel;
    /// What the rows are ordered by, largest first: views, visits, exits, the count...
    fn size(&self) -> u64;
    /// Adds `other`'s measures to these and recomputes the rates.
    fn add(&mut self, other: &Self);
}

impl<F> Row<F> {
    /// A row of `label` with `visitors` and `figures`.
    pub fn new(label: &str, visitors: u64, figures: F) -> Row<F> {
        Row { label: label.to_owned(), visitors, figures }
    }
}

impl<F: Figures> Breakdown for Row<F> {
    fn label(&self) -> &str {
        &self.label
    }

    fn visitors(&self) -> u64 {
        self.visitors
    }

    fn absorb(&mut self, other: Row<F>) {
        self.visitors += other.visitors;
        self.figures.add(&other.figures);
    }

    fn relabel(&mut self, label: &str) {
        label.clone_into(&mut self.label);
    }
}

impl<F: Figures> Serialize for Row<F> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // The head and the figures side by side, in one object.
        #[derive(Serialize)]
        struct Flat<'a, F> {
            #[serde(flatten)]
            head: Head<'a>,
            #[serde(flatten)]
            figures: &'a F,
        }
        let visitors = F::LABEL.publishes_visitors().then_some(self.visitors);
        let head = Head { label_name: F::LABEL.json_name(), label: &self.label, visitors };
        Flat { head, figures: &self.figures }.serialize(serializer)
    }
}

/// The fields of a row in JSON that come before its figures.
struct Head<'a> {
    label_name: &'static str,
    label: &'a str,
    visitors: Option<u64>,
}

impl Serialize for Head<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(self.label_name, self.label)?;
        if let Some(visitors) = self.visitors {
            map.serialize_entry("visitors", &visitors)?;
        }
        map.end()
    }
}

/// Read through a JSON object: the label and the visitors are taken out by name, and the
/// figures read what is left.
impl<'de, F: Figures> Deserialize<'de> for Row<F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Row<F>, D::Error> {
        let mut fields = serde_json::Map::deserialize(deserializer)?;
        let mut take =
            |name: &'static str| fields.remove(name).ok_or_else(|| D::Error::missing_field(name));
        let label = String::deserialize(take(F::LABEL.json_name())?).map_err(D::Error::custom)?;
        let visitors = if F::LABEL.publishes_visitors() {
            u64::deserialize(take("visitors")?).map_err(D::Error::custom)?
        } else {
            0
        };
        let figures =
            F::deserialize(serde_json::Value::Object(fields)).map_err(D::Error::custom)?;
        Ok(Row { label, visitors, figures })
    }
}

/// In the OpenAPI document a row is what it is in JSON: its label (and a page's visitors) beside
/// the figures' own fields.
#[cfg(feature = "openapi")]
impl<F: Figures + utoipa::ToSchema> utoipa::PartialSchema for Row<F> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{AllOfBuilder, ObjectBuilder, Ref, Type};
        let label = F::LABEL.json_name();
        let mut head = ObjectBuilder::new()
            .property(label, ObjectBuilder::new().schema_type(Type::String))
            .required(label);
        if F::LABEL.publishes_visitors() {
            let visitors = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0));
            head = head.property("visitors", visitors).required("visitors");
        }
        AllOfBuilder::new().item(head).item(Ref::from_schema_name(F::name())).into()
    }
}

#[cfg(feature = "openapi")]
impl<F: Figures + utoipa::ToSchema> utoipa::ToSchema for Row<F> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("{}Row", F::name()).into()
    }

    fn schemas(
        schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
    ) {
        schemas.push((F::name().into(), F::schema()));
        F::schemas(schemas);
    }
}

/// A page by views.
pub type PageRow = Row<PageViews>;
/// A page as a landing page: its visits and how they went.
pub type EntryPageRow = Row<Landings>;
/// A page as a last page: the views that ended the visit there.
pub type ExitPageRow = Row<Exits>;
/// A label and what was counted for it: views, entries or events, as the breakdown says.
pub type CountRow = Row<Counted>;
/// A channel (campaign source, referrer host or `(direct)`) with its volume and engagement.
pub type ChannelRow = Row<ChannelVisits>;
/// A goal with its completions, conversion rate and value.
pub type GoalRow = Row<GoalCompletions>;
/// A custom event with its count and value.
pub type CustomEventRow = Row<CustomEventCounts>;
/// A value of a goal's or custom event's property, with its count and value sum.
pub type PropertyRow = Row<PropertyCounts>;

/// A page's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageViews {
    /// Page views.
    pub views: u64,
}

impl Figures for PageViews {
    const LABEL: RowLabel = RowLabel::Path;

    fn size(&self) -> u64 {
        self.views
    }

    fn add(&mut self, other: &PageViews) {
        self.views += other.views;
    }
}

/// The visits that started on a page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Landings {
    /// Visits that started on the page.
    pub entries: u64,
    /// Of those whose leave arrived, the bounces.
    pub bounces: u64,
    /// Of those whose leave arrived, the engaged visits.
    pub engaged_visits: u64,
    /// Bounces over bounces + engaged visits.
    pub bounce_rate: Option<f64>,
    /// Engaged visits over bounces + engaged visits.
    pub engagement_rate: Option<f64>,
}

impl Landings {
    fn new(entries: u64, bounces: u64, engaged_visits: u64) -> Landings {
        let ended = bounces + engaged_visits;
        Landings {
            entries,
            bounces,
            engaged_visits,
            bounce_rate: ratio(bounces, ended),
            engagement_rate: ratio(engaged_visits, ended),
        }
    }
}

impl Figures for Landings {
    const LABEL: RowLabel = RowLabel::Path;

    fn size(&self) -> u64 {
        self.entries
    }

    fn add(&mut self, other: &Landings) {
        *self = Landings::new(
            self.entries + other.entries,
            self.bounces + other.bounces,
            self.engaged_visits + other.engaged_visits,
        );
    }
}

/// The views that ended the visit on a page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exits {
    /// Views whose leave arrived.
    pub leaves: u64,
    /// Views that ended the visit.
    pub exits: u64,
    /// Exits over leaves.
    pub exit_rate: Option<f64>,
}

impl Exits {
    fn new(leaves: u64, exits: u64) -> Exits {
        Exits { leaves, exits, exit_rate: ratio(exits, leaves) }
    }
}

impl Figures for Exits {
    const LABEL: RowLabel = RowLabel::Path;

    fn size(&self) -> u64 {
        self.exits
    }

    fn add(&mut self, other: &Exits) {
        *self = Exits::new(self.leaves + other.leaves, self.exits + other.exits);
    }
}

/// What was counted for a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counted {
    /// Views, entries or events counted for the label (a top-k count may be slightly high).
    pub count: u64,
}

impl Figures for Counted {
    const LABEL: RowLabel = RowLabel::Other;

    fn size(&self) -> u64 {
        self.count
    }

    fn add(&mut self, other: &Counted) {
        self.count += other.count;
    }
}

/// The visits a channel brought and how many were engaged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelVisits {
    /// Visits it brought.
    pub entries: u64,
    /// Of those, the engaged visits.
    pub engaged_visits: u64,
    /// Engaged visits over entries.
    pub engagement_rate: Option<f64>,
}

impl ChannelVisits {
    fn new(entries: u64, engaged_visits: u64) -> ChannelVisits {
        ChannelVisits { entries, engaged_visits, engagement_rate: ratio(engaged_visits, entries) }
    }
}

impl Figures for ChannelVisits {
    const LABEL: RowLabel = RowLabel::Channel;

    fn size(&self) -> u64 {
        self.entries
    }

    fn add(&mut self, other: &ChannelVisits) {
        *self = ChannelVisits::new(
            self.entries + other.entries,
            self.engaged_visits + other.engaged_visits,
        );
    }
}

/// A goal's completions, per visit, and their value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GoalCompletions {
    /// Times it was reached.
    pub completions: u64,
    /// Completions per visit of the site.
    pub conversion_rate: Option<f64>,
    /// Sum of the values sent with it (revenue); may miss values of a goal the top-k list
    /// evicted for a while.
    pub value: f64,
}

impl Figures for GoalCompletions {
    const LABEL: RowLabel = RowLabel::Goal;

    fn size(&self) -> u64 {
        self.completions
    }

    fn add(&mut self, other: &GoalCompletions) {
        self.completions += other.completions;
        self.value += other.value;
        // Both rates share the site's visits as denominator, so they add.
        self.conversion_rate = match (self.conversion_rate, other.conversion_rate) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
}

/// A custom event's count and value: a goal's figures but the conversion rate, since a custom
/// event is no conversion ([`tacit_beacon::signal::Event::Custom`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomEventCounts {
    /// Times it happened.
    pub count: u64,
    /// Sum of the values sent with it; may miss values of an event the top-k list evicted for
    /// a while.
    pub value: f64,
}

impl Figures for CustomEventCounts {
    const LABEL: RowLabel = RowLabel::CustomEvent;

    fn size(&self) -> u64 {
        self.count
    }

    fn add(&mut self, other: &CustomEventCounts) {
        self.count += other.count;
        self.value += other.value;
    }
}

/// How often a goal or custom event was sent with a property's value, and the sum of the
/// goal's or event's values those times.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyCounts {
    /// Times the goal or event was sent with this value.
    pub count: u64,
    /// Sum of the goal's or event's values sent with it (revenue per plan); may miss values
    /// sent while the top-k list did not track this value.
    pub value_sum: f64,
}

impl Figures for PropertyCounts {
    const LABEL: RowLabel = RowLabel::PropertyValue;

    fn size(&self) -> u64 {
        self.count
    }

    fn add(&mut self, other: &PropertyCounts) {
        self.count += other.count;
        self.value_sum += other.value_sum;
    }
}

/// One property key of a goal or custom event, and its values, folded as every breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyBreakdown {
    /// The goal's or custom event's name.
    pub name: String,
    /// The property's key, such as `plan`.
    pub key: String,
    /// Its values, largest count first.
    pub values: Vec<PropertyRow>,
}

/// Who the visitors were: views per device class, browser family, country and language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Audience {
    /// Views per device class.
    pub devices: Vec<CountRow>,
    /// Views per browser family.
    pub browsers: Vec<CountRow>,
    /// Views per country (views whose country was known).
    pub countries: Vec<CountRow>,
    /// Views per primary language.
    pub languages: Vec<CountRow>,
}

impl Audience {
    /// The audience of a scope whose visitors per view are `visitors_per_view`.
    pub(super) fn of(
        activity: &Activity,
        visitors_per_view: f64,
        options: &SummaryOptions,
    ) -> Audience {
        let rows = |counts: Vec<(&str, u64)>| map_rows(counts, visitors_per_view, options);
        Audience {
            devices: rows(activity.devices.iter().map(|(d, &n)| (d.as_str(), n)).collect()),
            browsers: rows(activity.browsers.iter().map(|(b, &n)| (b.as_str(), n)).collect()),
            countries: rows(activity.countries.iter().map(|(c, &n)| (c.as_str(), n)).collect()),
            languages: top_k_rows(&activity.languages, visitors_per_view, options),
        }
    }
}

/// One-tap feedback (CSAT 1–3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    /// Answers given.
    pub answers: u64,
    /// Mean score, from 1 (unhappy) to 3 (happy).
    pub mean_score: f64,
    /// The site's mean score over the same range, the baseline (`None` in a site summary).
    pub site_mean_score: Option<f64>,
    /// Answers per score (`"1"`, `"2"`, `"3"`), folded under k like any breakdown.
    pub scores: Vec<CountRow>,
}

impl Feedback {
    /// The feedback of a scope against the `site`'s, `None` when fewer than k answered (the
    /// estimate of answering visitors, as for any row, is below k) or nobody did.
    pub(super) fn of(
        activity: &Activity,
        site: Option<&Activity>,
        visitors_per_view: f64,
        options: &SummaryOptions,
    ) -> Option<Feedback> {
        let answers: u64 = activity.feedback.values().sum();
        if answers == 0 || estimate_visitors(answers, 0, visitors_per_view) < options.k {
            return None;
        }
        let labels = ["1", "2", "3"];
        let scores = map_rows(
            activity.feedback.iter().map(|(s, &n)| (labels[usize::from(s.get() - 1)], n)),
            visitors_per_view,
            options,
        );
        Some(Feedback {
            answers,
            mean_score: mean_feedback(activity)?,
            site_mean_score: site.and_then(mean_feedback),
            scores,
        })
    }
}

/// A scope's unique visitors per view, at most 1 (1 without views): the scale of the k
/// estimate of its rows.
pub(super) fn visitors_per_view(visitors: u64, views: u64) -> f64 {
    ratio(visitors, views).map_or(1.0, |r| r.min(1.0))
}

/// The k-test estimate of a row's visitors (see the [module documentation](super)).
fn estimate_visitors(count: u64, max_error: u64, visitors_per_view: f64) -> u64 {
    if count == 0 {
        return 0;
    }
    let guaranteed = count.saturating_sub(max_error);
    ((guaranteed as f64 * visitors_per_view).floor() as u64).max(1)
}

/// A page table of `range`: a row for each page that `figures` has figures for, with the
/// page's own visitors, largest first, folded.
pub(super) fn page_rows<F: Figures>(
    range: &MergedRange,
    options: &SummaryOptions,
    figures: impl Fn(&Activity) -> Option<F>,
) -> Vec<Row<F>> {
    let mut rows: Vec<Row<F>> = range
        .pages()
        .iter()
        .filter_map(|page| {
            let figures = figures(page.activity())?;
            Some(Row { label: page.path.clone(), visitors: page.visitors, figures })
        })
        .collect();
    rows.sort_by(largest_first);
    fold(rows, options)
}

/// The top pages of `range` by views.
pub(super) fn top_page_rows(range: &MergedRange, options: &SummaryOptions) -> Vec<PageRow> {
    page_rows(range, options, |a| Some(PageViews { views: a.engagement.views }))
}

/// The pages of `range` that visits started on.
pub(super) fn entry_page_rows(range: &MergedRange, options: &SummaryOptions) -> Vec<EntryPageRow> {
    page_rows(range, options, |a| {
        (a.engagement.entries > 0).then(|| {
            Landings::new(a.engagement.entries, a.engagement.bounces, a.engagement.engaged_visits)
        })
    })
}

/// The pages of `range` that visits ended on.
pub(super) fn exit_page_rows(range: &MergedRange, options: &SummaryOptions) -> Vec<ExitPageRow> {
    page_rows(range, options, |a| {
        (a.engagement.exits > 0).then(|| Exits::new(a.engagement.leaves, a.engagement.exits))
    })
}

/// A top-k list as count rows.
pub(crate) fn top_k_rows(
    list: &TopK,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<CountRow> {
    let counted = |count| Counted { count };
    let entries = list.top(usize::MAX);
    let rows =
        top_k_breakdown(entries, list.total(), visitors_per_view, |e| counted(e.count), counted);
    fold_other_last(rows, options)
}

/// Channels with engagement, from a scope's entry and engaged channel lists.
///
/// Engaged counts are looked up in the engaged list and capped at the entries (both lists are
/// approximate once full, and a channel's engaged count must not exceed its entries).
pub(crate) fn channel_rows(
    activity: &Activity,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<ChannelRow> {
    let engaged: HashMap<String, u64> =
        activity.engaged_channels.top(usize::MAX).into_iter().map(|e| (e.key, e.count)).collect();
    let engaged_of = |e: &TopKEntry| engaged.get(&e.key).copied().unwrap_or(0).min(e.count);
    let entries = activity.entry_channels.top(usize::MAX);
    let listed_engaged: u64 = entries.iter().map(engaged_of).sum();
    let untracked_engaged = activity.engaged_channels.total().saturating_sub(listed_engaged);
    let rows = top_k_breakdown(
        entries,
        activity.entry_channels.total(),
        visitors_per_view,
        |e| ChannelVisits::new(e.count, engaged_of(e)),
        |entries| ChannelVisits::new(entries, untracked_engaged.min(entries)),
    );
    fold_other_last(rows, options)
}

/// Goals with conversion per visit of the scope and value.
pub(crate) fn goal_rows(
    activity: &Activity,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<GoalRow> {
    let visits = activity.engagement.entries;
    let completions = |count, value| GoalCompletions {
        completions: count,
        conversion_rate: ratio(count, visits),
        value,
    };
    let rows = top_k_breakdown(
        activity.goals.top(usize::MAX),
        activity.goals.total(),
        visitors_per_view,
        |e| completions(e.count, e.value_sum),
        |count| completions(count, 0.0),
    );
    fold_other_last(rows, options)
}

/// Custom events with their count and value.
pub(crate) fn custom_event_rows(
    activity: &Activity,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<CustomEventRow> {
    let rows = top_k_breakdown(
        activity.custom_events.top(usize::MAX),
        activity.custom_events.total(),
        visitors_per_view,
        |e| CustomEventCounts { count: e.count, value: e.value_sum },
        |count| CustomEventCounts { count, value: 0.0 },
    );
    fold_other_last(rows, options)
}

/// The properties of the goals or custom events `shown` (the labels of their rows, after
/// folding: a name folded into [`OTHER`] shows no properties, which would name it), each
/// key's values folded under k.
pub(crate) fn property_breakdowns<'a>(
    table: &PropertyValues,
    shown: impl IntoIterator<Item = &'a str>,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<PropertyBreakdown> {
    let counts = |e: &TopKEntry| PropertyCounts { count: e.count, value_sum: e.value_sum };
    let mut breakdowns = Vec::new();
    for name in shown.into_iter().filter(|&name| name != OTHER) {
        for (key, values) in table.of(name).into_iter().flatten() {
            let rows = top_k_breakdown(
                values.top(usize::MAX),
                values.total(),
                visitors_per_view,
                counts,
                |count| PropertyCounts { count, value_sum: 0.0 },
            );
            let values = fold_other_last(rows, options);
            breakdowns.push(PropertyBreakdown { name: name.to_owned(), key: key.clone(), values });
        }
    }
    breakdowns
}

/// A map of counts (devices, browsers, countries, feedback scores) as count rows.
fn map_rows<'a>(
    counts: impl IntoIterator<Item = (&'a str, u64)>,
    visitors_per_view: f64,
    options: &SummaryOptions,
) -> Vec<CountRow> {
    let rows: Vec<CountRow> = counts
        .into_iter()
        .filter(|&(_, count)| count > 0)
        .map(|(label, count)| Row {
            label: label.to_owned(),
            visitors: estimate_visitors(count, 0, visitors_per_view),
            figures: Counted { count },
        })
        .collect();
    fold_other_last(rows, options)
}

/// The rows of a top-k list's `entries`, figures from `tracked`, and an [`OTHER`] row, figures
/// from `untracked`, for the weight of the list's `total` that it no longer tracks. An entry
/// whose possible over-count is more than half its count is labelled [`OTHER`] too.
fn top_k_breakdown<F>(
    entries: Vec<TopKEntry>,
    total: u64,
    visitors_per_view: f64,
    tracked: impl Fn(&TopKEntry) -> F,
    untracked: impl FnOnce(u64) -> F,
) -> Vec<Row<F>> {
    let listed: u64 = entries.iter().map(|e| e.count).sum();
    let mut rows: Vec<Row<F>> = entries
        .into_iter()
        .map(|e| {
            let figures = tracked(&e);
            let visitors = estimate_visitors(e.count, e.max_error, visitors_per_view);
            let unreliable = e.max_error.saturating_mul(2) > e.count;
            let label = if unreliable { OTHER.to_owned() } else { e.key };
            Row { label, visitors, figures }
        })
        .collect();
    let weight = total.saturating_sub(listed);
    if weight > 0 {
        let visitors = estimate_visitors(weight, 0, visitors_per_view);
        rows.push(Row { label: OTHER.to_owned(), visitors, figures: untracked(weight) });
    }
    rows
}

/// The rows sorted largest first with [`OTHER`] rows last, then folded.
fn fold_other_last<F: Figures>(mut rows: Vec<Row<F>>, options: &SummaryOptions) -> Vec<Row<F>> {
    rows.sort_by(|a, b| {
        (a.label == OTHER).cmp(&(b.label == OTHER)).then_with(|| largest_first(a, b))
    });
    fold(rows, options)
}

/// Largest first, ties by label.
fn largest_first<F: Figures>(a: &Row<F>, b: &Row<F>) -> Ordering {
    b.figures.size().cmp(&a.figures.size()).then_with(|| a.label.cmp(&b.label))
}

/// Folds the rows (in order) past `max_rows`, then those under k.
fn fold<F: Figures>(mut rows: Vec<Row<F>>, options: &SummaryOptions) -> Vec<Row<F>> {
    let max_rows = options.max_rows.max(1);
    for row in rows.iter_mut().skip(max_rows) {
        row.relabel(OTHER);
    }
    fold_small_rows(rows, options.k)
}

#[cfg(test)]
mod tests;
