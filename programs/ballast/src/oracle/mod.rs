//! Oracle adapters: turn a Pyth account into an `OracleReading` after checking that the account
//! is the one the asset is configured for. Structural problems (wrong owner, wrong feed, bad data)
//! are hard errors; freshness and confidence are judged later per action (`risk::assess_oracle`).

pub mod pyth_legacy;
pub mod pyth_pull;

use crate::error::BallastError;
use crate::risk::OracleReading;
use crate::state::{AssetConfig, OracleKind};
use anchor_lang::prelude::*;

/// Reads the asset's oracle from `account`.
pub fn read_oracle(config: &AssetConfig, account: &AccountInfo) -> Result<OracleReading> {
    let data = account.try_borrow_data()?;
    read_oracle_data(config, account.key, account.owner, &data)
}

/// Reads an oracle from its raw parts; off-chain clients call this with fetched account data.
pub fn read_oracle_data(
    config: &AssetConfig,
    key: &Pubkey,
    owner: &Pubkey,
    data: &[u8],
) -> Result<OracleReading> {
    match config.oracle_kind() {
        Some(OracleKind::PythPull) => pyth_pull::read(config, key, owner, data),
        Some(OracleKind::PythLegacy) => pyth_legacy::read(config, key, owner, data),
        None => err!(BallastError::InvalidOracleKind),
    }
}

/// Maps a fault of an oracle that must be usable to its named error.
pub fn fault_error(fault: crate::risk::OracleFault) -> BallastError {
    use crate::risk::OracleFault::*;
    match fault {
        Stale => BallastError::OracleStale,
        ConfidenceTooWide => BallastError::OracleConfidenceTooWide,
        EmaDeviation => BallastError::OracleEmaDeviation,
        NonPositivePrice => BallastError::OracleNonPositivePrice,
        PriceBelowResolution => BallastError::OraclePriceBelowResolution,
    }
}
