//! What the worker asks a site's shard, and what the shard answers: one message type per route,
//! each naming its path and its answer's type ([`ShardMessage`]). They cross an internal request
//! inside one Cloudflare location and are never stored or logged.
//!
//! Messages and most answers cross as JSON (read with serde_json, never through a JS object,
//! which would round a `u64` such as a beacon id to a float); a shard's records cross as the
//! codec's bytes ([`ShardRecords`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tacit_aggregate::change_log::ChangeEntry;
use tacit_aggregate::codec::{decode_site_day, encode_site_day, EncodedSegments};
use tacit_aggregate::journal::Addition;
use tacit_aggregate::segments::Segment;
use tacit_aggregate::settings::SiteSettings;
use tacit_aggregate::{Day, SiteDay};
use tacit_beacon::admission::{HeaderSignals, TallyChange};
use tacit_beacon::consent::{Category, ConsentMode, ConsentSource, ConsentState, ConsentValue};
use tacit_beacon::SiteId;
use tacit_report::audit::{HeldSalt, StorageFacts};
use tacit_report::stored_range::{EncodedPage, PartPages, PartRecords, RecordsNeeded};
use tacit_report::ReportKind;

use crate::access::{Credential, TokenHashes};
use crate::error::{AppError, AppResult};

/// A message to a shard: the route it goes to and what the shard answers.
pub trait ShardMessage: Serialize + DeserializeOwned {
    /// The shard's path for it.
    const PATH: &'static str;
    /// The shard's answer.
    type Answer: WireAnswer;
}

/// How an answer crosses from a shard to the worker.
pub trait WireAnswer: Sized {
    /// The answer's body.
    fn to_body(&self) -> AppResult<Vec<u8>>;
    /// The answer, from its body.
    fn from_body(body: &[u8]) -> AppResult<Self>;
}

/// An answer that crosses as JSON.
pub trait JsonAnswer: Serialize + DeserializeOwned {}

impl<T: JsonAnswer> WireAnswer for T {
    fn to_body(&self) -> AppResult<Vec<u8>> {
        Ok(serde_json::to_vec(self)?)
    }

    fn from_body(body: &[u8]) -> AppResult<T> {
        Ok(serde_json::from_slice(body)?)
    }
}

/// "Done", and nothing more to say.
impl JsonAnswer for () {}
impl JsonAnswer for bool {}
impl JsonAnswer for [u8; 16] {}

macro_rules! routes {
    ($($message:ident => $path:literal, $answer:ty;)*) => {
        $(impl ShardMessage for $message {
            const PATH: &'static str = $path;
            type Answer = $answer;
        })*
    };
}

routes! {
    Ingest => "/ingest", ();
    ShareSalt => "/salt", [u8; 16];
    WasLeaveCounted => "/counted-leave", bool;
    Summary => "/summary", ReportJson;
    Records => "/records", ShardRanges;
    Privacy => "/privacy", ShardPrivacy;
    Status => "/status", ShardStatus;
    CreateSite => "/create-site", SiteView;
    GetSite => "/get-site", SiteView;
    UpdateSite => "/update-site", SiteView;
    DeleteSite => "/delete-site", ();
    RotateTokens => "/rotate-tokens", ();
    Changes => "/changes", ChangeLog;
    SyncSettings => "/sync-settings", ();
}

// Ingest ------------------------------------------------------------------------------------

/// Count one validated beacon.
#[derive(Serialize, Deserialize)]
pub struct Ingest {
    pub site: SiteId,
    /// The request's `Origin` header, checked against the site's hostnames.
    pub origin: Option<String>,
    /// The beacon's retry id, when it has one: a retry within the window is not counted again.
    pub id: Option<u64>,
    /// Who sent it, for the visitor hash (page views) and the rate limit (every beacon).
    pub client: Client,
    /// The consent state the beacon carries and its request's opt-out headers: the shard
    /// admits the beacon under the site's mode from these, as the worker did under `exempt`.
    pub consent: ConsentState,
    pub headers: HeaderSignals,
    /// What it changes in the consent tally, as the worker found (nothing for a bot's beacon).
    pub tally: TallyChange,
    pub addition: Addition,
    /// For a leave update: the leave it replaces.
    pub replaces: Option<ReplacedLeave>,
}

/// The leave an update replaces: when, and which.
#[derive(Serialize, Deserialize)]
pub struct ReplacedLeave {
    /// How long before the update it was sent.
    pub after_ms: u32,
    /// Its beacon id.
    pub id: u64,
}

/// The visitor's address and browser: hashed with the day's salt in the shard's memory, then
/// dropped. Never stored, never logged.
#[derive(Serialize, Deserialize)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

/// A further shard asks the first for the day's salt, so that every shard of the site hashes
/// a visitor alike. Between Durable Objects only; never stored or logged in transit.
#[derive(Serialize, Deserialize)]
pub struct ShareSalt {
    pub site: SiteId,
    pub day: Day,
}

/// Did this shard count the leave with beacon id `id` today? The worker asks before it routes a
/// leave update, whose visitor may have reached another shard with the leave.
#[derive(Serialize, Deserialize)]
pub struct WasLeaveCounted {
    pub site: SiteId,
    pub id: u64,
}

// Reads -------------------------------------------------------------------------------------

/// Summarize a date range for the holder of a viewer token.
#[derive(Serialize, Deserialize)]
pub struct Summary {
    pub site: SiteId,
    pub credential: Credential,
    pub from: Day,
    pub to: Day,
    /// The shard answers the [`tacit_report::Report`] of this kind.
    pub report: ReportKind,
    /// ... for the visitors of this segment only, when given.
    pub segment: Option<Segment>,
}

/// The JSON of the report a [`Summary`] asked for, as the shard built it: serialised once
/// there, and read on the worker as the type of report it asked for.
pub struct ReportJson(pub String);

impl WireAnswer for ReportJson {
    fn to_body(&self) -> AppResult<Vec<u8>> {
        Ok(self.0.as_bytes().to_vec())
    }

    fn from_body(body: &[u8]) -> AppResult<ReportJson> {
        let json = std::str::from_utf8(body)
            .map_err(|_| AppError::Internal("a report that is not UTF-8".into()))?;
        Ok(ReportJson(json.to_owned()))
    }
}

/// The raw records of ranges (a report's, and the period it is compared with), for the worker
/// to merge across a site's shards: for a viewer token (on the first shard) or the worker
/// itself (on the others).
#[derive(Serialize, Deserialize)]
pub struct Records {
    pub site: SiteId,
    pub credential: Credential,
    pub ranges: Vec<RangeQuery>,
    /// The segments the report reads: the others are dropped before the records cross.
    pub needed: RecordsNeeded,
}

/// One range of a [`Records`] message.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RangeQuery {
    pub from: Day,
    pub to: Day,
    /// The range's closed days as the worker holds them merged, if it does: the shard leaves
    /// its records of them out of its answer when they are still of that version.
    pub held_closed: Option<HeldClosed>,
}

/// Which closed days' records a worker holds merged: those of `from..=to` (the range's `from`)
/// at a shard's closed records' `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldClosed {
    pub to: Day,
    pub version: u64,
}

/// A shard's answer to [`Records`]: its records of each range, in the order asked.
#[derive(Default)]
pub struct ShardRanges(pub Vec<ShardRange>);

/// A shard's records of one range: its closed days (before the shard's today), when it has
/// any, and its open days.
#[derive(Default)]
pub struct ShardRange {
    pub closed: Option<ClosedPart>,
    pub open: ShardRecords,
}

impl ShardRange {
    /// Whether the shard left its closed days out, the worker holding them as they are.
    pub fn closed_held(&self) -> bool {
        self.closed.as_ref().is_some_and(|closed| closed.records.is_none())
    }
}

/// A shard's records of a range's closed days: which days, at which version of its closed
/// records, and the records unless the worker said it holds them ([`Records::held_closed`]).
pub struct ClosedPart {
    pub held: HeldClosed,
    pub records: Option<ShardRecords>,
}

/// A shard's records of a range: one per page, as the codec's bytes (a shard passes on the
/// bytes it keeps of a closed range without decoding them), the site's of each day, and the
/// site's of the whole range merged.
#[derive(Default)]
pub struct ShardRecords {
    pub pages: Vec<EncodedPage>,
    pub site_days: Vec<(Day, SiteDay)>,
    pub site: SiteDay,
}

impl ShardRecords {
    /// Adds another part of the same range: the pages of both are merged when decoded.
    pub fn merge(&mut self, other: ShardRecords) {
        self.pages.extend(other.pages);
        self.site_days.extend(other.site_days);
        self.site.merge(&other.site);
    }

    /// The records, their pages merged into one record per page with the segments `needed`
    /// names as far as these parts tell (see [`PartPages::decode`]): for merging with the
    /// range's other parts.
    pub fn part_records(self, needed: &RecordsNeeded) -> AppResult<PartRecords> {
        let pages = PartPages::decode(&self.pages, needed)?;
        Ok(PartRecords::new(pages, self.site_days, self.site))
    }
}

/// The number of ranges (u32 little-endian), then each range: its closed part, then its open
/// days' records. The closed part is a byte: 0 when there are
/// no closed days, 1 when the worker holds them, 2 when their records follow; then, unless 0,
/// its last day and the version (i32 and u64 little-endian), and the records if 2.
///
/// Records are each list as its length, then each item: a path as its length and UTF-8 bytes,
/// a day as its number since the epoch, a record as its length and the codec's bytes (u32 and
/// i32 little-endian); then the range's site record, as its length and the codec's bytes. A
/// page is its path, its record, and the list of its parts' segments apart from the record,
/// each as the codec's bytes ([`EncodedSegments::to_record`]).
impl WireAnswer for ShardRanges {
    fn to_body(&self) -> AppResult<Vec<u8>> {
        let mut body = Vec::new();
        put_len(&mut body, self.0.len())?;
        for range in &self.0 {
            range.write(&mut body)?;
        }
        Ok(body)
    }

    fn from_body(body: &[u8]) -> AppResult<ShardRanges> {
        let mut reader = Reader { rest: body };
        let ranges = (0..reader.u32("range count")?)
            .map(|_| ShardRange::read(&mut reader))
            .collect::<AppResult<_>>()?;
        if !reader.rest.is_empty() {
            return Err(corrupt("bytes after the last record"));
        }
        Ok(ShardRanges(ranges))
    }
}

impl ShardRange {
    fn write(&self, body: &mut Vec<u8>) -> AppResult<()> {
        match &self.closed {
            None => body.push(0),
            Some(ClosedPart { held, records }) => {
                body.push(if records.is_some() { 2 } else { 1 });
                body.extend_from_slice(&held.to.days_since_epoch().to_le_bytes());
                body.extend_from_slice(&held.version.to_le_bytes());
                if let Some(records) = records {
                    records.write(body)?;
                }
            }
        }
        self.open.write(body)
    }

    fn read(reader: &mut Reader<'_>) -> AppResult<ShardRange> {
        let [closed] = reader.array("closed part")?;
        let mut held = || -> AppResult<HeldClosed> {
            let to = Day::from_days_since_epoch(i32::from_le_bytes(reader.array("closed day")?));
            Ok(HeldClosed { to, version: u64::from_le_bytes(reader.array("version")?) })
        };
        let closed = match closed {
            0 => None,
            1 => Some(ClosedPart { held: held()?, records: None }),
            2 => {
                let held = held()?;
                Some(ClosedPart { held, records: Some(ShardRecords::read(reader)?) })
            }
            other => return Err(corrupt(&format!("a closed part of kind {other}"))),
        };
        Ok(ShardRange { closed, open: ShardRecords::read(reader)? })
    }
}

impl ShardRecords {
    fn write(&self, body: &mut Vec<u8>) -> AppResult<()> {
        put_len(body, self.pages.len())?;
        for page in &self.pages {
            put_bytes(body, page.path.as_bytes())?;
            put_bytes(body, &page.record)?;
            put_len(body, page.undecided.len())?;
            for segments in &page.undecided {
                put_bytes(body, &segments.to_record())?;
            }
        }
        put_len(body, self.site_days.len())?;
        for (day, record) in &self.site_days {
            body.extend_from_slice(&day.days_since_epoch().to_le_bytes());
            put_bytes(body, &encode_site_day(record))?;
        }
        put_bytes(body, &encode_site_day(&self.site))
    }

    fn read(reader: &mut Reader<'_>) -> AppResult<ShardRecords> {
        let mut records = ShardRecords::default();
        for _ in 0..reader.u32("page count")? {
            let path = std::str::from_utf8(reader.bytes("path")?)
                .map_err(|_| corrupt("a path that is not UTF-8"))?;
            let record = reader.bytes("page record")?.to_vec();
            let undecided = (0..reader.u32("segment count")?)
                .map(|_| Ok(EncodedSegments::from_record(reader.bytes("segments")?)?))
                .collect::<AppResult<_>>()?;
            records.pages.push(EncodedPage { path: path.to_owned(), record, undecided });
        }
        for _ in 0..reader.u32("site day count")? {
            let day = Day::from_days_since_epoch(i32::from_le_bytes(reader.array("day")?));
            let record = decode_site_day(reader.bytes("site record")?)?;
            records.site_days.push((day, record));
        }
        records.site = decode_site_day(reader.bytes("range's site record")?)?;
        Ok(records)
    }
}

fn put_len(body: &mut Vec<u8>, len: usize) -> AppResult<()> {
    let len = u32::try_from(len).map_err(|_| corrupt("more than 2^32 items"))?;
    body.extend_from_slice(&len.to_le_bytes());
    Ok(())
}

fn put_bytes(body: &mut Vec<u8>, bytes: &[u8]) -> AppResult<()> {
    put_len(body, bytes.len())?;
    body.extend_from_slice(bytes);
    Ok(())
}

/// Reads [`ShardRange`]'s body front to back; every error names what was cut short.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize, what: &str) -> AppResult<&'a [u8]> {
        if self.rest.len() < len {
            return Err(corrupt(&format!("the records end inside a {what}")));
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, what: &str) -> AppResult<[u8; N]> {
        Ok(self.take(N, what)?.try_into().expect("took N bytes"))
    }

    fn u32(&mut self, what: &str) -> AppResult<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn bytes(&mut self, what: &str) -> AppResult<&'a [u8]> {
        let len = self.u32(what)? as usize;
        self.take(len, what)
    }
}

fn corrupt(what: &str) -> AppError {
    AppError::Internal(format!("a shard's records: {what}"))
}

/// What a shard holds for the privacy report of `from..=to`, for the holder of the auditor
/// token (on the first shard) or the worker itself (on the others).
#[derive(Serialize, Deserialize)]
pub struct Privacy {
    pub site: SiteId,
    pub credential: Credential,
    pub from: Day,
    pub to: Day,
}

/// A shard's answer to [`Privacy`]: the settings, its storage facts, and its change log (empty
/// on every shard but the first).
#[derive(Serialize, Deserialize)]
pub struct ShardPrivacy {
    pub settings: SiteSettings,
    pub facts: StorageFacts,
    pub changes: Vec<ChangeEntry>,
}

impl JsonAnswer for ShardPrivacy {}

/// The shard's state, for the holder of the auditor token (on the first shard) or the worker
/// itself (on the others).
#[derive(Serialize, Deserialize)]
pub struct Status {
    pub site: SiteId,
    pub credential: Credential,
}

/// A shard's answer to [`Status`].
#[derive(Serialize, Deserialize)]
pub struct ShardStatus {
    pub site: SiteId,
    /// The shard's clock.
    pub now_ms: i64,
    /// When its alarm fires next, on its clock.
    pub next_alarm_ms: Option<i64>,
    /// The days of the salts it holds and when they were drawn (never the salts).
    pub held_salts: Vec<HeldSalt>,
    pub retention: RetentionState,
    pub consent_mode: ConsentMode,
    /// Today's consent tally: in opt-in mode, what beacons without consent still add.
    pub consent_today: Vec<ConsentCount>,
    pub change_log: ChangeLogState,
    /// The WebAssembly memory of the shard's isolate: what it grew to since it started (it
    /// never shrinks), against the runtime's memory limit per isolate.
    pub memory_bytes: u64,
}

impl JsonAnswer for ShardStatus {}

/// The retention setting, and what it keeps of a shard's records.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionState {
    /// Days of records kept, today included.
    pub days: u32,
    /// The oldest day the shard holds a record of.
    pub oldest_record_day: Option<Day>,
    /// Records before this day are deleted by the daily maintenance.
    pub deleting_before: Day,
}

/// One entry of a consent tally.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentCount {
    pub category: Category,
    pub value: ConsentValue,
    pub source: ConsentSource,
    pub count: u64,
}

/// The change log's length, its last hash, and whether its chain verifies.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeLogState {
    pub entries: usize,
    pub head: String,
    pub verified: bool,
}

// Administration ----------------------------------------------------------------------------

/// Register a new site.
#[derive(Serialize, Deserialize)]
pub struct CreateSite {
    pub site: SiteId,
    /// The admin's request body without `id`: validated by the shard.
    pub settings: serde_json::Value,
    pub tokens: TokenHashes,
    pub actor: String,
}

/// The site as the admin API shows it.
#[derive(Serialize, Deserialize)]
pub struct GetSite {
    pub site: SiteId,
}

/// Change some settings: the admin's request body, validated by the shard.
#[derive(Serialize, Deserialize)]
pub struct UpdateSite {
    pub site: SiteId,
    pub patch: serde_json::Value,
    pub actor: String,
}

/// Delete everything the shard holds of the site.
#[derive(Serialize, Deserialize)]
pub struct DeleteSite {
    pub site: SiteId,
}

/// Replace both site tokens.
#[derive(Serialize, Deserialize)]
pub struct RotateTokens {
    pub site: SiteId,
    pub tokens: TokenHashes,
    pub actor: String,
}

/// The site as the admin API shows it: settings, never token hashes.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteView {
    pub id: SiteId,
    pub created_ms: i64,
    pub settings: SiteSettings,
    /// How many entries the change log holds, and the hash of the last one.
    pub changes: u64,
    pub change_log_head: String,
}

impl JsonAnswer for SiteView {}

/// The change log, for the admin or the holder of the auditor token.
#[derive(Serialize, Deserialize)]
pub struct Changes {
    pub site: SiteId,
    pub credential: Credential,
}

/// The whole change log and whether its chain verifies (and if not, why).
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeLog {
    pub verified: bool,
    pub error: Option<String>,
    pub entries: Vec<ChangeEntry>,
}

impl JsonAnswer for ChangeLog {}

/// Give a further shard of a site (index ≥ 1) the site's settings; it holds no tokens.
#[derive(Serialize, Deserialize)]
pub struct SyncSettings {
    pub site: SiteId,
    pub settings: SiteSettings,
    /// Which shard it is.
    pub index: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use tacit_aggregate::codec::{decode_page_day_head, encode_page_day};
    use tacit_aggregate::PageDay;
    use tacit_report::stored_range::RangeRecords;

    fn records() -> ShardRecords {
        let day = Day::from_days_since_epoch(20_000);
        let mut site = SiteDay::default();
        site.record_bot_dropped();
        let page = encode_page_day(&PageDay::default());
        let segments = decode_page_day_head(&page).unwrap().1.to_owned();
        // The second page's parts' segments kept apart, as a shard keeps a closed range's.
        let apart =
            EncodedPage { path: "/é".into(), record: page.clone(), undecided: vec![segments] };
        ShardRecords {
            pages: vec![EncodedPage::whole("/".into(), page), apart],
            site_days: vec![(day, SiteDay::default()), (day.add_days(1), SiteDay::default())],
            site,
        }
    }

    /// The records decoded, as the worker reads them.
    fn decoded(records: ShardRecords) -> AppResult<RangeRecords> {
        let needed = RecordsNeeded::default();
        Ok(records.part_records(&needed)?.finish(&needed)?)
    }

    fn range(closed: Option<ClosedPart>) -> ShardRanges {
        ShardRanges(vec![ShardRange { closed, open: records() }])
    }

    fn held() -> HeldClosed {
        HeldClosed { to: Day::from_days_since_epoch(19_999), version: u64::MAX - 7 }
    }

    #[test]
    fn records_cross_as_the_codecs_bytes_and_come_back_whole() {
        let ranges = [
            range(None),
            range(Some(ClosedPart { held: held(), records: None })),
            range(Some(ClosedPart { held: held(), records: Some(records()) })),
        ];
        for sent in ranges {
            let body = sent.to_body().unwrap();
            let read = ShardRanges::from_body(&body).unwrap();
            assert_eq!(read.to_body().unwrap(), body, "the same records, byte for byte");
            let closed_of = |ranges: &ShardRanges| {
                let closed = ranges.0[0].closed.as_ref();
                closed.map(|closed| (closed.held, closed.records.is_some()))
            };
            assert_eq!(closed_of(&read), closed_of(&sent));
            let read = read.0.into_iter().next().unwrap().open;
            let apart = read.pages.iter().map(|page| page.undecided.len());
            assert_eq!(apart.collect::<Vec<_>>(), [0, 1], "segments apart cross apart");
            let read = decoded(read).unwrap();
            let paths: Vec<_> = read.pages.iter().map(|(path, _)| path.as_str()).collect();
            assert_eq!(paths, ["/", "/é"]);
            let days: Vec<_> = read.site_days.iter().map(|(day, _)| *day).collect();
            assert_eq!(days, records().site_days.iter().map(|(day, _)| *day).collect::<Vec<_>>());
            assert_eq!(read.site.bots_dropped(), 1);
        }
        let empty = ShardRanges(vec![ShardRange::default()]).to_body().unwrap();
        let empty_site = encode_site_day(&SiteDay::default());
        assert_eq!(empty[..4], [1, 0, 0, 0], "one range");
        assert_eq!(empty[4..13], [0; 9], "no closed days, then two empty lists");
        assert_eq!(empty.len(), 13 + 4 + empty_site.len(), "then the range's site record");
        assert!(ShardRanges::from_body(&empty).unwrap().0[0].open.pages.is_empty());
        assert!(ShardRanges::from_body(&[0; 4]).unwrap().0.is_empty());
    }

    #[test]
    fn cut_padded_or_corrupt_records_are_refused() {
        let body = range(None).to_body().unwrap();
        for len in 0..body.len() {
            let read = ShardRanges::from_body(&body[..len])
                .and_then(|mut read| decoded(read.0.pop().expect("one range").open));
            assert!(read.is_err(), "cut at {len}");
        }
        let mut padded = body.clone();
        padded.push(0);
        assert!(ShardRanges::from_body(&padded).is_err());
        let mut unknown = body.clone();
        unknown[4] = 3;
        assert!(ShardRanges::from_body(&unknown).is_err(), "a closed part of no known kind");
        // A flipped byte in a page's record: read as bytes, refused when decoded.
        let mut flipped = body;
        flipped[4 + 1 + 4 + 4 + 1 + 4 + 6] ^= 0xff;
        let mut read = ShardRanges::from_body(&flipped).unwrap();
        assert!(decoded(read.0.pop().unwrap().open).is_err());
        // A flipped byte in segments apart from their record: refused as they are read.
        let body = range(None).to_body().unwrap();
        let apart = records().pages[1].undecided[0].to_record();
        let at = body.windows(apart.len()).position(|bytes| bytes == apart).expect("sent");
        for at in at..at + apart.len() {
            let mut flipped = body.clone();
            flipped[at] ^= 0xff;
            assert!(ShardRanges::from_body(&flipped).is_err(), "byte {at}");
        }
    }

    #[test]
    fn a_beacon_id_crosses_json_exactly() {
        let query = WasLeaveCounted { site: SiteId::parse("demo").unwrap(), id: u64::MAX - 1 };
        let json = serde_json::to_vec(&query).unwrap();
        assert_eq!(serde_json::from_slice::<WasLeaveCounted>(&json).unwrap().id, u64::MAX - 1);
    }
}
