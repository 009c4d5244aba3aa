use super::*;
use crate::channel::ChannelGroup;
use crate::consent::{ConsentSource, ConsentValue};

fn parse(body: &str) -> Result<Beacon, BeaconError> {
    Beacon::parse(body.as_bytes())
}

fn view(body: &str) -> ViewBeacon {
    match parse(body).unwrap().body {
        BeaconBody::View(view) => view,
        other => panic!("not a view: {other:?}"),
    }
}

fn invalid_field(body: &str) -> &'static str {
    match parse(body) {
        Err(BeaconError::InvalidField { field, .. }) => field,
        other => panic!("{body}: {other:?}"),
    }
}

fn demo() -> SiteId {
    SiteId::parse("demo").unwrap()
}

#[test]
fn rounds_as_std_does_without_std() {
    for value in [
        0.0,
        0.4,
        0.5,
        0.6,
        1.5,
        2.5,
        -0.5,
        -1.5,
        -2.4,
        123.456,
        -123.5,
        0.49999999999999994,
        1e15 + 0.5,
        4_503_599_627_370_497.0,
        1e300,
        -1e300,
        f64::MAX,
        f64::NAN,
    ] {
        assert_eq!(round(value), value.round() as i64, "{value}");
    }
}

#[test]
fn accepts_a_page_view_and_scrubs_its_path_again() {
    let beacon =
        parse(r#"{"site":"demo","path":"/u/jane@example.com?x=1","referrer":"News.Example.com"}"#)
            .unwrap();
    assert_eq!(beacon.site.as_str(), "demo");
    assert_eq!(beacon.consent, ConsentState::default(), "no consent field: no signal");
    let BeaconBody::View(view) = beacon.body else { panic!("a view") };
    assert_eq!(view.path, "/u/:email");
    assert_eq!(view.referrer.as_deref(), Some("news.example.com"));
    assert_eq!(view.entry(), Entry::Entry);
}

#[test]
fn names_the_missing_field() {
    assert_eq!(parse(r#"{"site":"demo"}"#), Err(BeaconError::MissingField("path")));
    assert_eq!(parse(r#"{"path":"/"}"#), Err(BeaconError::MissingField("site")));
    assert_eq!(
        parse(r#"{"site":"demo","type":"event","path":"/"}"#),
        Err(BeaconError::MissingField("event"))
    );
    assert_eq!(
        parse("[]"),
        Err(BeaconError::MissingField("site")),
        "an empty array is an empty object"
    );
}

#[test]
fn refuses_bad_json_wrong_types_and_unknown_fields() {
    for body in [
        "",
        "{",
        "not json",
        r#"{"site":1,"path":"/"}"#,
        r#"{"site":"demo","path":"/","ip":"203.0.113.9"}"#,
        r#"{"site":"demo","path":"/","utm":{"source":"a","email":"x"}}"#,
        r#"{"site":"demo","path":"/","consent":{"measurement":"maybe","journey":"unset","source":"api"}}"#,
        r#"{"site":"demo","type":"event","path":"/","event":{"kind":"goal","name":"x","email":"y"}}"#,
        "\u{0}",
    ] {
        assert!(matches!(parse(body), Err(BeaconError::Malformed(_))), "{body:?}");
    }
    assert!(matches!(Beacon::parse(&[0xff, 0xfe]), Err(BeaconError::Malformed(_))));
}

#[test]
fn a_bare_view_names_the_cause_the_loader_saw() {
    let bare = |cause: &str| parse(&format!(r#"{{"site":"demo","path":"/","bare":{cause}}}"#));
    let cause = |cause: &str| match bare(cause).unwrap().body {
        BeaconBody::View(view) => view.bare,
        other => panic!("not a view: {other:?}"),
    };
    assert_eq!(cause(r#""wasm_refused""#), Some(BareCause::WasmRefused));
    assert_eq!(cause(r#""not_loaded""#), Some(BareCause::NotLoaded));
    for unknown in ["true", r#""csp""#, r#""""#] {
        let Err(BeaconError::Malformed(reason)) = bare(unknown) else { panic!("{unknown}") };
        assert!(reason.contains("wasm_refused") || unknown == "true", "{reason}");
    }
    let leave = r#"{"site":"demo","type":"leave","path":"/","bare":"not_loaded"}"#;
    assert_eq!(invalid_field(leave), "type");
}

#[test]
fn refuses_invalid_values() {
    assert_eq!(invalid_field(r#"{"site":"Demo!","path":"/"}"#), "site");
    assert_eq!(invalid_field(r#"{"site":"demo","path":"pricing"}"#), "path");
    assert_eq!(invalid_field(r#"{"site":"demo","path":"/","referrer":"<img src=x>"}"#), "referrer");
    assert_eq!(
        invalid_field(r#"{"site":"demo","path":"/","referrer":"https://a.com/x"}"#),
        "referrer"
    );
    assert_eq!(invalid_field(r#"{"site":"demo","path":"/","id":"xyz"}"#), "id");
    assert_eq!(invalid_field(r#"{"site":"demo","path":"/","language":"english"}"#), "language");
    assert_eq!(invalid_field(r#"{"site":"demo","type":"ping","path":"/"}"#), "type");
    assert_eq!(
        invalid_field(r#"{"site":"demo","type":"leave","path":"/","scroll_pct":101}"#),
        "scroll_pct"
    );
    assert_eq!(
        invalid_field(r#"{"site":"demo","type":"leave","path":"/","referrer":"t.co"}"#),
        "referrer"
    );
    assert_eq!(
        invalid_field(
            r#"{"site":"demo","type":"event","path":"/","event":{"kind":"feedback","score":4}}"#
        ),
        "event.score"
    );
    assert_eq!(
        invalid_field(
            r#"{"site":"demo","type":"event","path":"/","event":{"kind":"goal","name":" "}}"#
        ),
        "event.name"
    );
}

#[test]
fn refuses_fields_of_another_type() {
    assert_eq!(invalid_field(r#"{"site":"demo","path":"/","engaged_ms":5}"#), "type");
    assert_eq!(
        invalid_field(r#"{"site":"demo","type":"leave","path":"/","previous":"/a"}"#),
        "type"
    );
    assert_eq!(invalid_field(r#"{"site":"demo","type":"consent","path":"/"}"#), "type");
    assert_eq!(invalid_field(r#"{"site":"demo","type":"consent","id":"0123456789abcdef"}"#), "id");
    assert_eq!(invalid_field(r#"{"site":"demo","type":"dropped","referrer":"t.co"}"#), "type");
    // Only a beacon that stands for a page view moves it in the consent tally.
    let replaces =
        r#""replaces_consent":{"measurement":"denied","journey":"denied","source":"tcf"}"#;
    for other in [r#""type":"leave","path":"/""#, r#""type":"dropped""#] {
        let body = format!(r#"{{"site":"demo",{other},{replaces}}}"#);
        assert_eq!(invalid_field(&body), "replaces_consent", "{body}");
    }
    assert!(parse(&format!(r#"{{"site":"demo","type":"consent",{replaces}}}"#)).is_ok());
}

#[test]
fn refuses_oversized_bodies_before_parsing() {
    let body = format!(r#"{{"site":"demo","path":"/{}"}}"#, "a".repeat(MAX_BEACON_BYTES));
    assert_eq!(parse(&body), Err(BeaconError::TooLarge { len: body.len() }));
}

#[test]
fn a_returning_flag_needs_journey_consent_and_an_entry() {
    let granted = r#""consent":{"measurement":"granted","journey":"granted","source":"api"}"#;
    let returning = view(&format!(r#"{{"site":"demo","path":"/",{granted},"returning":true}}"#));
    assert_eq!(returning.entry(), Entry::Returning);
    let first = view(&format!(r#"{{"site":"demo","path":"/",{granted},"returning":false}}"#));
    assert_eq!(first.entry(), Entry::FirstVisit);
    let measurement_only =
        r#""consent":{"measurement":"granted","journey":"denied","source":"api"}"#;
    for body in [
        r#"{"site":"demo","path":"/","returning":true}"#.to_owned(),
        format!(r#"{{"site":"demo","path":"/",{measurement_only},"returning":false}}"#),
    ] {
        assert_eq!(invalid_field(&body), "returning", "{body}");
    }
    let internal =
        format!(r#"{{"site":"demo","path":"/b","previous":"/a",{granted},"returning":true}}"#);
    assert_eq!(invalid_field(&internal), "returning");
    // A leave repeats its entry's flag, and only an entry's.
    let leave =
        format!(r#"{{"site":"demo","type":"leave","path":"/",{granted},"returning":true}}"#);
    assert_eq!(invalid_field(&leave), "returning", "the leave of a view inside a visit");
}

#[test]
fn a_view_from_the_site_is_not_an_entry() {
    let internal = view(r#"{"site":"demo","path":"/b","previous":"/a?x=1"}"#);
    assert_eq!(internal.previous.as_deref(), Some("/a"));
    assert_eq!(internal.entry(), Entry::NotEntry);
    assert_eq!(
        invalid_field(r#"{"site":"demo","path":"/b","referrer":"t.co","previous":"/a"}"#),
        "previous"
    );
}

#[test]
fn a_leave_cannot_bring_back_an_address_the_view_dropped() {
    // Regression: the leave's channel repeats the entry's utm_source, uncleaned.
    let leave_with = |utm: &str| {
        let body =
            format!(r#"{{"site":"demo","type":"leave","path":"/","entry":true,"utm":{utm}}}"#);
        let BeaconBody::Leave { leave, .. } = parse(&body).unwrap().body else { panic!("a leave") };
        leave
    };
    let leave = leave_with(r#"{"source":"Jane@Example.com"}"#);
    assert_eq!(leave.channel(), Some("(direct)"));
    let leave = leave_with(r#"{"source":" NewsLetter ","medium":"Email"}"#);
    assert_eq!(leave.channel(), Some("newsletter"));
    assert_eq!(leave.channel_group(), Some(ChannelGroup::Email));
}

#[test]
fn a_leave_repeats_its_views_segments_and_only_an_entrys_referral() {
    let body = r#"{"site":"demo","type":"leave","path":"/","entry":true,"referrer":"WWW.Google.com","viewport":"mobile","returning":true,"consent":{"measurement":"granted","journey":"granted","source":"api"}}"#;
    let BeaconBody::Leave { leave, .. } = parse(body).unwrap().body else { panic!("a leave") };
    assert_eq!(leave.entry, Entry::Returning);
    assert_eq!(leave.channel_group(), Some(ChannelGroup::OrganicSearch));
    assert_eq!(leave.viewport, Some(DeviceClass::Mobile));
    // A view inside a visit has no referral: its leave may not claim one.
    for field in [r#""referrer":"t.co""#, r#""utm":{"source":"x"}"#] {
        let body = format!(r#"{{"site":"demo","type":"leave","path":"/","entry":false,{field}}}"#);
        assert!(matches!(parse(&body), Err(BeaconError::InvalidField { .. })), "{field}");
    }
    let inside = r#"{"site":"demo","type":"leave","path":"/","viewport":"tablet"}"#;
    let BeaconBody::Leave { leave, .. } = parse(inside).unwrap().body else { panic!("a leave") };
    assert_eq!((leave.entry, leave.viewport), (Entry::NotEntry, Some(DeviceClass::Tablet)));
    // Returning needs journey consent, on a leave as on its view.
    let unconsented = r#"{"site":"demo","type":"leave","path":"/","entry":true,"returning":false}"#;
    assert_eq!(invalid_field(unconsented), "returning");
}

#[test]
fn keeps_a_search_term_cleaned_again_and_drops_one_that_looks_like_personal_data() {
    let term = |search: &str| {
        let body = format!(r#"{{"site":"demo","path":"/search","search":{search}}}"#);
        view(&body).search_term
    };
    assert_eq!(term(r#""  Refund   Policy ""#).as_deref(), Some("refund policy"));
    assert_eq!(term(r#""jane@example.com""#), None);
    assert_eq!(term(r#""+49 151 1234 5678""#), None);
    assert_eq!(term(r#""""#), None);
    assert_eq!(view(r#"{"site":"demo","path":"/"}"#).search_term, None);
    let on_leave = r#"{"site":"demo","type":"leave","path":"/","search":"x"}"#;
    assert!(
        matches!(parse(on_leave), Err(BeaconError::InvalidField { reason, .. }) if reason.contains("'search'"))
    );
}

#[test]
fn an_update_holds_the_replaced_figures_and_nothing_of_the_view() {
    let update = |replaces: &str| {
        parse(&format!(
            r#"{{"site":"demo","type":"leave","path":"/","entry":true,"referrer":"t.co","engaged_ms":9000,"replaces":{replaces}}}"#
        ))
    };
    let Ok(Beacon {
        body: BeaconBody::LeaveUpdate { leave, replaced, replaced_id, after_ms, .. },
        ..
    }) = update(r#"{"id":"00000000000000ff","after_ms":60000,"engaged_ms":4000,"scroll_pct":30}"#)
    else {
        panic!("an update")
    };
    assert_eq!(replaced_id, Some(BeaconId(0xff)));
    assert_eq!((leave.engaged_ms, replaced.engaged_ms, replaced.scroll_pct), (9000, 4000, 30));
    assert_eq!(
        (replaced.entry, replaced.channel(), after_ms),
        (Entry::Entry, Some("t.co"), 60_000)
    );
    assert_eq!(
        update(r#"{"engaged_ms":4000}"#),
        Err(BeaconError::MissingField("replaces.after_ms"))
    );
    for field in [r#""path":"/""#, r#""entry":true"#, r#""referrer":"t.co""#, r#""replaces":{}"#] {
        let refused = update(&format!(r#"{{"after_ms":1,{field}}}"#));
        assert!(
            matches!(&refused, Err(BeaconError::InvalidField { field: "replaces", .. })),
            "{field}: {refused:?}"
        );
    }
    assert_eq!(
        invalid_field(r#"{"site":"demo","type":"leave","path":"/","after_ms":1}"#),
        "after_ms"
    );
    assert_eq!(
        invalid_field(r#"{"site":"demo","path":"/","replaces":{"after_ms":1}}"#),
        "type",
        "only a leave replaces one"
    );
    assert_eq!(
        invalid_field(
            r#"{"site":"demo","type":"leave","path":"/","replaces":{"after_ms":1,"scroll_pct":101}}"#
        ),
        "scroll_pct"
    );
}

#[test]
fn cleans_campaign_tags_again() {
    let view = view(
        r#"{"site":"demo","path":"/","utm":{"source":" NewsLetter ","campaign":"jane@example.com"}}"#,
    );
    assert_eq!(view.utm.source.as_deref(), Some("newsletter"));
    assert_eq!(view.utm.campaign, None, "an e-mail address is never kept");
}

/// Every kind of beacon, with every optional field set, as the snippet would build it.
fn every_kind() -> Vec<Beacon> {
    let consent = ConsentState {
        measurement: ConsentValue::Granted,
        journey: ConsentValue::Denied,
        source: ConsentSource::Tcf,
    };
    let beacon = |body| Beacon {
        site: demo(),
        id: Some(BeaconId(0x0123_4567_89ab_cdef)),
        consent,
        replaces_consent: None,
        body,
    };
    let refused = ConsentState {
        measurement: ConsentValue::Denied,
        journey: ConsentValue::Denied,
        source: ConsentSource::Tcf,
    };
    vec![
        beacon(BeaconBody::View(ViewBeacon {
            path: "/quote\"back\\slash\u{1}/café".into(),
            referrer: Some("news.example.com".into()),
            previous: None,
            utm: Utm {
                source: Some("news".into()),
                medium: None,
                campaign: Some("Launch \"26\"".into()),
                term: Some("privacy \\ analytics".into()),
                content: None,
            },
            search_term: Some("preise \"2026\"".into()),
            viewport: Some(DeviceClass::Tablet),
            language: Language::from_tag("de-AT"),
            returning: None,
            bare: None,
        })),
        Beacon {
            consent: ConsentState { journey: ConsentValue::Granted, ..consent },
            ..beacon(BeaconBody::View(ViewBeacon {
                path: "/".into(),
                returning: Some(true),
                ..ViewBeacon::default()
            }))
        },
        beacon(BeaconBody::View(ViewBeacon {
            path: "/b".into(),
            previous: Some("/a".into()),
            ..ViewBeacon::default()
        })),
        beacon(BeaconBody::View(ViewBeacon {
            path: "/pricing".into(),
            bare: Some(BareCause::WasmRefused),
            ..ViewBeacon::default()
        })),
        beacon(BeaconBody::View(ViewBeacon {
            path: "/pricing".into(),
            bare: Some(BareCause::NotLoaded),
            ..ViewBeacon::default()
        })),
        beacon(BeaconBody::Leave {
            path: "/pricing".into(),
            leave: Leave {
                entry: Entry::Entry,
                referrer: None,
                utm: Utm {
                    source: Some("google".into()),
                    medium: Some("cpc".into()),
                    campaign: Some("Spring".into()),
                    term: None,
                    content: Some("banner-a".into()),
                },
                viewport: Some(DeviceClass::Mobile),
                next: Some("/signup".into()),
                engaged_ms: 21_500,
                scroll_pct: 80,
                interactions: 7,
                rage_clicks: 1,
                dead_clicks: 2,
                quick_back: false,
                reached_goal: true,
                lcp_ms: Some(1_840),
                inp_ms: Some(96),
                cls: Some(0.125),
            },
        }),
        beacon(BeaconBody::Leave { path: "/".into(), leave: Leave::default() }),
        beacon(BeaconBody::LeaveUpdate {
            path: "/pricing".into(),
            leave: Leave {
                entry: Entry::Entry,
                referrer: Some("news.example.com".into()),
                next: Some("/signup".into()),
                engaged_ms: 48_000,
                scroll_pct: 100,
                interactions: 9,
                inp_ms: Some(120),
                ..Leave::default()
            },
            replaced: Box::new(Leave {
                entry: Entry::Entry,
                referrer: Some("news.example.com".into()),
                engaged_ms: 21_500,
                scroll_pct: 80,
                interactions: 7,
                cls: Some(0.05),
                ..Leave::default()
            }),
            replaced_id: Some(BeaconId(0x0fed_cba9_8765_4321)),
            after_ms: 3_600_000,
        }),
        beacon(BeaconBody::Event {
            path: "/".into(),
            event: Event::Outbound { host: "github.com".into() },
        }),
        beacon(BeaconBody::Event {
            path: "/".into(),
            event: Event::Download { file: "/guide.pdf".into() },
        }),
        beacon(BeaconBody::Event {
            path: "/".into(),
            event: Event::FormSubmit { form: "contact".into() },
        }),
        beacon(BeaconBody::Event {
            path: "/".into(),
            event: Event::Goal {
                name: "signup".into(),
                value: Some(-12.5),
                props: vec![("plan".into(), "pro".into()), ("source".into(), "footer".into())],
            },
        }),
        beacon(BeaconBody::Event {
            path: "/".into(),
            event: Event::Goal { name: "trial".into(), value: None, props: vec![] },
        }),
        beacon(BeaconBody::Event {
            path: "/".into(),
            event: Event::Custom {
                name: "video_play".into(),
                value: Some(3.0),
                props: vec![("title".into(), "Intro \"2026\"".into())],
            },
        }),
        beacon(BeaconBody::Event {
            path: "/".into(),
            event: Event::Feedback { score: FeedbackScore::new(2).unwrap() },
        }),
        Beacon { id: None, ..beacon(BeaconBody::Consent) },
        // Consent changed on the page: a grant after a refusal, an opt-out after the view.
        Beacon {
            replaces_consent: Some(refused),
            ..beacon(BeaconBody::View(ViewBeacon { path: "/".into(), ..ViewBeacon::default() }))
        },
        Beacon {
            id: None,
            consent: refused,
            replaces_consent: Some(consent),
            ..beacon(BeaconBody::Consent)
        },
        Beacon {
            site: demo(),
            id: Some(BeaconId(7)),
            consent: ConsentState::default(),
            replaces_consent: None,
            body: BeaconBody::Dropped,
        },
    ]
}

#[test]
fn to_json_round_trips_through_parse_for_every_kind() {
    for beacon in every_kind() {
        let json = beacon.to_json();
        assert_eq!(Beacon::parse(json.as_bytes()), Ok(beacon), "{json}");
    }
}

#[test]
fn to_json_escapes_quotes_backslashes_and_control_characters_and_keeps_other_text() {
    let name = "Sign \"up\" \\ now\u{1}\n: café 🦀";
    let beacon = Beacon {
        site: demo(),
        id: None,
        consent: ConsentState::default(),
        replaces_consent: None,
        body: BeaconBody::Event {
            path: "/".into(),
            event: Event::Goal { name: name.into(), value: None, props: vec![] },
        },
    };
    let json = beacon.to_json();
    assert!(json.contains(r#""name":"Sign \"up\" \\ now\u0001\u000a: café 🦀""#), "{json}");
    let decoded: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(decoded["event"]["name"], name);
}

#[test]
fn to_json_is_valid_json() {
    for beacon in every_kind() {
        let json = beacon.to_json();
        serde_json::from_str::<serde_json::Value>(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    }
}

/// The `event` of an event beacon with the given `event` object.
fn event(event: &str) -> Result<Event, BeaconError> {
    let body = format!(r#"{{"site":"demo","type":"event","path":"/","event":{event}}}"#);
    match parse(&body)?.body {
        BeaconBody::Event { event, .. } => Ok(event),
        other => panic!("not an event: {other:?}"),
    }
}

#[test]
fn cleans_custom_properties_again_and_drops_those_that_look_like_personal_data() {
    // A forged beacon: the snippet would have dropped these itself.
    let forged = r#"{"kind":"custom","name":"video_play","props":{"title":" intro ",
        "email":"jane@example.com","phone":"+49 151 1234 5678","jane@example.com":"key",
        "order":"84467315","token":"cus_NffrFeUfNV2Hib","blank":" ","title ":"twice"}}"#;
    let Event::Custom { props, value: None, .. } = event(forged).unwrap() else { panic!() };
    assert_eq!(props, vec![("title".to_owned(), "intro".to_owned())]);
    let goal = r#"{"kind":"goal","name":"signup","value_milli":12500,"props":{"b":"2","a":"1"}}"#;
    let Event::Goal { props, value: Some(value), .. } = event(goal).unwrap() else { panic!() };
    assert_eq!(value, 12.5);
    assert_eq!(props, vec![("a".into(), "1".into()), ("b".into(), "2".into())], "by key");
}

#[test]
fn refuses_too_many_too_long_or_nested_properties() {
    let props = |props: &str| format!(r#"{{"kind":"goal","name":"signup","props":{props}}}"#);
    let nine: Vec<String> = (0..9).map(|i| format!(r#""k{i}":"v""#)).collect();
    let eight = props(&format!("{{{}}}", nine[..8].join(",")));
    assert!(matches!(event(&eight), Ok(Event::Goal { props, .. }) if props.len() == 8));
    let refused = |props: String| match event(&props) {
        Err(BeaconError::InvalidField { field, reason }) => (field, reason),
        other => panic!("{props}: {other:?}"),
    };
    assert!(refused(props(&format!("{{{}}}", nine.join(",")))).1.contains("at most 8"));
    let long_key = props(&format!(r#"{{"{}":"v"}}"#, "k".repeat(41)));
    assert_eq!(refused(long_key).0, "event.props");
    let long_value = props(&format!(r#"{{"k":"{}"}}"#, "v".repeat(101)));
    assert_eq!(refused(long_value).0, "event.props");
    let longest = props(&format!(r#"{{"{}":"{}"}}"#, "k".repeat(40), "v".repeat(100)));
    assert!(event(&longest).is_ok());
    for wrong in [r#"{"a":{"b":"c"}}"#, r#"{"a":["b"]}"#, r#"{"a":1}"#, r#"["a"]"#, r#""a""#] {
        assert!(matches!(event(&props(wrong)), Err(BeaconError::Malformed(_))), "{wrong}");
    }
    let outbound = r#"{"kind":"outbound","host":"github.com","props":{"a":"b"}}"#;
    assert!(matches!(event(outbound), Err(BeaconError::Malformed(_))), "only goals and events");
}

#[test]
fn a_funnel_step_needs_journey_consent_and_carries_its_visits_entry() {
    let granted = r#""consent":{"measurement":"granted","journey":"granted","source":"api"}"#;
    let body = format!(
        r#"{{"site":"demo","type":"funnel","id":"00000000000000aa",{granted},"funnel":12,"step":2,"referrer":"t.co","utm":{{"medium":"social"}},"viewport":"mobile","returning":true}}"#
    );
    let beacon = parse(&body).unwrap();
    let BeaconBody::Funnel(reached) = &beacon.body else { panic!("{beacon:?}") };
    assert_eq!((reached.funnel, reached.step), (12, 2));
    assert_eq!(reached.entry.channel_group(), ChannelGroup::Social);
    assert_eq!(reached.entry.returning, Some(true));
    assert_eq!(parse(&beacon.to_json()).unwrap(), beacon, "the snippet's JSON reads back");

    let without = r#"{"site":"demo","type":"funnel","funnel":12,"step":2}"#;
    assert_eq!(invalid_field(without), "consent");
    let with = |fields: &str| format!(r#"{{"site":"demo","type":"funnel",{granted},{fields}}}"#);
    assert!(matches!(parse(&with(r#""step":1"#)), Err(BeaconError::MissingField("funnel"))));
    assert!(matches!(parse(&with(r#""funnel":1"#)), Err(BeaconError::MissingField("step"))));
    for step in [0, 9] {
        assert_eq!(invalid_field(&with(&format!(r#""funnel":1,"step":{step}"#))), "step");
    }
    assert_eq!(invalid_field(&with(r#""funnel":1,"step":1,"path":"/a""#)), "type");
    assert_eq!(invalid_field(&with(r#""funnel":1,"step":1,"engaged_ms":3"#)), "type");
    assert_eq!(invalid_field(r#"{"site":"demo","path":"/a","funnel":1}"#), "type");
}
