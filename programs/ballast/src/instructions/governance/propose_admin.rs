use crate::error::BallastError;
use crate::events::AdminProposed;
use crate::state::Group;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    #[account(mut, constraint = group.load()?.admin == admin.key() @ BallastError::NotAdmin)]
    pub group: AccountLoader<'info, Group>,
    pub admin: Signer<'info>,
}

/// First step of handing the group over: offers the admin role to `new_admin` (any pubkey: a
/// Squads vault or an SPL Governance PDA signs `accept_admin` through its own program).
/// `Pubkey::default()` withdraws the offer. Nothing changes until the new admin accepts, so a
/// mistyped key costs nothing.
pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
    let mut group = ctx.accounts.group.load_mut()?;
    let old = group.pending_admin;
    group.pending_admin = new_admin;
    emit!(AdminProposed {
        group: ctx.accounts.group.key(),
        admin: group.admin,
        old_pending_admin: old,
        new_pending_admin: new_admin,
    });
    Ok(())
}
