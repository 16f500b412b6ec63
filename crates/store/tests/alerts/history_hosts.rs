//! The history of several hosts: one `host IN (...)` query paged newest first across them,
//! each notification listed once although it has a row under each host it covers.

use super::{all_pages, fill_history};
use crate::common::{T0, open};
use hostpulse_core::ManualClock;
use hostpulse_store::prelude::*;
use hostpulse_store::{HistoryEntry, HistoryQuery};

/// Ids of the entries, asserting they are newest first and none repeats.
fn distinct_ids_newest_first(entries: &[HistoryEntry]) -> Vec<i64> {
    let times: Vec<i64> = entries.iter().map(HistoryEntry::at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let ids: Vec<i64> = entries
        .iter()
        .map(|e| match e {
            HistoryEntry::Transition { id, .. } | HistoryEntry::Notification { id, .. } => *id,
        })
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no entry repeats across pages");
    ids
}

fn involves(entry: &HistoryEntry, hosts: &[&str]) -> bool {
    match entry {
        HistoryEntry::Transition { transition, .. } => hosts.contains(&transition.host.as_str()),
        HistoryEntry::Notification { notification, .. } => notification
            .alerts
            .iter()
            .any(|a| hosts.contains(&a.host.as_str())),
    }
}

#[tokio::test]
async fn history_of_several_hosts_pages_across_them() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(T0);
    let store = open(dir.path(), &clock).await;
    fill_history(store.as_ref()).await;
    let query = |hosts: &[&str]| HistoryQuery {
        hosts: hosts.iter().map(|h| h.to_string()).collect(),
        limit: 3,
        ..HistoryQuery::default()
    };

    let webs = all_pages(store.as_ref(), query(&["web-1", "web-2"])).await;
    assert_eq!(distinct_ids_newest_first(&webs).len(), 40);

    // web-2's 15 transitions and every notification (each also covers db-1); the five that
    // cover both web-2 and db-1 have a row under each host and are listed once.
    let web2_db1 = all_pages(store.as_ref(), query(&["web-2", "db-1"])).await;
    assert_eq!(distinct_ids_newest_first(&web2_db1).len(), 25);
    assert!(web2_db1.iter().all(|e| involves(e, &["web-2", "db-1"])));
    let web1_transitions = web2_db1.iter().filter(
        |e| matches!(e, HistoryEntry::Transition { transition, .. } if transition.host == "web-1"),
    );
    assert_eq!(web1_transitions.count(), 0);

    let first = store
        .alert_history(query(&["web-1", "unknown"]))
        .await
        .unwrap();
    assert_eq!(first.entries.len(), 3);
    assert!(first.entries.iter().all(|e| involves(e, &["web-1"])));
    let web1 = all_pages(store.as_ref(), query(&["web-1", "unknown"])).await;
    assert_eq!(web1.len(), 20);
    assert_eq!(web1[..3], first.entries[..]);
}
