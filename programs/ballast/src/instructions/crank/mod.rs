//! Permissionless upkeep: the volatility sample.

pub mod update_volatility;

pub use update_volatility::*;
