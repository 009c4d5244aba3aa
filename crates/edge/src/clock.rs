//! The edge's clock: the runtime's time, shifted by `TACIT_CLOCK_OFFSET_MS` when that variable
//! is set. Only tests set it (`wrangler dev --var TACIT_CLOCK_OFFSET_MS:86400000` runs the edge
//! a day ahead), to watch salts rotate and records expire without waiting for midnight.

use worker::{Date, Env};

/// The variable that shifts the clock. Never set in production.
const CLOCK_OFFSET_VAR: &str = "TACIT_CLOCK_OFFSET_MS";

/// The current time as the edge sees it.
#[derive(Clone, Copy)]
pub struct Clock {
    offset_ms: i64,
}

impl Clock {
    /// The clock of this deployment.
    pub fn from_env(env: &Env) -> Clock {
        let offset_ms = env
            .var(CLOCK_OFFSET_VAR)
            .ok()
            .and_then(|value| value.to_string().trim().parse::<i64>().ok())
            .unwrap_or(0);
        Clock { offset_ms }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(self) -> i64 {
        Date::now().as_millis() as i64 + self.offset_ms
    }

    /// The runtime's own time for an instant of this clock (for alarms, which the runtime keeps).
    pub fn to_runtime_ms(self, ms: i64) -> i64 {
        ms - self.offset_ms
    }

    /// This clock's time for an instant of the runtime's.
    pub fn of_runtime_ms(self, ms: i64) -> i64 {
        ms + self.offset_ms
    }
}
