//! The escalation stage, pure: which step of a route's chain an unacknowledged firing alert
//! has reached. Each step is notified once per firing episode; after a long gap only the
//! highest due step is sent.

use crate::config::EscalationStep;
use hostpulse_core::{Alert, AlertState};

use crate::log::EscalationEntry;

/// The step (1-based) to notify now, if any.
pub fn due_step(
    steps: &[EscalationStep],
    alert: &Alert,
    done: Option<&EscalationEntry>,
    now_ms: i64,
) -> Option<u32> {
    if alert.state != AlertState::Firing || alert.ack.is_some() {
        return None;
    }
    let firing_since = alert.firing_since_ms?;
    let reached = steps
        .iter()
        .take_while(|step| {
            let after = i64::try_from(step.after.as_millis()).unwrap_or(i64::MAX);
            firing_since.saturating_add(after) <= now_ms
        })
        .count();
    let done = done
        .filter(|entry| entry.firing_since_ms == firing_since)
        .map_or(0, |entry| entry.step);
    let reached = u32::try_from(reached).unwrap_or(u32::MAX);
    (reached > done).then_some(reached)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::tests::alert;
    use hostpulse_core::{Ack, Severity};
    use std::time::Duration;

    fn steps() -> Vec<EscalationStep> {
        [15, 60]
            .into_iter()
            .map(|minutes| EscalationStep {
                after: Duration::from_secs(minutes * 60),
                severity: Some(Severity::Critical),
                receivers: vec![],
            })
            .collect()
    }

    #[test]
    fn steps_come_due_in_order_and_once() {
        let a = alert("r", "h", &[], 1_000);
        assert_eq!(due_step(&steps(), &a, None, 1_000 + 899_999), None);
        assert_eq!(due_step(&steps(), &a, None, 1_000 + 900_000), Some(1));
        let one = EscalationEntry {
            firing_since_ms: 1_000,
            step: 1,
        };
        assert_eq!(due_step(&steps(), &a, Some(&one), 1_000 + 3_599_999), None);
        assert_eq!(
            due_step(&steps(), &a, Some(&one), 1_000 + 3_600_000),
            Some(2)
        );
        let two = EscalationEntry {
            firing_since_ms: 1_000,
            step: 2,
        };
        assert_eq!(due_step(&steps(), &a, Some(&two), 99_000_000), None);
    }

    #[test]
    fn catch_up_sends_only_the_highest_step_and_new_episodes_start_over() {
        let a = alert("r", "h", &[], 0);
        assert_eq!(due_step(&steps(), &a, None, 10_000_000), Some(2));
        let old = EscalationEntry {
            firing_since_ms: -5,
            step: 2,
        };
        assert_eq!(due_step(&steps(), &a, Some(&old), 900_000), Some(1));
    }

    #[test]
    fn acknowledged_or_not_firing_alerts_do_not_escalate() {
        let mut a = alert("r", "h", &[], 0);
        a.ack = Some(Ack {
            by: "admin".into(),
            at_ms: 1,
            comment: String::new(),
        });
        assert_eq!(due_step(&steps(), &a, None, 10_000_000), None);
        let mut p = alert("r", "h", &[], 0);
        p.state = AlertState::Pending;
        assert_eq!(due_step(&steps(), &p, None, 10_000_000), None);
    }
}
