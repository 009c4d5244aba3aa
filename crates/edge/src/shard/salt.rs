//! The day's salt: drawn by the site's first shard, shared with its others, sealed at rest.
//!
//! One salt per site and day means a visitor has one hash in every shard, so a visitor whom a
//! raised shard count sends elsewhere mid-day is not counted twice in the shards' union.

use tacit_aggregate::{DailySalt, Day};

use super::protocol::ShareSalt;
use super::store::SiteRegistration;
use super::{SiteShard, SALT_KEY_SECRET};
use crate::error::{AppError, AppResult};
use crate::shard_client;
use crate::tokens::random_bytes;

impl SiteShard {
    /// Today's salt: from memory after the day's first beacon, else from storage, else drawn
    /// (by the site's first shard) or taken from the first shard (by the others).
    pub(super) async fn salt(&self, site: &SiteRegistration, now_ms: i64) -> AppResult<DailySalt> {
        let today = Day::from_unix_ms(now_ms);
        if let Some((day, salt)) = &*self.salt.borrow() {
            if *day == today {
                return Ok(salt.clone());
            }
        }
        let key = self.salt_key.as_ref().ok_or_else(|| {
            AppError::Internal(format!(
                "the {SALT_KEY_SECRET} secret is not set: no salt can be stored"
            ))
        })?;
        let shard = self.state.id().to_string();
        let salt = match self.store.salt(today, key, &shard)? {
            Some(salt) => salt,
            None => {
                let salt = if site.shard_index == 0 {
                    DailySalt::from_bytes(random_bytes::<16>()?)
                } else {
                    let query = ShareSalt { site: site.id.clone(), day: today };
                    DailySalt::from_bytes(shard_client::ask(&self.env, &site.id, 0, &query).await?)
                };
                self.store.save_salt(today, &salt, now_ms, key, &shard)?;
                salt
            }
        };
        self.salt.replace(Some((today, salt.clone())));
        Ok(salt)
    }

    /// The first shard gives a further shard of its site today's salt (and no other day's).
    pub(super) async fn share_salt(&self, query: ShareSalt) -> AppResult<[u8; 16]> {
        let site = self.registered(&query.site)?;
        let now = self.clock.now_ms();
        if site.shard_index != 0 || query.day != Day::from_unix_ms(now) {
            return Err(AppError::BadRequest("only the first shard gives out today's salt".into()));
        }
        Ok(self.salt(&site, now).await?.to_bytes())
    }
}
