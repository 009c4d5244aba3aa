//! What a visitor does on one page view, kept as running figures until the view is left:
//! engaged time, scroll depth, interactions, rage and dead clicks, and Core Web Vitals.
//!
//! Times are `performance.now()` milliseconds passed in by the loader with every event, so that
//! nothing here reads a clock and every rule can be tested with made-up times.

/// Engaged time stops this long after the last input (DESIGN: "not idle > 30 s").
pub const IDLE_MS: f64 = 30_000.0;
/// A rage click is this many clicks...
const RAGE_CLICKS: usize = 3;
/// ...within this time...
const RAGE_MS: f64 = 1_000.0;
/// ...and this distance of the first of them, in CSS pixels.
const RAGE_PX: f64 = 30.0;
/// A click on something that looks clickable is dead when nothing reacts within this time.
pub const DEAD_MS: f64 = 1_000.0;
/// CLS session windows: a gap of more than 1 s between shifts, or 5 s in all, starts a new one.
const CLS_GAP_MS: f64 = 1_000.0;
const CLS_WINDOW_MS: f64 = 5_000.0;
/// INP is the 98th percentile of interaction latencies: one outlier is skipped per 50
/// interactions, so the 10 longest are enough for 500 interactions.
const INP_KEPT: usize = 10;

/// The running figures of one page view.
#[derive(Default)]
pub struct Engagement {
    engaged_ms: f64,
    /// Since when the visitor has been engaged, while they are.
    engaged_since: Option<f64>,
    last_input: f64,
    hidden: bool,
    blurred: bool,
    pub scroll_pct: u8,
    pub interactions: u32,
    pub rage_clicks: u32,
    pub dead_clicks: u32,
    /// The clicks of a possible rage burst: time and position of each.
    burst: [(f64, f64, f64); RAGE_CLICKS],
    burst_len: usize,
    /// The burst already counted, so that a fourth click does not count a second one.
    raging: bool,
    /// Times of clicks on clickable-looking elements that have not seen a reaction yet.
    pending_dead: [f64; 4],
    pending_len: usize,
    pub lcp_ms: Option<u32>,
    cls: f64,
    cls_window: f64,
    cls_window_start: f64,
    cls_last: f64,
    cls_seen: bool,
    /// The longest interaction latencies seen, longest first, with their interaction ids.
    inp: [(f64, f64); INP_KEPT],
    interactions_timed: u32,
    last_interaction_id: f64,
}

impl Engagement {
    /// A view that starts at `now`, visible and focused as the loader says.
    pub fn new(now: f64, visible: bool, focused: bool) -> Engagement {
        let mut engagement = Engagement {
            last_input: now,
            hidden: !visible,
            blurred: !focused,
            ..Engagement::default()
        };
        engagement.settle(now);
        engagement
    }

    /// Adds the engaged time up to `now` and decides whether the visitor is engaged from now on.
    fn settle(&mut self, now: f64) {
        if let Some(since) = self.engaged_since.take() {
            let end = now.min(self.last_input + IDLE_MS);
            self.engaged_ms += (end - since).max(0.0);
        }
        if !self.hidden && !self.blurred && now - self.last_input < IDLE_MS {
            self.engaged_since = Some(now);
        }
    }

    /// A new view in the same tab (a route change, a page restored from the back-forward cache)
    /// starts at `now`, as visible and focused as this one.
    pub fn carry_on(&self, now: f64) -> Engagement {
        Engagement::new(now, !self.hidden, !self.blurred)
    }

    /// Engaged time so far, in whole milliseconds.
    pub fn engaged_ms(&mut self, now: f64) -> u32 {
        self.settle(now);
        self.engaged_ms as u32
    }

    /// Any input (pointer, wheel, touch, scroll, key, click): the visitor is not idle.
    pub fn input(&mut self, now: f64) {
        self.settle(now);
        self.last_input = now;
        self.settle(now);
    }

    /// The page became visible or hidden.
    pub fn visible(&mut self, now: f64, visible: bool) {
        self.settle(now);
        self.hidden = !visible;
        if visible {
            self.last_input = now;
        }
        self.settle(now);
    }

    /// The window gained or lost focus.
    pub fn focused(&mut self, now: f64, focused: bool) {
        self.settle(now);
        self.blurred = !focused;
        if focused {
            self.last_input = now;
        }
        self.settle(now);
    }

    /// A key press (not a repeat).
    pub fn key(&mut self, now: f64) {
        self.interactions += 1;
        self.input(now);
    }

    /// The bottom of the viewport is at `bottom` CSS pixels of a page `height` pixels tall.
    pub fn scroll(&mut self, bottom: f64, height: f64) {
        if height > 0.0 {
            // Rounded: a page scrolled to 79.99 % of its height was read to 80 %.
            let pct = (bottom * 100.0 / height + 0.5).clamp(0.0, 100.0) as u8;
            self.scroll_pct = self.scroll_pct.max(pct);
        }
    }

    /// A click at `(x, y)`; `clickable` when the element looks like it should do something (a
    /// button, `cursor: pointer`, ...) and is not a link or a form field, which always react.
    pub fn click(&mut self, now: f64, x: f64, y: f64, clickable: bool) {
        self.interactions += 1;
        self.input(now);
        self.react_after(now - DEAD_MS);
        let (_, x0, y0) = self.burst[0];
        let near = self.burst_len > 0
            && now - self.burst[0].0 <= RAGE_MS
            && (x - x0).abs() <= RAGE_PX
            && (y - y0).abs() <= RAGE_PX;
        if !near {
            self.burst_len = 0;
            self.raging = false;
        }
        if self.burst_len < RAGE_CLICKS {
            if let Some(slot) = self.burst.get_mut(self.burst_len) {
                *slot = (now, x, y);
            }
            self.burst_len += 1;
        }
        if self.burst_len == RAGE_CLICKS && !self.raging {
            self.rage_clicks += 1;
            self.raging = true;
        }
        if clickable {
            if self.pending_len == self.pending_dead.len() {
                self.pending_dead.copy_within(1.., 0);
                self.pending_len -= 1;
            }
            if let Some(slot) = self.pending_dead.get_mut(self.pending_len) {
                *slot = now;
                self.pending_len += 1;
            }
        }
    }

    /// Counts as dead the clicks older than `cutoff` that are still waiting for a reaction.
    fn react_after(&mut self, cutoff: f64) {
        let pending = &self.pending_dead[..self.pending_len.min(self.pending_dead.len())];
        let dead = pending.iter().filter(|&&t| t <= cutoff).count();
        self.dead_clicks += dead as u32;
        self.pending_dead.copy_within(dead.., 0);
        self.pending_len -= dead;
    }

    /// Time has passed: clicks older than [`DEAD_MS`] without a reaction are dead.
    pub fn tick(&mut self, now: f64) {
        self.react_after(now - DEAD_MS);
    }

    /// The page reacted (the DOM changed, a form was sent, the page or route is left): every
    /// click still waiting for a reaction got one.
    pub fn reaction(&mut self, now: f64) {
        self.react_after(now - DEAD_MS);
        self.pending_len = 0;
    }

    /// A Largest Contentful Paint candidate; the last one before input is the LCP.
    pub fn lcp(&mut self, ms: f64) {
        self.lcp_ms = Some(ms as u32);
    }

    /// A layout shift of `value` at `at`, not caused by recent input.
    pub fn layout_shift(&mut self, value: f64, at: f64) {
        if self.cls_seen
            && at - self.cls_last < CLS_GAP_MS
            && at - self.cls_window_start < CLS_WINDOW_MS
        {
            self.cls_window += value;
        } else {
            self.cls_window = value;
            self.cls_window_start = at;
        }
        self.cls_seen = true;
        self.cls_last = at;
        self.cls = self.cls.max(self.cls_window);
    }

    /// Cumulative Layout Shift (the largest session window), once the browser reported shifts.
    pub fn cls(&self) -> Option<f32> {
        self.cls_seen.then_some(self.cls as f32)
    }

    /// An event timing entry of interaction `id` that took `duration` ms.
    pub fn event_timing(&mut self, duration: f64, id: f64) {
        if id <= 0.0 {
            return;
        }
        if id > self.last_interaction_id {
            self.last_interaction_id = id;
            self.interactions_timed += 1;
        }
        if let Some(slot) = self.inp.iter_mut().find(|(_, seen)| *seen == id) {
            slot.0 = slot.0.max(duration);
        } else if let Some(last) = self.inp.last_mut() {
            if duration > last.0 {
                *last = (duration, id);
            }
        }
        self.inp.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    }

    /// Interaction to Next Paint: about the 98th percentile of interaction latencies.
    pub fn inp_ms(&self) -> Option<u32> {
        if self.interactions_timed == 0 {
            return None;
        }
        let skip = (self.interactions_timed / 50) as usize;
        self.inp.get(skip.min(INP_KEPT - 1)).map(|(ms, _)| *ms as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engaged_time_counts_visible_focused_and_not_idle() {
        let mut e = Engagement::new(0.0, true, true);
        e.input(10_000.0);
        // Idle after 40 s: engaged until 10 s + 30 s.
        assert_eq!(e.engaged_ms(60_000.0), 40_000);
        e.input(70_000.0);
        e.visible(75_000.0, false);
        assert_eq!(e.engaged_ms(90_000.0), 45_000, "hidden time does not count");
        e.visible(100_000.0, true);
        e.focused(101_000.0, false);
        assert_eq!(e.engaged_ms(200_000.0), 46_000, "blurred time does not count");
    }

    #[test]
    fn a_hidden_start_is_not_engaged() {
        let mut e = Engagement::new(0.0, false, true);
        assert_eq!(e.engaged_ms(5_000.0), 0);
    }

    #[test]
    fn three_clicks_in_a_second_in_one_spot_are_one_rage_click() {
        let mut e = Engagement::new(0.0, true, true);
        for (i, t) in [100.0, 300.0, 500.0, 700.0].into_iter().enumerate() {
            e.click(t, 10.0 + i as f64, 10.0, false);
        }
        assert_eq!((e.rage_clicks, e.interactions), (1, 4));
        e.click(2_000.0, 10.0, 10.0, false);
        e.click(2_100.0, 80.0, 10.0, false);
        e.click(2_200.0, 80.0, 10.0, false);
        assert_eq!(e.rage_clicks, 1, "too far apart");
    }

    #[test]
    fn a_click_without_reaction_within_a_second_is_dead() {
        let mut e = Engagement::new(0.0, true, true);
        e.click(100.0, 0.0, 0.0, true);
        e.tick(600.0);
        assert_eq!(e.dead_clicks, 0);
        e.tick(1_200.0);
        assert_eq!(e.dead_clicks, 1);
        e.click(2_000.0, 0.0, 0.0, true);
        e.reaction(2_300.0);
        e.tick(3_500.0);
        assert_eq!(e.dead_clicks, 1, "the page reacted");
        e.click(4_000.0, 0.0, 0.0, false);
        e.tick(6_000.0);
        assert_eq!(e.dead_clicks, 1, "not something that looks clickable");
    }

    #[test]
    fn scroll_depth_is_the_deepest_point() {
        let mut e = Engagement::new(0.0, true, true);
        e.scroll(800.0, 4_000.0);
        e.scroll(3_200.0, 4_000.0);
        e.scroll(1_000.0, 4_000.0);
        assert_eq!(e.scroll_pct, 80);
    }

    #[test]
    fn cls_is_the_largest_session_window() {
        let mut e = Engagement::new(0.0, true, true);
        assert_eq!(e.cls(), None);
        e.layout_shift(0.1, 100.0);
        e.layout_shift(0.1, 500.0);
        e.layout_shift(0.05, 3_000.0);
        assert!((e.cls().unwrap() - 0.2).abs() < 1e-6);
    }

    #[test]
    fn inp_is_the_longest_interaction_below_50() {
        let mut e = Engagement::new(0.0, true, true);
        assert_eq!(e.inp_ms(), None);
        e.event_timing(40.0, 1.0);
        e.event_timing(120.0, 1.0);
        e.event_timing(64.0, 2.0);
        assert_eq!(e.inp_ms(), Some(120));
    }
}
