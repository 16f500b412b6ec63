//! The `alerting:`, `routes:`, `receivers:`, `inhibit_rules:` and `maintenance:` sections:
//! how alerts become notifications.

use serde::Deserialize;

use crate::validate::Validator;

/// Validated alert-manager settings of the hub.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertingConfig {}

/// The `alerting:` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAlerting {}

/// One route as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRoute {}

/// One receiver as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReceiver {}

/// One inhibition rule as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawInhibit {}

/// One maintenance window as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMaintenance {}

/// The alert-manager sections as written, gathered for validation.
#[derive(Debug, Default)]
pub(crate) struct RawAlertingSections {
    pub(crate) alerting: Option<RawAlerting>,
    pub(crate) routes: Option<Vec<RawRoute>>,
    pub(crate) receivers: Option<Vec<RawReceiver>>,
    pub(crate) inhibit_rules: Option<Vec<RawInhibit>>,
    pub(crate) maintenance: Option<Vec<RawMaintenance>>,
}

/// Validates the alert-manager sections.
pub(crate) fn validate(raw: RawAlertingSections, v: &mut Validator) -> AlertingConfig {
    let _ = (raw, v);
    AlertingConfig::default()
}
