//! Permissionless upkeep: the volatility sample and option risk arrays.

pub mod update_risk_array;
pub mod update_volatility;

pub use update_risk_array::*;
pub use update_volatility::*;
