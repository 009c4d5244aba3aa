//! Consent: what a visitor agreed to, where that came from, and the daily tally of both.
//!
//! Every beacon carries a [`ConsentState`]. The edge tallies the states of page views per day
//! by category, value and source ([`ConsentTally`]); for a visitor who opted out that tally is
//! all that is sent.
//! What a beacon may add under a site's [`ConsentMode`] is [`crate::admission`]'s to decide.

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What consent covers (DESIGN: "Consent").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Aggregate counting.
    Measurement,
    /// Linking page views of one tab, and the returning-visitor flag.
    Journey,
}

/// A category's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentValue {
    /// The visitor agreed.
    Granted,
    /// The visitor refused or opted out.
    Denied,
    /// No signal either way.
    Unset,
}

/// Where the strongest consent signal came from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// `tacit('consent', {...})` on the page.
    Api,
    /// An IAB TCF v2.2 consent management platform (`__tcfapi`).
    Tcf,
    /// Google Consent Mode v2 (`analytics_storage`).
    ConsentMode,
    /// Global Privacy Control (`navigator.globalPrivacyControl` or `Sec-GPC`).
    Gpc,
    /// Do Not Track.
    Dnt,
    /// No signal: the site's policy mode applies.
    Default,
}

impl Category {
    /// The category's name on the wire and in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Category::Measurement => "measurement",
            Category::Journey => "journey",
        }
    }

    /// Every category, in order.
    pub const ALL: [Category; 2] = [Category::Measurement, Category::Journey];
}

impl ConsentValue {
    /// The value's name on the wire and in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConsentValue::Granted => "granted",
            ConsentValue::Denied => "denied",
            ConsentValue::Unset => "unset",
        }
    }

    /// Every value, in order.
    pub const ALL: [ConsentValue; 3] =
        [ConsentValue::Granted, ConsentValue::Denied, ConsentValue::Unset];
}

impl ConsentSource {
    /// The source's name on the wire and in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConsentSource::Api => "api",
            ConsentSource::Tcf => "tcf",
            ConsentSource::ConsentMode => "consent_mode",
            ConsentSource::Gpc => "gpc",
            ConsentSource::Dnt => "dnt",
            ConsentSource::Default => "default",
        }
    }

    /// Every source, strongest first.
    pub const ALL: [ConsentSource; 6] = [
        ConsentSource::Api,
        ConsentSource::Tcf,
        ConsentSource::ConsentMode,
        ConsentSource::Gpc,
        ConsentSource::Dnt,
        ConsentSource::Default,
    ];
}

/// The consent a beacon was sent under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentState {
    /// Consent to aggregate counting.
    pub measurement: ConsentValue,
    /// Consent to journey linking.
    pub journey: ConsentValue,
    /// Where the state came from.
    pub source: ConsentSource,
}

impl Default for ConsentState {
    /// No signal at all: both categories unset, the site's policy decides.
    fn default() -> ConsentState {
        ConsentState {
            measurement: ConsentValue::Unset,
            journey: ConsentValue::Unset,
            source: ConsentSource::Default,
        }
    }
}

/// A site's consent policy (DESIGN: "Consent").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ConsentMode {
    /// Aggregate counting without identifiers and without consent, in the spirit of the CNIL
    /// audience-measurement exemption; any opt-out stops it.
    #[default]
    #[serde(rename = "exempt")]
    Exempt,
    /// Nothing but the consent tally until measurement consent is granted.
    #[serde(rename = "opt-in")]
    OptIn,
}

impl ConsentMode {
    /// Whether the mode lets a beacon tallied under `state` be counted. This is the mode's rule
    /// alone: [`crate::admission::admit`], which applies the request's opt-out headers first,
    /// is what decides a beacon.
    pub fn admits(self, state: ConsentState) -> bool {
        match self {
            ConsentMode::Exempt => state.measurement != ConsentValue::Denied,
            ConsentMode::OptIn => state.measurement == ConsentValue::Granted,
        }
    }

    /// The mode's name in configuration and reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConsentMode::Exempt => "exempt",
            ConsentMode::OptIn => "opt-in",
        }
    }
}

/// Counts of the consent states of one day's page views, by category, value and source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentTally {
    counts: BTreeMap<(Category, ConsentValue, ConsentSource), u64>,
}

impl ConsentTally {
    /// Counts one page view's consent state, once per category.
    pub fn record(&mut self, state: ConsentState) {
        for key in Self::keys(state) {
            *self.counts.entry(key).or_default() += 1;
        }
    }

    /// Takes back a page view counted under `state`, whose consent changed on the page since.
    /// The earlier count may have gone to the day before (a page open at midnight): then there
    /// may be none of `state` to take back, and nothing is.
    pub fn take_back(&mut self, state: ConsentState) {
        for key in Self::keys(state) {
            if let Some(count) = self.counts.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    self.counts.remove(&key);
                }
            }
        }
    }

    fn keys(state: ConsentState) -> [(Category, ConsentValue, ConsentSource); 2] {
        [
            (Category::Measurement, state.measurement, state.source),
            (Category::Journey, state.journey, state.source),
        ]
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &ConsentTally) {
        for (key, count) in &other.counts {
            *self.counts.entry(*key).or_default() += count;
        }
    }

    /// How many page views had `value` for `category`, from any source.
    pub fn count(&self, category: Category, value: ConsentValue) -> u64 {
        self.counts
            .iter()
            .filter(|((c, v, _), _)| *c == category && *v == value)
            .map(|(_, n)| n)
            .sum()
    }

    /// The tally with these counts, as [`ConsentTally::entries`] lists them.
    pub fn from_entries(
        entries: impl IntoIterator<Item = (Category, ConsentValue, ConsentSource, u64)>,
    ) -> ConsentTally {
        let mut tally = ConsentTally::default();
        for (category, value, source, count) in entries {
            *tally.counts.entry((category, value, source)).or_default() += count;
        }
        tally
    }

    /// Every non-zero `(category, value, source, count)`, in a stable order.
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = (Category, ConsentValue, ConsentSource, u64)> + '_ {
        self.counts.iter().map(|(&(c, v, s), &n)| (c, v, s, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_each_category_of_a_state_once() {
        let mut tally = ConsentTally::default();
        tally.record(ConsentState {
            measurement: ConsentValue::Granted,
            journey: ConsentValue::Denied,
            source: ConsentSource::Tcf,
        });
        tally.record(ConsentState::default());
        assert_eq!(tally.count(Category::Measurement, ConsentValue::Granted), 1);
        assert_eq!(tally.count(Category::Journey, ConsentValue::Denied), 1);
        assert_eq!(tally.count(Category::Measurement, ConsentValue::Unset), 1);
        assert_eq!(tally.entries().count(), 4);
    }

    #[test]
    fn wire_names_match_serde_names() {
        for source in ConsentSource::ALL {
            assert_eq!(serde_json::to_string(&source).unwrap(), format!("\"{}\"", source.as_str()));
        }
        for value in ConsentValue::ALL {
            assert_eq!(serde_json::to_string(&value).unwrap(), format!("\"{}\"", value.as_str()));
        }
        for category in Category::ALL {
            assert_eq!(
                serde_json::to_string(&category).unwrap(),
                format!("\"{}\"", category.as_str())
            );
        }
    }

    #[test]
    fn exempt_counts_unless_denied_and_opt_in_only_when_granted() {
        let state = |measurement| ConsentState { measurement, ..ConsentState::default() };
        let admitted = |mode: ConsentMode| ConsentValue::ALL.map(|value| mode.admits(state(value)));
        // In the order granted, denied, unset.
        assert_eq!(admitted(ConsentMode::Exempt), [true, false, true]);
        assert_eq!(admitted(ConsentMode::OptIn), [true, false, false]);
    }

    #[test]
    fn merging_adds_counts() {
        let mut a = ConsentTally::default();
        let mut b = ConsentTally::default();
        a.record(ConsentState::default());
        b.record(ConsentState::default());
        b.record(ConsentState {
            source: ConsentSource::Gpc,
            measurement: ConsentValue::Denied,
            ..ConsentState::default()
        });
        a.merge(&b);
        assert_eq!(a.count(Category::Measurement, ConsentValue::Unset), 2);
        assert_eq!(a.count(Category::Measurement, ConsentValue::Denied), 1);
    }

    #[test]
    fn takes_back_a_page_view_and_never_below_zero() {
        let refused = ConsentState {
            measurement: ConsentValue::Denied,
            journey: ConsentValue::Denied,
            source: ConsentSource::Tcf,
        };
        let mut tally = ConsentTally::default();
        tally.record(refused);
        tally.record(ConsentState::default());
        tally.take_back(refused);
        assert_eq!(tally.count(Category::Measurement, ConsentValue::Denied), 0);
        assert_eq!(tally.entries().count(), 2, "no zero entry is kept");
        // Counted the day before: nothing to take back today.
        tally.take_back(refused);
        assert_eq!(tally, {
            let mut only_unset = ConsentTally::default();
            only_unset.record(ConsentState::default());
            only_unset
        });
    }
}
