//! A group's markets: every `Market` account, found from the group's `market_count` (their
//! addresses are PDAs of the group and the index, so no account scan is needed).

use crate::chain::Chain;
use crate::{decode, ix, SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use ballast::state::{Group, Market};

/// One market and its address.
#[derive(Debug, Clone)]
pub struct MarketEntry {
    pub key: Pubkey,
    /// As the program will see it: an option's risk array recomputed as a crank in the same
    /// transaction would (`GroupSnapshot::crank_risk_arrays`).
    pub state: Market,
    /// The risk array the chain holds.
    pub stored_risk_array: ballast::state::RiskArrayState,
}

impl MarketEntry {
    pub fn new(key: Pubkey, state: Market) -> MarketEntry {
        MarketEntry { key, stored_risk_array: state.risk_array, state }
    }
}

/// Every market of `group`, by index.
pub async fn load_markets<C: Chain>(chain: &C, group: &Pubkey) -> SdkResult<Vec<MarketEntry>> {
    let raw = chain.account(group).await?.ok_or(SdkError::AccountNotFound(*group))?;
    let g: Group = decode(group, &raw.data, "Group")?;
    let mut out = Vec::with_capacity(usize::from(g.market_count));
    for n in 0..g.market_count {
        let key = ix::market_address(group, n);
        let raw = chain.account(&key).await?.ok_or(SdkError::AccountNotFound(key))?;
        out.push(MarketEntry::new(key, decode(&key, &raw.data, "Market")?));
    }
    Ok(out)
}

use crate::snapshot::GroupSnapshot;
use ballast::health_accounts::{Portfolio, PricedAssets};
use ballast::instructions::{derivative_liquidation_terms, derivative_takeover};
use ballast::math::I80F48;
use ballast::risk::HealthType;
use ballast::state::MarginAccount;

/// The per-contract mark `settle_pnl` measures PnL at: the settlement price once final, else
/// `Market::mark_per_contract` at the underlying's oracle spot (from `priced`, which must hold
/// it): the notional for a future, the risk array's value for an option.
pub fn settlement_mark(priced: &PricedAssets, market: &Market) -> SdkResult<I80F48> {
    if market.is_settled(priced.now) {
        return market
            .settlement_per_contract()
            .map(I80F48::from_num)
            .map_err(|e| SdkError::Program(e.to_string()));
    }
    let spot = priced.get(market.underlying_index).map_err(|e| SdkError::Program(e.to_string()))?;
    market
        .mark_per_contract(spot.template.prices.spot, priced.now)
        .map_err(|e| SdkError::Program(e.to_string()))
}

/// An account's PnL in `market` at `mark` (zero without a position): what `settle_pnl` moves.
pub fn position_pnl(account: &MarginAccount, market: &Market, mark: I80F48) -> I80F48 {
    match account.find_derivative(market.market_index) {
        Some(i) => {
            let d = &account.derivatives[i];
            I80F48::from_num(d.contracts) * mark + I80F48::from_num(d.quote)
        }
        None => I80F48::ZERO,
    }
}

impl GroupSnapshot {
    /// The size `liquidate_derivative` accepts now for `liquidatee`'s position in
    /// `market_index`, taken over by `liquidator`: the least number of contracts that brings
    /// LiquidationEnd health to zero, or the whole position when none does (the program refuses
    /// a size whose one contract less would do). `priced` must be priced for
    /// `OraclePolicy::Liquidation` over both accounts' health accounts. `None` without a
    /// position; whether the account is liquidatable at all is `PricedAssets::liquidatable`.
    pub fn derivative_liquidation_size(
        &self,
        priced: &PricedAssets,
        liquidatee: &MarginAccount,
        liquidator: &MarginAccount,
        market_index: u16,
    ) -> SdkResult<Option<u64>> {
        let err = |e: anchor_lang::error::Error| SdkError::Program(e.to_string());
        let market = &self.market(market_index)?.state;
        let Some(slot) = liquidatee.find_derivative(market_index) else { return Ok(None) };
        let contracts = liquidatee.derivatives[slot].contracts;
        if contracts == 0 {
            return Ok(None);
        }
        let ramp = self.group.config.liquidation_bonus_ramp_secs;
        let live = liquidatee.liquidation_live(priced.now, ramp);
        let start = if live { liquidatee.liquidation_start_ts } else { priced.now };
        let dust = I80F48::from_num(self.group.config.dust_value);
        let mut buf = Portfolio::default();
        priced.portfolio_into(&liquidatee.positions, &liquidatee.derivatives, None, &mut buf).map_err(err)?;
        priced.tolerate_only_dust_faults(&mut buf.tokens, dust).map_err(err)?;
        let (_, price) =
            derivative_liquidation_terms(priced, market, &buf, contracts, priced.now - start, ramp)
                .map_err(err)?;
        let mut le = |n: u64| -> SdkResult<I80F48> {
            let t = derivative_takeover(market, &liquidatee.derivatives, &liquidator.derivatives, n, price)
                .map_err(err)?;
            priced.portfolio_into(&liquidatee.positions, &t.liquidatee, None, &mut buf).map_err(err)?;
            priced.tolerate_only_dust_faults(&mut buf.tokens, dust).map_err(err)?;
            priced.health_of(&buf, HealthType::LiquidationEnd).map_err(err)
        };
        let all = contracts.unsigned_abs();
        if le(all)? < I80F48::ZERO {
            return Ok(Some(all));
        }
        // the least n with LiquidationEnd health >= 0 (it rises with n while the position adds
        // risk)
        let (mut lo, mut hi) = (0u64, all);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if le(mid)? >= I80F48::ZERO {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(Some(hi))
    }
}
