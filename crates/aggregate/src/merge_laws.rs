//! The merges that the sketches' and records' merge-law tests compare: both orders of two
//! parts, and both groupings of three.

/// `a ∪ b` and `b ∪ a`, each merged with `merge`: equal when merging is commutative.
pub(crate) fn both_orders<T: Clone>(a: &T, b: &T, merge: impl Fn(&mut T, &T)) -> (T, T) {
    let mut ab = a.clone();
    merge(&mut ab, b);
    let mut ba = b.clone();
    merge(&mut ba, a);
    (ab, ba)
}

/// `(a ∪ b) ∪ c` and `a ∪ (b ∪ c)`, each merged with `merge`: equal when merging is
/// associative.
pub(crate) fn both_groupings<T: Clone>(a: &T, b: &T, c: &T, merge: impl Fn(&mut T, &T)) -> (T, T) {
    let mut left = a.clone();
    merge(&mut left, b);
    merge(&mut left, c);
    let mut bc = b.clone();
    merge(&mut bc, c);
    let mut right = a.clone();
    merge(&mut right, &bc);
    (left, right)
}
