//! The rates of an [`Activity`] or a segment's [`Engagement`], as the
//! [module documentation](super) defines them: `None` when the denominator is zero.

use tacit_aggregate::engagement::Engagement;
use tacit_aggregate::record::Activity;

/// `numerator / denominator`, `None` when the denominator is zero.
pub fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Bounces over visits whose leave arrived.
pub fn bounce_rate<A: AsRef<Engagement>>(activity: &A) -> Option<f64> {
    let engagement = activity.as_ref();
    ratio(engagement.bounces, engagement.bounces + engagement.engaged_visits)
}

/// Engaged visits over visits whose leave arrived.
pub fn engagement_rate<A: AsRef<Engagement>>(activity: &A) -> Option<f64> {
    let engagement = activity.as_ref();
    ratio(engagement.engaged_visits, engagement.bounces + engagement.engaged_visits)
}

/// Exits over views whose leave arrived.
pub fn exit_rate<A: AsRef<Engagement>>(activity: &A) -> Option<f64> {
    let engagement = activity.as_ref();
    ratio(engagement.exits, engagement.leaves)
}

/// Returning visits over the visits whose visitor agreed to journey linking (the others cannot
/// be told apart); `None` with fewer than `k` such visits, where a share would say too much
/// about each visitor.
pub fn returning_rate(activity: &Activity, k: u64) -> Option<f64> {
    let known = activity.engagement.known_visits.total();
    (known >= k.max(1)).then(|| ratio(activity.engagement.known_visits.returning, known)).flatten()
}

/// Mean feedback score, `None` without answers.
pub fn mean_feedback(activity: &Activity) -> Option<f64> {
    let answers: u64 = activity.feedback.values().sum();
    let total: u64 = activity.feedback.iter().map(|(s, &n)| u64::from(s.get()) * n).sum();
    ratio(total, answers)
}
