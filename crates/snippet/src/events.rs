//! Events: what a click on a link or a form submission means.

use alloc::string::String;

use tacit_beacon::scrub::{
    after_last, external_referrer_host, same_site_previous_path, scrub_path, split_ascii,
};
use tacit_beacon::signal::Event;

/// File extensions whose links are downloads unless the script tag's `data-downloads` names
/// others (comma-separated, without dots).
pub const DEFAULT_DOWNLOADS: &str =
    "pdf,zip,gz,tgz,7z,rar,dmg,exe,msi,pkg,deb,rpm,apk,iso,csv,xls,xlsx,doc,docx,ppt,pptx,odt,ods,epub,txt,rtf,mp3,mp4,mov,avi,wav";

/// What a click on a link does.
pub enum Link {
    /// Something to report: a link to another site, or a file.
    Event(Event),
    /// A page of this site, by its scrubbed path: where the view continues.
    Next(String),
    /// Nothing to report (a fragment of this page, `mailto:`, `javascript:`, ...).
    Nothing,
}

/// Classifies a click on a link to `href` (absolute, as `a.href` gives it) from a page of
/// `host` whose current URL is `current` (without fragment). `download` is whether the link has a
/// `download` attribute; `downloads` is the comma-separated list of download extensions.
pub fn link(href: &str, host: &str, current: &str, download: bool, downloads: &str) -> Link {
    if !(href.starts_with("https://") || href.starts_with("http://")) {
        return Link::Nothing;
    }
    let path = scrub_path(href);
    if download || is_download(&path, downloads) {
        return Link::Event(Event::Download { file: path });
    }
    if let Some(host) = external_referrer_host(href, host) {
        return Link::Event(Event::Outbound { host });
    }
    if crate::page::without_fragment(href) == current {
        return Link::Nothing;
    }
    same_site_previous_path(href, host).map_or(Link::Nothing, Link::Next)
}

/// Whether the last segment of `path` ends in one of the comma-separated `extensions`.
fn is_download(path: &str, extensions: &str) -> bool {
    let file = &path[after_last(path.as_bytes(), b'/')..];
    let dot = after_last(file.as_bytes(), b'.');
    if dot == 0 {
        return false;
    }
    let extension = &file[dot..];
    split_ascii(extensions, b',')
        .any(|known| !known.is_empty() && known.trim_ascii().eq_ignore_ascii_case(extension))
}

/// A form's name for the report: its `id`, else its `name`, else `(unnamed)`. Never a value.
pub fn form_name(id_or_name: &str) -> String {
    let name = id_or_name.trim_ascii();
    String::from(if name.is_empty() { "(unnamed)" } else { name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(href: &str, download: bool) -> String {
        match link(href, "shop.example", "https://shop.example/cart", download, DEFAULT_DOWNLOADS) {
            Link::Event(Event::Download { file }) => ["download ", &file].concat(),
            Link::Event(Event::Outbound { host }) => ["outbound ", &host].concat(),
            Link::Event(_) => "event".into(),
            Link::Next(path) => ["next ", &path].concat(),
            Link::Nothing => "nothing".into(),
        }
    }

    #[test]
    fn links_are_outbound_downloads_or_the_next_page() {
        assert_eq!(kind("https://github.com/acme", false), "outbound github.com");
        assert_eq!(
            kind("https://shop.example/files/report.PDF?x=1", false),
            "download /files/report.PDF"
        );
        assert_eq!(kind("https://cdn.other.example/a.zip", false), "download /a.zip");
        assert_eq!(kind("https://shop.example/export", true), "download /export");
        assert_eq!(kind("https://shop.example/pay/84467315?card=1", false), "next /pay/:id");
        assert_eq!(kind("https://shop.example/cart#total", false), "nothing");
        assert_eq!(kind("mailto:jane@example.com", false), "nothing");
    }

    #[test]
    fn the_download_list_is_configurable() {
        assert!(is_download("/a/b.epub", DEFAULT_DOWNLOADS));
        assert!(!is_download("/a/b.epub", "pdf, zip"));
        assert!(is_download("/a/b.zip", "pdf, zip"));
        assert!(!is_download("/a/b", "pdf"));
    }
}
