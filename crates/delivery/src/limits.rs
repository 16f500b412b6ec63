//! Rate limits of a receiver: its own (`rate_limit`), plus limits shared by every receiver of
//! one account, such as Telegram's 30 messages per second per bot.

use crate::bucket::TokenBucket;
use hostpulse_notify::{RateLimit, ReceiverConfig, ReceiverKind};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Messages per second one Telegram bot may send in all.
pub const TELEGRAM_BOT_LIMIT: RateLimit = RateLimit {
    count: 30,
    per: Duration::from_secs(1),
};

/// Buckets shared between receivers, by account key (never the secret itself).
#[derive(Default)]
pub(crate) struct SharedLimits {
    buckets: Mutex<HashMap<String, Arc<Mutex<TokenBucket>>>>,
}

impl SharedLimits {
    /// The buckets a receiver must take a token from for each message.
    pub(crate) fn for_receiver(
        &self,
        receiver: &ReceiverConfig,
        now_ms: i64,
    ) -> Vec<Arc<Mutex<TokenBucket>>> {
        let mut limits = Vec::new();
        if let Some(limit) = receiver.rate_limit {
            limits.push(Arc::new(Mutex::new(TokenBucket::new(limit, now_ms))));
        }
        if let Some((key, limit)) = account_limit(receiver)
            && let Ok(mut buckets) = self.buckets.lock()
        {
            let bucket = buckets
                .entry(key)
                .or_insert_with(|| Arc::new(Mutex::new(TokenBucket::new(limit, now_ms))));
            limits.push(Arc::clone(bucket));
        }
        limits
    }
}

/// The account-wide limit of a receiver, keyed by a hash of its credential.
fn account_limit(receiver: &ReceiverConfig) -> Option<(String, RateLimit)> {
    match &receiver.kind {
        ReceiverKind::Telegram(settings) => {
            let digest = Sha256::digest(settings.bot_token.expose().as_bytes());
            let key = format!("telegram:{}", hex::encode(&digest[..8]));
            Some((key, TELEGRAM_BOT_LIMIT))
        }
        _ => None,
    }
}
