//! The interest curve and the protocol's share of interest.

use crate::constants::{MAX_RATE_BPS, ONE_BPS};
use crate::error::BallastError;
use crate::state::AssetConfig;
use anchor_lang::prelude::*;

pub(super) fn validate(c: &AssetConfig) -> Result<()> {
    require!(c.protocol_fee_bps < ONE_BPS, BallastError::InvalidProtocolFee);
    require!(c.util0_bps < c.util1_bps && c.util1_bps < ONE_BPS, BallastError::InvalidRateCurve);
    require!(c.rate0_bps <= c.rate1_bps && c.rate1_bps <= c.max_rate_bps, BallastError::RatesNotIncreasing);
    require!(c.max_rate_bps <= MAX_RATE_BPS, BallastError::MaxRateTooHigh);
    Ok(())
}
