//! Query plans of the outbox queries: each reads its index in order, none sorts the queue.

use super::delivery::{QUEUED_RECEIVERS, THREAD_ANCHOR, outbox_sql};
use super::outbox_stats::{COUNTS, LAST_ERROR, OLDEST_QUEUED};
use rusqlite::{Connection, params};

/// A database with the current schema and a few thousand notifications of five receivers.
fn filled() -> Connection {
    let connection = Connection::open_in_memory().unwrap();
    crate::schema::create(&connection).unwrap();
    let mut insert = connection
        .prepare(
            "INSERT INTO notifications
                 (created_ms, receiver, group_key, status, attempts, last_error, json, provider_ids, kind)
             VALUES (?1, ?2, ?3, ?4, 0, ?5, '{}', ?6, ?7)",
        )
        .unwrap();
    for i in 0..3000i64 {
        let status = ["sent", "pending", "sent", "dead", "sending"][(i % 5) as usize];
        let error = (status == "dead").then_some("timeout");
        let ids = (status == "sent").then_some(r#"["1"]"#);
        let kind = if i % 3 == 0 { "resolved" } else { "firing" };
        insert
            .execute(params![
                i,
                format!("r{}", i % 7),
                format!("g{}", i % 11),
                status,
                error,
                ids,
                kind
            ])
            .unwrap();
    }
    drop(insert);
    connection
}

/// The `detail` lines of the plan of `sql` (parameters left unbound).
fn plan(connection: &Connection, sql: &str) -> String {
    let mut statement = connection
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let mut rows = statement.raw_query();
    let mut details = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        details.push(row.get::<_, String>(3).unwrap());
    }
    details.join("\n")
}

fn assert_uses(sql: &str, index: &str) {
    let plan = plan(&filled(), sql);
    assert!(plan.contains(index), "{index} not used:\n{plan}");
    assert!(!plan.contains("TEMP B-TREE"), "sorts:\n{plan}");
}

#[test]
fn receiver_queue_reads_the_outbox_index_in_order() {
    assert_uses(&outbox_sql(), "notifications_outbox");
}

#[test]
fn oldest_queued_reads_the_first_outbox_entry() {
    assert_uses(OLDEST_QUEUED, "notifications_outbox");
}

#[test]
fn thread_anchor_reads_the_thread_index() {
    assert_uses(THREAD_ANCHOR, "notifications_thread");
}

#[test]
fn last_error_reads_the_failures_index() {
    assert_uses(LAST_ERROR, "notifications_failures");
}

#[test]
fn counts_scan_the_receiver_index_without_reading_rows() {
    assert_uses(COUNTS, "COVERING INDEX notifications_by_receiver");
}

#[test]
fn queued_receivers_come_from_the_outbox_index() {
    assert_uses(QUEUED_RECEIVERS, "notifications_outbox");
}
