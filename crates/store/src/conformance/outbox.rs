//! Checks of [`crate::OutboxStore`] and [`crate::OutboxAdminStore`].

use super::fixtures::{case, notification};
use super::{Case, Ctx, Outcome, T0, ensure, same};
use crate::{AlertChanges, Backend, DeliveryUpdate, NotificationQuery, StoreError};
use hostpulse_core::{DeliveryStatus, Notification};

pub fn cases() -> Vec<Case> {
    vec![
        case!(outbox_ids_rise_and_pending_is_oldest_first),
        case!(delivery_updates_are_atomic_and_idempotent),
        case!(receiver_queue_pages_after_id),
        case!(requeue_takes_only_dead_notifications),
        case!(thread_anchor_is_newest_sent_firing),
        case!(outbox_stats_and_dead_letters),
    ]
}

async fn enqueue(b: &dyn Backend, list: Vec<Notification>) -> Result<Vec<i64>, StoreError> {
    let changes = AlertChanges {
        notifications: list,
        ..AlertChanges::default()
    };
    b.save_alert_changes(changes).await
}

fn update(id: i64, status: DeliveryStatus, provider_ids: &[&str]) -> DeliveryUpdate {
    DeliveryUpdate {
        id,
        status,
        attempts: 1,
        last_error: None,
        provider_ids: provider_ids.iter().map(|s| s.to_string()).collect(),
    }
}

async fn outbox_ids_rise_and_pending_is_oldest_first(ctx: Ctx) -> Outcome {
    let b = ctx.backend.as_ref();
    let mut ids = enqueue(
        b,
        (0..3).map(|i| notification("ops", "g", T0 + i)).collect(),
    )
    .await?;
    ids.extend(enqueue(b, vec![notification("log", "g", T0 + 3)]).await?);
    ensure(ids.windows(2).all(|w| w[0] < w[1]), || {
        format!("ids rise: {ids:?}")
    })?;
    let pending: Vec<i64> = b
        .pending_notifications(2)
        .await?
        .iter()
        .map(|n| n.id)
        .collect();
    same(pending, ids[..2].to_vec(), "oldest first, limited")?;
    b.mark_notification(ids[0], DeliveryStatus::Sent, 1, None)
        .await?;
    let pending: Vec<i64> = b
        .pending_notifications(10)
        .await?
        .iter()
        .map(|n| n.id)
        .collect();
    same(pending, ids[1..].to_vec(), "sent leaves the queue")?;
    let unknown = b
        .mark_notification(9_999, DeliveryStatus::Sent, 1, None)
        .await;
    ensure(unknown.is_err(), || "marking an unknown id fails".into())?;
    let page = b.notifications(NotificationQuery::default()).await?;
    let listed: Vec<i64> = page.notifications.iter().map(|n| n.id).collect();
    let mut newest_first = ids.clone();
    newest_first.reverse();
    same(listed, newest_first, "the log, newest first")
}

async fn delivery_updates_are_atomic_and_idempotent(ctx: Ctx) -> Outcome {
    let b = ctx.backend.as_ref();
    let ids = enqueue(
        b,
        vec![
            notification("ops", "g", T0),
            notification("ops", "g", T0 + 1),
        ],
    )
    .await?;
    let bad = vec![
        update(ids[0], DeliveryStatus::Sent, &["m1"]),
        update(9_999, DeliveryStatus::Sent, &[]),
    ];
    let refused = b.record_deliveries(bad).await;
    ensure(matches!(refused, Err(StoreError::InvalidQuery(_))), || {
        format!("an unknown id: {refused:?}")
    })?;
    same(
        b.pending_notifications(10).await?.len(),
        2,
        "nothing applied",
    )?;
    let good = vec![
        update(ids[0], DeliveryStatus::Sent, &["m1"]),
        update(ids[1], DeliveryStatus::Sending, &[]),
    ];
    b.record_deliveries(good.clone()).await?;
    b.record_deliveries(good).await?;
    let queued = b.pending_notifications(10).await?;
    same(queued.len(), 1, "one left queued")?;
    same(
        (queued[0].id, queued[0].status),
        (ids[1], DeliveryStatus::Sending),
        "sending",
    )?;
    let query = NotificationQuery {
        status: Some(DeliveryStatus::Sent),
        ..NotificationQuery::default()
    };
    let sent = b.notifications(query).await?.notifications;
    same(sent.len(), 1, "applied once")?;
    same(
        sent[0].provider_ids.clone(),
        vec!["m1".to_string()],
        "provider ids",
    )
}

async fn receiver_queue_pages_after_id(ctx: Ctx) -> Outcome {
    let b = ctx.backend.as_ref();
    let list = (0..4).map(|i| notification(if i == 2 { "log" } else { "ops" }, "g", T0 + i));
    let ids = enqueue(b, list.collect()).await?;
    let page: Vec<i64> = b
        .outbox_for_receiver("ops", 0, 2)
        .await?
        .iter()
        .map(|n| n.id)
        .collect();
    same(page, vec![ids[0], ids[1]], "first page")?;
    let page: Vec<i64> = b
        .outbox_for_receiver("ops", ids[1], 2)
        .await?
        .iter()
        .map(|n| n.id)
        .collect();
    same(page, vec![ids[3]], "after id, other receivers skipped")
}

async fn requeue_takes_only_dead_notifications(ctx: Ctx) -> Outcome {
    let b = ctx.backend.as_ref();
    let ids = enqueue(b, vec![notification("ops", "g", T0)]).await?;
    let pending = b.requeue_notification(ids[0]).await;
    ensure(matches!(pending, Err(StoreError::InvalidQuery(_))), || {
        format!("requeue of a pending one: {pending:?}")
    })?;
    b.mark_notification(ids[0], DeliveryStatus::Dead, 5, Some("403".into()))
        .await?;
    let back = b.requeue_notification(ids[0]).await?;
    let back = back.map(|n| (n.status, n.attempts, n.last_error));
    same(
        back,
        Some((DeliveryStatus::Pending, 5, Some("403".into()))),
        "requeued",
    )?;
    same(b.requeue_notification(9_999).await?, None, "unknown id")
}

async fn thread_anchor_is_newest_sent_firing(ctx: Ctx) -> Outcome {
    let b = ctx.backend.as_ref();
    let ids = enqueue(
        b,
        (0..3).map(|i| notification("ops", "g", T0 + i)).collect(),
    )
    .await?;
    b.record_deliveries(vec![
        update(ids[0], DeliveryStatus::Sent, &["m1", "m1b"]),
        update(ids[1], DeliveryStatus::Sent, &["m2"]),
    ])
    .await?;
    same(
        b.thread_anchor("ops", "g", ids[2]).await?.as_deref(),
        Some("m2"),
        "newest below",
    )?;
    same(
        b.thread_anchor("ops", "g", ids[1]).await?.as_deref(),
        Some("m1"),
        "first id",
    )?;
    same(
        b.thread_anchor("ops", "other", ids[2]).await?,
        None,
        "another group",
    )
}

async fn outbox_stats_and_dead_letters(ctx: Ctx) -> Outcome {
    let b = ctx.backend.as_ref();
    let ids = enqueue(
        b,
        vec![
            notification("ops", "g", T0),
            notification("ops", "g", T0 + 1),
            notification("gone", "g", T0 + 2),
        ],
    )
    .await?;
    b.mark_notification(ids[0], DeliveryStatus::Sent, 1, None)
        .await?;
    let moved = b
        .dead_letter_unknown_receivers(vec!["ops".into()], "removed".into())
        .await?;
    same(moved, 1, "dead-lettered")?;
    let stats = b.outbox_stats().await?;
    let names: Vec<&str> = stats.iter().map(|s| s.receiver.as_str()).collect();
    same(names, vec!["gone", "ops"], "receivers by name")?;
    same(
        (stats[0].dead, stats[0].last_error.as_deref()),
        (1, Some("removed")),
        "gone",
    )?;
    same((stats[1].pending, stats[1].sent), (1, 1), "ops counts")?;
    same(stats[1].oldest_queued_ms, Some(T0 + 1), "age of the queue")
}
