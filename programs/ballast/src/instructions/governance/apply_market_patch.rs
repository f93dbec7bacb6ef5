use super::patching::{commit_market_config, patched_market_config, require_may_apply, role_of};
use crate::error::BallastError;
use crate::state::{Group, Market, PatchEntry};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ApplyMarketPatch<'info> {
    pub group: AccountLoader<'info, Group>,
    /// The admin or the risk guardian.
    pub authority: Signer<'info>,
    #[account(mut, constraint = market.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub market: AccountLoader<'info, Market>,
}

/// Changes some of a market's fields at once, by the rules of `apply_asset_patch`: the guardian
/// may tighten (a lower open-interest cap or band, a higher least Init range, a lower Init PnL
/// weight, reduce-only); the admin may also loosen in a group without a timelock. Everything
/// that moves Maint (the range multiplier, the least Maint range, the extreme move and its
/// fraction, the Maint PnL weight) goes through `propose_patch`.
pub fn apply_market_patch(ctx: Context<ApplyMarketPatch>, entries: Vec<PatchEntry>) -> Result<()> {
    let by = ctx.accounts.authority.key();
    let (role, delay) = {
        let group = ctx.accounts.group.load()?;
        (role_of(&group, &by)?, group.config.timelock_delay_secs)
    };
    let key = ctx.accounts.market.key();
    let mut market = ctx.accounts.market.load_mut()?;
    let (config, judged) = patched_market_config(&market, &entries)?;
    require_may_apply(role, &judged, |_| true, |f| f.label(), delay)?;
    commit_market_config(&mut market, key, &config, &judged, by, None);
    Ok(())
}
