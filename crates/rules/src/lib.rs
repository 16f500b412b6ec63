//! Alert rules: expression language, evaluation over recent samples, and the alert lifecycle.
