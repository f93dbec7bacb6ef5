//! Derivative positions: bilateral futures trades, PnL settlement, expiry, liquidation.

pub mod liquidate_derivative;
pub mod settle_expiry;
pub mod settle_pnl;
pub mod trade;

pub use liquidate_derivative::*;
pub use settle_expiry::*;
pub use settle_pnl::*;
pub use trade::*;
