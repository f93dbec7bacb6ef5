//! Base weights and the liquidation fee they bound.

use crate::constants::{MAX_LIAB_WEIGHT_BPS, ONE_BPS};
use crate::error::BallastError;
use crate::state::AssetConfig;
use anchor_lang::prelude::*;

pub(super) fn validate(c: &AssetConfig) -> Result<()> {
    require!(c.init_asset_weight_bps > 0, BallastError::ZeroInitAssetWeight);
    require!(c.init_asset_weight_bps <= c.maint_asset_weight_bps, BallastError::InvalidAssetWeights);
    require!(c.maint_asset_weight_bps <= ONE_BPS, BallastError::AssetWeightAboveOne);
    require!(c.maint_liab_weight_bps >= ONE_BPS, BallastError::LiabilityWeightBelowOne);
    require!(c.init_liab_weight_bps >= c.maint_liab_weight_bps, BallastError::InvalidLiabilityWeights);
    require!(c.init_liab_weight_bps <= MAX_LIAB_WEIGHT_BPS, BallastError::LiabilityWeightTooHigh);
    require!(c.liquidation_fee_bps <= c.max_liquidation_fee_bps, BallastError::LiquidationFeeAboveMax);
    // The bonus (up to its cap) must be smaller than the maintenance haircut, or seizing this
    // collateral would itself make the account less healthy. An asset without a haircut
    // (maint weight 1) pays no bonus of its own.
    require!(
        c.max_liquidation_fee_bps == 0 || c.max_liquidation_fee_bps < ONE_BPS - c.maint_asset_weight_bps,
        BallastError::InvalidLiquidationFee
    );
    Ok(())
}
