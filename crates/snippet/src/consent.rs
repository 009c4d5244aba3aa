//! Consent: one state per source, the strongest source that has said anything wins, and the
//! site's policy mode turns the winner into "may we count?" and "may we link?".
//!
//! Strength, strongest first (DESIGN, "Consent"): the page's `tacit('consent', …)` call, an IAB
//! TCF v2.2 CMP, Google Consent Mode v2, Global Privacy Control, Do Not Track. The loader reads
//! each source and hands over plain values; the mappings below are the decisions.

use tacit_beacon::consent::{ConsentSource, ConsentState, ConsentValue};

/// The sources a page can signal through, in [`ConsentSource`] order.
const SOURCES: [ConsentSource; 5] = [
    ConsentSource::Api,
    ConsentSource::Tcf,
    ConsentSource::ConsentMode,
    ConsentSource::Gpc,
    ConsentSource::Dnt,
];

/// TCF purposes that are what tacit does: 8 "measure content performance" and 9 "understand
/// audiences through statistics". Purpose 7 (advertising performance) and 10 (develop and improve
/// services) are not, so they neither grant nor deny.
const TCF_MEASUREMENT: u32 = 1 << 8 | 1 << 9;
/// TCF purpose 1, "store and/or access information on a device": the per-tab id and the
/// returning-visitor marker live in the browser's storage.
const TCF_STORAGE: u32 = 1 << 1;

/// A tri-state from the loader: 0 no signal, 1 granted, 2 denied.
pub fn value(code: u32) -> ConsentValue {
    match code {
        1 => ConsentValue::Granted,
        2 => ConsentValue::Denied,
        _ => ConsentValue::Unset,
    }
}

/// What each source has said so far, and how Consent Mode's defaults and updates combine.
#[derive(Default)]
pub struct Consent {
    /// `(measurement, journey)` per source, in [`SOURCES`] order.
    said: [(u8, u8); 5],
    /// Consent Mode: the strictest `default` seen (a denial in any region wins, since the
    /// snippet cannot know the visitor's region), and the latest `update`.
    mode_default: u8,
    mode_update: u8,
}

impl Consent {
    /// Records what `source` (an index into [`SOURCES`]) says; 0 means no signal.
    pub fn set(&mut self, source: usize, measurement: u32, journey: u32) {
        if let Some(slot) = self.said.get_mut(source) {
            *slot = (measurement.min(2) as u8, journey.min(2) as u8);
        }
    }

    /// A TCF `tcData`, reduced by the loader to a bit per purpose (bit n set when purpose n has
    /// consent, from the CMP's purpose consents or the publisher's own) and whether GDPR applies.
    ///
    /// Where GDPR does not apply, or the CMP has not got an answer yet, TCF says nothing and the
    /// weaker sources decide. Otherwise measurement is granted when purpose 8 or 9 is, and denied
    /// when neither is; journey linking needs purpose 1 as well.
    pub fn tcf(&mut self, purposes: u32, gdpr_applies: bool) {
        let (measurement, journey) = if !gdpr_applies {
            (0, 0)
        } else if purposes & TCF_MEASUREMENT == 0 {
            (2, 2)
        } else if purposes & TCF_STORAGE == 0 {
            (1, 2)
        } else {
            (1, 1)
        };
        self.set(1, measurement, journey);
    }

    /// One `gtag('consent', 'default' | 'update', {analytics_storage})` from the dataLayer:
    /// `analytics_storage` decides both categories (journey linking is analytics storage).
    pub fn consent_mode(&mut self, update: bool, value: u32) {
        let value = value.min(2) as u8;
        if value == 0 {
            return;
        }
        if update {
            self.mode_update = value;
        } else {
            self.mode_default = self.mode_default.max(value);
        }
        let value = if self.mode_update != 0 { self.mode_update } else { self.mode_default };
        self.said[2] = (value, value);
    }

    /// The state a beacon carries: the strongest source that said anything.
    pub fn state(&self) -> ConsentState {
        SOURCES.iter().zip(self.said).find(|(_, said)| *said != (0, 0)).map_or_else(
            ConsentState::default,
            |(&source, (m, j))| ConsentState {
                measurement: value(m.into()),
                journey: value(j.into()),
                source,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_source_that_said_anything_wins() {
        let mut consent = Consent::default();
        assert_eq!(consent.state(), ConsentState::default());
        consent.set(4, 2, 2); // DNT
        assert_eq!(consent.state().source, ConsentSource::Dnt);
        consent.consent_mode(false, 1);
        assert_eq!(consent.state().source, ConsentSource::ConsentMode);
        consent.set(0, 1, 0); // the page's API
        let state = consent.state();
        assert_eq!(
            (state.source, state.measurement, state.journey),
            (ConsentSource::Api, ConsentValue::Granted, ConsentValue::Unset)
        );
    }

    #[test]
    fn tcf_maps_purposes_8_and_9_to_measurement_and_1_to_journey() {
        let mut consent = Consent::default();
        consent.tcf(0, true);
        assert_eq!(consent.state().measurement, ConsentValue::Denied);
        consent.tcf(1 << 7 | 1 << 10, true);
        assert_eq!(
            consent.state().measurement,
            ConsentValue::Denied,
            "7 and 10 are not measurement"
        );
        consent.tcf(1 << 8, true);
        assert_eq!(
            (consent.state().measurement, consent.state().journey),
            (ConsentValue::Granted, ConsentValue::Denied)
        );
        consent.tcf(1 << 1 | 1 << 9, true);
        assert_eq!(consent.state().journey, ConsentValue::Granted);
        consent.tcf(0, false);
        assert_eq!(consent.state(), ConsentState::default(), "no GDPR, no TCF signal");
    }

    #[test]
    fn consent_mode_updates_win_over_defaults_and_a_denied_default_over_a_granted_one() {
        let mut consent = Consent::default();
        consent.consent_mode(false, 2);
        consent.consent_mode(false, 1);
        assert_eq!(consent.state().measurement, ConsentValue::Denied);
        consent.consent_mode(true, 1);
        assert_eq!(consent.state().measurement, ConsentValue::Granted);
        consent.consent_mode(false, 2);
        assert_eq!(consent.state().measurement, ConsentValue::Granted);
    }
}
