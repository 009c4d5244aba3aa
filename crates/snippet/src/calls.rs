//! The page's objects, read into Rust values field by field: what `tacit('consent', {...})`,
//! `tacit('goal', name, {...})` and `tacit('event', name, {...})` pass, a TCF CMP's `TCData`,
//! and Google Consent Mode's `gtag` commands in the `dataLayer`.
//!
//! They cross the boundary as JavaScript values ([`Value`]: `JsValue` in the browser) and each
//! field is checked for what it may be. A call that is malformed is refused whole, with a
//! [`Malformed`] message naming the argument for the page's console: it changes nothing and sends
//! nothing. What only looks like someone else's business (a `dataLayer` entry that is no consent
//! command, a CMP event before the visitor's choice) is passed over in silence.

use alloc::string::String;
use alloc::vec::Vec;

use tacit_beacon::push_decimal;
use tacit_beacon::scrub::may_send_property;
use tacit_beacon::signal::{Properties, MAX_PROPERTIES};
use wasm_bindgen::{JsCast, JsValue};

/// Why a call was refused, as the console shows it.
pub type Malformed = &'static str;

/// What the snippet needs to know of a JavaScript value.
pub enum Read {
    /// `undefined` or `null`: the field is left out.
    Absent,
    Bool(bool),
    Number(f64),
    Text(String),
    /// An object (an array and an `arguments` object too): its fields can be read.
    Object,
    /// Anything else (a function, a symbol, a bigint).
    Other,
}

/// A JavaScript value as the snippet reads it: its kind, and the fields of an object.
pub trait Value: Sized {
    /// The value's field `key`; absent when it has none, or is no object.
    fn field(&self, key: &str) -> Self;
    /// What the value is.
    fn read(&self) -> Read;
    /// The names of an object's own enumerable fields, as `Object.keys` gives them.
    fn keys(&self) -> Vec<String>;
}

impl Value for JsValue {
    fn field(&self, key: &str) -> JsValue {
        // A getter of the page's may throw: that field is absent.
        js_sys::Reflect::get(self, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn read(&self) -> Read {
        if self.is_undefined() || self.is_null() {
            Read::Absent
        } else if let Some(value) = self.as_bool() {
            Read::Bool(value)
        } else if let Some(value) = self.as_f64() {
            Read::Number(value)
        } else if let Some(text) = self.as_string() {
            Read::Text(text)
        } else if self.is_object() {
            Read::Object
        } else {
            Read::Other
        }
    }

    fn keys(&self) -> Vec<String> {
        let keys = js_sys::Object::keys::<JsValue>(self.unchecked_ref());
        keys.iter().filter_map(|key| key.as_string()).collect()
    }
}

/// A tri-state as [`crate::consent`] takes it: 0 no signal, 1 granted, 2 denied.
type Said = u32;

/// `tacit('consent', {measurement, journey})`: `true` grants a category, `false` refuses it,
/// and one left out says nothing. Answers `(measurement, journey)`.
pub fn api_consent(options: &impl Value) -> Result<(Said, Said), Malformed> {
    if !matches!(options.read(), Read::Object) {
        return Err("tacit('consent', options): options must be an object");
    }
    let said = |key| match options.field(key).read() {
        Read::Absent => Ok(0),
        Read::Bool(granted) => Ok(if granted { 1 } else { 2 }),
        _ => Err(()),
    };
    match (said("measurement"), said("journey")) {
        (Ok(measurement), Ok(journey)) => Ok((measurement, journey)),
        (Err(()), _) => Err("tacit('consent', options): options.measurement must be true or false"),
        (_, Err(())) => Err("tacit('consent', options): options.journey must be true or false"),
    }
}

/// What is wrong with a call's properties: one message for every way they can be, to keep the
/// snippet small.
const PROPS: Malformed = "tacit(kind, name, options): options.props must be an object of 8 \
                          properties at most, each a string, a finite number or a boolean, its key \
                          at most 40 bytes and its value 100";

/// A goal the page reached, or a custom event: its name, the value it gave and its custom
/// properties, those that may be sent (see [`goal`]).
#[derive(Debug)]
pub struct Goal {
    pub name: String,
    pub value: Option<f64>,
    pub props: Properties,
}

/// `tacit('goal', name, {value, props})`, and `tacit('event', ...)` alike: a name, and
/// optionally a finite number as its value and an object of at most 8 properties, each a
/// string, a finite number or a boolean (`null` or `undefined` leaves it out), with a key of at
/// most 40 bytes and a value of at most 100. A property that looks like personal data (an
/// e-mail address, a phone number, a token) is not sent; the rest of the call is.
pub fn goal(name: &impl Value, options: &impl Value) -> Result<Goal, Malformed> {
    let Read::Text(name) = name.read() else {
        return Err("tacit(kind, name): name must be a string");
    };
    let mut goal = Goal { name, value: None, props: Properties::new() };
    match options.read() {
        Read::Absent => return Ok(goal),
        Read::Object => {}
        _ => return Err("tacit(kind, name, options): options must be an object"),
    }
    goal.value = match options.field("value").read() {
        Read::Absent => None,
        Read::Number(value) if value.is_finite() => Some(value),
        _ => return Err("tacit(kind, name, options): options.value must be a finite number"),
    };
    let props = options.field("props");
    match props.read() {
        Read::Absent => return Ok(goal),
        Read::Object => {}
        _ => return Err(PROPS),
    }
    let keys = props.keys();
    if keys.len() > MAX_PROPERTIES {
        return Err(PROPS);
    }
    for key in keys {
        let text = match props.field(&key).read() {
            Read::Absent => continue,
            Read::Text(text) => text,
            Read::Number(number) if number.is_finite() => number_text(number),
            Read::Bool(true) => "true".into(),
            Read::Bool(false) => "false".into(),
            _ => return Err(PROPS),
        };
        if may_send_property(&key, &text).map_err(|_| PROPS)? {
            goal.props.push((key.trim_ascii().into(), text.trim_ascii().into()));
        }
    }
    Ok(goal)
}

/// A number as a property value: in decimal, to thousandths as goal values travel, without
/// trailing zeros (`12.5`, `-3`, `0.125`). Not `core::fmt`, whose float formatting would ship.
fn number_text(number: f64) -> String {
    let milli = (number.abs() * 1000.0 + 0.5) as u64;
    let mut text = String::new();
    if number < 0.0 && milli > 0 {
        text.push('-');
    }
    push_decimal(&mut text, milli / 1000);
    if !milli.is_multiple_of(1000) {
        // 1000 + the thousandths: their three digits after a leading 1.
        let mut fraction = String::new();
        push_decimal(&mut fraction, 1000 + milli % 1000);
        while fraction.as_bytes().last() == Some(&b'0') {
            fraction.pop();
        }
        text.push('.');
        text.push_str(&fraction[1..]);
    }
    text
}

/// The TCF purposes, 1 to 10, by the keys of `TCData`'s consent objects.
const TCF_PURPOSES: [&str; 10] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

/// What a TCF CMP's `addEventListener` callback said, once the visitor's choice is known
/// (`eventStatus` `tcloaded` or `useractioncomplete`; otherwise, or when the CMP reports a
/// failure, `None`): a bit per purpose with consent, from the CMP's purpose consents or the
/// publisher's own, and whether GDPR applies (unless `gdprApplies` is `false`).
pub fn tcf(data: &impl Value, success: bool) -> Result<Option<(u32, bool)>, Malformed> {
    if !success {
        return Ok(None);
    }
    if !matches!(data.read(), Read::Object) {
        return Err("__tcfapi callback: tcData must be an object");
    }
    match data.field("eventStatus").read() {
        Read::Text(status) if status == "tcloaded" || status == "useractioncomplete" => {}
        _ => return Ok(None),
    }
    let mut purposes = 0;
    for owner in ["purpose", "publisher"] {
        let consents = data.field(owner).field("consents");
        match (data.field(owner).read(), consents.read()) {
            (Read::Absent, _) | (Read::Object, Read::Absent) => continue,
            (Read::Object, Read::Object) => {}
            _ => {
                return Err("__tcfapi callback: tcData.purpose, .publisher and their .consents \
                            must be objects")
            }
        }
        for (bit, key) in (1..).zip(TCF_PURPOSES) {
            if matches!(consents.field(key).read(), Read::Bool(true)) {
                purposes |= 1 << bit;
            }
        }
    }
    let gdpr_applies = !matches!(data.field("gdprApplies").read(), Read::Bool(false));
    Ok(Some((purposes, gdpr_applies)))
}

/// One `dataLayer` entry: for a Consent Mode command that sets `analytics_storage`
/// (`gtag('consent', 'default' | 'update', {analytics_storage: 'granted' | 'denied'})`), whether
/// it is an update and what it says (1 granted, 2 denied); `None` for any other entry.
pub fn consent_mode(entry: &impl Value) -> Result<Option<(bool, Said)>, Malformed> {
    if !matches!(entry.read(), Read::Object) {
        return Ok(None);
    }
    match entry.field("0").read() {
        Read::Text(command) if command == "consent" => {}
        _ => return Ok(None),
    }
    let update = match entry.field("1").read() {
        Read::Text(kind) if kind == "default" => false,
        Read::Text(kind) if kind == "update" => true,
        _ => return Err("gtag('consent', kind): kind must be 'default' or 'update'"),
    };
    let settings = entry.field("2");
    if !matches!(settings.read(), Read::Object) {
        return Err("gtag('consent', kind, settings): settings must be an object");
    }
    match settings.field("analytics_storage").read() {
        Read::Absent => Ok(None),
        Read::Text(value) if value == "granted" => Ok(Some((update, 1))),
        Read::Text(value) if value == "denied" => Ok(Some((update, 2))),
        _ => {
            Err("gtag('consent', kind, settings): settings.analytics_storage must be 'granted' or 'denied'")
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;

    /// A page's value, made up: `Object` holds its fields.
    #[derive(Clone)]
    enum Fake {
        Absent,
        Bool(bool),
        Number(f64),
        Text(&'static str),
        Object(Vec<(&'static str, Fake)>),
    }
    use Fake::*;

    impl Value for Fake {
        fn field(&self, key: &str) -> Fake {
            match self {
                Object(fields) => {
                    fields.iter().find(|(name, _)| *name == key).map_or(Absent, |(_, v)| v.clone())
                }
                _ => Absent,
            }
        }

        fn read(&self) -> Read {
            match self {
                Absent => Read::Absent,
                Bool(value) => Read::Bool(*value),
                Number(value) => Read::Number(*value),
                Text(text) => Read::Text((*text).into()),
                Object(_) => Read::Object,
            }
        }

        fn keys(&self) -> Vec<String> {
            match self {
                Object(fields) => fields.iter().map(|(name, _)| (*name).into()).collect(),
                _ => Vec::new(),
            }
        }
    }

    fn object(fields: &[(&'static str, Fake)]) -> Fake {
        Object(fields.to_vec())
    }

    #[test]
    fn consent_takes_true_false_or_nothing_for_each_category() {
        let call = |fields: &[(&'static str, Fake)]| api_consent(&object(fields));
        assert_eq!(call(&[("measurement", Bool(true))]), Ok((1, 0)));
        assert_eq!(call(&[("measurement", Bool(false)), ("journey", Bool(false))]), Ok((2, 2)));
        assert_eq!(call(&[("journey", Bool(true)), ("other", Text("x"))]), Ok((0, 1)));
        let refused = call(&[("measurement", Text("yes"))]).unwrap_err();
        assert!(refused.contains("options.measurement"), "{refused}");
        let refused = call(&[("measurement", Bool(true)), ("journey", Number(1.0))]).unwrap_err();
        assert!(refused.contains("options.journey"), "{refused}");
        assert!(api_consent(&Text("granted")).unwrap_err().contains("must be an object"));
        assert!(api_consent(&Absent).is_err());
    }

    #[test]
    fn a_goal_has_a_string_name_and_at_most_a_finite_number_as_value() {
        let signup = goal(&Text("signup"), &object(&[("value", Number(12.5))])).unwrap();
        assert_eq!((signup.name.as_str(), signup.value), ("signup", Some(12.5)));
        assert_eq!(goal(&Text("newsletter"), &Absent).unwrap().value, None);
        assert_eq!(goal(&Text("newsletter"), &object(&[])).unwrap().value, None);
        assert!(goal(&Number(3.0), &Absent).unwrap_err().contains("name must be a string"));
        for value in [Text("12.5"), Number(f64::NAN), Number(f64::INFINITY), object(&[])] {
            let options = object(&[("value", value)]);
            assert!(goal(&Text("signup"), &options).unwrap_err().contains("options.value"));
        }
        assert!(goal(&Text("signup"), &Number(12.5)).unwrap_err().contains("options must be"));
    }

    fn props(props: Fake) -> Result<Vec<(String, String)>, Malformed> {
        goal(&Text("signup"), &object(&[("value", Number(12.5)), ("props", props)]))
            .map(|g| g.props)
    }

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|&(k, v)| (k.into(), v.into())).collect()
    }

    #[test]
    fn properties_are_strings_numbers_or_booleans_sent_as_text() {
        let sent = props(object(&[
            ("plan", Text(" pro ")),
            ("seats", Number(12.0)),
            ("price", Number(-0.125)),
            ("share", Number(2.50049)),
            ("trial", Bool(false)),
            ("coupon", Absent),
        ]));
        let expected = [
            ("plan", "pro"),
            ("seats", "12"),
            ("price", "-0.125"),
            ("share", "2.5"),
            ("trial", "false"),
        ];
        assert_eq!(sent, Ok(pairs(&expected)));
        assert_eq!(props(Absent), Ok(vec![]));
        assert_eq!(goal(&Text("signup"), &Absent).unwrap().props, vec![]);
    }

    #[test]
    fn properties_that_look_like_personal_data_are_not_sent_and_the_rest_is() {
        let sent = props(object(&[
            ("email", Text("jane@example.com")),
            ("phone", Text("+49 151 1234 5678")),
            ("order", Number(84_467_315.0)),
            ("jane@example.com", Text("customer")),
            ("token", Text("cus_NffrFeUfNV2Hib")),
            ("source", Text("footer")),
        ]));
        assert_eq!(sent, Ok(pairs(&[("source", "footer")])));
    }

    #[test]
    fn a_call_with_malformed_properties_is_refused_whole() {
        let refused = |value: Fake| props(value).unwrap_err();
        assert!(refused(Text("plan=pro")).contains("options.props must be an object"));
        for value in [object(&[("a", Text("b"))]), Number(f64::NAN), Object(vec![])] {
            assert_eq!(refused(object(&[("plan", value)])), PROPS);
        }
        let nine: Vec<(&'static str, Fake)> = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .map(|&k| (k, Bool(true)))
            .collect();
        assert_eq!(refused(object(&nine)), PROPS);
        assert_eq!(props(object(&nine[..8])).map(|p| p.len()), Ok(8));
        let long_value: &'static str = "v".repeat(101).leak();
        assert_eq!(refused(object(&[("note", Text(long_value))])), PROPS);
        let long_key: &'static str = "k".repeat(41).leak();
        assert_eq!(refused(object(&[(long_key, Text("v"))])), PROPS);
        let longest = object(&[(&long_key[1..], Text(&long_value[1..]))]);
        assert_eq!(props(longest).map(|p| p.len()), Ok(1));
    }

    fn tc_data(status: &'static str, purposes: &[(&'static str, Fake)]) -> Fake {
        object(&[
            ("eventStatus", Text(status)),
            ("gdprApplies", Bool(true)),
            ("purpose", object(&[("consents", object(purposes))])),
            ("publisher", object(&[("consents", object(&[("1", Bool(true))]))])),
        ])
    }

    #[test]
    fn tcf_reads_the_purposes_with_consent_once_the_choice_is_known() {
        let data = tc_data("useractioncomplete", &[("8", Bool(true)), ("9", Bool(false))]);
        assert_eq!(tcf(&data, true), Ok(Some((1 << 8 | 1 << 1, true))), "the publisher's 1 too");
        assert_eq!(tcf(&tc_data("cmpuishown", &[("8", Bool(true))]), true), Ok(None));
        assert_eq!(tcf(&data, false), Ok(None), "the CMP failed");
        let truthy = tc_data("tcloaded", &[("8", Number(1.0)), ("10", Bool(true))]);
        assert_eq!(tcf(&truthy, true), Ok(Some((1 << 10 | 1 << 1, true))), "only true counts");
        let no_gdpr = object(&[("eventStatus", Text("tcloaded")), ("gdprApplies", Bool(false))]);
        assert_eq!(tcf(&no_gdpr, true), Ok(Some((0, false))));
        assert!(tcf(&Text("tcloaded"), true).is_err());
        let odd = object(&[("eventStatus", Text("tcloaded")), ("purpose", Text("all"))]);
        assert!(tcf(&odd, true).unwrap_err().contains("tcData.purpose"));
        let consents = object(&[("consents", Bool(true))]);
        let odd = object(&[("eventStatus", Text("tcloaded")), ("publisher", consents)]);
        assert!(tcf(&odd, true).unwrap_err().contains(".consents"));
    }

    #[test]
    fn consent_mode_reads_analytics_storage_from_consent_commands_only() {
        let command =
            |kind, settings| object(&[("0", Text("consent")), ("1", kind), ("2", settings)]);
        let storage =
            |value| object(&[("analytics_storage", Text(value)), ("ad_storage", Text("denied"))]);
        assert_eq!(
            consent_mode(&command(Text("default"), storage("denied"))),
            Ok(Some((false, 2)))
        );
        assert_eq!(consent_mode(&command(Text("update"), storage("granted"))), Ok(Some((true, 1))));
        let ads_only = object(&[("ad_storage", Text("granted"))]);
        assert_eq!(consent_mode(&command(Text("update"), ads_only)), Ok(None));
        assert_eq!(consent_mode(&object(&[("0", Text("config")), ("1", Text("G-1"))])), Ok(None));
        assert_eq!(consent_mode(&object(&[("event", Text("gtm.js"))])), Ok(None));
        assert_eq!(consent_mode(&Text("consent")), Ok(None));
        assert!(consent_mode(&command(Text("set"), storage("granted")))
            .unwrap_err()
            .contains("kind"));
        assert!(consent_mode(&command(Text("update"), Absent)).unwrap_err().contains("settings"));
        let maybe = consent_mode(&command(Text("update"), storage("maybe"))).unwrap_err();
        assert!(maybe.contains("analytics_storage"), "{maybe}");
    }
}
