//! User agents: a person's browser, or a bot to drop; and what little of a browser's user agent
//! is kept.
//!
//! Bots are recognised twice. The snippet sends a `dropped` beacon instead of the page view of a
//! bot whose user agent says so ([`is_evident_bot`]) or that reports `navigator.webdriver`. The
//! edge checks every beacon again, the user agent against the maintained crawler list as well
//! ([`is_bot`]) and Cloudflare's own detection where the zone has it ([`is_bot_request`]), and
//! counts a bot's page view as dropped instead of as a visit.
//!
//! A user agent is a fingerprint: its exact versions, OS build and device model narrow a visitor
//! down to a few people. The edge therefore [`reduce`]s it to a [`BrowserFamily`] and a
//! [`DeviceClass`], two small enums with a handful of values each, and never stores the user agent
//! itself. What the reduction cannot tell:
//!
//! - **iPads on iPadOS 13 and later** ask for desktop sites and send the same user agent as Safari
//!   on a Mac, so they count as [`DeviceClass::Desktop`]. Only old iPad user agents (and
//!   other browsers' iPad user agents) name the iPad. The snippet's viewport class is the signal
//!   that sees the screen.
//! - **Brave** and other browsers that send Chrome's user agent unchanged count as
//!   [`BrowserFamily::Chrome`].
//! - **In-app browsers** (Instagram, Facebook, the Google app, any Android `WebView` or iOS web
//!   view without Safari's token) count as [`BrowserFamily::Other`], not as the engine they embed:
//!   a page shown inside an app runs without the visitor's browser, its extensions, logins and
//!   storage, so folding it into Chrome or Safari would hide exactly the differences a browser
//!   breakdown is for. The referrer already says which app sent the visit.
//! - **Windows and Android tablets in desktop mode** send a desktop user agent and count as
//!   desktops; Android devices without `Mobile` in the user agent count as tablets.

use serde::{Deserialize, Serialize};

use crate::scrub::find;

mod crawlers;

/// tacit's own markers, beside the crawler list: words that name a kind of bot rather than one
/// bot; automated browsers that run a page's scripts without a word ending in `bot` in their
/// user agent; and HTTP clients the list lacks (Postman, Java's own). Lower case, each specific
/// enough not to match a browser's own user agent.
const OWN_MARKERS: &[&str] = &[
    "crawl",
    "spider",
    "headless",
    "lighthouse",
    "inspectiontool",
    "phantomjs",
    "preview",
    "postmanruntime",
    "java/",
];

/// Whether `user_agent` says itself that it is a bot: it is empty (every browser sends a user
/// agent), has a word ending in `bot`, or one of tacit's own few markers. This is the snippet's
/// check, with `navigator.webdriver`: it catches the bots that run a page's scripts, at the cost
/// of a few bytes, while the crawler list (about 1,500 patterns, most of them for clients that
/// run no script at all) stays at the edge, which checks every beacon with [`is_bot`] anyway.
pub fn is_evident_bot(user_agent: &str) -> bool {
    let user_agent = user_agent.to_ascii_lowercase();
    user_agent.trim_ascii().is_empty()
        || OWN_MARKERS.iter().any(|marker| find(&user_agent, marker).is_some())
        || has_bot_word(&user_agent)
}

/// Whether `user_agent` belongs to a bot: [`is_evident_bot`], or a crawler of the maintained list
/// (the npm package `crawler-user-agents`, vendored in `data/`), whose patterns match case for
/// case.
pub fn is_bot(user_agent: &str) -> bool {
    is_evident_bot(user_agent) || crawlers::listed(user_agent)
}

/// What Cloudflare's Bot Management says of a request: the `botManagement` of the request's `cf`
/// object, where the zone has Bot Management (an Enterprise add-on); the edge reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CloudflareBotManagement {
    /// The request comes from a bot on Cloudflare's list of known good bots (`verifiedBot`).
    pub verified_bot: bool,
    /// Cloudflare's bot score (`score`): from 1, automated, to 99, human; 0 when not computed.
    pub score: Option<u8>,
}

impl CloudflareBotManagement {
    /// The lowest score of a request Cloudflare takes for a person's. Cloudflare's bot-score
    /// groups: 1 "automated", 2 to 29 "likely automated", 30 to 99 "likely human", 0 "not
    /// computed"; tacit takes Cloudflare's own line between bots and people.
    pub const LIKELY_HUMAN_SCORE: u8 = 30;

    /// Whether Cloudflare takes the request for a bot's: a verified bot, or a score that is
    /// computed and below [`Self::LIKELY_HUMAN_SCORE`].
    pub fn is_bot(self) -> bool {
        self.verified_bot
            || self.score.is_some_and(|score| (1..Self::LIKELY_HUMAN_SCORE).contains(&score))
    }
}

/// Whether a request comes from a bot: its user agent says so ([`is_bot`]), or Cloudflare does.
/// The edge's one bot decision: a bot's page view counts as dropped, its other beacons as
/// nothing.
pub fn is_bot_request(user_agent: &str, cloudflare: CloudflareBotManagement) -> bool {
    cloudflare.is_bot() || is_bot(user_agent)
}

/// Whether a word ends in `bot` (`Googlebot/2.1`, `AdsBot-Google`, `TelegramBot (like
/// TwitterBot)`), but not a name that merely contains it, such as the phone brand `CUBOT_X30`.
fn has_bot_word(lower_user_agent: &str) -> bool {
    let bytes = lower_user_agent.as_bytes();
    bytes.windows(3).enumerate().any(|(at, word)| {
        word == b"bot"
            && !bytes.get(at + 3).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// A browser family, the only part of a browser's name and version that is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BrowserFamily {
    /// Google Chrome and browsers that send its user agent unchanged (Brave), on every platform,
    /// `CriOS` on iOS included.
    Chrome,
    /// Apple Safari on macOS, iOS and iPadOS.
    Safari,
    /// Mozilla Firefox, `FxiOS` on iOS included.
    Firefox,
    /// Microsoft Edge: `Edg` (Chromium), `EdgA` (Android), `EdgiOS` and the old `Edge`.
    Edge,
    /// Opera: `OPR` (Chromium), `OPiOS`, Opera Mini and the old Presto Opera.
    Opera,
    /// Samsung Internet.
    Samsung,
    /// Yandex Browser.
    Yandex,
    /// Everything else: other browsers, in-app browsers, web views, tools and unknown agents.
    Other,
}

impl BrowserFamily {
    /// Every family, in declaration order.
    pub const ALL: &'static [BrowserFamily] = &[
        Self::Chrome,
        Self::Safari,
        Self::Firefox,
        Self::Edge,
        Self::Opera,
        Self::Samsung,
        Self::Yandex,
        Self::Other,
    ];

    /// The stable lower-case name, as stored and serialized: `"chrome"`, `"other"`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Chrome => "chrome",
            Self::Safari => "safari",
            Self::Firefox => "firefox",
            Self::Edge => "edge",
            Self::Opera => "opera",
            Self::Samsung => "samsung",
            Self::Yandex => "yandex",
            Self::Other => "other",
        }
    }
}

/// The class of device a page was seen on, the same classes as the snippet's viewport class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeviceClass {
    /// Phones.
    Mobile,
    /// Tablets that say so: old iPads, Android devices without `Mobile`, Kindle Fire.
    Tablet,
    /// Everything else, iPads on iPadOS 13 and later included (see the module docs).
    Desktop,
}

impl DeviceClass {
    /// Every class, in declaration order.
    pub const ALL: &'static [DeviceClass] = &[Self::Mobile, Self::Tablet, Self::Desktop];

    /// The stable lower-case name, as stored and serialized: `"mobile"`, `"tablet"`, `"desktop"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Tablet => "tablet",
            Self::Desktop => "desktop",
        }
    }
}

/// What is kept of a user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReducedAgent {
    /// The browser family.
    pub browser: BrowserFamily,
    /// The device class.
    pub device: DeviceClass,
}

/// Markers of apps that show pages in their own web view. Android web views say `; wv)`, and iOS
/// web views are caught by the absence of `Safari/` (see [`reduce`]); these are the apps that
/// keep one of those tokens anyway or are worth naming.
const IN_APP_MARKERS: &[&str] = &["; wv)", "FBAN/", "FBAV/", "FB_IAB/", "Instagram", "GSA/"];

/// Browser families by user-agent token, in the order they are tried. The order matters: Samsung
/// Internet, Yandex, Opera, Edge and the others all build on Chromium and also send `Chrome/`,
/// and every browser on iOS also sends `Safari/`, so the specific tokens come first and Chrome
/// and Safari last.
const FAMILY_MARKERS: &[(&[&str], BrowserFamily)] = &[
    (&["SamsungBrowser/"], BrowserFamily::Samsung),
    (&["YaBrowser/"], BrowserFamily::Yandex),
    (&["OPR/", "OPiOS/", "Opera"], BrowserFamily::Opera),
    (&["Edg/", "EdgA/", "EdgiOS/", "Edge/"], BrowserFamily::Edge),
    (
        &["Vivaldi/", "DuckDuckGo/", "UCBrowser/", "MiuiBrowser/", "HuaweiBrowser/", "Silk/"],
        BrowserFamily::Other,
    ),
    (&["Firefox/", "FxiOS/"], BrowserFamily::Firefox),
    (&["CriOS/", "Chrome/"], BrowserFamily::Chrome),
];

/// Reduces `user_agent` to a browser family and a device class. Any string gets an answer, a
/// bot's too (call [`is_bot`] first to drop those); the user agent itself is not kept.
pub fn reduce(user_agent: &str) -> ReducedAgent {
    ReducedAgent { browser: browser_family(user_agent), device: device_class(user_agent) }
}

fn contains_any(text: &str, markers: &[&str]) -> bool {
    markers.iter().any(|marker| text.contains(marker))
}

fn browser_family(ua: &str) -> BrowserFamily {
    let apple_mobile = contains_any(ua, &["iPhone", "iPad", "iPod"]);
    if contains_any(ua, IN_APP_MARKERS) || (apple_mobile && !ua.contains("Safari/")) {
        return BrowserFamily::Other;
    }
    if let Some((_, family)) = FAMILY_MARKERS.iter().find(|(markers, _)| contains_any(ua, markers))
    {
        return *family;
    }
    // Android's old stock browser also sends `Version/` and `Safari/`.
    if ua.contains("Safari/") && ua.contains("Version/") && !ua.contains("Android") {
        BrowserFamily::Safari
    } else {
        BrowserFamily::Other
    }
}

fn device_class(ua: &str) -> DeviceClass {
    // iPads also send `Mobile/`, so tablets are tried first. Firefox on Android tablets says
    // `Tablet;`; Windows' old `Tablet PC` token is on laptops and is not matched.
    if contains_any(ua, &["iPad", "Tablet;", "Kindle", "Silk/"]) {
        DeviceClass::Tablet
    } else if contains_any(ua, &["Mobi", "iPhone", "iPod", "Opera Mini"]) {
        DeviceClass::Mobile
    } else if ua.contains("Android") {
        // Android phones send `Mobile`, Android tablets don't.
        DeviceClass::Tablet
    } else {
        DeviceClass::Desktop
    }
}

#[cfg(test)]
mod tests {
    use super::is_bot as bot;

    #[test]
    fn a_phone_brand_that_contains_bot_is_not_a_bot() {
        // Regression: the bare marker "bot" dropped every visit from Cubot phones.
        let cubot = "Mozilla/5.0 (Linux; Android 12; CUBOT_X30 Build/SP1A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36";
        assert!(!bot(cubot));
        for crawler in [
            "AdsBot-Google (+http://www.google.com/adsbot.html)",
            "TelegramBot (like TwitterBot)",
            "SomeBot",
        ] {
            assert!(bot(crawler), "{crawler}");
        }
    }

    use super::*;

    use BrowserFamily::{Chrome, Edge, Firefox, Opera, Other, Safari, Samsung, Yandex};
    use DeviceClass::{Desktop, Mobile, Tablet};

    /// Real user agents with the browser family, device class and bot verdict each must get.
    const AGENTS: &[(&str, BrowserFamily, DeviceClass, bool)] = &[
        // Desktop: Windows, macOS, Linux, ChromeOS.
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Chrome, Desktop, false),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Chrome, Desktop, false),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Chrome, Desktop, false),
        ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Chrome, Desktop, false),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", Firefox, Desktop, false),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0", Firefox, Desktop, false),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", Firefox, Desktop, false),
        ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", Firefox, Desktop, false),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", Safari, Desktop, false),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15", Safari, Desktop, false),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", Edge, Desktop, false),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", Edge, Desktop, false),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045", Edge, Desktop, false),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0", Opera, Desktop, false),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0", Opera, Desktop, false),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0", Opera, Desktop, false),
        ("Opera/9.80 (Windows NT 6.1; WOW64) Presto/2.12.388 Version/12.18", Opera, Desktop, false),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 YaBrowser/24.12.0.0 Safari/537.36", Yandex, Desktop, false),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Vivaldi/7.0.3495.18", Other, Desktop, false),
        ("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", Other, Desktop, false),
        // iOS and iPadOS: every browser there is WebKit and sends `Safari/`.
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", Safari, Mobile, false),
        ("Mozilla/5.0 (iPad; CPU OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1", Safari, Tablet, false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", Chrome, Mobile, false),
        ("Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", Chrome, Tablet, false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15", Firefox, Mobile, false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 EdgiOS/131.2903.68 Mobile/15E148 Safari/605.1.15", Edge, Mobile, false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 OPiOS/16.0.14.122053 Mobile/15E148 Safari/9537.53", Opera, Mobile, false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 YaBrowser/24.10.6.617.10 SA/3 Mobile/15E148 Safari/604.1", Yandex, Mobile, false),
        // Android phones and tablets: tablets lack `Mobile`.
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", Chrome, Mobile, false),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", Chrome, Mobile, false),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Chrome, Tablet, false),
        ("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Safari/537.36", Chrome, Tablet, false),
        ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", Firefox, Mobile, false),
        ("Mozilla/5.0 (Android 14; Tablet; rv:133.0) Gecko/133.0 Firefox/133.0", Firefox, Tablet, false),
        ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", Samsung, Mobile, false),
        ("Mozilla/5.0 (Linux; Android 13; SM-X810) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36", Samsung, Tablet, false),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0", Edge, Mobile, false),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36 OPR/86.0.0.0", Opera, Mobile, false),
        ("Opera/9.80 (J2ME/MIDP; Opera Mini/9.80 (S60; SymbOS; Opera Mobi/23.348; U; en) Presto/2.5.25 Version/10.54", Opera, Mobile, false),
        ("Mozilla/5.0 (Linux; Android 12; M2101K6G) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 YaBrowser/24.10.3.81.00 SA/3 Mobile Safari/537.36", Yandex, Mobile, false),
        ("Mozilla/5.0 (Linux; U; Android 10; en-US; RMX1911 Build/QKQ1.200209.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36", Other, Mobile, false),
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.0.0 Mobile DuckDuckGo/5 Safari/537.36", Other, Mobile, false),
        ("Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebkit/534.30 (KHTML, like Gecko) Version/4.0 Mobile Safari/534.30", Other, Mobile, false),
        ("Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/131.3.1 like Chrome/131.0.6778.200 Safari/537.36", Other, Tablet, false),
        // In-app browsers and web views count as Other (see the module docs).
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 353.0.0.22.88 (iPhone14,5; iOS 17_6_1; en_US; en; scale=3.00; 1170x2532; 651017263)", Other, Mobile, false),
        ("Mozilla/5.0 (Linux; Android 14; SM-S911B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.39 Mobile Safari/537.36 Instagram 357.0.0.25.101 Android (34/14; 480dpi; 1080x2340; samsung; SM-S911B; dm1q; qcom; en_US; 658142235)", Other, Mobile, false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.39.110;FBBV/614223405;FBDV/iPhone15,3;FBMD/iPhone;FBSN/iOS;FBSV/17.5.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/616245417]", Other, Mobile, false),
        ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/430.0.0.30.108;FBBV/526839040;FBDV/iPad13,1;FBMD/iPad;FBSN/iPadOS;FBSV/16.6;FBSS/2;FBID/tablet;FBLC/en_US;FBOP/5]", Other, Tablet, false),
        ("Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/118.0.5993.111 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/439.0.0.44.117;]", Other, Mobile, false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/343.0.695551749 Mobile/15E148 Safari/604.1", Other, Mobile, false),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", Other, Mobile, false),
        // Bots: dropped by `is_bot`, but `reduce` still answers.
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Other, Desktop, true),
        ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Chrome, Mobile, true),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", Chrome, Desktop, true),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", Chrome, Desktop, true),
        ("Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse", Chrome, Mobile, true),
        ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Google-InspectionTool/1.0;)", Chrome, Mobile, true),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", Other, Desktop, true),
        ("PostmanRuntime/7.42.0", Other, Desktop, true),
        ("Apache-HttpClient/4.5.14 (Java/17.0.12)", Other, Desktop, true),
        ("curl/8.5.0", Other, Desktop, true),
        ("", Other, Desktop, true),
    ];

    #[test]
    fn reduces_real_user_agents_to_family_and_device() {
        for &(user_agent, browser, device, bot) in AGENTS {
            assert_eq!(reduce(user_agent), ReducedAgent { browser, device }, "{user_agent}");
            assert_eq!(is_bot(user_agent), bot, "is_bot: {user_agent}");
        }
    }

    #[test]
    fn counts_an_ipad_on_ipados_13_or_later_as_a_mac() {
        // Safari on iPadOS 13+ asks for desktop sites with exactly the Mac's user agent.
        let ipad = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";
        assert_eq!(reduce(ipad), ReducedAgent { browser: Safari, device: Desktop });
    }

    #[test]
    fn counts_brave_as_chrome_because_it_sends_chromes_user_agent() {
        let brave = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(reduce(brave).browser, Chrome);
    }

    #[test]
    fn names_are_stable_lower_case_and_match_serde() {
        let browsers: Vec<&str> = BrowserFamily::ALL.iter().map(|b| b.as_str()).collect();
        assert_eq!(
            browsers,
            ["chrome", "safari", "firefox", "edge", "opera", "samsung", "yandex", "other"]
        );
        let devices: Vec<&str> = DeviceClass::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(devices, ["mobile", "tablet", "desktop"]);
        for &browser in BrowserFamily::ALL {
            let json = serde_json::to_string(&browser).unwrap();
            assert_eq!(json, format!("\"{}\"", browser.as_str()));
            assert_eq!(serde_json::from_str::<BrowserFamily>(&json).unwrap(), browser);
        }
        for &device in DeviceClass::ALL {
            let json = serde_json::to_string(&device).unwrap();
            assert_eq!(json, format!("\"{}\"", device.as_str()));
            assert_eq!(serde_json::from_str::<DeviceClass>(&json).unwrap(), device);
        }
    }

    #[test]
    fn all_lists_every_variant_once_in_order() {
        assert!(BrowserFamily::ALL.windows(2).all(|w| w[0] < w[1]));
        assert!(DeviceClass::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(BrowserFamily::ALL.len(), 8);
        assert_eq!(DeviceClass::ALL.len(), 3);
    }

    #[test]
    fn lets_the_major_browsers_through() {
        for browser in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 YaBrowser/24.12.0.0 Safari/537.36",
        ] {
            assert!(!is_bot(browser), "{browser}");
        }
    }

    #[test]
    fn drops_a_request_cloudflare_takes_for_a_bots() {
        let browser = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let cloudflare = |verified_bot, score| CloudflareBotManagement { verified_bot, score };
        // No Bot Management on the zone, or a person's score: the user agent decides.
        assert!(!is_bot_request(browser, CloudflareBotManagement::default()));
        assert!(!is_bot_request(browser, cloudflare(false, Some(99))));
        assert!(!is_bot_request(browser, cloudflare(false, Some(30))));
        // 0: not computed.
        assert!(!is_bot_request(browser, cloudflare(false, Some(0))));
        assert!(is_bot_request(browser, cloudflare(false, Some(29))));
        assert!(is_bot_request(browser, cloudflare(false, Some(1))));
        assert!(is_bot_request(browser, cloudflare(true, None)));
        assert!(is_bot_request(browser, cloudflare(true, Some(99))), "verified beats the score");
        // A crawler's user agent is a bot whatever Cloudflare says.
        assert!(is_bot_request("Googlebot/2.1", cloudflare(false, Some(99))));
    }

    #[test]
    fn drops_the_crawlers_of_the_maintained_list_that_say_no_bot() {
        // Each from the list's own examples; tacit's hand-picked markers let every one through.
        for crawler in [
            "Mozilla/5.0 (compatible; YandexMetrika/2.0; +http://yandex.com/bots)",
            "Mozilla/5.0 (compatible; heritrix/3.2.0 +http://www.mixdata.com)",
            "Mozilla/5.0 (compatible; Qwantify/2.4w; +https://www.qwant.com/)/2.4w",
            "Mozilla/5.0 (compatible; coccoc/1.0; +http://help.coccoc.com/searchengine)",
            "Mozilla/5.0 (compatible; Google-Site-Verification/1.0)",
            "Mozilla/5.0 (compatible; CloudFlare-AlwaysOnline/1.0; +https://www.cloudflare.com/always-online) AppleWebKit/534.34",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.45 Safari/537.36 PTST/211202.211915",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.7204.168 Safari/537.36 DatadogSynthetics",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; MistralAI-User/1.0; +https://docs.mistral.ai/robots)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Gemini-Deep-Research; +https://gemini.google/overview/deep-research/) Chrome/135.0.0.0 Safari/537.36",
            "Mozilla/5.0 (compatible; Nessus; http://www.nessus.org)",
            "Wget/1.21.4",
        ] {
            assert!(is_bot(crawler), "{crawler}");
            assert!(!is_evident_bot(crawler), "the snippet leaves it to the edge: {crawler}");
        }
    }

    #[test]
    fn lets_people_through_in_the_apps_whose_patterns_are_left_out() {
        // The examples that left each pattern out (build.rs): the apps people browse in.
        for person in [
            "Mozilla/5.0 (Linux; Android 16; Pixel 10 Pro XL Build/CP1A.260305.018; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/146.0.7680.174 Mobile Safari/537.36 MetaIAB Facebook",
            "Mozilla/5.0 (Linux; Android 7.1.2; G011A Build/N2G48H; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/66.0.3359.158 Safari/537.36 Viber/11.9.5.8",
            "Mozilla/5.0 (Linux; Android 15; CPH2557 Build/AP3A.240617.008; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/142.0.7444.142 Mobile Safari/537.36 Instagram 406.0.0.58.159 Android (35/15; 480dpi; 1080x2400; OPPO; CPH2557; OP573DL1; mt6833; en_MY; 822918295; IABMV/1) NV/1",
            "Mozilla/5.0 (Windows NT 10.0.18362; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.4.2 Chrome/78.0.3904.130 Electron/7.2.1 Safari/537.36 WindowsStore/10.0.18362 Sonic Slack_SSB/4.4.2",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.115.0 Chrome/142.0.7444.265 Electron/39.8.5 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Trae/1.107.1 Chrome/142.0.7444.235 Electron/39.2.7 Safari/537.36",
            "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10_5_6; en-us) AppleWebKit/528.16 (KHTML, like Gecko) Fluid/0.9.6 Safari/528.16",
            // Thunderbird's calendar: the list's `NING\/` matches case for case, not `Lightning/`.
            "Mozilla/5.0 (Windows NT 10.0; WOW64; rv:60.0) Gecko/20100101 Thunderbird/60.7.0 Lightning/6.2.7",
        ] {
            assert!(!is_bot(person), "{person}");
        }
    }

    #[test]
    fn drops_crawlers_tools_and_headless_browsers() {
        for bot in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2; +https://openai.com/gptbot",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
            "curl/8.5.0",
            "python-requests/2.32.3",
            "",
        ] {
            assert!(is_bot(bot), "{bot}");
        }
    }
}
