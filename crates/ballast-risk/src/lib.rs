//! Ballast's risk engine: pure functions over plain data, no Anchor types and no I/O, so the
//! program, the SDK, the keeper, the CLI and the sandbox compute the same health to the last unit.
//!
//! Units: token balances are native units (I80F48, signed: positive is collateral, negative is a
//! liability); prices are quote-native units (micro-USD, `QUOTE_DECIMALS` = 6) per token-native
//! unit; values are quote-native units.
//!
//! Modules: `constants`, `math` (checked fixed point, rounding), `factors` (an asset's factor
//! inputs from its parameters and pool), `price` (oracle readings to conservative
//! prices), `interest` (rate curve, indices, the only share rounding), `volatility` (the EWMA
//! crank), `health` (portfolio health with the cross-position factors), `limits` (max borrow / withdraw for a target health), `liquidation` (planning,
//! bonus, bankruptcy arithmetic), `types` (the engine's inputs), `governance` (which changes tighten, glides, pauses, the
//! timelock), `derivatives` (futures PnL and the SPAN-style scan per underlying), `black76`
//! (option values and Greeks at Black-76 in fixed point, on `math::transcendental`).

pub mod black76;
pub mod constants;
pub mod derivatives;
pub mod factors;
pub mod governance;
pub mod health;
pub mod interest;
pub mod limits;
pub mod liquidation;
pub mod math;
pub mod options;
pub mod price;
pub mod types;
pub mod volatility;

#[cfg(test)]
mod proptests;

pub use black76::*;
pub use constants::*;
pub use derivatives::*;
pub use factors::*;
pub use health::*;
pub use interest::*;
pub use limits::*;
pub use liquidation::*;
pub use options::*;
pub use price::*;
pub use types::*;
pub use volatility::*;
