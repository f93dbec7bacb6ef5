use super::patching::{commit_asset_config, patched_asset_config, require_may_apply, role_of};
use crate::error::BallastError;
use crate::risk::governance::{Role, MIN_GUARDIAN_GLIDE_SECS};
use crate::state::{Asset, Group, PatchEntry};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ApplyAssetPatch<'info> {
    pub group: AccountLoader<'info, Group>,
    /// The admin or the risk guardian.
    pub authority: Signer<'info>,
    #[account(mut, constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: AccountLoader<'info, Asset>,
    /// CHECK: validated against the patched config by `read_oracle`.
    pub oracle: UncheckedAccount<'info>,
}

/// Changes some of an asset's fields at once. The guardian may only tighten (and never freeze);
/// the admin may tighten, and loosen only in a group without a timelock (delay zero); anything
/// else must go through `propose_patch`. Tightened maintenance weights glide in over the asset's
/// window (the guardian's over at least `MIN_GUARDIAN_GLIDE_SECS`); Init weights and every other
/// field change at once.
pub fn apply_asset_patch(ctx: Context<ApplyAssetPatch>, entries: Vec<PatchEntry>) -> Result<()> {
    let by = ctx.accounts.authority.key();
    let (role, delay) = {
        let group = ctx.accounts.group.load()?;
        (role_of(&group, &by)?, group.config.timelock_delay_secs)
    };
    let now = Clock::get()?.unix_timestamp;
    let mut asset = ctx.accounts.asset.load_mut()?;
    let (config, judged) = patched_asset_config(&asset, &entries, now)?;
    require_may_apply(role, &judged, |f| f.guardian_may_tighten(), |f| f.label(), delay)?;
    let min_glide = if role == Role::Guardian { MIN_GUARDIAN_GLIDE_SECS } else { 0 };
    let key = ctx.accounts.asset.key();
    commit_asset_config(&mut asset, key, &ctx.accounts.oracle, &config, &judged, by, None, now, min_glide)
}
