//! Channel groups: what kind of source brought a visit, from its referrer and campaign tags
//! alone (no new data from the browser).
//!
//! The rule table is GA4's default channel groups, simplified to the groups a small site tells
//! apart, in this order (the first that applies decides):
//!
//! | group            | campaign tags (`utm_medium`, `utm_source`)                    | untagged referrer host        |
//! |------------------|---------------------------------------------------------------|-------------------------------|
//! | `email`          | medium `email`, `e-mail`, `e_mail`, `newsletter`; or no medium and source `email`, `newsletter` | a webmail host (`mail.google.com`, `outlook.live.com`, ...) |
//! | `paid_search`    | a paid medium (`cpc`, `ppc`, `paid`, `paidsearch`, `paid_search`, `paid-search`, `sem`) and a search source | —  |
//! | `campaign`       | a paid medium and any other source (paid social or display: their figures are a campaign's, not the network's) | — |
//! | `social`         | medium `social`, `social-media`, `social_media`, `social-network`, `sm`; or source a social network (medium absent, `referral` or `organic`) | a social network's host |
//! | `organic_search` | medium `organic`, or absent, or `referral`, with a search source | a search engine's host |
//! | `referral`       | medium `referral` with any other source                       | any other host                |
//! | `campaign`       | any other tagged visit                                        | —                             |
//! | `direct`         | —                                                             | no referrer                   |
//!
//! A source or host is a search engine or social network by its name: a source is compared
//! whole (`google`, `facebook`); a host by the label before its public suffix (`google` in
//! `www.google.co.uk`), or whole for the networks known by a short host (`t.co`, `lnkd.in`).

use serde::{Deserialize, Serialize};

use crate::scrub::Utm;

/// What kind of source brought a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChannelGroup {
    /// No referrer and no campaign tags: a typed address, a bookmark, an app.
    Direct,
    /// A search engine's results, unpaid.
    OrganicSearch,
    /// A search engine's ads.
    PaidSearch,
    /// A social network, unpaid.
    Social,
    /// An e-mail: a newsletter's link, a webmail's.
    Email,
    /// A link on another site.
    Referral,
    /// Any other tagged visit: paid social, display, a partner's campaign.
    Campaign,
}

/// Search engines, by the name their sources and hosts carry.
const SEARCH_ENGINES: &[&str] = &[
    "google",
    "bing",
    "duckduckgo",
    "yahoo",
    "yandex",
    "baidu",
    "ecosia",
    "qwant",
    "startpage",
    "brave",
    "kagi",
    "naver",
    "seznam",
    "ask",
    "aol",
];

/// Social networks, by the name their sources and hosts carry.
const SOCIAL_NETWORKS: &[&str] = &[
    "facebook",
    "fb",
    "instagram",
    "ig",
    "twitter",
    "x",
    "linkedin",
    "reddit",
    "pinterest",
    "youtube",
    "tiktok",
    "threads",
    "mastodon",
    "bsky",
    "bluesky",
    "tumblr",
    "vk",
    "weibo",
    "quora",
    "discord",
    "telegram",
    "whatsapp",
    "ycombinator",
    "hackernews",
];

/// Social networks' short hosts, compared whole.
const SOCIAL_HOSTS: &[&str] = &["t.co", "lnkd.in", "t.me", "youtu.be", "redd.it", "pin.it"];

/// Webmail hosts, compared whole (after a leading `www.`).
const WEBMAIL_HOSTS: &[&str] = &[
    "mail.google.com",
    "outlook.live.com",
    "outlook.office.com",
    "outlook.office365.com",
    "mail.yahoo.com",
    "mail.proton.me",
    "app.fastmail.com",
    "mail.aol.com",
];

const PAID_MEDIUMS: &[&str] =
    &["cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "sem"];
const EMAIL_MEDIUMS: &[&str] = &["email", "e-mail", "e_mail", "newsletter"];
const SOCIAL_MEDIUMS: &[&str] =
    &["social", "social-media", "social_media", "social-network", "social_network", "sm"];

impl ChannelGroup {
    /// Every group, in the order reports list them.
    pub const ALL: [ChannelGroup; 7] = [
        ChannelGroup::Direct,
        ChannelGroup::OrganicSearch,
        ChannelGroup::PaidSearch,
        ChannelGroup::Social,
        ChannelGroup::Email,
        ChannelGroup::Referral,
        ChannelGroup::Campaign,
    ];

    /// The group of a visit that came from `referrer` (an external host) with campaign tags
    /// `utm` (lower-cased, as the scrubber keeps them).
    pub fn of(referrer: Option<&str>, utm: &Utm) -> ChannelGroup {
        let tagged = utm.source.is_some() || utm.medium.is_some() || utm.campaign.is_some();
        if tagged {
            Self::of_tags(utm.source.as_deref(), utm.medium.as_deref())
        } else {
            referrer.map_or(ChannelGroup::Direct, Self::of_host)
        }
    }

    fn of_tags(source: Option<&str>, medium: Option<&str>) -> ChannelGroup {
        let source_is = |names: &[&str]| source.is_some_and(|source| names.contains(&source));
        let search = source_is(SEARCH_ENGINES);
        match medium {
            Some(medium) if EMAIL_MEDIUMS.contains(&medium) => ChannelGroup::Email,
            None if source_is(&["email", "newsletter"]) => ChannelGroup::Email,
            Some(medium) if PAID_MEDIUMS.contains(&medium) => {
                if search {
                    ChannelGroup::PaidSearch
                } else {
                    ChannelGroup::Campaign
                }
            }
            Some(medium) if SOCIAL_MEDIUMS.contains(&medium) => ChannelGroup::Social,
            None | Some("referral" | "organic") if source_is(SOCIAL_NETWORKS) => {
                ChannelGroup::Social
            }
            None | Some("referral" | "organic") if search => ChannelGroup::OrganicSearch,
            Some("referral") => ChannelGroup::Referral,
            _ => ChannelGroup::Campaign,
        }
    }

    fn of_host(host: &str) -> ChannelGroup {
        let host = host.strip_prefix("www.").unwrap_or(host);
        if WEBMAIL_HOSTS.contains(&host) {
            ChannelGroup::Email
        } else if SOCIAL_HOSTS.contains(&host) || names_any(host, SOCIAL_NETWORKS) {
            ChannelGroup::Social
        } else if names_any(host, SEARCH_ENGINES) {
            ChannelGroup::OrganicSearch
        } else {
            ChannelGroup::Referral
        }
    }

    /// The group's name on the wire, in `?segment=` and in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelGroup::Direct => "direct",
            ChannelGroup::OrganicSearch => "organic_search",
            ChannelGroup::PaidSearch => "paid_search",
            ChannelGroup::Social => "social",
            ChannelGroup::Email => "email",
            ChannelGroup::Referral => "referral",
            ChannelGroup::Campaign => "campaign",
        }
    }

    /// The group's name for people.
    pub const fn label(self) -> &'static str {
        match self {
            ChannelGroup::Direct => "Direct",
            ChannelGroup::OrganicSearch => "Organic search",
            ChannelGroup::PaidSearch => "Paid search",
            ChannelGroup::Social => "Social",
            ChannelGroup::Email => "Email",
            ChannelGroup::Referral => "Referral",
            ChannelGroup::Campaign => "Campaign",
        }
    }

    /// The group named `name` (see [`ChannelGroup::as_str`]).
    pub fn parse(name: &str) -> Option<ChannelGroup> {
        Self::ALL.into_iter().find(|group| group.as_str() == name)
    }
}

/// Whether `host` is one of `names`' sites: its name, the label before its public suffix, is
/// one of them (`google` in `www.google.co.uk` and `news.google.com`). The suffix is the last
/// label, and the one before it when that is a country's generic second level (`co.uk`).
fn names_any(host: &str, names: &[&str]) -> bool {
    let labels: alloc::vec::Vec<&str> = host.split('.').collect();
    let name = match labels[..] {
        [.., name, second, country] if country.len() == 2 && is_generic(second) => name,
        [.., name, _] => name,
        _ => return false,
    };
    names.contains(&name)
}

/// Second-level labels that are part of a country's public suffix (`co.uk`, `com.au`).
fn is_generic(label: &str) -> bool {
    matches!(label, "co" | "com" | "org" | "net" | "ac" | "gov" | "edu" | "ne" | "or")
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::borrow::ToOwned;

    fn tags(source: Option<&str>, medium: Option<&str>) -> Utm {
        Utm {
            source: source.map(ToOwned::to_owned),
            medium: medium.map(ToOwned::to_owned),
            ..Utm::default()
        }
    }

    fn of_host(host: &str) -> ChannelGroup {
        ChannelGroup::of(Some(host), &Utm::default())
    }

    #[test]
    fn an_untagged_visit_is_grouped_by_its_referrer_host() {
        assert_eq!(ChannelGroup::of(None, &Utm::default()), ChannelGroup::Direct);
        for host in [
            "www.google.com",
            "google.co.uk",
            "news.google.de",
            "duckduckgo.com",
            "bing.com",
            "search.brave.com",
            "yandex.ru",
            "www.ecosia.org",
        ] {
            assert_eq!(of_host(host), ChannelGroup::OrganicSearch, "{host}");
        }
        for host in [
            "m.facebook.com",
            "l.instagram.com",
            "t.co",
            "x.com",
            "www.linkedin.com",
            "lnkd.in",
            "old.reddit.com",
            "news.ycombinator.com",
            "mastodon.social",
            "bsky.app",
            "youtu.be",
        ] {
            assert_eq!(of_host(host), ChannelGroup::Social, "{host}");
        }
        for host in ["mail.google.com", "outlook.live.com", "mail.proton.me"] {
            assert_eq!(of_host(host), ChannelGroup::Email, "{host}");
        }
        for host in ["blog.example.org", "news.example.co.uk", "googleblog.example", "example.com"]
        {
            assert_eq!(of_host(host), ChannelGroup::Referral, "{host}");
        }
    }

    #[test]
    fn a_tagged_visit_is_grouped_by_its_medium_then_its_source() {
        let cases = [
            (Some("google"), Some("cpc"), ChannelGroup::PaidSearch),
            (Some("bing"), Some("ppc"), ChannelGroup::PaidSearch),
            (Some("facebook"), Some("cpc"), ChannelGroup::Campaign),
            (Some("newsletter"), Some("email"), ChannelGroup::Email),
            (Some("newsletter"), None, ChannelGroup::Email),
            (Some("partner"), Some("e-mail"), ChannelGroup::Email),
            (Some("mastodon"), Some("social"), ChannelGroup::Social),
            (Some("anything"), Some("social-media"), ChannelGroup::Social),
            (Some("facebook"), None, ChannelGroup::Social),
            (Some("linkedin"), Some("referral"), ChannelGroup::Social),
            (Some("google"), Some("organic"), ChannelGroup::OrganicSearch),
            (Some("duckduckgo"), None, ChannelGroup::OrganicSearch),
            (Some("blog.example"), Some("referral"), ChannelGroup::Referral),
            (Some("partner"), Some("display"), ChannelGroup::Campaign),
            (Some("partner"), None, ChannelGroup::Campaign),
            (None, Some("affiliate"), ChannelGroup::Campaign),
        ];
        for (source, medium, group) in cases {
            assert_eq!(
                ChannelGroup::of(None, &tags(source, medium)),
                group,
                "{source:?} {medium:?}"
            );
        }
    }

    #[test]
    fn campaign_tags_win_over_the_referrer() {
        // An ad on Google's results that lands through a redirector keeps its paid medium.
        let paid = tags(Some("google"), Some("cpc"));
        assert_eq!(ChannelGroup::of(Some("www.google.com"), &paid), ChannelGroup::PaidSearch);
        // A newsletter link opened in webmail is email either way; a tagged one by its tags.
        let campaign = Utm { campaign: Some("spring".into()), ..Utm::default() };
        assert_eq!(ChannelGroup::of(Some("example.org"), &campaign), ChannelGroup::Campaign);
    }

    #[test]
    fn every_group_has_a_name_it_parses_back_from() {
        for group in ChannelGroup::ALL {
            assert_eq!(ChannelGroup::parse(group.as_str()), Some(group));
        }
        assert_eq!(ChannelGroup::parse("Organic search"), None);
    }
}
