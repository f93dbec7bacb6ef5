//! Ballast's risk engine: pure functions over plain data, no Anchor types and no I/O, so the
//! program, the SDK, the keeper, the CLI and the sandbox compute the same health to the last unit.
//!
//! Units: token balances are native units (I80F48, signed: positive is collateral, negative is a
//! liability); prices are quote-native units (micro-USD, `QUOTE_DECIMALS` = 6) per token-native
//! unit; values are quote-native units.
//!
//! Modules: `math` (checked fixed point, rounding), `price` (oracle readings to conservative
//! prices), `interest` (rate curve, indices, the only share rounding), `volatility` (the EWMA
//! crank), `health` (portfolio health with the cross-position factors), `liquidation` (planning,
//! bonus, bankruptcy arithmetic), `types` (the engine's inputs).

pub mod health;
pub mod interest;
pub mod liquidation;
pub mod math;
pub mod price;
pub mod types;
pub mod volatility;

#[cfg(test)]
mod proptests;

pub use health::*;
pub use interest::*;
pub use liquidation::*;
pub use price::*;
pub use types::*;
pub use volatility::*;
