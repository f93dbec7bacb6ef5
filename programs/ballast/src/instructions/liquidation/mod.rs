//! Permissionless: liquidate an unhealthy account, write off a bankrupt one.

pub mod liquidate;
pub mod resolve_bankruptcy;

pub use liquidate::*;
pub use resolve_bankruptcy::*;
