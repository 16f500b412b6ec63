//! Ingest: check a batch, take the samples rules need, store it durably, then hand those
//! samples to the alert engine — only once the batch is stored, and never for a duplicate.

use crate::Service;
use crate::error::IngestError;
use hostpulse_proto::{IngestBatch, validate_batch};
use hostpulse_store::IngestOutcome;

impl Service {
    /// Ingests `batch` from agent `agent`. With `gzip_json` (the gzip body the batch was
    /// decoded from) the store may keep that body rather than encode the batch again.
    pub async fn ingest(
        &self,
        agent: &str,
        batch: IngestBatch,
        gzip_json: Option<Vec<u8>>,
    ) -> Result<IngestOutcome, IngestError> {
        validate_batch(&batch, self.clock.now_ms(), &self.batch_limits)
            .map_err(|e| IngestError::Invalid(e.to_string()))?;
        let observation = self.engine.as_ref().map(|e| e.observe_batch(agent, &batch));
        let outcome = match gzip_json {
            Some(body) => self.store.ingest_encoded(agent, batch, body).await?,
            None => self.store.ingest(agent, batch).await?,
        };
        if let (Some(engine), Some(observation), IngestOutcome::Stored { .. }) =
            (&self.engine, observation, outcome)
        {
            engine.commit_observation(observation);
        }
        Ok(outcome)
    }
}
