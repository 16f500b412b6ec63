//! Destructive actions from chat ask first: the command answers with Confirm / Cancel
//! buttons that expire after two minutes, only the user who asked may press them, and the
//! answer edits the question with the outcome and its timing. The action itself runs through
//! the service layer (role, `actions.operator`, the agent's allow-list, audit).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hostpulse_core::Clock;
use hostpulse_service::Actor;
use hostpulse_service::commands::{ActionRequest, CommandResult, new_command_id};

use crate::dispatch::Dispatcher;
use crate::format::escape;
use crate::types::{Button, CallbackQuery};

/// How long a question can be confirmed, milliseconds.
pub const CONFIRM_TTL_MS: i64 = 120_000;
/// Most questions waiting at once; beyond it the oldest is dropped.
const MAX_PENDING: usize = 256;
/// Toast of a press by a user or in a chat the bot does not serve.
const NOT_ALLOWED: &str = "You are not allowed to use this bot.";
/// Toast of a press by someone else than the asker.
const NOT_YOURS: &str = "Only the person who asked can confirm or cancel this.";

/// An action waiting for its asker's confirmation.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Telegram user id of the asker.
    pub user_id: i64,
    /// The asker as the actor of the action.
    pub actor: Actor,
    /// What runs on confirmation.
    pub request: ActionRequest,
    /// What the question says runs, HTML (`restart <b>web</b> on <b>web-1</b>`).
    pub what_html: String,
    /// When the question was asked (the hub's clock), Unix ms.
    pub asked_ms: i64,
}

/// Why a press does not run the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such question (answered already, or from before a restart).
    Unknown,
    /// The question is older than [`CONFIRM_TTL_MS`]; it said this would run (HTML).
    Expired {
        /// What the question said runs.
        what_html: String,
    },
    /// Someone else asked.
    NotYours,
}

/// The questions waiting for an answer.
pub struct PendingActions {
    clock: Arc<dyn Clock>,
    pending: Mutex<HashMap<String, Pending>>,
}

impl PendingActions {
    /// No questions yet, timed by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            pending: Mutex::default(),
        }
    }

    /// Keeps a question and returns the token its buttons carry.
    pub fn ask(
        &self,
        user_id: i64,
        actor: Actor,
        request: ActionRequest,
        what_html: String,
    ) -> String {
        let token = new_command_id();
        let asked_ms = self.clock.now_ms();
        if let Ok(mut pending) = self.pending.lock() {
            pending.retain(|_, p| asked_ms - p.asked_ms <= CONFIRM_TTL_MS);
            if pending.len() >= MAX_PENDING
                && let Some(oldest) = pending
                    .iter()
                    .min_by_key(|(_, p)| p.asked_ms)
                    .map(|(t, _)| t.clone())
            {
                pending.remove(&oldest);
            }
            let entry = Pending {
                user_id,
                actor,
                request,
                what_html,
                asked_ms,
            };
            pending.insert(token.clone(), entry);
        }
        token
    }

    /// The answer to the question `token` by `user_id`: the question when it may run (it is
    /// then gone), else why not. An expired question is gone too, a press by someone else
    /// leaves it waiting.
    pub fn answer(&self, token: &str, user_id: i64) -> Result<Pending, Refusal> {
        let now = self.clock.now_ms();
        let Ok(mut pending) = self.pending.lock() else {
            return Err(Refusal::Unknown);
        };
        match pending.get(token) {
            None => Err(Refusal::Unknown),
            Some(p) if p.user_id != user_id => Err(Refusal::NotYours),
            Some(p) if now - p.asked_ms > CONFIRM_TTL_MS => {
                let what_html = p.what_html.clone();
                pending.remove(token);
                Err(Refusal::Expired { what_html })
            }
            Some(_) => pending.remove(token).ok_or(Refusal::Unknown),
        }
    }
}

/// The Confirm / Cancel buttons of question `token`.
pub fn confirm_buttons(token: &str) -> Vec<Vec<Button>> {
    vec![vec![
        Button {
            text: "✅ Confirm".into(),
            callback_data: format!("act:y:{token}"),
        },
        Button {
            text: "✖ Cancel".into(),
            callback_data: format!("act:n:{token}"),
        },
    ]]
}

/// `(confirmed, token)` of a question button's callback data.
pub fn parse_confirm_callback(data: &str) -> Option<(bool, &str)> {
    let rest = data.strip_prefix("act:")?;
    let (answer, token) = rest.split_once(':')?;
    let confirmed = match answer {
        "y" => true,
        "n" => false,
        _ => return None,
    };
    hostpulse_proto::command::is_command_id(token).then_some((confirmed, token))
}

impl Dispatcher {
    /// A press on Confirm or Cancel: checked against the asker and the expiry, then the
    /// action runs and the question is edited with its outcome.
    pub(crate) async fn on_confirm_button(
        &self,
        callback: &CallbackQuery,
        confirmed: bool,
        token: &str,
    ) {
        let allowed = callback.message.as_ref().is_some_and(|m| {
            matches!(
                self.gate.check(&callback.from, &m.chat, "confirm"),
                crate::auth::Verdict::Allowed(_)
            )
        });
        if !allowed {
            return self.answer_press(callback, Some(NOT_ALLOWED)).await;
        }
        let toast = match self.pending.answer(token, callback.from.id) {
            Err(Refusal::NotYours) => Some(NOT_YOURS),
            Err(Refusal::Unknown) => Some("This question was answered already."),
            Err(Refusal::Expired { what_html }) => {
                let text = format!("⌛ Not confirmed within 2 minutes: {what_html} was not run.");
                self.edit_question(callback, &text).await;
                Some("This question has expired.")
            }
            Ok(question) if !confirmed => {
                self.edit_question(
                    callback,
                    &format!("✖ Cancelled: {} was not run.", question.what_html),
                )
                .await;
                None
            }
            Ok(question) => {
                self.answer_press(callback, Some("Running…")).await;
                self.edit_question(callback, &format!("⏳ Running {}…", question.what_html))
                    .await;
                let outcome = self
                    .services
                    .service
                    .run_action(&question.actor, question.request.clone())
                    .await;
                self.edit_question(callback, &outcome_html(&question.what_html, &outcome))
                    .await;
                return;
            }
        };
        self.answer_press(callback, toast).await;
    }

    async fn answer_press(&self, callback: &CallbackQuery, toast: Option<&str>) {
        if let Err(error) = self.client.answer_callback_query(&callback.id, toast).await {
            tracing::warn!(%error, "cannot answer a telegram button press");
        }
    }

    async fn edit_question(&self, callback: &CallbackQuery, text_html: &str) {
        let Some(message) = &callback.message else {
            return;
        };
        if let Err(error) = self
            .client
            .edit_message_text(message.chat.id, message.message_id, text_html, None)
            .await
        {
            tracing::warn!(%error, "cannot edit a confirmation message");
        }
    }
}

/// `✅ restart web on web-1: ok in 1.2 s` or the failure, HTML.
fn outcome_html(
    what_html: &str,
    outcome: &Result<CommandResult, hostpulse_service::ServiceError>,
) -> String {
    match outcome {
        Ok(done) => {
            let mark = if done.is_ok() { "✅" } else { "❌" };
            format!("{mark} {what_html}: {}", escape(&done.summary()))
        }
        Err(error) => format!("❌ {what_html}: {}", escape(&error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_core::ManualClock;
    use std::collections::BTreeMap;

    fn request() -> ActionRequest {
        ActionRequest {
            host: "web-1".into(),
            action: "containers.restart".into(),
            args: BTreeMap::from([("container".into(), "web".into())]),
            origin: "telegram".into(),
        }
    }

    #[test]
    fn only_the_asker_answers_and_only_within_two_minutes() {
        let clock = ManualClock::new(0);
        let pending = PendingActions::new(Arc::new(clock.clone()));
        let actor = Actor::System { cause: "test" };
        let token = pending.ask(7, actor.clone(), request(), "restart".into());
        assert_eq!(pending.answer(&token, 8).err(), Some(Refusal::NotYours));
        assert_eq!(pending.answer(&token, 7).map(|p| p.user_id).ok(), Some(7));
        assert_eq!(pending.answer(&token, 7).err(), Some(Refusal::Unknown));
        let late = pending.ask(7, actor, request(), "restart".into());
        clock.advance(CONFIRM_TTL_MS + 1);
        assert!(matches!(
            pending.answer(&late, 7),
            Err(Refusal::Expired { .. })
        ));
    }

    #[test]
    fn callback_data_round_trips_and_fits_telegram() {
        let buttons = confirm_buttons("c-abc_1");
        assert_eq!(
            parse_confirm_callback(&buttons[0][0].callback_data),
            Some((true, "c-abc_1"))
        );
        assert_eq!(
            parse_confirm_callback(&buttons[0][1].callback_data),
            Some((false, "c-abc_1"))
        );
        assert_eq!(parse_confirm_callback("act:x:c1"), None);
        assert_eq!(parse_confirm_callback("act:y:bad/token"), None);
        let token = new_command_id();
        assert!(confirm_buttons(&token)[0][0].callback_data.len() <= 64);
    }
}
