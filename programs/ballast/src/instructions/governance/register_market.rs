use crate::constants::QUOTE_DECIMALS;
use crate::error::BallastError;
use crate::events::MarketRegistered;
use crate::state::{Asset, Group, Market, MarketConfig, MARKET_SEED, MARKET_SIZE};
use crate::validation::validate_market_config;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct RegisterMarket<'info> {
    #[account(mut, constraint = group.load()?.admin == admin.key() @ BallastError::NotAdmin)]
    pub group: AccountLoader<'info, Group>,
    pub admin: Signer<'info>,
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(
        init,
        payer = payer,
        space = MARKET_SIZE,
        seeds = [MARKET_SEED, group.key().as_ref(), &group.load()?.market_count.to_le_bytes()],
        bump
    )]
    pub market: AccountLoader<'info, Market>,
    /// The underlying: a listed asset of this group.
    #[account(constraint = underlying.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub underlying: AccountLoader<'info, Asset>,
    /// The quote asset PnL settles into: a listed asset of this group.
    #[account(constraint = quote.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub quote: AccountLoader<'info, Asset>,
    pub system_program: Program<'info, System>,
}

/// Lists a derivative series on `underlying`, settled in `quote` (a 6-decimal dollar stablecoin). Admin only: a listing adds
/// risk, so it is the admin's (through its multisig or DAO), like `register_asset`.
pub fn register_market(ctx: Context<RegisterMarket>, config: MarketConfig) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    validate_market_config(&config, now)?;
    require_keys_neq!(
        ctx.accounts.underlying.key(),
        ctx.accounts.quote.key(),
        BallastError::QuoteAssetIsUnderlying
    );
    let underlying_index = {
        let u = ctx.accounts.underlying.load()?;
        // an option is marked off its underlying's surface: none, no listing
        let no_surface = u.config.vol_surface.surface().used().is_empty();
        require!(config.option_kind().is_none() || !no_surface, BallastError::UnderlyingHasNoVolSurface);
        u.asset_index
    };
    let (quote_index, quote_decimals) = {
        let q = ctx.accounts.quote.load()?;
        (q.asset_index, q.decimals)
    };
    // A future's PnL is `base * price + quote`, prices in micro-USD per native unit: the quote
    // asset is a dollar stablecoin whose native unit is a micro-dollar (settled 1:1, as Mango
    // and Drift settle perp PnL in USDC).
    require_eq!(quote_decimals, QUOTE_DECIMALS, BallastError::QuoteAssetDecimals);
    let market_index = {
        let mut group = ctx.accounts.group.load_mut()?;
        let index = group.market_count;
        group.market_count = index.checked_add(1).ok_or(BallastError::MathOverflow)?;
        index
    };
    let mut market = ctx.accounts.market.load_init()?;
    market.group = ctx.accounts.group.key();
    market.underlying = ctx.accounts.underlying.key();
    market.quote = ctx.accounts.quote.key();
    market.config = config;
    market.market_index = market_index;
    market.underlying_index = underlying_index;
    market.quote_index = quote_index;
    market.bump = ctx.bumps.market;
    emit!(MarketRegistered {
        group: market.group,
        market: ctx.accounts.market.key(),
        market_index,
        underlying: market.underlying,
        quote: market.quote,
        config,
    });
    Ok(())
}
