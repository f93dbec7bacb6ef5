//! Health inside instructions: loads the assets and oracles passed in `remaining_accounts`,
//! accrues interest in memory, prices them for the action, and turns an account's positions into
//! risk-engine inputs.
//!
//! Documented order of `remaining_accounts` for every instruction that checks health:
//!
//!   [Asset_0, ..., Asset_{n-1}, Oracle_0, ..., Oracle_{n-1}, Market_0, ..., Market_{m-1}]
//!
//! n Asset accounts, then the oracle of each in the same order, then m Market accounts (none
//! for an account without derivatives). The assets are the leading accounts that are Assets of
//! this program (told by owner and discriminator), so the list needs no count. They must cover
//! every token position of every account the instruction checks, as held after the instruction
//! (including the assets it touches), and the underlying of every derivative position; the
//! markets must cover every derivative position. Matching is by index, so order is free and
//! extras are ignored. An asset or market listed twice is refused (`DuplicateHealthAccount`): a
//! second copy could otherwise be written back over the first. Each oracle must be the account
//! the asset pins, with a reading no older than the last one the asset accepted. Instructions
//! that change assets (liquidate) need them writable. The SDK builds this list in position-slot
//! order.

use crate::error::{BallastError, IntoAnchor};
use crate::math::{from_bps, CheckedFixed, I80F48};
use crate::oracle::{fault_error, read_oracle};
use crate::risk::{
    assess_oracle, FutureInput, HealthLevels, HealthParams, HealthReports, HealthType, LendingState,
    OptionInput, OptionKind, OracleFault, OracleLimits, OracleReading, PositionInput, RiskArray, ScanParams,
    UnderlyingPrice,
};
use crate::state::{Asset, AssetConfig, DerivativePosition, MarginAccount, Market, TokenPosition};
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

/// Which oracle checks the current action requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OraclePolicy {
    /// Withdraw, borrow: every oracle fresh, tight and near its EMA.
    RiskIncreasing,
    /// Liquidation: fresh, with the wider liquidation confidence limit.
    Liquidation,
}

impl OraclePolicy {
    fn limits(&self, config: &AssetConfig) -> OracleLimits {
        match self {
            OraclePolicy::RiskIncreasing => config.risk_increasing_limits(),
            OraclePolicy::Liquidation => config.liquidation_limits(),
        }
    }
}

/// One asset from `remaining_accounts`, priced, with interest since its last touch accrued
/// exactly (liquidation) or bounded conservatively (margin checks), see `price_asset`.
#[derive(Clone)]
pub struct PricedAsset {
    pub key: Pubkey,
    /// Index of the Asset account in `remaining_accounts`.
    pub account_index: usize,
    pub asset_index: u16,
    /// Lending state with interest accrued to now (in memory).
    pub lending: LendingState,
    /// Risk inputs with a zero balance; positions fill the balance in.
    pub template: PositionInput,
    pub liquidation_fee: I80F48,
    pub max_liquidation_fee: I80F48,
    /// Why the oracle fails the action's checks, if it does.
    pub fault: Option<OracleFault>,
    /// Publish time of the reading used; `store` records it as the asset's latest accepted.
    pub publish_time: i64,
}

/// One market from the health accounts, as health values its positions.
#[derive(Clone, Debug)]
pub struct PricedMarket {
    pub key: Pubkey,
    pub market_index: u16,
    pub underlying_index: u16,
    pub contract_size: u64,
    pub params: ScanParams,
    /// The final settlement price per contract once the market settled: its positions are then
    /// cash (`contracts * price + quote`) with no scan.
    pub settled_per_contract: Option<i64>,
    /// An option market that has not settled: its right and risk array.
    pub option: Option<PricedOption>,
}

/// An unsettled option market's right and risk array, or why the array may not value positions
/// now: `Market::check_risk_array`'s refusal at the underlying's current spot (or
/// `UnderlyingNotPriced`), raised only when a position needs the array.
#[derive(Clone, Debug)]
pub struct PricedOption {
    pub kind: OptionKind,
    pub array: core::result::Result<RiskArray, BallastError>,
}

impl PricedMarket {
    /// `spot`: the underlying's oracle spot, if the health accounts price it.
    pub fn of(key: Pubkey, market: &Market, now: i64, spot: Option<I80F48>) -> Result<PricedMarket> {
        let settled_per_contract =
            if market.is_settled(now) { Some(market.settlement_per_contract()?) } else { None };
        let option = match (market.config.option_kind(), settled_per_contract) {
            (Some(kind), None) => {
                let array = match spot {
                    Some(spot) => market.check_risk_array(spot, now),
                    None => Err(BallastError::UnderlyingNotPriced),
                };
                Some(PricedOption { kind, array })
            }
            _ => None,
        };
        Ok(PricedMarket {
            key,
            market_index: market.market_index,
            underlying_index: market.underlying_index,
            contract_size: market.config.contract_size,
            params: market.config.scan_params(),
            settled_per_contract,
            option,
        })
    }

    /// The engine's input for an option position (an unsettled option market whose array is
    /// fresh; its refusal otherwise).
    pub fn option_input(&self, contracts: i64, quote: i64) -> Result<Option<OptionInput>> {
        let Some(o) = &self.option else { return Ok(None) };
        let array = o.array.map_err(|e| {
            msg!(
                "market {}: risk array refused ({:?}): crank it in the same transaction",
                self.market_index,
                e
            );
            error!(e)
        })?;
        Ok(Some(OptionInput {
            market_index: self.market_index,
            underlying_index: self.underlying_index,
            kind: o.kind,
            contracts,
            quote: I80F48::from_num(quote),
            contract_size: I80F48::from_num(self.contract_size),
            params: self.params,
            array,
        }))
    }

    /// The engine's input for a position of `contracts` against `quote` in this market, as a
    /// future (a settled market's positions are cash).
    pub fn future_input(&self, contracts: i64, quote: i64) -> Result<FutureInput> {
        let (base, quote) = match self.settled_per_contract {
            Some(price) => {
                let cash = i128::from(contracts)
                    .checked_mul(i128::from(price))
                    .and_then(|v| v.checked_add(i128::from(quote)))
                    .ok_or(BallastError::MathOverflow)?;
                (I80F48::ZERO, I80F48::checked_from_num(cash).ok_or(BallastError::MathOverflow)?)
            }
            None => {
                let base = i128::from(contracts)
                    .checked_mul(i128::from(self.contract_size))
                    .ok_or(BallastError::MathOverflow)?;
                (I80F48::checked_from_num(base).ok_or(BallastError::MathOverflow)?, I80F48::from_num(quote))
            }
        };
        Ok(FutureInput {
            market_index: self.market_index,
            underlying_index: self.underlying_index,
            base,
            quote,
            params: self.params,
        })
    }
}

/// An account's positions as the engine takes them.
#[derive(Clone, Debug, Default)]
pub struct Portfolio {
    pub tokens: Vec<PositionInput>,
    pub futures: Vec<FutureInput>,
    pub options: Vec<OptionInput>,
    /// The prices of the derivatives' underlyings.
    pub underlyings: Vec<UnderlyingPrice>,
}

#[derive(Clone)]
pub struct PricedAssets {
    pub assets: Vec<PricedAsset>,
    pub markets: Vec<PricedMarket>,
    pub params: HealthParams,
    pub now: i64,
    /// The asset the instruction loaded and changes itself (`load`'s `pending`): `store` leaves
    /// it to the instruction, so it is written once.
    pub pending: Option<Pubkey>,
}

/// Where a health computation's assets and oracle readings come from: `remaining_accounts`
/// inside the program (`RemainingAccounts`), fetched accounts off chain (the SDK's
/// `GroupSnapshot`). `PricedAssets::retrieve` applies the same rules to either (replayed readings
/// refused, each asset once), so a client prices exactly what the program will.
pub trait AssetRetriever {
    /// Calls `visit` with each asset's position in the list, key, state and oracle reading, in
    /// order; stops at the first error.
    fn for_each_asset(
        &self,
        visit: &mut dyn FnMut(usize, &Pubkey, &Asset, &OracleReading) -> Result<()>,
    ) -> Result<()>;

    /// Calls `visit` with each market, in order; stops at the first error.
    fn for_each_market(&self, visit: &mut dyn FnMut(&Pubkey, &Market) -> Result<()>) -> Result<()>;
}

/// The health accounts of an instruction, in the order the module documents. `pending` is an
/// asset the instruction has already loaded and changed in memory; its in-memory state is used
/// instead of the account's.
pub struct RemainingAccounts<'a, 'info> {
    pub group: &'a Pubkey,
    pub remaining: &'info [AccountInfo<'info>],
    pub pending: Option<(&'a Pubkey, &'a Asset)>,
}

impl RemainingAccounts<'_, '_> {
    /// How many of the leading accounts are Assets of this program.
    pub fn asset_count(&self) -> usize {
        self.remaining.iter().take_while(|info| is_account_of::<Asset>(info)).count()
    }
}

/// Whether `info` is an account of this program of type `T` (by owner and discriminator).
fn is_account_of<T: Discriminator>(info: &AccountInfo) -> bool {
    info.owner == &crate::ID && info.try_borrow_data().is_ok_and(|d| d.starts_with(T::DISCRIMINATOR))
}

impl AssetRetriever for RemainingAccounts<'_, '_> {
    fn for_each_asset(
        &self,
        visit: &mut dyn FnMut(usize, &Pubkey, &Asset, &OracleReading) -> Result<()>,
    ) -> Result<()> {
        let n = self.asset_count();
        require!(self.remaining.len() >= 2 * n, BallastError::InvalidHealthAccounts);
        for i in 0..n {
            let info = &self.remaining[i];
            let oracle = &self.remaining[n + i];
            match self.pending {
                Some((key, asset)) if key == info.key => {
                    visit(i, key, asset, &read_oracle(&asset.config, oracle)?)?;
                }
                _ => {
                    let loader = AccountLoader::<Asset>::try_from(info)
                        .map_err(|_| error!(BallastError::InvalidHealthAccounts))?;
                    let asset = loader.load()?;
                    require_keys_eq!(asset.group, *self.group, BallastError::WrongGroup);
                    crate::cu_probe!("asset: account loaded");
                    let reading = read_oracle(&asset.config, oracle)?;
                    crate::cu_probe!("asset: oracle read");
                    visit(i, info.key, &asset, &reading)?;
                }
            }
        }
        Ok(())
    }

    fn for_each_market(&self, visit: &mut dyn FnMut(&Pubkey, &Market) -> Result<()>) -> Result<()> {
        for info in &self.remaining[2 * self.asset_count()..] {
            let loader = AccountLoader::<Market>::try_from(info)
                .map_err(|_| error!(BallastError::InvalidHealthAccounts))?;
            let market = loader.load()?;
            require_keys_eq!(market.group, *self.group, BallastError::WrongGroup);
            crate::cu_probe!("market: account loaded");
            visit(info.key, &market)?;
            crate::cu_probe!("market: priced");
        }
        Ok(())
    }
}

impl PricedAssets {
    /// Loads and prices every asset in `remaining` (`RemainingAccounts`).
    pub fn load<'info>(
        group: &Pubkey,
        params: HealthParams,
        remaining: &'info [AccountInfo<'info>],
        policy: OraclePolicy,
        now: i64,
        pending: Option<(&Pubkey, &Asset)>,
    ) -> Result<PricedAssets> {
        let retriever = RemainingAccounts { group, remaining, pending };
        let mut priced = PricedAssets::retrieve(&retriever, params, policy, now, retriever.asset_count())?;
        priced.pending = pending.map(|(key, _)| *key);
        Ok(priced)
    }

    /// Prices every asset `retriever` yields, with interest accrued for `policy`
    /// (`price_asset`). A reading older than the one the asset last accepted is refused
    /// (`OracleReadingRegressed`), and so is an asset listed twice (`DuplicateHealthAccount`).
    pub fn retrieve(
        retriever: &impl AssetRetriever,
        params: HealthParams,
        policy: OraclePolicy,
        now: i64,
        capacity: usize,
    ) -> Result<PricedAssets> {
        let mut assets: Vec<PricedAsset> = Vec::with_capacity(capacity);
        retriever.for_each_asset(&mut |i, key, asset, reading| {
            if reading.publish_time < asset.oracle_last_publish_ts {
                msg!(
                    "asset {}: reading published at {} is older than the accepted {}",
                    asset.asset_index,
                    reading.publish_time,
                    asset.oracle_last_publish_ts
                );
                return err!(BallastError::OracleReadingRegressed);
            }
            // Asset indexes are unique within a group, so a repeated index is a repeated account.
            if assets.iter().any(|p| p.asset_index == asset.asset_index) {
                msg!("asset {} appears twice in the health accounts", asset.asset_index);
                return err!(BallastError::DuplicateHealthAccount);
            }
            crate::cu_probe!("asset: replay and duplicate checks");
            assets.push(price_asset(*key, i, asset, reading, policy, now)?);
            crate::cu_probe!("asset: stored in the list");
            Ok(())
        })?;
        let mut markets: Vec<PricedMarket> = Vec::new();
        retriever.for_each_market(&mut |key, market| {
            if markets.iter().any(|m| m.market_index == market.market_index) {
                msg!("market {} appears twice in the health accounts", market.market_index);
                return err!(BallastError::DuplicateHealthAccount);
            }
            let spot = assets
                .iter()
                .find(|a| a.asset_index == market.underlying_index)
                .map(|a| a.template.prices.spot);
            markets.push(PricedMarket::of(*key, market, now, spot)?);
            Ok(())
        })?;
        Ok(PricedAssets { assets, markets, params, now, pending: None })
    }

    /// The oracle rule of instructions a third party chooses to send (liquidation, write-off):
    /// an oracle that fails the action's checks on one of the account's positions fails the
    /// instruction with its named error, since the caller picked the moment and a bad price must
    /// stop it rather than count as zero. One exception keeps a borrower from parking a single
    /// unit on a fragile feed to make its account unliquidatable: a position worth less than
    /// `dust_value` at its own reading's price whose oracle is only stale or too uncertain is
    /// tolerated (collateral then counts as zero and is never seized; a debt is valued at its
    /// reading, spot plus k confidence intervals). `inputs` are the account's, from `inputs`.
    pub fn tolerate_only_dust_faults(&self, inputs: &mut [PositionInput], dust_value: I80F48) -> Result<()> {
        if let Some((asset_index, fault)) = self.intolerable_fault(inputs, dust_value)? {
            msg!("oracle of asset {} is unusable: {:?}", asset_index, fault);
            return Err(error!(fault_error(fault)));
        }
        Ok(())
    }

    /// `tolerate_only_dust_faults` without logging, for clients: the first position whose
    /// oracle fault is not tolerated, or None (with tolerated dust debts made usable).
    pub fn intolerable_fault(
        &self,
        inputs: &mut [PositionInput],
        dust_value: I80F48,
    ) -> Result<Option<(u16, OracleFault)>> {
        for input in inputs.iter_mut() {
            let p = self.get(input.asset_index)?;
            let Some(fault) = p.fault else { continue };
            let size = if input.balance < I80F48::ZERO {
                I80F48::ZERO.sub_c(input.balance).anchor()?
            } else {
                input.balance
            };
            let value = size.mul_c(p.template.prices.spot).anchor()?;
            let tolerable =
                matches!(fault, OracleFault::Stale | OracleFault::ConfidenceTooWide) && value < dust_value;
            if !tolerable {
                return Ok(Some((input.asset_index, fault)));
            }
            if input.balance < I80F48::ZERO {
                input.oracle_usable = true;
            }
        }
        Ok(None)
    }

    /// Whether a third party may liquidate an account holding `positions` now, by the program's
    /// rules: oracle faults only on dust (`tolerate_only_dust_faults`), then Maint health below
    /// zero, or a live episode (`risk::episode_live`) and LiquidationEnd health below zero.
    /// Returns None where the liquidation would fail on an oracle or the health accounts, else
    /// the decision and the Maint health. Used by the keeper and the tests as the program uses
    /// its parts.
    pub fn liquidatable(
        &self,
        account: &crate::state::MarginAccount,
        group: &crate::state::GroupConfig,
    ) -> Option<(bool, I80F48)> {
        self.liquidatable_into(account, group, &mut Portfolio::default())
    }

    /// `liquidatable` with the engine's inputs built in `p`, a buffer the caller reuses across
    /// accounts (the keeper's scan: no allocation per account).
    pub fn liquidatable_into(
        &self,
        account: &crate::state::MarginAccount,
        group: &crate::state::GroupConfig,
        p: &mut Portfolio,
    ) -> Option<(bool, I80F48)> {
        self.portfolio_into(&account.positions, &account.derivatives, None, p).ok()?;
        let dust_value = I80F48::from_num(group.dust_value);
        if self.intolerable_fault(&mut p.tokens, dust_value).ok()?.is_some() {
            return None;
        }
        let maint = self.health_of(p, HealthType::Maint).ok()?;
        let live = account.liquidation_live(self.now, group.liquidation_bonus_ramp_secs);
        let le = if maint < I80F48::ZERO || !live {
            None
        } else {
            Some(self.health_of(p, HealthType::LiquidationEnd).ok()?)
        };
        Some((crate::risk::is_liquidatable(maint, le, live), maint))
    }

    /// Whether `resolve_bankruptcy` would accept this account now, by the program's rule: no
    /// derivative position left (they are liquidated and settled first); with collateral,
    /// oracle faults only on dust, then `risk::is_bankrupt`; without, any debt. `None` when the
    /// program would refuse to judge (an intolerable oracle fault, a missing asset).
    pub fn bankrupt(
        &self,
        account: &crate::state::MarginAccount,
        group: &crate::state::GroupConfig,
    ) -> Option<bool> {
        if account.active_derivatives().next().is_some() {
            return Some(false);
        }
        // Without collateral the program needs no price: any debt is written off.
        if !account.active_positions().any(|p| p.shares() > I80F48::ZERO) {
            return Some(account.active_positions().any(|p| p.shares() < I80F48::ZERO));
        }
        let mut inputs = self.inputs(&account.positions, None).ok()?;
        let dust_value = I80F48::from_num(group.dust_value);
        if self.intolerable_fault(&mut inputs, dust_value).ok()?.is_some() {
            return None;
        }
        crate::risk::is_bankrupt(&inputs, dust_value).ok()
    }

    /// Health of the account at the three levels (`risk::portfolio_levels`).
    pub fn health_levels(&self, account: &MarginAccount) -> Result<HealthLevels> {
        let p = self.portfolio(&account.positions, &account.derivatives, None)?;
        crate::risk::portfolio_levels(&p.tokens, &p.futures, &p.options, &p.underlyings, &self.params)
            .anchor()
    }

    /// The breakdowns at the three levels, with each underlying's scan
    /// (`risk::portfolio_reports`).
    pub fn health_reports(&self, account: &MarginAccount) -> Result<HealthReports> {
        let p = self.portfolio(&account.positions, &account.derivatives, None)?;
        crate::risk::portfolio_reports(&p.tokens, &p.futures, &p.options, &p.underlyings, &self.params)
            .anchor()
    }

    /// Net value at spot, no haircuts (`risk::net_spot_value`), plus the derivatives' PnL at
    /// spot.
    pub fn spot_value(&self, account: &MarginAccount) -> Result<I80F48> {
        let p = self.portfolio(&account.positions, &account.derivatives, None)?;
        let mut value = crate::risk::net_spot_value(&p.tokens).anchor()?;
        for f in &p.futures {
            let spot = self.get(f.underlying_index)?.template.prices.spot;
            value = value.add_c(f.base.mul_c(spot).anchor()?.add_c(f.quote).anchor()?).anchor()?;
        }
        for o in &p.options {
            value = value.add_c(o.unrealised_pnl().anchor()?).anchor()?;
        }
        Ok(value)
    }

    pub fn market(&self, market_index: u16) -> Result<&PricedMarket> {
        self.markets.iter().find(|m| m.market_index == market_index).ok_or_else(|| {
            msg!("health accounts lack market {}", market_index);
            error!(BallastError::InvalidHealthAccounts)
        })
    }

    /// The engine's inputs for an account holding `tokens` and `derivatives`, with `change`
    /// (asset index, new shares) applied to the tokens.
    pub fn portfolio(
        &self,
        tokens: &[TokenPosition],
        derivatives: &[DerivativePosition],
        change: Option<(u16, I80F48)>,
    ) -> Result<Portfolio> {
        let mut p = Portfolio::default();
        self.portfolio_into(tokens, derivatives, change, &mut p)?;
        Ok(p)
    }

    /// `portfolio` into a buffer the caller reuses (see `inputs_into`). A future that has not
    /// settled needs its underlying's oracle to pass the action's checks: the scan marks it at
    /// that price in every scenario, so unlike a token position it cannot count as zero; the
    /// fault's named error otherwise, whoever sends the instruction.
    pub fn portfolio_into(
        &self,
        tokens: &[TokenPosition],
        derivatives: &[DerivativePosition],
        change: Option<(u16, I80F48)>,
        out: &mut Portfolio,
    ) -> Result<()> {
        self.inputs_into(tokens, change, &mut out.tokens)?;
        out.futures.clear();
        out.options.clear();
        out.underlyings.clear();
        for d in derivatives.iter().filter(|d| d.is_active()) {
            let m = self.market(d.market_index)?;
            let u = self.assets.iter().find(|a| a.asset_index == m.underlying_index).ok_or_else(|| {
                msg!("health accounts lack underlying asset {}", m.underlying_index);
                error!(BallastError::UnderlyingNotPriced)
            })?;
            let option = if d.contracts != 0 { m.option_input(d.contracts, d.quote)? } else { None };
            let future = match option {
                Some(_) => None,
                None => Some(m.future_input(d.contracts, d.quote)?),
            };
            let exposed = option.is_some() || future.is_some_and(|f| f.base != I80F48::ZERO);
            if let (Some(fault), true) = (u.fault, exposed) {
                msg!("oracle of underlying {} is unusable: {:?}", m.underlying_index, fault);
                return Err(error!(fault_error(fault)));
            }
            if !out.underlyings.iter().any(|x| x.asset_index == m.underlying_index) {
                out.underlyings.push(UnderlyingPrice::of(&u.template));
            }
            out.options.extend(option);
            out.futures.extend(future);
        }
        Ok(())
    }

    /// Health of `p` at `level` (`risk::portfolio_health_at`). Not inlined: the engine's
    /// health keeps its per-level totals on the stack, and SBF's frame is 4 KiB.
    #[inline(never)]
    pub fn health_of(&self, p: &Portfolio, level: HealthType) -> Result<I80F48> {
        crate::risk::portfolio_health_at(
            &p.tokens,
            &p.futures,
            &p.options,
            &p.underlyings,
            &self.params,
            level,
        )
        .anchor()
    }

    /// `health_of` from the tokens' health at `level`, already computed
    /// (`risk::portfolio_health_from`).
    #[inline(never)]
    pub fn health_from(&self, p: &Portfolio, level: HealthType, tokens_health: I80F48) -> Result<I80F48> {
        crate::risk::portfolio_health_from(
            tokens_health,
            &p.tokens,
            &p.futures,
            &p.options,
            &p.underlyings,
            &self.params,
            level,
        )
        .anchor()
    }

    /// The account's equity at spot, tokens and derivatives (`risk::portfolio_equity`).
    pub fn equity_of(&self, p: &Portfolio) -> Result<I80F48> {
        crate::risk::portfolio_equity(&p.tokens, &p.futures, &p.options, &p.underlyings).anchor()
    }

    pub fn get(&self, asset_index: u16) -> Result<&PricedAsset> {
        self.assets.iter().find(|p| p.asset_index == asset_index).ok_or_else(|| missing(asset_index))
    }

    pub fn get_mut(&mut self, asset_index: u16) -> Result<&mut PricedAsset> {
        self.assets.iter_mut().find(|p| p.asset_index == asset_index).ok_or_else(|| missing(asset_index))
    }

    /// Risk inputs for `positions`, with `change` (asset index, new shares) applied on top.
    pub fn inputs(
        &self,
        positions: &[TokenPosition],
        change: Option<(u16, I80F48)>,
    ) -> Result<Vec<PositionInput>> {
        let mut inputs = Vec::with_capacity(positions.len());
        self.inputs_into(positions, change, &mut inputs)?;
        Ok(inputs)
    }

    /// `inputs` into a buffer the caller reuses: on chain the bump allocator never frees, and
    /// a liquidation at 16 positions builds inputs three times (about 4.9 KB each).
    pub fn inputs_into(
        &self,
        positions: &[TokenPosition],
        change: Option<(u16, I80F48)>,
        inputs: &mut Vec<PositionInput>,
    ) -> Result<()> {
        inputs.clear();
        let mut change_seen = false;
        for pos in positions.iter().filter(|p| p.is_active()) {
            let shares = match change {
                Some((index, shares)) if index == pos.asset_index => {
                    change_seen = true;
                    shares
                }
                _ => pos.shares(),
            };
            self.push_input(inputs, pos.asset_index, shares)?;
        }
        if let (Some((index, shares)), false) = (change, change_seen) {
            self.push_input(inputs, index, shares)?;
        }
        Ok(())
    }

    fn push_input(&self, inputs: &mut Vec<PositionInput>, asset_index: u16, shares: I80F48) -> Result<()> {
        if shares == I80F48::ZERO {
            return Ok(());
        }
        let p = self.get(asset_index)?;
        let mut input = p.template;
        input.balance = p.lending.native_balance(shares).anchor()?;
        inputs.push(input);
        Ok(())
    }

    /// Writes every asset's accrued lending state back to its account (which must be writable),
    /// except the pending one, which the instruction writes itself.
    pub fn store<'info>(&self, remaining: &'info [AccountInfo<'info>]) -> Result<()> {
        for p in self.assets.iter().filter(|p| Some(p.key) != self.pending) {
            let info = &remaining[p.account_index];
            require!(info.is_writable, BallastError::AssetNotWritable);
            let loader = AccountLoader::<Asset>::try_from(info)?;
            let mut asset = loader.load_mut()?;
            crate::cu_probe!("store: account loaded");
            asset.set_lending_state(&p.lending);
            asset.last_accrual_ts = asset.last_accrual_ts.max(self.now);
            asset.oracle_last_publish_ts = asset.oracle_last_publish_ts.max(p.publish_time);
            crate::cu_probe!("store: lending state written");
        }
        Ok(())
    }
}

fn missing(asset_index: u16) -> Error {
    msg!("health accounts lack asset {}", asset_index);
    error!(BallastError::InvalidHealthAccounts)
}

/// Prices one asset from an oracle reading and accrues its interest to `now` in memory. The
/// program and off-chain clients (which fetch the same bytes) share this.
pub fn price_asset(
    key: Pubkey,
    account_index: usize,
    asset: &Asset,
    reading: &OracleReading,
    policy: OraclePolicy,
    now: i64,
) -> Result<PricedAsset> {
    let (prices, fault) =
        assess_oracle(reading, &policy.limits(&asset.config), now, asset.decimals).anchor()?;
    crate::cu_probe!("asset: oracle assessed (prices)");
    let mut lending = asset.lending_state();
    let elapsed = now.saturating_sub(asset.last_accrual_ts);
    match policy {
        // A liquidation stores the assets back: accrue exactly.
        OraclePolicy::Liquidation => {
            crate::risk::accrue_interest(
                &mut lending,
                &asset.config.rate_curve(),
                from_bps(asset.config.protocol_fee_bps),
                elapsed,
            )
            .anchor()?;
        }
        // A margin check only reads them: bound the interest since the last touch (debts at the
        // curve's maximum rate, deposits unaccrued), which is conservative and cheap.
        OraclePolicy::RiskIncreasing => {
            crate::risk::bound_interest(&mut lending, from_bps(asset.config.max_rate_bps), elapsed)
                .anchor()?;
        }
    }
    crate::cu_probe!("asset: interest");
    let weights = asset.weights_at(now).anchor()?;
    crate::cu_probe!("asset: weights");
    let factors = asset.risk_factors(&lending, prices.spot).anchor()?;
    crate::cu_probe!("asset: factors");
    Ok(PricedAsset {
        key,
        account_index,
        asset_index: asset.asset_index,
        lending,
        template: PositionInput {
            asset_index: asset.asset_index,
            balance: I80F48::ZERO,
            weights,
            conf_multiplier: asset.conf_multiplier.get(),
            prices,
            oracle_usable: fault.is_none(),
            factors,
        },
        liquidation_fee: from_bps(asset.config.liquidation_fee_bps),
        max_liquidation_fee: from_bps(asset.config.max_liquidation_fee_bps),
        fault,
        publish_time: reading.publish_time,
    })
}

/// Init health of an account after a pending change to one of its positions, for withdraw and
/// borrow; errors with `InsufficientHealth` when negative. An account flagged as being liquidated
/// may act only once its LiquidationEnd health is back at zero or above; the returned flag says
/// whether the caller should clear the liquidation flag, and the publish time of the touched
/// asset's reading (which the caller records on it).
#[allow(clippy::too_many_arguments)]
pub fn require_init_health_after<'info>(
    group: &Pubkey,
    params: HealthParams,
    positions: &[TokenPosition],
    derivatives: &[DerivativePosition],
    being_liquidated: bool,
    asset_key: &Pubkey,
    asset: &Asset,
    new_shares: I80F48,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
) -> Result<(I80F48, bool, i64)> {
    crate::cu_probe!("margin check: entry");
    let priced = PricedAssets::load(
        group,
        params,
        remaining,
        OraclePolicy::RiskIncreasing,
        now,
        Some((asset_key, asset)),
    )?;
    crate::cu_probe!("margin check: assets priced");
    if being_liquidated {
        let current = priced.portfolio(positions, derivatives, None)?;
        let le = priced.health_of(&current, HealthType::LiquidationEnd)?;
        require!(le >= I80F48::ZERO, BallastError::BeingLiquidated);
    }
    let after = priced.portfolio(positions, derivatives, Some((asset.asset_index, new_shares)))?;
    crate::cu_probe!("margin check: inputs");
    let health = priced.health_of(&after, HealthType::Init)?;
    crate::cu_probe!("margin check: init health");
    if health < I80F48::ZERO {
        msg!("init health after: {}", health);
        return err!(BallastError::InsufficientHealth);
    }
    Ok((health, being_liquidated, priced.get(asset.asset_index)?.publish_time))
}

/// For deposit and repay: whether they cure a flagged account, i.e. its LiquidationEnd health
/// after the change, priced as a liquidation would price it, is at or above zero. The health
/// accounts are optional here and any problem with them (missing, stale, repeated) only means
/// the flag stays: a cure must never be blocked, and the flag only ever protects others.
#[allow(clippy::too_many_arguments)]
pub fn cures_liquidation<'info>(
    group: &Pubkey,
    params: HealthParams,
    dust_value: I80F48,
    positions: &[TokenPosition],
    derivatives: &[DerivativePosition],
    asset_key: &Pubkey,
    asset: &Asset,
    new_shares: I80F48,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
) -> bool {
    if remaining.is_empty() {
        return false;
    }
    let le = PricedAssets::load(
        group,
        params,
        remaining,
        OraclePolicy::Liquidation,
        now,
        Some((asset_key, asset)),
    )
    .and_then(|priced| {
        let mut p = priced.portfolio(positions, derivatives, Some((asset.asset_index, new_shares)))?;
        priced.tolerate_only_dust_faults(&mut p.tokens, dust_value)?;
        priced.health_of(&p, HealthType::LiquidationEnd)
    });
    match le {
        Ok(h) => h >= I80F48::ZERO,
        Err(e) => {
            msg!("liquidation flag kept: {}", e);
            false
        }
    }
}

/// Which token action a maximum is for (`max_token_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAction {
    Borrow,
    Withdraw,
}

/// The largest `action` of `asset` (its account state as fetched, and the oracle reading the
/// instruction will see) that leaves the account's Init health at or above `target` (at least
/// zero, the margin check's own bound), for clients: max borrow and max withdraw (Mango's
/// `max_borrow_for_health_ratio`). It replays the instruction's own steps for each candidate
/// amount (interest accrued exactly to `priced.now`, the vault's liquidity after that accrual,
/// the engine's share rounding, the pool's new totals in the asset's factors, the borrow cap) and
/// searches with `risk::max_amount_for_health`, so the amount returned is accepted at `priced.now`
/// and one unit more is refused (a later second accrues more interest). `priced` must be priced
/// for `OraclePolicy::RiskIncreasing` and hold the account's assets and this one;
/// `vault_amount` is the vault's token balance.
///
/// `None` when the instruction would refuse any amount: the group or asset is paused, a borrow
/// of a reduce-only asset, no free slot for a new borrow, a deposit held where a borrow is asked
/// (or no deposit to withdraw), an account in liquidation that has not cured, or one already
/// below the target. `Some(0)` when nothing is available (the program refuses a zero amount).
#[allow(clippy::too_many_arguments)]
pub fn max_token_action(
    priced: &PricedAssets,
    group: &crate::state::Group,
    account: &crate::state::MarginAccount,
    asset: &Asset,
    reading: &OracleReading,
    action: TokenAction,
    vault_amount: u64,
    target: I80F48,
) -> Option<u64> {
    use crate::state::PositionSlots;
    let positions = &account.positions;
    let index = asset.asset_index;
    let pause_bit = match action {
        TokenAction::Borrow => crate::risk::governance::PAUSE_BORROW,
        TokenAction::Withdraw => crate::risk::governance::PAUSE_WITHDRAW,
    };
    if group.check_open(asset, pause_bit, priced.now).is_err() {
        return None;
    }
    if action == TokenAction::Borrow && positions.find_or_free(index).is_none() {
        return None;
    }
    // A flagged account acts only once LiquidationEnd health is back at zero (the handlers'
    // `BeingLiquidated`).
    if account.is_being_liquidated() {
        let current = priced.portfolio(positions, &account.derivatives, None).ok()?;
        if priced.health_of(&current, HealthType::LiquidationEnd).ok()? < I80F48::ZERO {
            return None;
        }
    }
    let target = target.max(I80F48::ZERO);
    let key = priced.get(index).ok()?.key;
    let account_index = priced.get(index).ok()?.account_index;
    let mut accrued = *asset;
    accrued.accrue_interest(priced.now).ok()?;
    let liquidity = accrued.available_liquidity(vault_amount).ok()?;
    let shares = positions.shares_of(index);
    let upper = match action {
        TokenAction::Borrow if shares <= I80F48::ZERO => liquidity,
        TokenAction::Withdraw if shares > I80F48::ZERO => {
            let native = accrued.native_balance(shares).ok()?;
            crate::math::to_u64_floor(native).ok()?.min(liquidity)
        }
        _ => return None,
    };
    let mut trial = priced.clone();
    crate::risk::max_amount_for_health(upper, target, |amount: u64| -> Result<I80F48> {
        let mut lending = accrued.lending_state();
        let new_shares = match action {
            TokenAction::Borrow => {
                let new_shares = lending.borrow(shares, I80F48::from_num(amount)).anchor()?;
                let cap = I80F48::from_num(accrued.config.borrow_cap);
                require!(lending.total_borrows().anchor()? <= cap, BallastError::BorrowCapExceeded);
                new_shares
            }
            TokenAction::Withdraw => lending.withdraw(shares, I80F48::from_num(amount)).anchor()?,
        };
        let mut changed = accrued;
        changed.set_lending_state(&lending);
        let repriced =
            price_asset(key, account_index, &changed, reading, OraclePolicy::RiskIncreasing, priced.now)?;
        *trial.get_mut(index)? = repriced;
        let p = trial.portfolio(positions.as_slice(), &account.derivatives, Some((index, new_shares)))?;
        trial.health_of(&p, HealthType::Init)
    })
}
