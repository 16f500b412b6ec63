//! Self-healing runs here: the engine decides which alerts to heal, this layer runs each
//! attempt through the host's agent like any other action (same checks, same audit, the
//! agent's own allow-list) and tells the engine how it ended.

use std::sync::Arc;

use hostpulse_engine::HealRequest;

use crate::Service;
use crate::actor::Actor;
use crate::commands::{ActionRequest, CommandResult};
use crate::error::ServiceError;

/// The actor heal attempts run as (audited as `heal`); the rule is in the origin.
const HEALER: Actor = Actor::System { cause: "heal" };

impl Service {
    /// Runs the engine's heal attempts until the engine stops; each attempt in its own task
    /// (an alert has at most one attempt in flight, and the engine bounds its queue).
    pub async fn run_healer(self: Arc<Self>) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        loop {
            let requests = engine.next_heal_requests().await;
            if requests.is_empty() {
                return;
            }
            for request in requests {
                let service = Arc::clone(&self);
                tokio::spawn(async move { service.heal_once(request).await });
            }
        }
    }

    async fn heal_once(&self, request: HealRequest) {
        let action = ActionRequest {
            host: request.host.clone(),
            action: request.action.clone(),
            args: request.args.clone(),
            origin: format!("rule {}", request.rule),
        };
        let result = self.run_action(&HEALER, action).await;
        let line = outcome_line(&request, &result);
        tracing::info!(rule = %request.rule, host = %request.host, attempt = request.attempt, outcome = %line, "heal: attempt ended");
        if let Some(engine) = &self.engine {
            engine.heal_finished(&request.alert_id, line).await;
        }
    }
}

/// One line for the alert's notification: `containers.start web on web-1: ok in 1.2 s`.
pub fn outcome_line(request: &HealRequest, result: &Result<CommandResult, ServiceError>) -> String {
    let target = request
        .args
        .get("container")
        .or_else(|| request.args.get("command"))
        .map_or(String::new(), |t| format!(" {t}"));
    let what = format!("{}{target} on {}", request.action, request.host);
    match result {
        Ok(done) => format!("{what}: {}", done.summary()),
        Err(error) => format!("{what}: not run: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_proto::command::CommandStatus;
    use std::collections::BTreeMap;

    fn request() -> HealRequest {
        HealRequest {
            alert_id: "a1".into(),
            rule: "container_down".into(),
            host: "web-1".into(),
            action: "containers.start".into(),
            args: BTreeMap::from([("container".into(), "web".into())]),
            at_ms: 0,
            attempt: 1,
        }
    }

    fn result(status: CommandStatus, error: Option<&str>, exit_code: Option<i32>) -> CommandResult {
        CommandResult {
            id: "c1".into(),
            status,
            output: String::new(),
            exit_code,
            error: error.map(str::to_owned),
            truncated: false,
            duration_ms: 1_234,
        }
    }

    #[test]
    fn outcome_lines_say_what_ran_where_and_how_it_ended() {
        let r = request();
        assert_eq!(
            outcome_line(&r, &Ok(result(CommandStatus::Ok, None, None))),
            "containers.start web on web-1: ok in 1.2 s"
        );
        assert_eq!(
            outcome_line(
                &r,
                &Ok(result(
                    CommandStatus::Refused,
                    Some("not in actions.allow"),
                    None
                ))
            ),
            "containers.start web on web-1: refused not in actions.allow"
        );
        let mut named = request();
        named.action = "run".into();
        named.args = BTreeMap::from([("command".into(), "restart_nginx".into())]);
        assert_eq!(
            outcome_line(&named, &Ok(result(CommandStatus::Failed, None, Some(1)))),
            "run restart_nginx on web-1: failed exit 1"
        );
        let offline = Err(ServiceError::Conflict(
            "the agent of web-1 is not connected".into(),
        ));
        assert!(outcome_line(&r, &offline).starts_with("containers.start web on web-1: not run: "));
    }
}
