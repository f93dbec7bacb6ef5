//! The oracle an asset pins and the limits a reading must pass.

use crate::constants::{MAX_CONF_MULTIPLIER_BPS, ONE_BPS};
use crate::error::BallastError;
use crate::state::{AssetConfig, OracleKind};
use anchor_lang::prelude::*;

pub(super) fn validate(c: &AssetConfig) -> Result<()> {
    let kind = c.oracle_kind().ok_or(BallastError::InvalidOracleKind)?;
    require!(c.oracle != Pubkey::default(), BallastError::OracleAccountUnset);
    match kind {
        OracleKind::PythPull => require!(c.feed_id != [0; 32], BallastError::PullOracleWithoutFeedId),
        OracleKind::PythLegacy => require!(c.feed_id == [0; 32], BallastError::LegacyOracleWithFeedId),
    }
    require!(c.max_staleness_secs > 0, BallastError::ZeroMaxStaleness);
    require!(c.max_conf_bps > 0 && c.max_conf_bps <= ONE_BPS, BallastError::MaxConfOutOfRange);
    require!(
        c.liquidation_max_conf_bps >= c.max_conf_bps && c.liquidation_max_conf_bps <= ONE_BPS,
        BallastError::LiquidationMaxConfOutOfRange
    );
    require!(c.max_ema_deviation_bps > 0, BallastError::ZeroMaxEmaDeviation);
    require!(c.conf_multiplier_bps <= MAX_CONF_MULTIPLIER_BPS, BallastError::ConfMultiplierTooHigh);
    Ok(())
}
