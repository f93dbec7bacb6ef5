use super::patching::{commit_group_settings, patched_group_settings, require_may_apply, role_of};
use crate::state::{Group, PatchEntry};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ApplyGroupPatch<'info> {
    #[account(mut)]
    pub group: AccountLoader<'info, Group>,
    /// The admin or the risk guardian.
    pub authority: Signer<'info>,
}

/// Changes some of the group's settings at once, under the same rules as `apply_asset_patch`.
/// Only z_init has a safe direction (up); every other group field, the guardian and the
/// timelock itself included, waits for the timelock in a group that has one.
pub fn apply_group_patch(ctx: Context<ApplyGroupPatch>, entries: Vec<PatchEntry>) -> Result<()> {
    let by = ctx.accounts.authority.key();
    let key = ctx.accounts.group.key();
    let mut group = ctx.accounts.group.load_mut()?;
    let role = role_of(&group, &by)?;
    let (settings, judged) = patched_group_settings(&group, &entries)?;
    require_may_apply(role, &judged, |_| true, |f| f.label(), group.config.timelock_delay_secs)?;
    commit_group_settings(&mut group, key, &settings, &judged, by, None);
    Ok(())
}
