use crate::events::GroupCreated;
use crate::state::{Group, GroupConfig, GROUP_SEED};
use crate::validation::validate_group_config;
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(group_num: u16)]
pub struct InitGroup<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// Governance authority of the new group.
    pub admin: Signer<'info>,
    #[account(
        init,
        payer = payer,
        space = Group::SIZE,
        seeds = [GROUP_SEED, admin.key().as_ref(), &group_num.to_le_bytes()],
        bump
    )]
    pub group: AccountLoader<'info, Group>,
    pub system_program: Program<'info, System>,
}

pub fn init_group(
    ctx: Context<InitGroup>,
    group_num: u16,
    risk_guardian: Pubkey,
    config: GroupConfig,
) -> Result<()> {
    validate_group_config(&config)?;
    let mut group = ctx.accounts.group.load_init()?;
    group.admin = ctx.accounts.admin.key();
    group.risk_guardian = risk_guardian;
    group.group_num = group_num;
    group.bump = ctx.bumps.group;
    group.config = config;
    emit!(GroupCreated {
        group: ctx.accounts.group.key(),
        admin: group.admin,
        risk_guardian,
        group_num,
        config
    });
    Ok(())
}
