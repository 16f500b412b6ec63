//! `/ps`, `/logs` and `/actions` through the fake Bot API and the hub's command queue, with
//! an agent in the test that polls the queue and answers as the agent's executor does.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed step stops the test loudly"
)]

mod common;

use common::fake::{button_press, message};
use common::{ADMIN, OPERATOR, Rig, VIEWER, rig};
use hostpulse_core::ContainerInfo;
use hostpulse_proto::command::{
    Command, CommandOutcome, CommandPoll, CommandStatus, CommandUpdate,
};
use hostpulse_service::Actor;

const ADMIN_ACTOR: Actor = Actor::System { cause: "test" };

/// Registers web-1 as an agent and answers its commands until the test ends.
async fn agent(rig: &Rig) -> tokio::task::JoinHandle<()> {
    rig.service.add_agent(&ADMIN_ACTOR, "web-1").await.unwrap();
    let queue = rig.service.commands().clone();
    let poll = CommandPoll {
        wait_ms: 200,
        allowed: vec![
            "containers.list".into(),
            "containers.logs".into(),
            "containers.restart".into(),
            "restart_web".into(),
        ],
        commands: vec!["restart_web".into()],
    };
    // One poll so the hub knows the agent is connected before the first command.
    let _ = queue.poll("web-1", &poll).await;
    tokio::spawn(async move {
        loop {
            for command in queue.poll("web-1", &poll).await.commands {
                let update = answer(&command);
                queue.update("web-1", &command.id, update).unwrap();
            }
        }
    })
}

fn answer(command: &Command) -> CommandUpdate {
    let (status, output, error) = match command.action.as_str() {
        "containers.list" => (
            CommandStatus::Ok,
            serde_json::to_string(&containers()).unwrap(),
            None,
        ),
        "containers.logs" if command.args.get("container").map(String::as_str) == Some("web") => {
            let tail: usize = command.args["tail"].parse().unwrap();
            let lines: Vec<String> = (1..=100).map(|i| format!("GET /{i} 200")).collect();
            (CommandStatus::Ok, lines[100 - tail..].join("\n"), None)
        }
        "containers.logs" => (
            CommandStatus::Failed,
            String::new(),
            Some("no such container".into()),
        ),
        "containers.restart" => (CommandStatus::Ok, String::new(), None),
        _ => (
            CommandStatus::Refused,
            String::new(),
            Some("not in actions.allow".into()),
        ),
    };
    CommandUpdate {
        seq: 0,
        output,
        outcome: Some(CommandOutcome {
            status,
            exit_code: None,
            error,
            started_ms: Some(0),
            finished_ms: 1,
            truncated: false,
        }),
    }
}

fn containers() -> Vec<ContainerInfo> {
    let c = |name: &str, state: &str, exit_code: i64, health: &str| ContainerInfo {
        id: "ab".repeat(32),
        name: name.into(),
        image: "docker.io/library/nginx:1.27".into(),
        state: state.into(),
        health: health.into(),
        restart_count: 3,
        started_at: "2026-12-08T01:00:00Z".into(),
        exit_code,
        oom_killed: false,
    };
    vec![
        c("worker", "exited", 137, ""),
        c("web", "running", 0, "healthy"),
    ]
}

#[tokio::test]
async fn ps_lists_every_container_running_first() {
    let rig = rig().await;
    let agent = agent(&rig).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/ps web-1"));
    let text = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    assert!(text.starts_with("<b>Containers on web-1</b>"), "{text}");
    let web = text.find("web ").unwrap_or_else(|| panic!("{text}"));
    let worker = text.find("worker").unwrap_or_else(|| panic!("{text}"));
    assert!(web < worker, "{text}");
    assert!(
        text.contains("exited (137)") && text.contains("healthy"),
        "{text}"
    );
    agent.abort();
    bot.shutdown().await;
}

#[tokio::test]
async fn logs_show_the_last_lines_and_an_agent_error_is_said() {
    let rig = rig().await;
    let agent = agent(&rig).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/logs web-1 web 5"));
    let text = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    assert!(
        text.contains("<b>web on web-1</b> · last 5 lines"),
        "{text}"
    );
    assert!(
        text.contains("GET /96 200") && text.contains("GET /100 200"),
        "{text}"
    );
    assert!(!text.contains("GET /95 200"), "{text}");
    rig.fake.queue(message(2, VIEWER, "/logs web-1 ghost"));
    let text = rig.fake.wait_sent(VIEWER, 2).await.remove(1);
    assert!(text.contains("no such container"), "{text}");
    rig.fake.queue(message(3, VIEWER, "/logs web-1 web 1000"));
    let text = rig.fake.wait_sent(VIEWER, 3).await.remove(2);
    assert!(text.contains("from 1 to 200"), "{text}");
    agent.abort();
    bot.shutdown().await;
}

#[tokio::test]
async fn actions_show_what_each_agent_allows() {
    let rig = rig().await;
    let agent = agent(&rig).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/actions"));
    let text = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    assert!(
        text.contains("<b>web-1</b>\nallowed: containers.list, containers.logs, containers.restart, restart_web"),
        "{text}"
    );
    assert!(text.contains("commands: restart_web"), "{text}");
    assert!(
        text.contains("<b>db-1</b> · <i>agent not connected</i>"),
        "{text}"
    );
    agent.abort();
    bot.shutdown().await;
}

/// The callback data of button `index` under the last message sent to `chat`.
fn button_data(rig: &Rig, chat: i64, index: usize) -> String {
    let sent = rig.fake.calls("sendMessage");
    let last = sent.iter().rev().find(|b| b["chat_id"] == chat).unwrap();
    last["reply_markup"]["inline_keyboard"][0][index]["callback_data"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The texts of the `editMessageText` calls, waiting for `count` of them.
async fn edits(rig: &Rig, count: usize) -> Vec<String> {
    rig.fake
        .wait_calls("editMessageText", count)
        .await
        .iter()
        .map(|b| b["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn restart_asks_first_only_the_asker_confirms_and_the_answer_edits_the_question() {
    let rig = rig().await;
    let agent = agent(&rig).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, VIEWER, "/restart web-1 web"));
    let refused = rig.fake.wait_sent(VIEWER, 1).await.remove(0);
    assert!(
        refused.contains("operator"),
        "a viewer may not restart: {refused}"
    );

    rig.fake.queue(message(2, ADMIN, "/restart web-1 web"));
    let question = rig.fake.wait_sent(ADMIN, 1).await.remove(0);
    assert!(
        question.starts_with("Restart <b>web</b> on <b>web-1</b>?"),
        "{question}"
    );
    let confirm = button_data(&rig, ADMIN, 0);
    // Someone else presses: refused with a toast, the question stays.
    rig.fake.queue(button_press(3, OPERATOR, 2, &confirm));
    let answers = rig.fake.wait_calls("answerCallbackQuery", 1).await;
    assert!(
        answers[0]["text"]
            .as_str()
            .unwrap()
            .contains("Only the person who asked")
    );
    rig.fake.queue(button_press(4, ADMIN, 2, &confirm));
    let texts = edits(&rig, 2).await;
    assert!(
        texts[0].starts_with("⏳ Running restart <b>web</b> on <b>web-1</b>"),
        "{texts:?}"
    );
    assert!(
        texts[1].starts_with("✅ restart <b>web</b> on <b>web-1</b>: ok in "),
        "{texts:?}"
    );
    // Pressed again: already answered.
    rig.fake.queue(button_press(5, ADMIN, 2, &confirm));
    let answers = rig.fake.wait_calls("answerCallbackQuery", 3).await;
    assert!(
        answers[2]["text"]
            .as_str()
            .unwrap()
            .contains("answered already"),
        "{answers:?}"
    );
    agent.abort();
    bot.shutdown().await;
}

#[tokio::test]
async fn an_operator_is_refused_what_actions_operator_does_not_list_and_questions_expire() {
    let rig = rig().await;
    let agent = agent(&rig).await;
    let bot = rig.bot().await;
    rig.fake.queue(message(1, OPERATOR, "/restart web-1 web"));
    rig.fake.wait_sent(OPERATOR, 1).await;
    rig.fake.queue(button_press(
        2,
        OPERATOR,
        1,
        &button_data(&rig, OPERATOR, 0),
    ));
    let texts = edits(&rig, 2).await;
    assert!(
        texts[1].starts_with("❌ restart <b>web</b> on <b>web-1</b>"),
        "{texts:?}"
    );
    assert!(texts[1].contains("needs the admin role"), "{texts:?}");

    rig.fake
        .queue(message(3, ADMIN, "/stop_container web-1 web"));
    rig.fake.wait_sent(ADMIN, 1).await;
    let cancel = button_data(&rig, ADMIN, 1);
    rig.fake
        .queue(message(4, ADMIN, "/start_container web-1 web"));
    rig.fake.wait_sent(ADMIN, 2).await;
    let late = button_data(&rig, ADMIN, 0);
    rig.fake.queue(button_press(5, ADMIN, 3, &cancel));
    let texts = edits(&rig, 3).await;
    assert!(
        texts[2].starts_with("✖ Cancelled: stop <b>web</b>"),
        "{texts:?}"
    );
    rig.clock.advance(121_000);
    rig.fake.queue(button_press(6, ADMIN, 4, &late));
    let texts = edits(&rig, 4).await;
    assert!(
        texts[3].starts_with("⌛ Not confirmed within 2 minutes: start <b>web</b>"),
        "{texts:?}"
    );
    rig.fake.queue(message(7, ADMIN, "/restart web-1 ../etc"));
    let text = rig.fake.wait_sent(ADMIN, 3).await.remove(2);
    assert!(
        text.contains("container"),
        "a bad name is refused before asking: {text}"
    );
    agent.abort();
    bot.shutdown().await;
}
