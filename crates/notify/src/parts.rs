//! Resumable sends: parts delivered by an earlier attempt are skipped, and each new part is
//! recorded through [`Progress`] before the next one is sent.

use crate::{Delivered, MessageContext, Progress, SendError};

/// The parts of one message delivered so far, earlier attempts' included.
pub(crate) struct PartsSent<'a> {
    provider_ids: Vec<String>,
    progress: Option<&'a dyn Progress>,
}

impl<'a> PartsSent<'a> {
    /// Starts from the parts an earlier attempt delivered (`ctx.parts_sent`).
    pub(crate) fn resume(ctx: &'a MessageContext) -> Self {
        Self {
            provider_ids: ctx.parts_sent.clone(),
            progress: ctx.progress.as_deref(),
        }
    }

    /// How many parts are delivered already; a send starts at this index.
    pub(crate) fn count(&self) -> usize {
        self.provider_ids.len()
    }

    /// Records one more delivered part (`""` when the provider returned no id) and tells the
    /// progress listener; a listener error is a retry whose reason says the part arrived.
    pub(crate) async fn record(
        &mut self,
        provider_id: Option<String>,
        total_parts: usize,
    ) -> Result<(), SendError> {
        self.provider_ids.push(provider_id.unwrap_or_default());
        let Some(progress) = self.progress else {
            return Ok(());
        };
        progress
            .part_sent(&self.provider_ids)
            .await
            .map_err(|reason| SendError::Retry {
                reason: format!(
                    "part {} of {total_parts} was delivered but cannot be recorded: {reason}",
                    self.provider_ids.len()
                ),
                retry_after: None,
            })
    }

    /// The outcome: the first part's id (when it has one) and the ids of all parts.
    pub(crate) fn delivered(self) -> Delivered {
        let provider_id = self
            .provider_ids
            .first()
            .filter(|id| !id.is_empty())
            .cloned();
        Delivered {
            provider_id,
            provider_ids: self.provider_ids,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;

    use super::*;

    /// Remembers every report; refuses once `fail_at` parts are delivered.
    struct Recorder {
        seen: Mutex<Vec<Vec<String>>>,
        fail_at: Option<usize>,
    }

    #[async_trait]
    impl Progress for Recorder {
        async fn part_sent(&self, provider_ids: &[String]) -> Result<(), String> {
            self.seen
                .lock()
                .map_err(|e| e.to_string())?
                .push(provider_ids.to_vec());
            if self.fail_at == Some(provider_ids.len()) {
                return Err("store is read-only".into());
            }
            Ok(())
        }
    }

    fn context(parts_sent: &[&str], recorder: &Arc<Recorder>) -> MessageContext {
        MessageContext {
            parts_sent: parts_sent.iter().map(|id| id.to_string()).collect(),
            progress: Some(recorder.clone()),
            ..MessageContext::default()
        }
    }

    #[tokio::test]
    async fn resumes_after_earlier_parts_and_reports_all_ids() {
        let recorder = Arc::new(Recorder {
            seen: Mutex::default(),
            fail_at: None,
        });
        let ctx = context(&["1"], &recorder);
        let mut parts = PartsSent::resume(&ctx);
        assert_eq!(parts.count(), 1);
        parts.record(None, 3).await.expect("recorded");
        parts.record(Some("3".into()), 3).await.expect("recorded");
        let seen = recorder.seen.lock().expect("lock").clone();
        assert_eq!(seen, [vec!["1", ""], vec!["1", "", "3"]]);
        let delivered = parts.delivered();
        assert_eq!(delivered.provider_id.as_deref(), Some("1"));
        assert_eq!(delivered.provider_ids, ["1", "", "3"]);
    }

    #[tokio::test]
    async fn a_progress_error_is_a_retry_that_says_the_part_arrived() {
        let recorder = Arc::new(Recorder {
            seen: Mutex::default(),
            fail_at: Some(1),
        });
        let ctx = context(&[], &recorder);
        let mut parts = PartsSent::resume(&ctx);
        let error = parts
            .record(Some("7".into()), 2)
            .await
            .expect_err("refused");
        assert!(error.is_retry(), "{error:?}");
        assert!(
            error.reason().contains("part 1 of 2 was delivered")
                && error.reason().contains("store is read-only"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn without_progress_parts_are_only_collected() {
        let ctx = MessageContext::default();
        let mut parts = PartsSent::resume(&ctx);
        parts.record(None, 1).await.expect("recorded");
        let delivered = parts.delivered();
        assert_eq!(delivered.provider_id, None);
        assert_eq!(delivered.provider_ids, [""]);
    }
}
