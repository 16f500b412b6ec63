//! Test support for delivery: a real SQLite store on a manual clock, sample notifications,
//! receivers, and (in `fake`) local fakes of the providers.
#![allow(dead_code)]

mod fake;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hostpulse_core::{
    Alert, AlertState, Clock, DeliveryStatus, Labels, ManualClock, Notification, NotificationKind,
    Severity,
};
use hostpulse_delivery::Delivery;
use hostpulse_notify::{
    RateLimit, ReceiverConfig, ReceiverKind, Secret, TelegramSettings, WebhookSettings,
};
use hostpulse_store::prelude::*;
use hostpulse_store::{AlertChanges, NotificationQuery, SqliteOptions, SqliteStore};

#[allow(unused_imports)]
pub use fake::{Answer, Api, Fake, Recorded, closed_address};

/// An hour-aligned start time of the virtual clock.
pub const T0: i64 = 1_699_999_200_000;
/// Secret part of every webhook URL (it must never appear in an error).
pub const HOOK_PATH: &str = "/hooks/SECRETHOOK";
/// Bot token of the Telegram receivers (a secret as well).
pub const BOT_TOKEN: &str = "123456:SECRET-BOT-TOKEN";

/// A store in a temporary directory and the manual clock it and delivery run on.
pub struct Harness {
    pub clock: ManualClock,
    pub store: Arc<SqliteStore>,
    _dir: tempfile::TempDir,
}

impl Harness {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = ManualClock::new(T0);
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let store = SqliteStore::open(SqliteOptions::new(dir.path().join("db")), shared)
            .await
            .expect("open store");
        Self {
            clock,
            store,
            _dir: dir,
        }
    }

    /// Delivery over this store and clock, driven by [`Delivery::deliver_now`].
    pub async fn start(&self, receivers: &[ReceiverConfig]) -> Arc<Delivery> {
        Delivery::start(
            self.store.clone(),
            Arc::new(self.clock.clone()),
            None,
            receivers,
            false,
        )
        .await
    }

    /// Appends notifications to the outbox; returns their ids.
    pub async fn seed(&self, notifications: Vec<Notification>) -> Vec<i64> {
        self.store
            .save_alert_changes(AlertChanges {
                notifications,
                ..Default::default()
            })
            .await
            .expect("seed")
    }

    /// Every notification, oldest first.
    pub async fn all(&self) -> Vec<Notification> {
        let page = self
            .store
            .notifications(NotificationQuery {
                limit: 500,
                ..Default::default()
            })
            .await
            .expect("notifications");
        let mut all = page.notifications;
        all.sort_by_key(|n| n.id);
        all
    }

    pub async fn get(&self, id: i64) -> Notification {
        self.all()
            .await
            .into_iter()
            .find(|n| n.id == id)
            .expect("notification")
    }

    /// Runs passes, moving the clock to each time delivery asks for, until nothing is left.
    pub async fn drain(&self, delivery: &Delivery) {
        for _ in 0..10_000 {
            match delivery.deliver_now().await {
                None => return,
                Some(at) => self.clock.set(at.max(self.clock.now_ms())),
            }
        }
        panic!("delivery never finished");
    }
}

/// One firing alert on `host`.
pub fn alert(host: &str, summary: &str) -> Alert {
    let labels = Labels::new();
    Alert {
        id: hostpulse_core::alert_fingerprint("high_cpu", host, &labels),
        rule: "high_cpu".into(),
        host: host.into(),
        labels,
        severity: Severity::Critical,
        state: AlertState::Firing,
        value: 91.2,
        threshold: Some(85.0),
        summary: summary.into(),
        description: "CPU is busy".into(),
        annotations: BTreeMap::new(),
        active_since_ms: T0 - 60_000,
        firing_since_ms: Some(T0),
        resolved_ms: None,
        last_eval_ms: T0,
        ack: None,
        dry_run: false,
    }
}

/// A pending notification of `kind` for `receiver` about group `group` (one alert on it).
pub fn notification(receiver: &str, group: &str, kind: NotificationKind) -> Notification {
    let mut alert = alert(group, "avg(cpu) = 91.2 > 85");
    if kind == NotificationKind::Resolved {
        alert.state = AlertState::Resolved;
        alert.resolved_ms = Some(T0);
    }
    Notification {
        id: 0,
        receiver: receiver.into(),
        group_key: format!("route0{{host=\"{group}\"}}"),
        group_labels: Labels::from([("host".to_owned(), group.to_owned())]),
        kind,
        severity: Severity::Critical,
        alerts: vec![alert],
        created_ms: T0,
        status: DeliveryStatus::Pending,
        attempts: 0,
        last_error: None,
        escalation_step: None,
        provider_ids: Vec::new(),
    }
}

pub fn firing(receiver: &str, group: &str) -> Notification {
    notification(receiver, group, NotificationKind::Firing)
}

/// A firing notification with `count` alerts of long summaries (several Telegram parts).
pub fn huge(receiver: &str, count: usize) -> Notification {
    let mut n = firing(receiver, "fleet");
    n.alerts = (0..count)
        .map(|i| {
            alert(
                &format!("host-{i:04}"),
                &format!("disk {i} is filling up {}", "x".repeat(120)),
            )
        })
        .collect();
    n
}

/// A Telegram receiver posting to `chat_id` through the fake at `base`.
pub fn telegram(
    name: &str,
    base: &str,
    chat_id: &str,
    rate_limit: Option<RateLimit>,
) -> ReceiverConfig {
    ReceiverConfig {
        name: name.into(),
        kind: ReceiverKind::Telegram(TelegramSettings {
            bot_token: Secret::new(BOT_TOKEN),
            chat_id: chat_id.into(),
            message_thread_id: None,
            api_url: base.into(),
            silent_below: None,
            timeout: Duration::from_secs(5),
            template: None,
        }),
        rate_limit,
        retry: Default::default(),
    }
}

/// A Telegram receiver with the default rate limit of its chat kind.
pub fn telegram_default(name: &str, base: &str, chat_id: &str) -> ReceiverConfig {
    let mut receiver = telegram(name, base, chat_id, None);
    receiver.rate_limit = RateLimit::default_for(&receiver.kind);
    receiver
}

/// A webhook receiver posting to `{base}{HOOK_PATH}`, unlimited.
pub fn webhook(name: &str, base: &str) -> ReceiverConfig {
    ReceiverConfig {
        name: name.into(),
        kind: ReceiverKind::Webhook(WebhookSettings {
            url: Secret::new(format!("{base}{HOOK_PATH}")),
            headers: BTreeMap::new(),
            hmac_secret: None,
            timeout: Duration::from_secs(5),
        }),
        rate_limit: None,
        retry: Default::default(),
    }
}
