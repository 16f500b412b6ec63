//! Turning one collected frame into an ingest batch, attaching host facts until the hub has them.

use hostpulse_core::HostFacts;
use hostpulse_proto::{AgentIdentity, Frame, IngestBatch, PROTOCOL_VERSION};

/// Builds batches for one agent identity.
#[derive(Debug)]
pub struct BatchBuilder {
    identity: AgentIdentity,
    acknowledged_facts: Option<HostFacts>,
}

impl BatchBuilder {
    /// A builder for `identity`; the first batch carries facts.
    pub fn new(identity: AgentIdentity) -> Self {
        Self {
            identity,
            acknowledged_facts: None,
        }
    }

    /// The identity stamped on every batch.
    pub fn identity(&self) -> &AgentIdentity {
        &self.identity
    }

    /// A one-frame batch. Facts are attached until a batch carrying exactly these facts
    /// has been acknowledged, so changed facts and facts lost to spool eviction are resent.
    pub fn build(&self, seq: u64, frame: Frame, facts: &HostFacts) -> IngestBatch {
        let send_facts = self.acknowledged_facts.as_ref() != Some(facts);
        IngestBatch {
            version: PROTOCOL_VERSION,
            agent: self.identity.clone(),
            seq,
            facts: send_facts.then(|| facts.clone()),
            frames: vec![frame],
        }
    }

    /// Records that the hub acknowledged a batch carrying `facts`.
    pub fn facts_acknowledged(&mut self, facts: HostFacts) {
        self.acknowledged_facts = Some(facts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kernel: &str) -> HostFacts {
        HostFacts {
            hostname: "web-1".into(),
            kernel: kernel.into(),
            ..HostFacts::default()
        }
    }

    fn builder() -> BatchBuilder {
        BatchBuilder::new(AgentIdentity {
            hostname: "web-1".into(),
            display_name: Some("Web".into()),
            agent_version: "0.1.0".into(),
            interval_ms: 1000,
            instance_id: "test-instance".into(),
            run_id: "test-run".into(),
            previous_run_id: None,
        })
    }

    #[test]
    fn sends_facts_until_acknowledged_and_again_when_changed() {
        let mut builder = builder();
        let first = builder.build(1, Frame::default(), &facts("6.1"));
        assert_eq!(first.version, PROTOCOL_VERSION);
        assert_eq!(first.seq, 1);
        assert_eq!(first.frames.len(), 1);
        assert_eq!(first.facts, Some(facts("6.1")));
        assert!(
            builder
                .build(2, Frame::default(), &facts("6.1"))
                .facts
                .is_some()
        );
        builder.facts_acknowledged(facts("6.1"));
        assert!(
            builder
                .build(3, Frame::default(), &facts("6.1"))
                .facts
                .is_none()
        );
        let changed = builder.build(4, Frame::default(), &facts("6.2"));
        assert_eq!(changed.facts, Some(facts("6.2")));
        assert_eq!(changed.agent.display_name.as_deref(), Some("Web"));
    }
}
