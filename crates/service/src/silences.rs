//! Creating and expiring silences: through the engine when it runs, else in the alerting
//! store directly (the engine loads them when it starts).

use crate::Service;
use crate::action::{Action, Operation};
use crate::actor::Actor;
use crate::audit::outcome;
use crate::error::ServiceError;
use hostpulse_core::Silence;
use hostpulse_engine::NewSilence;
use rand::RngCore;

/// Longest silence accepted.
pub const MAX_SILENCE_MS: i64 = 366 * 86_400_000;

/// A silence to create and how the caller named its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSilence {
    /// The silence.
    pub silence: NewSilence,
    /// The audit target as the caller named it (a host, a rule, `rule=..,host=..`);
    /// `None`: the new silence's id (`-` when it was not created).
    pub target: Option<String>,
}

impl From<NewSilence> for CreateSilence {
    fn from(silence: NewSilence) -> Self {
        Self {
            silence,
            target: None,
        }
    }
}

impl Service {
    /// Creates a silence as `actor`; it applies from the next evaluation.
    pub async fn create_silence(
        &self,
        actor: &Actor,
        request: CreateSilence,
    ) -> Result<Silence, ServiceError> {
        self.authorize(actor, Action::SilenceCreate)?;
        let result = self.put_silence(request.silence).await;
        let target = request
            .target
            .unwrap_or_else(|| result.as_ref().map_or("-", |s| s.id.as_str()).to_string());
        let operation = Operation::new(Action::SilenceCreate, target);
        self.record(actor, &operation, outcome(&result)).await;
        result
    }

    async fn put_silence(&self, new: NewSilence) -> Result<Silence, ServiceError> {
        if let Some(engine) = &self.engine {
            return Ok(engine.add_silence(new).await?);
        }
        let store = self
            .alert_store
            .as_ref()
            .ok_or_else(ServiceError::alerting_off)?;
        let now_ms = self.clock.now_ms();
        let silence = Silence {
            id: new_silence_id(),
            matchers: new.matchers,
            starts_ms: new.starts_ms.unwrap_or(now_ms),
            ends_ms: new.ends_ms,
            author: new.author,
            comment: new.comment,
            created_ms: now_ms,
        };
        store.put_silence(&silence).await?;
        Ok(silence)
    }

    /// Ends silence `id` now as `actor`; `NotFound` if unknown or already over.
    pub async fn expire_silence(&self, actor: &Actor, id: &str) -> Result<Silence, ServiceError> {
        self.authorize(actor, Action::SilenceExpire)?;
        let result = self.end_silence(id).await;
        let operation = Operation::new(Action::SilenceExpire, id);
        self.record(actor, &operation, outcome(&result)).await;
        result
    }

    async fn end_silence(&self, id: &str) -> Result<Silence, ServiceError> {
        if let Some(engine) = &self.engine {
            return Ok(engine.expire_silence(id).await?);
        }
        let store = self
            .alert_store
            .as_ref()
            .ok_or_else(ServiceError::alerting_off)?;
        let now_ms = self.clock.now_ms();
        match store.expire_silence(id, now_ms).await? {
            Some(silence) if silence.ends_ms >= now_ms => Ok(silence),
            _ => Err(ServiceError::NotFound(format!(
                "no active or scheduled silence {id:?}"
            ))),
        }
    }
}

/// A random silence id: 16 hex digits.
pub fn new_silence_id() -> String {
    format!("{:016x}", rand::rng().next_u64())
}

impl Service {
    /// What looks wrong about `matchers` today: one warning, with a "did you mean", per
    /// matcher that names a label, host, rule or value nothing has now.
    pub async fn silence_warnings(
        &self,
        matchers: &[hostpulse_core::Matcher],
    ) -> Result<Vec<String>, ServiceError> {
        let known = crate::KnownNames::gather(self.store.as_ref(), self.engine.as_deref()).await?;
        Ok(known.warnings(matchers))
    }
}
