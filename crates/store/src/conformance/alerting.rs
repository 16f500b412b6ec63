//! Checks of [`crate::AlertStateStore`], [`crate::StateBlobStore`],
//! [`crate::AlertHistoryStore`], [`crate::SilenceStore`] and [`crate::AuditStore`].

use super::fixtures::{alert, case, notification, silence};
use super::{Case, Ctx, Outcome, T0, ensure, same};
use crate::{AlertChanges, AuditEntry, HistoryEntry, HistoryQuery};
use hostpulse_core::{AlertState, AlertTransition};

pub fn cases() -> Vec<Case> {
    vec![
        case!(alert_changes_round_trip),
        case!(state_blobs_round_trip),
        case!(history_pages_newest_first),
        case!(silences_expire),
        case!(audit_is_append_only_newest_first),
        case!(prune_keeps_queued_notifications),
    ]
}

fn transition(at_ms: i64) -> AlertTransition {
    let a = alert("high_cpu", "web-1", at_ms);
    AlertTransition {
        alert_id: a.id,
        rule: a.rule,
        host: a.host,
        labels: a.labels,
        severity: a.severity,
        from: None,
        to: AlertState::Firing,
        at_ms,
        value: a.value,
        summary: a.summary,
    }
}

async fn alert_changes_round_trip(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    let (one, two) = (alert("cpu", "web-1", T0), alert("disk", "web-1", T0));
    let changes = AlertChanges {
        upsert: vec![one.clone(), two.clone()],
        ..AlertChanges::default()
    };
    same(
        b.save_alert_changes(changes).await?,
        vec![],
        "no notification ids",
    )?;
    let mut ids: Vec<String> = b.load_alerts().await?.into_iter().map(|a| a.id).collect();
    ids.sort();
    let mut want = vec![one.id.clone(), two.id.clone()];
    want.sort();
    same(ids, want, "upserted alerts")?;
    let changes = AlertChanges {
        delete: vec![one.id.clone()],
        ..AlertChanges::default()
    };
    b.save_alert_changes(changes).await?;
    same(b.load_alerts().await?, vec![two], "after a delete")
}

async fn state_blobs_round_trip(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    let put = |key: &str, json: Option<&str>| {
        ("dedup".to_string(), key.to_string(), json.map(String::from))
    };
    let changes = AlertChanges {
        state: vec![
            put("b", Some("2")),
            put("a", Some("{\"x\":1}")),
            put("c", Some("3")),
        ],
        ..AlertChanges::default()
    };
    b.save_alert_changes(changes).await?;
    let changes = AlertChanges {
        state: vec![put("c", None), put("b", Some("22"))],
        ..AlertChanges::default()
    };
    b.save_alert_changes(changes).await?;
    let want = vec![
        ("a".to_string(), "{\"x\":1}".to_string()),
        ("b".into(), "22".into()),
    ];
    same(b.load_state("dedup").await?, want, "blobs by key")?;
    same(b.load_state("other").await?, vec![], "another namespace")
}

async fn history_pages_newest_first(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    let changes = AlertChanges {
        transitions: (0..5).map(|i| transition(T0 + i * 1_000)).collect(),
        ..AlertChanges::default()
    };
    b.save_alert_changes(changes).await?;
    let query = HistoryQuery {
        limit: 2,
        ..HistoryQuery::default()
    };
    let page = b.alert_history(query.clone()).await?;
    let times: Vec<i64> = page.entries.iter().map(HistoryEntry::at_ms).collect();
    same(times, vec![T0 + 4_000, T0 + 3_000], "first page")?;
    let next = HistoryQuery {
        cursor: page.next_cursor.clone(),
        ..query.clone()
    };
    ensure(next.cursor.is_some(), || "a next cursor".into())?;
    let times: Vec<i64> = b
        .alert_history(next)
        .await?
        .entries
        .iter()
        .map(HistoryEntry::at_ms)
        .collect();
    same(times, vec![T0 + 2_000, T0 + 1_000], "second page")?;
    let since = HistoryQuery {
        since_ms: Some(T0 + 3_000),
        limit: 10,
        ..HistoryQuery::default()
    };
    same(
        b.alert_history(since).await?.entries.len(),
        2,
        "since is inclusive",
    )
}

async fn silences_expire(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    b.put_silence(&silence("s1", T0, T0 + 3_600_000)).await?;
    b.put_silence(&silence("s2", T0 + 1, T0 + 7_200_000))
        .await?;
    let ids =
        |list: Vec<hostpulse_core::Silence>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
    same(
        ids(b.silences(false).await?),
        vec!["s1".into(), "s2".into()],
        "active",
    )?;
    let expired = b.expire_silence("s1", T0 + 60_000).await?;
    same(expired.map(|s| s.ends_ms), Some(T0 + 60_000), "ends now")?;
    ctx.clock.set(T0 + 60_000);
    same(ids(b.silences(false).await?), vec!["s2".into()], "s1 ended")?;
    same(b.silences(true).await?.len(), 2, "with expired")?;
    let later = b.expire_silence("s2", T0 + 9_000_000).await?;
    same(
        later.map(|s| s.ends_ms),
        Some(T0 + 7_200_000),
        "never extended",
    )?;
    same(b.expire_silence("nope", T0).await?, None, "unknown silence")?;
    ctx.clock.set(T0 + 7_200_000);
    same(b.silences(false).await?.len(), 0, "every silence ended")?;
    b.put_silence(&silence("s2", T0, T0 + 9_000_000)).await?;
    same(
        ids(b.silences(false).await?),
        vec!["s2".into()],
        "put replaces",
    )
}

async fn audit_is_append_only_newest_first(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    for i in 0..5 {
        b.audit(AuditEntry {
            at_ms: T0,
            actor: "admin".into(),
            action: "alert.ack".into(),
            target: format!("a{i}"),
            result: "ok".into(),
        })
        .await?;
    }
    let targets: Vec<String> = b
        .audit_entries(3)
        .await?
        .into_iter()
        .map(|e| e.target)
        .collect();
    same(
        targets,
        vec!["a4".into(), "a3".into(), "a2".into()],
        "newest first",
    )?;
    same(b.audit_entries(10).await?.len(), 5, "all kept")
}

async fn prune_keeps_queued_notifications(ctx: Ctx) -> Outcome {
    let b = &ctx.backend;
    let mut sent = notification("ops", "g", T0);
    sent.status = hostpulse_core::DeliveryStatus::Sent;
    let changes = AlertChanges {
        transitions: vec![transition(T0), transition(T0 + 10_000)],
        notifications: vec![sent, notification("ops", "g", T0)],
        ..AlertChanges::default()
    };
    b.save_alert_changes(changes).await?;
    b.put_silence(&silence("old", T0 - 10, T0 - 5)).await?;
    let report = b.prune_alert_history(T0 + 5_000).await?;
    same(report.notifications, 1, "sent notification pruned")?;
    same(report.silences, 1, "ended silence pruned")?;
    same(b.pending_notifications(10).await?.len(), 1, "pending kept")?;
    let left = b.alert_history(HistoryQuery::default()).await?;
    let times: Vec<i64> = left.entries.iter().map(HistoryEntry::at_ms).collect();
    ensure(times.contains(&(T0 + 10_000)), || {
        format!("newer history kept: {times:?}")
    })
}
