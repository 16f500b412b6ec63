//! hostpulse domain types shared by every crate: samples, series keys, host facts,
//! process and user snapshots, and the injectable clock. No I/O lives here.

pub mod alert;
pub mod backoff;
pub mod clock;
pub mod duration;
pub mod families;
pub mod glob;
pub mod host;
pub mod human;
#[cfg(feature = "matcher")]
pub mod matcher;
pub mod metric;
pub mod metric_catalogue;
pub mod role;
pub mod secret;
pub mod text;
pub mod time;

pub use alert::{
    Ack, Alert, AlertState, AlertTransition, DeliveryStatus, MatchOp, Matcher, Notification,
    NotificationKind, Severity, Silence, alert_fingerprint,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use families::{COLLECTOR_FAMILIES, is_collector_family};
pub use host::{
    CollectorError, ContainerEvent, ContainerInfo, ContainerSnapshot, HostFacts, ProcessInfo,
    ProcessSnapshot, UserSession,
};
pub use human::{human_bytes, short_number};
pub use metric::{Labels, MetricNameError, Sample, SeriesKey, validate_metric_name};
pub use metric_catalogue::{AGENT_METRICS, is_agent_metric};
pub use role::Role;
pub use secret::Secret;
pub use text::{escape_html, first_unprintable, is_printable};
pub use time::{timestamp, utc_datetime};
