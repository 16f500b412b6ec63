//! The alert manager: a pipeline of small stages from active alerts to notification records.
