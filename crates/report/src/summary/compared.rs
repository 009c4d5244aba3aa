//! A figure against its baseline: this period against the previous one ([`Count`], [`Measure`],
//! [`Rate`]), or a page against the whole site ([`Compared`]).

use serde::{Deserialize, Serialize};

/// A count with its previous-period value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    /// This period.
    pub current: u64,
    /// The previous period of equal length, when it was asked for.
    pub previous: Option<u64>,
    /// Relative change, `(current − previous) / previous`; `None` without a previous value or
    /// when it is zero.
    pub change: Option<f64>,
}

impl Count {
    pub(super) fn new(current: u64, previous: Option<u64>) -> Count {
        let change = relative_change(Some(current as f64), previous.map(|p| p as f64));
        Count { current, previous, change }
    }
}

/// A measure that is not a proportion (views per visit, a median time) with its previous value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    /// This period; `None` when undefined (no data, or a zero denominator).
    pub current: Option<f64>,
    /// The previous period, when asked for and defined.
    pub previous: Option<f64>,
    /// Relative change; `None` when either value is missing or the previous one is zero.
    pub change: Option<f64>,
}

impl Measure {
    pub(super) fn new(current: Option<f64>, previous: Option<f64>) -> Measure {
        Measure { current, previous, change: relative_change(current, previous) }
    }
}

/// A proportion (bounce rate, engagement rate) with its previous value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    /// This period, from 0 to 1; `None` when the denominator is zero.
    pub current: Option<f64>,
    /// The previous period, when asked for and defined.
    pub previous: Option<f64>,
    /// `current − previous`, in the same unit (0.05 is five percentage points); `None` when
    /// either is missing.
    pub difference: Option<f64>,
}

impl Rate {
    pub(super) fn new(current: Option<f64>, previous: Option<f64>) -> Rate {
        let difference = current.zip(previous).map(|(c, p)| c - p);
        Rate { current, previous, difference }
    }
}

/// A page's figure against the site's over the same range, and its own previous value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Compared {
    /// The page, this period.
    pub page: Option<f64>,
    /// The whole site, this period: the baseline.
    pub site: Option<f64>,
    /// The page, previous period.
    pub previous: Option<f64>,
}

/// `(current − previous) / previous`; `None` when either is missing or `previous` is zero.
fn relative_change(current: Option<f64>, previous: Option<f64>) -> Option<f64> {
    match (current, previous) {
        (Some(c), Some(p)) if p != 0.0 => Some((c - p) / p),
        _ => None,
    }
}
