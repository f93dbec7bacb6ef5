use super::patching::{patched_asset_config, patched_group_settings, patched_market_config};
use crate::error::BallastError;
use crate::events::ProposalCreated;
use crate::state::{
    Asset, Group, Market, PatchEntry, Proposal, ProposalStatus, ProposalTarget, PROPOSAL_SEED, PROPOSAL_SIZE,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ProposePatch<'info> {
    #[account(mut, constraint = group.load()?.admin == admin.key() @ BallastError::NotAdmin)]
    pub group: AccountLoader<'info, Group>,
    pub admin: Signer<'info>,
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(
        init,
        payer = payer,
        space = PROPOSAL_SIZE,
        seeds = [PROPOSAL_SEED, group.key().as_ref(), &group.load()?.proposal_count.to_le_bytes()],
        bump
    )]
    pub proposal: AccountLoader<'info, Proposal>,
    /// The asset the patch changes; none: the group's settings.
    #[account(constraint = asset.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub asset: Option<AccountLoader<'info, Asset>>,
    pub system_program: Program<'info, System>,
    /// The market the patch changes (instead of an asset).
    #[account(constraint = market.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub market: Option<AccountLoader<'info, Market>>,
}

/// Proposes a patch (typically a loosening) of an asset, a market or the group. The patched config must
/// validate now and will be validated again, against the config as it stands then, when
/// `execute_proposal` runs it, from `now + timelock_delay_secs` for `PROPOSAL_GRACE_SECS`.
pub fn propose_patch(ctx: Context<ProposePatch>, entries: Vec<PatchEntry>) -> Result<()> {
    let group_key = ctx.accounts.group.key();
    let now = Clock::get()?.unix_timestamp;
    let mut group = ctx.accounts.group.load_mut()?;
    let (kind, target_key, changes) = match (&ctx.accounts.asset, &ctx.accounts.market) {
        (None, None) => {
            let (_, judged) = patched_group_settings(&group, &entries)?;
            (ProposalTarget::Group, group_key, judged.iter().map(|j| j.event()).collect::<Vec<_>>())
        }
        (Some(loader), None) => {
            let asset = loader.load()?;
            let (_, judged) = patched_asset_config(&asset, &entries, now)?;
            (ProposalTarget::Asset, loader.key(), judged.iter().map(|j| j.event()).collect::<Vec<_>>())
        }
        (None, Some(loader)) => {
            let market = loader.load()?;
            let (_, judged) = patched_market_config(&market, &entries)?;
            (ProposalTarget::Market, loader.key(), judged.iter().map(|j| j.event()).collect::<Vec<_>>())
        }
        (Some(_), Some(_)) => return err!(BallastError::PatchTargetAmbiguous),
    };
    let proposal_num = group.proposal_count;
    group.proposal_count = proposal_num.checked_add(1).ok_or(BallastError::MathOverflow)?;
    let eta =
        now.checked_add(i64::from(group.config.timelock_delay_secs)).ok_or(BallastError::MathOverflow)?;

    let mut p = ctx.accounts.proposal.load_init()?;
    p.group = group_key;
    p.target = target_key;
    p.proposer = ctx.accounts.admin.key();
    p.proposal_num = proposal_num;
    p.created_ts = now;
    p.eta = eta;
    p.target_kind = kind as u8;
    p.status = ProposalStatus::Pending as u8;
    p.entry_count = entries.len() as u8; // <= MAX_PATCH_ENTRIES, checked by `patch::apply`
    p.bump = ctx.bumps.proposal;
    p.entries[..entries.len()].copy_from_slice(&entries);
    for (slot, change) in p.old_values.iter_mut().zip(changes.iter()) {
        *slot = change.old;
    }
    emit!(ProposalCreated {
        group: group_key,
        proposal: ctx.accounts.proposal.key(),
        proposal_num,
        target: target_key,
        proposer: p.proposer,
        eta,
        changes,
    });
    Ok(())
}
