//! The volatility crank and the cross-position factors.

use crate::constants::{MAX_HORIZON_SECS, MAX_SIGMA_BPS, ONE_BPS};
use crate::error::BallastError;
use crate::risk::MAX_CORRELATION_GROUPS;
use crate::state::AssetConfig;
use anchor_lang::prelude::*;

pub(super) fn validate(c: &AssetConfig) -> Result<()> {
    require!(c.sigma_floor_bps <= MAX_SIGMA_BPS, BallastError::SigmaFloorTooHigh);
    require!(c.liquidation_horizon_secs <= MAX_HORIZON_SECS, BallastError::HorizonTooLong);
    require!(c.ewma_lambda_bps < ONE_BPS, BallastError::EwmaLambdaNotBelowOne);
    // Samples at least a staleness window apart: every sample needs a reading the previous one
    // could not have used.
    require!(
        c.liquidation_horizon_secs == 0 || c.vol_sample_interval_secs >= c.max_staleness_secs,
        BallastError::VolSampleIntervalBelowStaleness
    );
    require!(c.concentration_haircut_bps <= ONE_BPS, BallastError::ConcentrationHaircutAboveOne);
    require!(
        usize::from(c.correlation_group) <= MAX_CORRELATION_GROUPS,
        BallastError::UnknownCorrelationGroup
    );
    Ok(())
}
