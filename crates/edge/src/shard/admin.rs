//! The site's registration in its shard: creating, showing, changing and deleting it, its
//! tokens, its hash-chained change log, and who may ask what ([`SiteShard::authorized`]).
//! The worker has checked the admin token before any change reaches the shard.

use tacit_aggregate::change_log::{verify_chain, ChangeEntry, GENESIS_HASH};
use tacit_aggregate::settings::{FieldChange, SettingsPatch, SiteSettings};
use tacit_aggregate::Day;
use tacit_beacon::SiteId;

use super::protocol::{
    ChangeLog, Changes, CreateSite, DeleteSite, GetSite, RotateTokens, SiteView, SyncSettings,
    UpdateSite,
};
use super::store::SiteRegistration;
use super::SiteShard;
use crate::access::{grants, Credential, Role, TokenHashes};
use crate::error::{AppError, AppResult};

impl SiteShard {
    /// Registers the site in its first shard, and runs the maintenance that draws its salt and
    /// sets its alarm.
    pub(super) async fn create_site(&self, message: CreateSite) -> AppResult<SiteView> {
        if self.store.registration()?.is_some() {
            return Err(AppError::Conflict(format!("site '{}' already exists", message.site)));
        }
        let today = Day::from_unix_ms(self.clock.now_ms());
        let settings = SiteSettings::default().apply(&parse_patch(message.settings)?, today)?.0;
        let site = SiteRegistration {
            id: message.site,
            settings,
            tokens: message.tokens,
            created_ms: self.clock.now_ms(),
            shard_index: 0,
        };
        self.store.save_registration(&site)?;
        let created = FieldChange {
            field: "site",
            old: "null".into(),
            new: serde_json::to_string(&site.settings)?,
        };
        self.log_changes(&message.actor, [created])?;
        let view = self.site_view(&site)?;
        self.registration.replace(Some(site));
        self.maintain().await?;
        Ok(view)
    }

    /// A further shard takes the site's settings from the worker (shard 0 holds the tokens and
    /// the change log).
    pub(super) async fn sync_settings(&self, message: SyncSettings) -> AppResult<()> {
        match self.store.registration()? {
            Some(_) => self.store.save_settings(&message.settings)?,
            None => self.store.save_registration(&SiteRegistration {
                id: message.site,
                settings: message.settings,
                tokens: TokenHashes::default(),
                created_ms: self.clock.now_ms(),
                shard_index: message.index,
            })?,
        }
        self.registration.replace(self.store.registration()?);
        self.maintain().await
    }

    pub(super) fn get_site(&self, message: GetSite) -> AppResult<SiteView> {
        self.site_view(&self.registered(&message.site)?)
    }

    /// Applies the settings an admin sent, logs what changed, and runs the maintenance: a
    /// shorter retention applies at once.
    pub(super) async fn update_site(&self, message: UpdateSite) -> AppResult<SiteView> {
        let mut site = self.registered(&message.site)?;
        let today = Day::from_unix_ms(self.clock.now_ms());
        let (settings, changes) = site.settings.apply(&parse_patch(message.patch)?, today)?;
        if !changes.is_empty() {
            self.store.save_settings(&settings)?;
            self.log_changes(&message.actor, changes)?;
        }
        site.settings = settings;
        let view = self.site_view(&site)?;
        self.registration.replace(Some(site));
        self.maintain().await?;
        Ok(view)
    }

    /// Deletes every row, table and alarm of the shard: nothing of the site remains.
    pub(super) async fn delete_site(&self, message: DeleteSite) -> AppResult<()> {
        self.registered(&message.site)?;
        self.registration.replace(None);
        self.salt.replace(None);
        self.guard.replace(None);
        self.open_day.replace(None);
        self.closed_ranges.borrow_mut().clear();
        self.flush_pending.set(false);
        self.maintained.set(false);
        let storage = self.state.storage();
        storage.delete_alarm().await?;
        storage.delete_all().await?;
        // The object lives on until it is evicted; it answers 404 like a shard never used.
        self.store.create_schema()?;
        Ok(())
    }

    pub(super) fn rotate_tokens(&self, message: RotateTokens) -> AppResult<()> {
        let mut site = self.registered(&message.site)?;
        self.store.save_tokens(&message.tokens)?;
        // The log says that the tokens changed, never what they are.
        let rotated = FieldChange {
            field: "tokens",
            old: "\"(previous tokens)\"".into(),
            new: "\"(rotated)\"".into(),
        };
        self.log_changes(&message.actor, [rotated])?;
        site.tokens = message.tokens;
        self.registration.replace(Some(site));
        Ok(())
    }

    pub(super) fn changes(&self, message: Changes) -> AppResult<ChangeLog> {
        self.authorized(&message.site, &message.credential, Role::Auditor)?;
        let entries = self.store.changes()?;
        let verified = verify_chain(&entries);
        Ok(ChangeLog {
            verified: verified.is_ok(),
            error: verified.err().map(|e| e.to_string()),
            entries,
        })
    }

    /// The site's registration, or 404 when `site` was never created here (or was deleted).
    pub(super) fn registered(&self, site: &SiteId) -> AppResult<SiteRegistration> {
        if self.registration.borrow().is_none() {
            self.registration.replace(self.store.registration()?);
        }
        match &*self.registration.borrow() {
            Some(registration) if registration.id == *site => Ok(registration.clone()),
            _ => Err(AppError::NotFound(format!("site '{site}' is not registered"))),
        }
    }

    /// The site's registration when `credential` opens a route for `role` (see [`grants`]):
    /// 404 for an unknown site whatever the credential, then 401 for a wrong token.
    pub(super) fn authorized(
        &self,
        site: &SiteId,
        credential: &Credential,
        role: Role,
    ) -> AppResult<SiteRegistration> {
        let site = self.registered(site)?;
        if grants(&site.tokens, credential, role) {
            Ok(site)
        } else {
            Err(AppError::Unauthorized)
        }
    }

    fn site_view(&self, site: &SiteRegistration) -> AppResult<SiteView> {
        let last = self.store.last_change()?;
        Ok(SiteView {
            id: site.id.clone(),
            created_ms: site.created_ms,
            settings: site.settings.clone(),
            changes: last.as_ref().map_or(0, |entry| entry.seq),
            change_log_head: last.map_or(GENESIS_HASH.to_owned(), |entry| entry.hash),
        })
    }

    /// Appends one chained entry per change, all with the same time and actor.
    fn log_changes(
        &self,
        actor: &str,
        changes: impl IntoIterator<Item = FieldChange>,
    ) -> AppResult<()> {
        let time_ms = self.clock.now_ms();
        let mut last = self.store.last_change()?;
        for change in changes {
            let entry = ChangeEntry::next(
                last.as_ref(),
                time_ms,
                actor,
                change.field,
                &change.old,
                &change.new,
            );
            self.store.append_change(&entry)?;
            last = Some(entry);
        }
        Ok(())
    }
}

/// The settings an admin sent, with an error that names the first field at fault.
fn parse_patch(value: serde_json::Value) -> AppResult<SettingsPatch> {
    serde_json::from_value(value.clone()).map_err(|error| {
        // serde_json's message says what is wrong but not where: try one field at a time.
        let field = value.as_object().and_then(|object| {
            object.iter().find_map(|(name, field_value)| {
                let alone = serde_json::json!({ name: field_value });
                serde_json::from_value::<SettingsPatch>(alone).is_err().then_some(name)
            })
        });
        match field {
            Some(name) => AppError::BadRequest(format!("'{name}': {error}")),
            None => AppError::BadRequest(format!("settings: {error}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: AppResult<SettingsPatch>) -> String {
        match result {
            Err(AppError::BadRequest(message)) => message,
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn a_bad_patch_names_the_first_field_at_fault() {
        let patch = |json: &str| parse_patch(serde_json::from_str(json).unwrap());
        assert_eq!(patch(r#"{"k": 7}"#).unwrap().k, Some(7));
        assert!(message(patch(r#"{"k": 7, "retention_days": "long"}"#))
            .starts_with("'retention_days': "));
        assert!(message(patch(r#"{"colour": "red"}"#)).starts_with("'colour': "));
        assert!(message(patch("[1]")).starts_with("settings: "));
    }
}
