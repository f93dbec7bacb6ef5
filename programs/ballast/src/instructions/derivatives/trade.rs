use crate::error::{BallastError, IntoAnchor};
use crate::events::FuturesTraded;
use crate::health_accounts::{OraclePolicy, Portfolio, PricedAssets};
use crate::math::{from_bps, I80F48};
use crate::oracle::fault_error;
use crate::risk::{open_interest_after, reduces_position, within_band, HealthType};
use crate::state::{set_derivative, DerivativePosition, Group, MarginAccount, Market, TokenPosition};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Trade<'info> {
    pub group: AccountLoader<'info, Group>,
    #[account(mut, constraint = market.load()?.group == group.key() @ BallastError::WrongGroup)]
    pub market: AccountLoader<'info, Market>,
    #[account(
        mut,
        constraint = buyer_account.load()?.group == group.key() @ BallastError::WrongGroup,
        constraint = buyer_account.load()?.owner == buyer.key() @ BallastError::NotOwner
    )]
    pub buyer_account: AccountLoader<'info, MarginAccount>,
    pub buyer: Signer<'info>,
    #[account(
        mut,
        constraint = seller_account.load()?.group == group.key() @ BallastError::WrongGroup,
        constraint = seller_account.load()?.owner == seller.key() @ BallastError::NotOwner,
        constraint = seller_account.key() != buyer_account.key() @ BallastError::SameAccountBothSides
    )]
    pub seller_account: AccountLoader<'info, MarginAccount>,
    pub seller: Signer<'info>,
}

/// One side of a trade: its positions before and after.
struct Side {
    tokens: Vec<TokenPosition>,
    before: Vec<DerivativePosition>,
    after: Vec<DerivativePosition>,
    contracts_before: i64,
    contracts_after: i64,
    being_liquidated: bool,
}

impl Side {
    /// Loads `account` and applies `contracts` (signed) at `cost` quote-native (signed: paid
    /// out is negative) to its position in `market`.
    fn new(account: &MarginAccount, market: &Market, contracts: i64, cash: i64) -> Result<Side> {
        let before = account.derivatives.to_vec();
        let (old, quote) = account
            .find_derivative(market.market_index)
            .map(|i| (before[i].contracts, before[i].quote))
            .unwrap_or((0, 0));
        let new = old.checked_add(contracts).ok_or(BallastError::MathOverflow)?;
        let new_quote = quote.checked_add(cash).ok_or(BallastError::MathOverflow)?;
        let mut after = before.clone();
        set_derivative(&mut after, market.market_index, market.underlying_index, new, new_quote)?;
        Ok(Side {
            tokens: account.positions.to_vec(),
            before,
            after,
            contracts_before: old,
            contracts_after: new,
            being_liquidated: account.is_being_liquidated(),
        })
    }

    fn reduces(&self) -> bool {
        reduces_position(self.contracts_before, self.contracts_after)
    }

    /// The margin check: Init health after the trade at or above zero (for an account in
    /// liquidation, once its LiquidationEnd health is back at zero), or a trade that only
    /// shrinks the position and leaves Init health no lower (always a help). Returns Init
    /// health after.
    fn check(&self, priced: &PricedAssets, buf: &mut Portfolio) -> Result<I80F48> {
        priced.portfolio_into(&self.tokens, &self.after, None, buf)?;
        let after = priced.health_of(buf, HealthType::Init)?;
        let cured = if self.being_liquidated {
            priced.portfolio_into(&self.tokens, &self.before, None, buf)?;
            priced.health_of(buf, HealthType::LiquidationEnd)? >= I80F48::ZERO
        } else {
            true
        };
        if after >= I80F48::ZERO && cured {
            return Ok(after);
        }
        if self.reduces() {
            priced.portfolio_into(&self.tokens, &self.before, None, buf)?;
            if after >= priced.health_of(buf, HealthType::Init)? {
                return Ok(after);
            }
        }
        msg!("init health after the trade: {}", after);
        if cured {
            err!(BallastError::InsufficientHealth)
        } else {
            err!(BallastError::BeingLiquidated)
        }
    }
}

/// A bilateral trade: `buyer_account` buys `contracts` of the market from `seller_account` at
/// `price` quote-native per contract; both owners sign (each agreed to the size and price).
/// Refused after expiry, outside the market's band around the mark (the oracle spot per
/// contract for a future, the fresh risk array's value for an option; the band is a fraction of
/// the underlying's notional either way), so a pair of
/// accounts cannot move value between themselves at an arbitrary price, and neither side can
/// be filled far from the market), past the open-interest cap (unless the trade lowers open
/// interest), on a reduce-only market unless it shrinks both positions, and while the group's
/// risk pause is on unless it shrinks both. Each side then passes Init health with the new
/// position unless the trade only shrinks it and lowers no health (`Side::check`).
///
/// `remaining_accounts`: the health accounts of both margin accounts together (`[Asset...,
/// Oracle..., Market...]` covering each one's tokens, the underlyings of its derivatives and
/// this market; see `health_accounts`). The underlying's oracle must pass the risk-increasing
/// checks (a stale one fails with `OracleStale`).
pub fn trade<'info>(ctx: Context<'info, Trade<'info>>, contracts: u64, price: u64) -> Result<()> {
    require!(contracts > 0, BallastError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let group_key = ctx.accounts.group.key();
    let (params, risk_paused) = {
        let group = ctx.accounts.group.load()?;
        (group.config.health_params(), group.pause_blocks(crate::risk::governance::PAUSE_BORROW, now))
    };
    let market = *ctx.accounts.market.load()?;
    require!(!market.is_expired(now), BallastError::MarketExpired);

    let signed = i64::try_from(contracts).map_err(|_| error!(BallastError::MathOverflow))?;
    let cost = i128::from(contracts)
        .checked_mul(i128::from(price))
        .and_then(|c| i64::try_from(c).ok())
        .ok_or(BallastError::MathOverflow)?;
    let buyer = Side::new(&*ctx.accounts.buyer_account.load()?, &market, signed, -cost)?;
    let seller = Side::new(&*ctx.accounts.seller_account.load()?, &market, -signed, cost)?;
    let both_reduce = buyer.reduces() && seller.reduces();
    require!(!market.config.is_reduce_only() || both_reduce, BallastError::MarketReduceOnly);
    require!(!risk_paused || both_reduce, BallastError::GroupPaused);
    let open_interest = open_interest_after(
        market.open_interest,
        (buyer.contracts_before, seller.contracts_before),
        (buyer.contracts_after, seller.contracts_after),
    )
    .ok_or(BallastError::MathOverflow)?;
    require!(
        open_interest <= market.config.open_interest_cap || open_interest <= market.open_interest,
        BallastError::OpenInterestCapExceeded
    );

    let priced = Box::new(PricedAssets::load(
        &group_key,
        params,
        ctx.remaining_accounts,
        OraclePolicy::RiskIncreasing,
        now,
        None,
    )?);
    let underlying = priced.get(market.underlying_index)?;
    if let Some(fault) = underlying.fault {
        msg!("oracle of underlying {} is unusable: {:?}", market.underlying_index, fault);
        return Err(error!(fault_error(fault)));
    }
    let spot = underlying.template.prices.spot;
    let mark = market.mark_per_contract(spot, now)?;
    let notional = market.notional_per_contract(spot)?;
    let in_band =
        within_band(I80F48::from_num(price), mark, notional, from_bps(market.config.price_band_bps))
            .anchor()?;
    if !in_band {
        msg!("price {} per contract, mark {}", price, mark);
        return err!(BallastError::PriceOutsideBand);
    }

    let mut buf = Portfolio::default();
    let buyer_health = buyer.check(&priced, &mut buf)?;
    let seller_health = seller.check(&priced, &mut buf)?;

    // Effects.
    ctx.accounts.buyer_account.load_mut()?.derivatives.copy_from_slice(&buyer.after);
    ctx.accounts.seller_account.load_mut()?.derivatives.copy_from_slice(&seller.after);
    ctx.accounts.market.load_mut()?.open_interest = open_interest;
    emit!(FuturesTraded {
        group: group_key,
        market: ctx.accounts.market.key(),
        market_index: market.market_index,
        buyer: ctx.accounts.buyer_account.key(),
        seller: ctx.accounts.seller_account.key(),
        contracts,
        price,
        buyer_contracts: buyer.contracts_after,
        seller_contracts: seller.contracts_after,
        open_interest,
        buyer_init_health: buyer_health.to_bits(),
        seller_init_health: seller_health.to_bits(),
    });
    Ok(())
}
