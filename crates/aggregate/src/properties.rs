//! Custom properties: for each goal (or each custom event) and each property key, the values it
//! was sent with, as a bounded top-k list of counts and value sums.
//!
//! `tacit('goal', 'signup', {value: 12.5, props: {plan: 'pro'}})` adds one to `pro` under
//! `signup`'s key `plan`, and 12.5 to its value sum. Only a site's rollup keeps them (a page's
//! record does not): properties answer "which plans sign up", a question about the site.
//!
//! Bounded whatever the beacons say: at most [`MAX_NAMES`] goals and as many custom events with
//! properties, [`MAX_KEYS`] keys each and [`VALUES_CAPACITY`] counters per key, so thousands of
//! distinct values cost the same few counters (Space-Saving, see [`TopK`]). In one day, the
//! first names and keys seen keep their place; a merge keeps the heaviest (by weight, ties by
//! name), so that merging stays commutative. At most 2 × 16 × 8 × 16 = 4,096 counters, about
//! 400 KB at the longest keys; a site's real goals use a few.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::top_k::TopK;
use tacit_beacon::signal::Properties;

/// The most goals (and, apart, the most custom events) whose properties a record keeps.
pub const MAX_NAMES: usize = 16;

/// The most property keys kept per goal or custom event: as many as one call may send.
pub const MAX_KEYS: usize = tacit_beacon::signal::MAX_PROPERTIES;

/// The counters of each key's top-k list of values: every value above 1/16 of the key's
/// weight is listed.
pub const VALUES_CAPACITY: usize = 16;

/// The values of each property key, by goal or custom event name, then by key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PropertyValues(BTreeMap<String, BTreeMap<String, TopK>>);

impl PropertyValues {
    /// Counts the properties `props` that `name` was sent with, each value with `value` (a
    /// goal's revenue) added to its sum. A name or key past the caps is not kept.
    pub fn record(&mut self, name: &str, value: Option<f64>, props: &Properties) {
        if props.is_empty() || (!self.0.contains_key(name) && self.0.len() >= MAX_NAMES) {
            return;
        }
        let keys = self.0.entry(name.to_owned()).or_default();
        for (key, text) in props {
            if !keys.contains_key(key) && keys.len() >= MAX_KEYS {
                continue;
            }
            let values =
                keys.entry(key.clone()).or_insert_with(|| TopK::with_capacity(VALUES_CAPACITY));
            values.insert(text, 1, value.unwrap_or(0.0));
        }
    }

    /// Adds everything `other` counted, then keeps the [`MAX_NAMES`] heaviest names and the
    /// [`MAX_KEYS`] heaviest keys of each.
    pub fn merge(&mut self, other: &PropertyValues) {
        for (name, their_keys) in &other.0 {
            let keys = self.0.entry(name.clone()).or_default();
            for (key, values) in their_keys {
                match keys.get_mut(key) {
                    Some(ours) => ours.merge(values),
                    None => {
                        keys.insert(key.clone(), values.clone());
                    }
                }
            }
            keep_heaviest(keys, MAX_KEYS, TopK::total);
        }
        keep_heaviest(&mut self.0, MAX_NAMES, |keys| keys.values().map(TopK::total).sum());
    }

    /// The property keys of `name` and each key's values.
    pub fn of(&self, name: &str) -> Option<&BTreeMap<String, TopK>> {
        self.0.get(name)
    }
}

/// Keeps the `max` entries of `map` with the largest `weight`, ties by key.
fn keep_heaviest<V>(map: &mut BTreeMap<String, V>, max: usize, weight: impl Fn(&V) -> u64) {
    if map.len() <= max {
        return;
    }
    let mut order: Vec<(u64, String)> =
        map.iter().map(|(key, value)| (weight(value), key.clone())).collect();
    order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    for (_, key) in order.into_iter().skip(max) {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge_laws::{both_groupings, both_orders};
    use proptest::prelude::*;

    fn props(pairs: &[(&str, &str)]) -> Properties {
        pairs.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect()
    }

    /// `(value, count, value sum)` of `name`'s key `key`, largest first.
    fn values(table: &PropertyValues, name: &str, key: &str) -> Vec<(String, u64, f64)> {
        table.of(name).and_then(|keys| keys.get(key)).map_or_else(Vec::new, |values| {
            values.top(usize::MAX).into_iter().map(|e| (e.key, e.count, e.value_sum)).collect()
        })
    }

    #[test]
    fn counts_each_value_of_each_key_with_the_value_sum() {
        let mut table = PropertyValues::default();
        table.record("signup", Some(12.5), &props(&[("plan", "pro"), ("source", "footer")]));
        table.record("signup", Some(7.5), &props(&[("plan", "pro")]));
        table.record("signup", None, &props(&[("plan", "free")]));
        table.record("newsletter", None, &props(&[]));
        assert_eq!(
            values(&table, "signup", "plan"),
            [("pro".into(), 2, 20.0), ("free".into(), 1, 0.0)]
        );
        assert_eq!(values(&table, "signup", "source"), [("footer".into(), 1, 12.5)]);
        assert!(table.of("newsletter").is_none(), "no properties, nothing kept");
    }

    #[test]
    fn thousands_of_distinct_values_keys_and_names_stay_bounded() {
        let mut table = PropertyValues::default();
        for i in 0..5_000 {
            let (key, value) = (format!("key{}", i % 20), format!("value{i}"));
            table.record(&format!("goal{}", i % 40), None, &props(&[(&key, &value)]));
            table.record("signup", None, &props(&[("plan", "pro")]));
        }
        assert_eq!(table.0.len(), MAX_NAMES);
        assert!(table.0.values().all(|keys| keys.len() <= MAX_KEYS));
        assert!(table.0.values().flat_map(BTreeMap::values).all(|v| v.len() <= VALUES_CAPACITY));
        assert_eq!(values(&table, "signup", "plan"), [("pro".into(), 5_000, 0.0)], "exact");
    }

    #[test]
    fn a_merge_keeps_the_heaviest_names_and_keys() {
        let (mut a, mut b) = (PropertyValues::default(), PropertyValues::default());
        for i in 0..MAX_NAMES {
            a.record(&format!("a{i:02}"), None, &props(&[("k", "v")]));
            b.record(&format!("b{i:02}"), None, &props(&[("k", "v")]));
        }
        b.record("b00", None, &props(&[("k", "v")]));
        b.record("b00", None, &props(&[("k", "v")]));
        a.merge(&b);
        assert_eq!(a.0.len(), MAX_NAMES);
        assert_eq!(values(&a, "b00", "k"), [("v".into(), 3, 0.0)], "the heaviest is kept");
        assert!(a.of("a00").is_some() && a.of("b15").is_none(), "ties by name");
    }

    fn table() -> impl Strategy<Value = PropertyValues> {
        proptest::collection::vec((0..20u8, 0..12u8, 0..30u8, 0..100u8), 0..80).prop_map(|ops| {
            let mut table = PropertyValues::default();
            for (name, key, value, amount) in ops {
                let pair = [(format!("k{key}"), format!("v{value}"))];
                table.record(&format!("n{name}"), Some(f64::from(amount)), &pair.to_vec());
            }
            table
        })
    }

    proptest! {
        #[test]
        fn merge_is_commutative(a in table(), b in table()) {
            let (ab, ba) = both_orders(&a, &b, PropertyValues::merge);
            prop_assert_eq!(ab, ba);
        }

        #[test]
        fn merges_stay_within_the_caps(a in table(), b in table(), c in table()) {
            let (left, right) = both_groupings(&a, &b, &c, PropertyValues::merge);
            for merged in [left, right] {
                prop_assert!(merged.0.len() <= MAX_NAMES);
                prop_assert!(merged.0.values().all(|keys| keys.len() <= MAX_KEYS));
            }
        }
    }
}
