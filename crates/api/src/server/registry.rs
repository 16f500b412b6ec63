//! The open connections: a global cap, and which of them have shown a valid token, so
//! that the oldest unauthenticated one makes room when the cap is reached and one peer's
//! unauthenticated connections beyond its quota are answered 429.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

/// One open connection, unregistered on drop.
pub struct Ticket {
    id: u64,
    peer: IpAddr,
    registry: Arc<Registry>,
    close: Arc<Notify>,
}

struct Entry {
    peer: IpAddr,
    authenticated: bool,
    close: Arc<Notify>,
}

/// Every open connection by id (ids grow, so the smallest is the oldest).
pub struct Registry {
    max_connections: usize,
    max_unauthenticated_per_peer: usize,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    open: BTreeMap<u64, Entry>,
}

impl Registry {
    pub fn new(max_connections: usize, max_unauthenticated_per_peer: usize) -> Arc<Self> {
        Arc::new(Self {
            max_connections: max_connections.max(1),
            max_unauthenticated_per_peer: max_unauthenticated_per_peer.max(1),
            state: Mutex::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a new connection from `peer`. At the cap, the oldest unauthenticated
    /// connection of the peer holding the most of them is closed to make room; with
    /// none to close, the new connection is refused (`None`).
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Ticket> {
        let mut state = self.lock();
        if state.open.len() >= self.max_connections {
            let victim = state.eviction_candidate()?;
            if let Some(entry) = state.open.remove(&victim) {
                entry.close.notify_one();
            }
        }
        let id = state.next_id;
        state.next_id += 1;
        let close = Arc::new(Notify::new());
        let entry = Entry {
            peer,
            authenticated: false,
            close: close.clone(),
        };
        state.open.insert(id, entry);
        Some(Ticket {
            id,
            peer,
            registry: self.clone(),
            close,
        })
    }

    /// Open connections.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().open.len()
    }
}

impl State {
    fn eviction_candidate(&self) -> Option<u64> {
        let mut per_peer: BTreeMap<IpAddr, (usize, u64)> = BTreeMap::new();
        for (&id, entry) in self.open.iter().filter(|(_, e)| !e.authenticated) {
            let slot = per_peer.entry(entry.peer).or_insert((0, id));
            slot.0 += 1;
        }
        per_peer
            .into_values()
            .max_by_key(|&(count, oldest)| (count, std::cmp::Reverse(oldest)))
            .map(|(_, oldest)| oldest)
    }
}

impl Ticket {
    /// Marks the connection as having shown a valid token.
    pub fn authenticate(&self) {
        if let Some(entry) = self.registry.lock().open.get_mut(&self.id) {
            entry.authenticated = true;
        }
    }

    /// Whether the connection has shown a valid token.
    pub fn is_authenticated(&self) -> bool {
        let state = self.registry.lock();
        state.open.get(&self.id).is_some_and(|e| e.authenticated)
    }

    /// Whether the peer has at least its quota of older unauthenticated connections.
    pub fn over_peer_quota(&self) -> bool {
        let state = self.registry.lock();
        let older = state
            .open
            .range(..self.id)
            .filter(|(_, e)| e.peer == self.peer && !e.authenticated)
            .count();
        older >= self.registry.max_unauthenticated_per_peer
    }

    /// The peer's address.
    pub fn peer(&self) -> IpAddr {
        self.peer
    }

    /// Resolves when the registry closed this connection to make room.
    pub async fn closed(&self) {
        self.close.notified().await;
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.registry.lock().open.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn cap_evicts_the_oldest_unauthenticated_connection() {
        let registry = Registry::new(3, 10);
        let first = registry.admit(ip(1)).unwrap();
        let second = registry.admit(ip(1)).unwrap();
        let third = registry.admit(ip(2)).unwrap();
        first.authenticate();
        let fourth = registry.admit(ip(3)).unwrap();
        assert_eq!(registry.len(), 3);
        // `second` was the oldest unauthenticated connection of the busiest peer.
        assert!(!registry.lock().open.contains_key(&second.id));
        assert!(first.is_authenticated());
        drop((third, fourth));
        assert_eq!(registry.len(), 1);
    }

    #[test]
    fn full_of_authenticated_connections_refuses_new_ones() {
        let registry = Registry::new(1, 10);
        let only = registry.admit(ip(1)).unwrap();
        only.authenticate();
        assert!(registry.admit(ip(2)).is_none());
    }

    #[test]
    fn peer_quota_counts_older_unauthenticated_connections() {
        let registry = Registry::new(10, 2);
        let a = registry.admit(ip(1)).unwrap();
        let b = registry.admit(ip(1)).unwrap();
        let c = registry.admit(ip(1)).unwrap();
        let other = registry.admit(ip(2)).unwrap();
        assert!(!a.over_peer_quota() && !b.over_peer_quota());
        assert!(c.over_peer_quota());
        assert!(!other.over_peer_quota());
        a.authenticate();
        assert!(!c.over_peer_quota());
    }
}
