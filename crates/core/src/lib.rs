//! hostpulse domain types shared by every crate: samples, series keys, host facts,
//! process and user snapshots, and the injectable clock. No I/O lives here.

pub mod alert;
pub mod backoff;
pub mod calendar;
pub mod clock;
pub mod host;
pub mod human;
pub mod metric;
pub mod metric_catalogue;
pub mod text;

pub use alert::{
    Ack, Alert, AlertState, AlertTransition, DeliveryStatus, MatchOp, Matcher, Notification,
    NotificationKind, Severity, Silence, alert_fingerprint,
};
pub use calendar::{UtcDateTime, civil_from_days, utc_datetime};
pub use clock::{Clock, ManualClock, SystemClock};
pub use host::{CollectorError, HostFacts, ProcessInfo, ProcessSnapshot, UserSession};
pub use human::{human_bytes, short_number};
pub use metric::{Labels, MetricNameError, Sample, SeriesKey, validate_metric_name};
pub use metric_catalogue::{AGENT_METRICS, is_agent_metric};
pub use text::{first_unprintable, is_printable};
