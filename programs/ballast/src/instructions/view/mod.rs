//! Read-only: health as return data and an event.

pub mod health_report;

pub use health_report::*;
