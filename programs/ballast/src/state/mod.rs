//! On-chain accounts. All are zero-copy with reserved space and compile-time size asserts.

pub mod asset;
pub mod group;
pub mod margin_account;

pub use asset::*;
pub use group::*;
pub use margin_account::*;
