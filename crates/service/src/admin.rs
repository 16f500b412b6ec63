//! Running the hub: rule reloads, requeueing dead letters, test messages, and the delivery
//! status the API shows.

use crate::Service;
use crate::action::{Action, Operation};
use crate::actor::Actor;
use crate::audit::outcome;
use crate::error::ServiceError;
use hostpulse_core::Notification;
use hostpulse_delivery::{ReceiverStatus, TestOutcome};
use hostpulse_engine::ReloadReport;

impl Service {
    /// Reloads rules and alert-manager settings as `actor`; on error the old ones keep running.
    pub async fn reload(&self, actor: &Actor) -> Result<ReloadReport, ServiceError> {
        self.authorize(actor, Action::RulesReload)?;
        let engine = self.running_engine()?;
        let result = engine.reload().await.map_err(ServiceError::from);
        let operation = Operation::new(Action::RulesReload, "rules");
        self.record(actor, &operation, outcome(&result)).await;
        result
    }

    /// Queues dead-lettered notification `id` for delivery again, as `actor`.
    pub async fn requeue(&self, actor: &Actor, id: i64) -> Result<Notification, ServiceError> {
        self.authorize(actor, Action::NotificationRequeue)?;
        let engine = self.running_engine()?;
        let result = engine
            .delivery()
            .requeue(id)
            .await
            .map_err(ServiceError::from);
        let operation = Operation::new(Action::NotificationRequeue, format!("notification {id}"));
        self.record(actor, &operation, outcome(&result)).await;
        result
    }

    /// Sends a test message through `receiver` now, as `actor`. A failed delivery is a
    /// successful call with `delivered: false`, audited as an error.
    pub async fn test_send(
        &self,
        actor: &Actor,
        receiver: &str,
    ) -> Result<TestOutcome, ServiceError> {
        self.authorize(actor, Action::ReceiverTest)?;
        let engine = self.running_engine()?;
        let result = engine
            .delivery()
            .send_test(receiver)
            .await
            .map_err(ServiceError::from);
        let audited = match &result {
            Ok(test) if test.delivered => Ok(()),
            Ok(test) => Err(format!(
                "not delivered: {}",
                test.error.as_deref().unwrap_or("unknown reason")
            )),
            Err(e) => Err(e.to_string()),
        };
        let operation = Operation::new(Action::ReceiverTest, format!("receiver {receiver}"));
        self.record(actor, &operation, audited).await;
        result
    }

    /// Every receiver with its backoff, last error and outbox counts.
    pub async fn receiver_status(&self) -> Result<Vec<ReceiverStatus>, ServiceError> {
        Ok(self.running_engine()?.delivery().status().await?)
    }
}
