//! Errors of Bot API calls: the hub's one Bot API client's, classified by what the caller
//! should do about them.

pub use hostpulse_notify::BotApiError;
