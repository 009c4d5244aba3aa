//! Admission: what one beacon may add to a site's figures, decided by one function that the
//! snippet, the worker and the site's shard all call.
//!
//! Three facts decide it: the consent state the beacon carries (what the page's strongest
//! consent source said), the opt-out signals of its request's headers (`Sec-GPC: 1`, `DNT: 1`,
//! which the edge sees even when the snippet did not), and the site's [`ConsentMode`]. The
//! answer is the state the beacon is tallied under and what it [`Adds`]: the tally alone, or
//! what it reports as well, with or without journey linking.
//!
//! ```
//! use tacit_beacon::admission::{admit, Adds, HeaderSignals};
//! use tacit_beacon::consent::{ConsentMode, ConsentState};
//!
//! let no_signal = ConsentState::default();
//! assert_eq!(admit(no_signal, HeaderSignals::NONE, ConsentMode::Exempt).adds, Adds::Counted);
//! assert_eq!(admit(no_signal, HeaderSignals::NONE, ConsentMode::OptIn).adds, Adds::ConsentTally);
//! let gpc = HeaderSignals { gpc: true, dnt: false };
//! assert_eq!(admit(no_signal, gpc, ConsentMode::Exempt).adds, Adds::ConsentTally);
//! ```
//!
//! The consent tally counts page views, not beacons: a visitor's leave and events say nothing
//! new about their consent, and counting them would weigh a visitor who reads long and clicks
//! much more than one who glances. [`tally_change`] decides what a beacon changes in it.
//!
//! Not here: bots (a bot's beacon adds only to the dropped count, whatever its consent; see
//! [`crate::agent::is_bot`]) and what a site keeps of a counted beacon (its settings).

use serde::{Deserialize, Serialize};

use crate::consent::{ConsentMode, ConsentSource, ConsentState, ConsentValue};
use crate::{Beacon, BeaconBody};

/// The consent signals of a beacon's request headers: opt-outs only, since a header can refuse
/// but never grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeaderSignals {
    /// `Sec-GPC: 1`, Global Privacy Control.
    pub gpc: bool,
    /// `DNT: 1`, Do Not Track.
    pub dnt: bool,
}

impl HeaderSignals {
    /// No opt-out header: what the snippet, which sees no headers, passes.
    pub const NONE: HeaderSignals = HeaderSignals { gpc: false, dnt: false };
}

/// What a beacon may add, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Adds {
    /// Its consent state to the day's consent tally, and nothing else: no page, no referrer,
    /// no visitor.
    ConsentTally,
    /// What it reports (a page view and its visitor, a leave, an event) as well as the tally.
    Counted,
    /// Counted, with journey linking as well: the snippet may keep the tab's visit and the day
    /// of the last visit, and send the returning flag.
    CountedWithJourney,
}

impl Adds {
    /// Whether the beacon counts beyond the consent tally.
    pub fn counts(self) -> bool {
        self != Adds::ConsentTally
    }
}

/// The decision on one beacon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    /// The state the beacon is tallied under: its own, or the opt-out of a header that
    /// outranks the source it came from.
    pub consent: ConsentState,
    /// What it may add.
    pub adds: Adds,
}

/// What a beacon sent under `consent`, with `headers`, may add to a site in `mode`.
///
/// A header is an opt-out of both categories unless a stronger source (the page's API, a CMP,
/// Consent Mode) has decided; GPC outranks DNT. Then the mode decides: `exempt` counts unless
/// measurement is denied, `opt-in` only once it is granted (see [`ConsentMode::admits`]).
/// Journey linking needs journey consent on top of being counted, in either mode.
///
/// No mode admits more than [`ConsentMode::Exempt`]: what it refuses, no site counts.
pub fn admit(consent: ConsentState, headers: HeaderSignals, mode: ConsentMode) -> Admission {
    let consent = with_header_opt_outs(consent, headers);
    let adds = if !mode.admits(consent) {
        Adds::ConsentTally
    } else if consent.journey == ConsentValue::Granted {
        Adds::CountedWithJourney
    } else {
        Adds::Counted
    };
    Admission { consent, adds }
}

/// Whether a beacon of this kind stands for a page view in the consent tally: a view, or a
/// consent beacon, which stands for the view that the visitor's consent kept from being sent.
/// A leave, an event or a bot's beacon does not.
pub fn stands_for_page_view(body: &BeaconBody) -> bool {
    matches!(body, BeaconBody::View(_) | BeaconBody::Consent)
}

/// What a beacon changes in the day's consent tally, which counts each page view once, under
/// the last consent state the page view was sent under: counted under (its view), or refused
/// under (its consent beacon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TallyChange {
    /// The state a page view is tallied under from now on.
    pub add: Option<ConsentState>,
    /// The state the same page view was tallied under before, taken back: consent changed on
    /// the page (a grant after a refusal, an opt-out after the view).
    pub take_back: Option<ConsentState>,
}

/// What `beacon`, sent with `headers`, changes in the consent tally (a bot's beacon changes
/// nothing: see the module's note). The states are the tallied ones, after the headers'
/// opt-outs, which the request of the earlier beacon carried as well. The site's mode plays
/// no part: it decides what counts, not what is tallied.
pub fn tally_change(beacon: &Beacon, headers: HeaderSignals) -> TallyChange {
    if !stands_for_page_view(&beacon.body) {
        return TallyChange::default();
    }
    let add = with_header_opt_outs(beacon.consent, headers);
    let take_back = beacon.replaces_consent.map(|state| with_header_opt_outs(state, headers));
    if take_back == Some(add) {
        // The headers' opt-out outranked both states: the page view stays where it is.
        return TallyChange::default();
    }
    TallyChange { add: Some(add), take_back }
}

/// `consent` after the headers' opt-outs, which replace it when they outrank its source.
fn with_header_opt_outs(consent: ConsentState, headers: HeaderSignals) -> ConsentState {
    let header = if headers.gpc {
        ConsentSource::Gpc
    } else if headers.dnt {
        ConsentSource::Dnt
    } else {
        return consent;
    };
    if consent.source <= header {
        return consent;
    }
    ConsentState {
        measurement: ConsentValue::Denied,
        journey: ConsentValue::Denied,
        source: header,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODES: [ConsentMode; 2] = [ConsentMode::Exempt, ConsentMode::OptIn];

    /// Every consent state a beacon can carry, each with every header combination.
    fn every_case() -> impl Iterator<Item = (ConsentState, HeaderSignals)> {
        ConsentSource::ALL.into_iter().flat_map(|source| {
            ConsentValue::ALL.into_iter().flat_map(move |measurement| {
                ConsentValue::ALL.into_iter().flat_map(move |journey| {
                    [(false, false), (true, false), (false, true), (true, true)].map(
                        move |(gpc, dnt)| {
                            (
                                ConsentState { measurement, journey, source },
                                HeaderSignals { gpc, dnt },
                            )
                        },
                    )
                })
            })
        })
    }

    /// Sources a header outranks: the page said nothing stronger than the header.
    fn header_outranks(source: ConsentSource, headers: HeaderSignals) -> Option<ConsentSource> {
        if headers.gpc && source > ConsentSource::Gpc {
            Some(ConsentSource::Gpc)
        } else if (headers.gpc || headers.dnt) && source > ConsentSource::Dnt {
            Some(if headers.gpc { ConsentSource::Gpc } else { ConsentSource::Dnt })
        } else {
            None
        }
    }

    #[test]
    fn every_state_mode_and_header_is_decided_as_the_design_says() {
        let mut cases = 0;
        for (state, headers) in every_case() {
            for mode in MODES {
                let Admission { consent, adds } = admit(state, headers, mode);
                let case = format!("{state:?} {headers:?} {mode:?}");
                // The tallied state: the beacon's, or the opt-out of a header that outranks it.
                match header_outranks(state.source, headers) {
                    Some(source) => {
                        let opted_out = ConsentState {
                            measurement: ConsentValue::Denied,
                            journey: ConsentValue::Denied,
                            source,
                        };
                        assert_eq!(consent, opted_out, "{case}");
                        assert_eq!(adds, Adds::ConsentTally, "an opt-out stops counting: {case}");
                    }
                    None => assert_eq!(consent, state, "{case}"),
                }
                // Any denial of measurement stops counting, in either mode.
                if consent.measurement == ConsentValue::Denied {
                    assert_eq!(adds, Adds::ConsentTally, "{case}");
                }
                // Without a denial: exempt counts, opt-in only once measurement is granted.
                if consent.measurement != ConsentValue::Denied {
                    let counted =
                        mode == ConsentMode::Exempt || consent.measurement == ConsentValue::Granted;
                    assert_eq!(adds.counts(), counted, "{case}");
                }
                // Journey linking always needs journey consent, and being counted.
                assert_eq!(
                    adds == Adds::CountedWithJourney,
                    adds.counts() && consent.journey == ConsentValue::Granted,
                    "{case}"
                );
                cases += 1;
            }
        }
        // 6 sources × 3 measurement × 3 journey values × 4 header pairs × 2 modes.
        assert_eq!(cases, 432);
    }

    #[test]
    fn a_header_never_adds_and_never_overrides_a_stronger_source() {
        for (state, headers) in every_case() {
            for mode in MODES {
                let with = admit(state, headers, mode);
                let without = admit(state, HeaderSignals::NONE, mode);
                assert!(with.adds <= without.adds, "{state:?} {headers:?} {mode:?}");
                if state.source < ConsentSource::Gpc {
                    assert_eq!(with, without, "{state:?} {headers:?} {mode:?}");
                }
            }
        }
    }

    /// The worker decides under exempt before it knows the site's mode: that is only safe if
    /// no mode admits more.
    #[test]
    fn no_mode_admits_more_than_exempt() {
        for (state, headers) in every_case() {
            let exempt = admit(state, headers, ConsentMode::Exempt);
            for mode in MODES {
                let other = admit(state, headers, mode);
                assert!(other.adds <= exempt.adds, "{state:?} {headers:?} {mode:?}");
                assert_eq!(other.consent, exempt.consent, "the mode never changes the tally");
            }
        }
    }

    #[test]
    fn named_cases() {
        let state = |measurement, journey, source| ConsentState { measurement, journey, source };
        let (granted, denied, unset) =
            (ConsentValue::Granted, ConsentValue::Denied, ConsentValue::Unset);
        let gpc = HeaderSignals { gpc: true, dnt: false };
        let dnt = HeaderSignals { gpc: false, dnt: true };
        for (consent, headers, mode, adds) in [
            // No signal at all: exempt counts, opt-in tallies.
            (ConsentState::default(), HeaderSignals::NONE, ConsentMode::Exempt, Adds::Counted),
            (ConsentState::default(), HeaderSignals::NONE, ConsentMode::OptIn, Adds::ConsentTally),
            // A CMP's grant of both: counted with the journey, in either mode, GPC or not.
            (
                state(granted, granted, ConsentSource::Tcf),
                gpc,
                ConsentMode::OptIn,
                Adds::CountedWithJourney,
            ),
            // Consent Mode's grant of measurement alone: counted, no journey.
            (
                state(granted, unset, ConsentSource::ConsentMode),
                dnt,
                ConsentMode::OptIn,
                Adds::Counted,
            ),
            // The page's API denies: nothing counts even in exempt.
            (
                state(denied, granted, ConsentSource::Api),
                HeaderSignals::NONE,
                ConsentMode::Exempt,
                Adds::ConsentTally,
            ),
            // DNT over no signal, and over the snippet's own reading of DNT.
            (ConsentState::default(), dnt, ConsentMode::Exempt, Adds::ConsentTally),
            (state(unset, unset, ConsentSource::Dnt), gpc, ConsentMode::Exempt, Adds::ConsentTally),
        ] {
            assert_eq!(
                admit(consent, headers, mode).adds,
                adds,
                "{consent:?} {headers:?} {mode:?}"
            );
        }
        let tallied = admit(
            ConsentState::default(),
            HeaderSignals { gpc: true, dnt: true },
            ConsentMode::Exempt,
        );
        assert_eq!(tallied.consent.source, ConsentSource::Gpc, "GPC outranks DNT");
        assert_eq!(
            admit(state(unset, unset, ConsentSource::Gpc), dnt, ConsentMode::Exempt).consent.source,
            ConsentSource::Gpc,
            "DNT does not replace the snippet's own GPC"
        );
    }

    fn beacon(body: BeaconBody, consent: ConsentState, replaces: Option<ConsentState>) -> Beacon {
        let site = crate::SiteId::parse("demo").unwrap();
        Beacon { site, id: None, consent, replaces_consent: replaces, body }
    }

    #[test]
    fn only_a_view_or_a_consent_beacon_stands_for_a_page_view() {
        let granted = ConsentState {
            measurement: ConsentValue::Granted,
            journey: ConsentValue::Granted,
            source: ConsentSource::Tcf,
        };
        let leave = BeaconBody::Leave { path: "/".into(), leave: Default::default() };
        let event = BeaconBody::Event {
            path: "/".into(),
            event: crate::signal::Event::Outbound { host: "example.com".into() },
            context: Default::default(),
        };
        for (body, tallied) in [
            (BeaconBody::View(Default::default()), true),
            (BeaconBody::Consent, true),
            (leave, false),
            (event, false),
            (BeaconBody::Dropped, false),
        ] {
            let change = tally_change(&beacon(body.clone(), granted, None), HeaderSignals::NONE);
            let expected = TallyChange { add: tallied.then_some(granted), take_back: None };
            assert_eq!(change, expected, "{body:?}");
        }
    }

    #[test]
    fn a_change_of_consent_on_the_page_moves_its_page_view() {
        let state =
            |measurement, source| ConsentState { measurement, journey: measurement, source };
        let refused = state(ConsentValue::Denied, ConsentSource::Tcf);
        let granted = state(ConsentValue::Granted, ConsentSource::Tcf);
        // A CMP refused, then the visitor granted: the view takes the refusal's place.
        let view = beacon(BeaconBody::View(Default::default()), granted, Some(refused));
        assert_eq!(
            tally_change(&view, HeaderSignals::NONE),
            TallyChange { add: Some(granted), take_back: Some(refused) }
        );
        // What is taken back is what the earlier beacon was tallied under: the header's opt-out
        // of a state without a stronger source.
        let unset = ConsentState::default();
        let view = beacon(BeaconBody::View(Default::default()), granted, Some(unset));
        let dnt = HeaderSignals { gpc: false, dnt: true };
        let by_dnt = state(ConsentValue::Denied, ConsentSource::Dnt);
        assert_eq!(
            tally_change(&view, dnt),
            TallyChange { add: Some(granted), take_back: Some(by_dnt) }
        );
        // The header said first what the page then said: nothing moves.
        let by_gpc = state(ConsentValue::Denied, ConsentSource::Gpc);
        let consent = beacon(BeaconBody::Consent, by_gpc, Some(unset));
        let gpc = HeaderSignals { gpc: true, dnt: false };
        assert_eq!(tally_change(&consent, gpc), TallyChange::default());
    }
}
