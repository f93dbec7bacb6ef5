use crate::error::BallastError;
use crate::events::GroupUpdated;
use crate::state::{Group, GroupConfig};
use crate::validation::validate_group_config;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdateGroup<'info> {
    #[account(mut, constraint = group.load()?.admin == admin.key() @ BallastError::NotAdmin)]
    pub group: AccountLoader<'info, Group>,
    pub admin: Signer<'info>,
}

/// Replaces the group-wide settings (liquidation, volatility z, correlation groups). Admin only.
pub fn update_group(ctx: Context<UpdateGroup>, config: GroupConfig) -> Result<()> {
    validate_group_config(&config)?;
    let mut group = ctx.accounts.group.load_mut()?;
    let old_config = group.config;
    group.config = config;
    emit!(GroupUpdated { group: ctx.accounts.group.key(), old_config, new_config: config });
    Ok(())
}
