//! Parameter invariants, checked on every change (register and update), per domain, with one
//! named error per check so governance sees exactly which bound a config broke. The bounds are
//! in `constants`.

mod factors;
mod group;
mod lending;
mod market;
mod oracle;
mod weights;

pub use crate::constants::{MAX_DUST_VALUE, MAX_MINT_DECIMALS};
pub use group::validate_group_config;
pub use market::{validate_market_config, validate_market_params};

use crate::error::BallastError;
use crate::risk::VolSurfaceError;
use crate::state::{AssetConfig, ASSET_FLAG_FROZEN, ASSET_FLAG_REDUCE_ONLY};
use anchor_lang::prelude::*;

pub fn validate_asset_config(c: &AssetConfig) -> Result<()> {
    oracle::validate(c)?;
    weights::validate(c)?;
    lending::validate(c)?;
    require!(c.flags & !(ASSET_FLAG_REDUCE_ONLY | ASSET_FLAG_FROZEN) == 0, BallastError::InvalidFlags);
    factors::validate(c)?;
    require!(
        c.maint_weight_glide_secs <= crate::risk::governance::MAX_GLIDE_SECS,
        BallastError::GlideTooLong
    );
    c.vol_surface.surface().validate().map_err(|e| {
        error!(match e {
            VolSurfaceError::TenorsNotIncreasing => BallastError::VolSurfaceTenorsNotIncreasing,
            VolSurfaceError::AtmVolOutOfBounds => BallastError::VolSurfaceAtmOutOfBounds,
            VolSurfaceError::WingOutOfBounds => BallastError::VolSurfaceWingOutOfBounds,
        })
    })?;
    Ok(())
}
