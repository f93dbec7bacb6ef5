//! Group-wide settings: the liquidation bonus ramp, the insurance share, dust, z, and the
//! correlation groups' weights, the timelock.

use crate::constants::{MAX_BONUS_RAMP_SECS, MAX_DUST_VALUE, MAX_LIAB_WEIGHT_BPS, MAX_Z_BPS, ONE_BPS};
use crate::error::BallastError;
use crate::state::GroupConfig;
use anchor_lang::prelude::*;

pub fn validate_group_config(c: &GroupConfig) -> Result<()> {
    require!(c.liquidation_bonus_ramp_secs <= MAX_BONUS_RAMP_SECS, BallastError::BonusRampTooLong);
    require!(c.insurance_share_bps <= ONE_BPS, BallastError::InsuranceShareAboveOne);
    require!(c.dust_value <= MAX_DUST_VALUE, BallastError::DustValueTooHigh);
    require!(c.z_maint_bps <= c.z_init_bps, BallastError::ZMaintAboveZInit);
    require!(c.z_init_bps <= MAX_Z_BPS, BallastError::ZTooHigh);
    require!(
        c.timelock_delay_secs <= crate::risk::governance::MAX_TIMELOCK_DELAY_SECS,
        BallastError::TimelockTooLong
    );
    for g in c.correlation_groups.iter().filter(|g| g.is_used()) {
        require!(
            g.init_asset_weight_bps <= g.maint_asset_weight_bps
                && g.init_liab_weight_bps >= g.maint_liab_weight_bps,
            BallastError::InvalidCorrelationGroup
        );
        require!(
            g.maint_asset_weight_bps <= ONE_BPS
                && g.maint_liab_weight_bps >= ONE_BPS
                && g.init_liab_weight_bps <= MAX_LIAB_WEIGHT_BPS,
            BallastError::CorrelationWeightOutOfRange
        );
    }
    Ok(())
}
