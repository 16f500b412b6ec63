//! Short tokens for the `/history` page buttons: Telegram limits a button's callback data to
//! 64 bytes, so each button carries a token naming a page (selected hosts, store cursor, previous
//! page) kept in memory for a day.

use hostpulse_core::Clock;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Prefix of the callback data of history page buttons.
pub const CALLBACK_PREFIX: &str = "history:";
/// How long a page token stays valid, milliseconds.
const TOKEN_TTL_MS: i64 = 86_400_000;
/// Most tokens kept; the oldest are dropped first.
const MAX_TOKENS: usize = 4096;

/// One page of the history as a button names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRef {
    /// The host, glob or group the page was asked for, as typed; `None` for every host.
    pub scope: Option<String>,
    /// Only entries of these hosts (what `scope` selected); empty for every host.
    pub hosts: Vec<String>,
    /// Store cursor of the page; `None` for the newest page.
    pub cursor: Option<String>,
    /// Token of the page before (newer), if any.
    pub prev: Option<u64>,
    /// 1-based page number.
    pub number: u32,
}

#[derive(Default)]
struct Tokens {
    next: u64,
    /// Token → (creation time, page); tokens grow, so the first entry is the oldest.
    pages: BTreeMap<u64, (i64, PageRef)>,
}

/// The page tokens of the running bot.
pub struct HistoryPages {
    clock: Arc<dyn Clock>,
    tokens: Mutex<Tokens>,
}

impl HistoryPages {
    /// An empty token map timed by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            tokens: Mutex::default(),
        }
    }

    /// Stores `page` and returns its token, dropping expired and surplus tokens.
    pub fn register(&self, page: PageRef) -> u64 {
        let now = self.clock.now_ms();
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens
            .pages
            .retain(|_, (created, _)| now.saturating_sub(*created) < TOKEN_TTL_MS);
        while tokens.pages.len() >= MAX_TOKENS {
            tokens.pages.pop_first();
        }
        tokens.next += 1;
        let token = tokens.next;
        tokens.pages.insert(token, (now, page));
        token
    }

    /// The page of a token that has not expired.
    pub fn get(&self, token: u64) -> Option<PageRef> {
        let now = self.clock.now_ms();
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let (created, page) = tokens.pages.get(&token)?;
        (now.saturating_sub(*created) < TOKEN_TTL_MS).then(|| page.clone())
    }
}

/// Callback data of a button that shows the page of `token`.
pub fn callback_data(token: u64) -> String {
    format!("{CALLBACK_PREFIX}{token}")
}

/// `Some` when `data` belongs to a history page button: the token, or `None` if malformed.
pub fn parse_callback(data: &str) -> Option<Option<u64>> {
    let token = data.strip_prefix(CALLBACK_PREFIX)?;
    Some(token.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hostpulse_core::ManualClock;

    fn page(number: u32) -> PageRef {
        PageRef {
            scope: None,
            hosts: Vec::new(),
            cursor: None,
            prev: None,
            number,
        }
    }

    #[test]
    fn tokens_resolve_until_they_expire() {
        let clock = ManualClock::new(1_000);
        let pages = HistoryPages::new(Arc::new(clock.clone()));
        let token = pages.register(page(2));
        assert_eq!(pages.get(token), Some(page(2)));
        assert_eq!(pages.get(token + 1), None);
        clock.advance(TOKEN_TTL_MS);
        assert_eq!(pages.get(token), None);
    }

    #[test]
    fn callback_data_fits_and_round_trips() {
        let data = callback_data(u64::MAX);
        assert!(data.len() <= 64);
        assert_eq!(parse_callback(&data), Some(Some(u64::MAX)));
        assert_eq!(parse_callback("history:x"), Some(None));
        assert_eq!(parse_callback("/ack 1"), None);
    }
}
