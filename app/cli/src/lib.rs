//! The `ballast` command line as a library: every command is a function returning a
//! structured result (rendered as a table or as JSON by the binary), generic over
//! `ballast_sdk::Chain` so the same code runs against a cluster over JSON-RPC and against
//! solana-program-test's in-process chain in tests.

pub mod calc;
pub mod commands;
pub mod config;
pub mod error;
pub mod params;
pub mod render;
pub mod report;
pub mod units;

pub use error::{CliError, CliResult};
