//! User agents: a person's browser, or a bot to drop.
//!
//! Bots are recognised by markers in the user agent, the same list in the snippet (which then
//! sends nothing) and at the edge (which counts the view as dropped instead of as a visit).
//! Automation that hides its user agent is caught by `navigator.webdriver` in the snippet.

/// Lower-case substrings that only bots, crawlers, previewers and HTTP libraries put in their
/// user agent. Each is specific enough not to match a browser's own user agent.
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "headless",
    "lighthouse",
    "pingdom",
    "uptime",
    "preview",
    "facebookexternalhit",
    "embedly",
    "whatsapp",
    "mediapartners",
    "apis-google",
    "feedfetcher",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "curl/",
    "wget/",
    "go-http-client",
    "java/",
    "okhttp",
    "axios/",
    "node-fetch",
    "scrapy",
    "phantomjs",
    "selenium",
    "puppeteer",
    "playwright",
    "semrush",
    "ahrefs",
    "mj12",
    "gptbot",
    "chatgpt",
    "claude",
    "anthropic",
    "perplexity",
    "bytespider",
    "ccbot",
];

/// Whether `user_agent` belongs to a bot. An empty user agent counts as one: every browser
/// sends a user agent.
pub fn is_bot(user_agent: &str) -> bool {
    let user_agent = user_agent.to_ascii_lowercase();
    user_agent.trim().is_empty() || BOT_MARKERS.iter().any(|marker| user_agent.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

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
