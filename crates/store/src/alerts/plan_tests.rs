//! Query plans of the outbox and history queries: each reads its index in order, none sorts.

use super::codec::Cursor;
use super::delivery::{QUEUED_RECEIVERS, THREAD_ANCHOR, outbox_sql};
use super::history::page_sql;
use super::outbox_stats::{COUNTS, LAST_ERROR, OLDEST_QUEUED};
use super::types::HistoryQuery;
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

/// The SQL of a history page after a cursor, for `hosts`.
fn history_sql(hosts: &[&str]) -> String {
    let query = HistoryQuery {
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        ..HistoryQuery::default()
    };
    page_sql(&query, Some(Cursor { at_ms: 5, id: 9 })).0
}

#[test]
fn history_of_one_host_reads_the_host_index() {
    assert_uses(&history_sql(&["web-1"]), "alert_history_by_host");
}

#[test]
fn history_of_several_hosts_scans_the_time_index_newest_first() {
    let sql = history_sql(&["web-1", "web-2", "db-1"]);
    assert!(sql.contains("IN (?1, ?2, ?3)"), "{sql}");
    assert_uses(&sql, "alert_history_by_time_host");
}

#[test]
fn whole_history_scans_the_time_index() {
    assert_uses(&history_sql(&[]), "alert_history_by_time_host");
}
