use crate::error::{BallastError, IntoAnchor};
use crate::events::AssetUpdated;
use crate::math::I80F48;
use crate::oracle::pyth_pull::pin_default_account;
use crate::oracle::read_oracle;
use crate::state::{Asset, AssetConfig, Group};
use crate::validation::validate_asset_config;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdateAsset<'info> {
    #[account(constraint = group.load()?.admin == admin.key() @ BallastError::NotAdmin)]
    pub group: AccountLoader<'info, Group>,
    pub admin: Signer<'info>,
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: AccountLoader<'info, Asset>,
    /// CHECK: validated against the new config by `read_oracle`.
    pub oracle: UncheckedAccount<'info>,
}

/// Replaces the asset's whole config (clients read, modify, and send it back). Interest is
/// accrued first so the old rate curve applies to the time before the change. Only here can the
/// pinned oracle account change; when it does, the latest accepted publish time restarts from
/// the new account's reading.
pub fn update_asset(ctx: Context<UpdateAsset>, config: AssetConfig) -> Result<()> {
    let mut config = config;
    pin_default_account(&mut config);
    validate_asset_config(&config)?;
    let reading = read_oracle(&config, &ctx.accounts.oracle)?;
    let now = Clock::get()?.unix_timestamp;
    let mut asset = ctx.accounts.asset.load_mut()?;
    let old_config = asset.config;
    asset.accrue_interest(now).anchor()?;
    if config.oracle != old_config.oracle {
        // Another account is another price series: its first reading is a new start, for the
        // replay guard and for the volatility samples (no return across the two feeds).
        asset.oracle_last_publish_ts = reading.publish_time;
        asset.vol_last_price = I80F48::ZERO.into();
        asset.vol_last_publish_ts = 0;
    }
    asset.apply_config(&config).anchor()?;
    emit!(AssetUpdated {
        group: asset.group,
        asset: ctx.accounts.asset.key(),
        asset_index: asset.asset_index,
        old_config,
        new_config: config,
    });
    Ok(())
}
