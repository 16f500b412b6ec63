//! Acknowledging alerts.

use crate::Service;
use crate::action::{Action, Operation};
use crate::actor::Actor;
use crate::audit::outcome;
use crate::error::ServiceError;
use hostpulse_core::Alert;

impl Service {
    /// Acknowledges firing alert `id` as `actor`: stops its reminders and escalation.
    /// A pending or unknown alert is refused (and the refusal audited).
    pub async fn ack(&self, actor: &Actor, id: &str, comment: &str) -> Result<Alert, ServiceError> {
        self.authorize(actor, Action::AlertAck)?;
        let engine = self.running_engine()?;
        let result = engine
            .ack(id, &actor.audit_name(), comment)
            .await
            .map_err(ServiceError::from);
        let operation = Operation::new(Action::AlertAck, id);
        self.record(actor, &operation, outcome(&result)).await;
        result
    }
}
