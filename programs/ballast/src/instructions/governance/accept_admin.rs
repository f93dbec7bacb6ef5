use crate::error::BallastError;
use crate::events::AdminChanged;
use crate::state::Group;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    #[account(mut)]
    pub group: AccountLoader<'info, Group>,
    pub new_admin: Signer<'info>,
}

/// Second step: the offered admin signs and becomes the admin. (The group's address stays the
/// PDA of its first admin and number.)
pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
    let key = ctx.accounts.new_admin.key();
    let mut group = ctx.accounts.group.load_mut()?;
    require!(
        group.pending_admin != Pubkey::default() && group.pending_admin == key,
        BallastError::NotPendingAdmin
    );
    let old = group.admin;
    group.admin = key;
    group.pending_admin = Pubkey::default();
    emit!(AdminChanged { group: ctx.accounts.group.key(), old_admin: old, new_admin: key });
    Ok(())
}
