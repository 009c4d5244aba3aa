//! The exports the loader calls, as plain WebAssembly functions (no wasm-bindgen, whose glue
//! is bigger than the loader itself).
//!
//! The calling convention, which `www/loader.js` follows:
//!
//! - A string argument is two numbers, a pointer and a length in bytes. The loader asks for the
//!   memory with [`reserve`], writes the string's UTF-8 there, and the export takes it over (and
//!   frees it).
//! - A `bool` argument is a number, 0 for false and anything else for true.
//! - An export that answers with beacon lines (the crate's `Option<String>`) returns their length
//!   in bytes, or -1 for `None`; the lines stay at [`answer`] until the next call.
//!
//! Nothing here decides anything: each export converts its arguments and calls the function of
//! the same name in the crate's root.

use alloc::boxed::Box;
use alloc::string::String;
use core::cell::UnsafeCell;

use tacit_beacon::scrub::{scrub_path, MAX_PATH_LEN};

use crate::page::TabVisit;

// What the loader lends the module: the browser calls a decision needs in the middle of an
// export (the view beacon waits for their answers). They touch `localStorage` and
// `sessionStorage`; the tracker calls them only with journey consent, or when it is refused.
#[link(wasm_import_module = "t")]
extern "C" {
    /// 1 when the last-visit day kept for the site is within 13 months, 0 when there is none
    /// (or an older one), -1 without storage; today becomes the last visit.
    fn visit() -> i32;
    /// Makes the UTF-8 path at `path` (`path_len` bytes) this tab's last page, now. Answers
    /// with the tab's previous last page, written at `last` (at most `last_cap` bytes), and its
    /// length, when it was within 30 minutes; -2 when it was longer ago; -1 when the tab kept
    /// none, or has no storage.
    fn tab(path: *const u8, path_len: usize, last: *mut u8, last_cap: usize) -> i32;
    /// Removes the last-visit day and everything the tab kept.
    fn forget();
}

/// Continues this tab's visit with a view of `path` (see [`TabVisit`]).
pub(crate) fn tab_visit(path: &str) -> TabVisit {
    // Room for the longest path the snippet writes, with slack for one cut at a character.
    let mut last = [0u8; MAX_PATH_LEN + 8];
    // SAFETY: an import of the loader's; it reads `path` and writes at most `last.len()` bytes.
    let answer = unsafe { tab(path.as_ptr(), path.len(), last.as_mut_ptr(), last.len()) };
    match usize::try_from(answer) {
        // What the tab kept is the page's to change: it is scrubbed again like any URL.
        Ok(len) => TabVisit::Live(scrub_path(
            last.get(..len).and_then(|bytes| core::str::from_utf8(bytes).ok()).unwrap_or("/"),
        )),
        Err(_) if answer == -2 => TabVisit::Lapsed,
        Err(_) => TabVisit::Unknown,
    }
}

/// Whether this browser visited the site before; `None` when it cannot tell.
pub(crate) fn visited_before() -> Option<bool> {
    // SAFETY: an import of the loader's, with no arguments.
    match unsafe { visit() } {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// Forgets what journey linking kept: the last-visit day, the tab's visit and its retry queue.
pub(crate) fn forget_journey() {
    // SAFETY: an import of the loader's, with no arguments.
    unsafe { forget() }
}

/// The last answer, kept for the loader to read.
struct Answer(UnsafeCell<String>);
// SAFETY: WebAssembly without threads: one call at a time, and no export calls another.
unsafe impl Sync for Answer {}
static ANSWER: Answer = Answer(UnsafeCell::new(String::new()));

/// Keeps `lines` for the loader and returns their length, or -1 for none.
fn answer_with(lines: Option<String>) -> i32 {
    // SAFETY: see `Answer`; no other reference to it exists during an export.
    let kept = unsafe { &mut *ANSWER.0.get() };
    match lines {
        Some(lines) => {
            *kept = lines;
            kept.len() as i32
        }
        None => {
            kept.clear();
            -1
        }
    }
}

/// Where the last answer's bytes are.
#[no_mangle]
pub extern "C" fn answer() -> *const u8 {
    // SAFETY: see `Answer`.
    unsafe { &*ANSWER.0.get() }.as_ptr()
}

/// Memory for a string of `len` bytes that the loader passes to the next export.
#[no_mangle]
pub extern "C" fn reserve(len: usize) -> *mut u8 {
    Box::into_raw(Box::<[u8]>::new_uninit_slice(len)).cast()
}

/// Takes over a string the loader wrote at `ptr`; text that is not UTF-8 counts as empty.
///
/// # Safety
/// `ptr` comes from [`reserve`]`(len)`, holds `len` written bytes, and is passed once.
unsafe fn text(ptr: *mut u8, len: usize) -> String {
    // SAFETY: as the caller guarantees, a boxed slice of exactly `len` initialised bytes.
    let bytes = unsafe { Box::from_raw(core::ptr::slice_from_raw_parts_mut(ptr, len)) };
    String::from_utf8(bytes.into_vec()).unwrap_or_default()
}

/// See [`crate::start`].
///
/// # Safety
/// Every `(pointer, length)` pair is a string as [`text`] requires.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn start(
    site: *mut u8,
    site_len: usize,
    opt_in: u32,
    downloads: *mut u8,
    downloads_len: usize,
    url: *mut u8,
    url_len: usize,
    params: *mut u8,
    params_len: usize,
    referrer: *mut u8,
    referrer_len: usize,
    user_agent: *mut u8,
    user_agent_len: usize,
    webdriver: u32,
    language: *mut u8,
    language_len: usize,
    width: f64,
    seed: f64,
    now: f64,
    visible: u32,
    focused: u32,
) -> i32 {
    // SAFETY: as the caller guarantees.
    let text = |ptr, len| unsafe { text(ptr, len) };
    answer_with(crate::start(
        &text(site, site_len),
        opt_in != 0,
        &text(downloads, downloads_len),
        &text(url, url_len),
        &text(params, params_len),
        &text(referrer, referrer_len),
        &text(user_agent, user_agent_len),
        webdriver != 0,
        &text(language, language_len),
        width,
        seed,
        now,
        visible != 0,
        focused != 0,
    ))
}

/// See [`crate::go`].
#[no_mangle]
pub extern "C" fn go() -> i32 {
    answer_with(crate::go())
}

/// See [`crate::consent`].
#[no_mangle]
pub extern "C" fn consent(source: u32, measurement: u32, journey: u32) -> i32 {
    answer_with(crate::consent(source, measurement, journey))
}

/// See [`crate::tcf`].
#[no_mangle]
pub extern "C" fn tcf(purposes: u32, gdpr_applies: u32) -> i32 {
    answer_with(crate::tcf(purposes, gdpr_applies != 0))
}

/// See [`crate::consent_mode`].
#[no_mangle]
pub extern "C" fn consent_mode(update: u32, analytics_storage: u32) -> i32 {
    answer_with(crate::consent_mode(update != 0, analytics_storage))
}

/// See [`crate::linked`]: 1 or 0.
#[no_mangle]
pub extern "C" fn linked() -> u32 {
    crate::linked().into()
}

/// See [`crate::measuring`]: 1 or 0.
#[no_mangle]
pub extern "C" fn measuring() -> u32 {
    crate::measuring().into()
}

/// See [`crate::on`].
#[no_mangle]
pub extern "C" fn on(kind: u32, now: f64, a: f64, b: f64) -> i32 {
    answer_with(crate::on(kind, now, a, b))
}

/// See [`crate::link`].
///
/// # Safety
/// `(href, href_len)` is a string as [`text`] requires.
#[no_mangle]
pub unsafe extern "C" fn link(href: *mut u8, href_len: usize, kind: u32, now: f64) -> i32 {
    // SAFETY: as the caller guarantees.
    let href = unsafe { text(href, href_len) };
    answer_with(crate::link(&href, kind, now))
}

/// See [`crate::submit`].
///
/// # Safety
/// Both `(pointer, length)` pairs are strings as [`text`] requires.
#[no_mangle]
pub unsafe extern "C" fn submit(
    name: *mut u8,
    name_len: usize,
    action: *mut u8,
    action_len: usize,
    now: f64,
) -> i32 {
    // SAFETY: as the caller guarantees.
    let (name, action) = unsafe { (text(name, name_len), text(action, action_len)) };
    answer_with(crate::submit(&name, &action, now))
}

/// See [`crate::nav`].
///
/// # Safety
/// Both `(pointer, length)` pairs are strings as [`text`] requires.
#[no_mangle]
pub unsafe extern "C" fn nav(
    url: *mut u8,
    url_len: usize,
    params: *mut u8,
    params_len: usize,
    now: f64,
    wall_ms: f64,
    restore: u32,
) -> i32 {
    // SAFETY: as the caller guarantees.
    let (url, params) = unsafe { (text(url, url_len), text(params, params_len)) };
    answer_with(crate::nav(&url, &params, now, wall_ms, restore != 0))
}

/// See [`crate::goal`].
///
/// # Safety
/// `(name, name_len)` is a string as [`text`] requires.
#[no_mangle]
pub unsafe extern "C" fn goal(name: *mut u8, name_len: usize, value: f64) -> i32 {
    // SAFETY: as the caller guarantees.
    let name = unsafe { text(name, name_len) };
    answer_with(crate::goal(&name, value))
}

/// See [`crate::feedback`].
#[no_mangle]
pub extern "C" fn feedback(score: u32) -> i32 {
    answer_with(crate::feedback(score))
}

/// See [`crate::failed`]; answers nothing (-1).
///
/// # Safety
/// `(body, body_len)` is a string as [`text`] requires.
#[no_mangle]
pub unsafe extern "C" fn failed(body: *mut u8, body_len: usize) -> i32 {
    // SAFETY: as the caller guarantees.
    crate::failed(unsafe { text(body, body_len) });
    answer_with(None)
}

/// See [`crate::stash`].
#[no_mangle]
pub extern "C" fn stash() -> i32 {
    answer_with(crate::stash())
}
