//! Ballast: one margin account holds a basket of SPL tokens as collateral, valued with Pyth
//! prices and risk-based haircuts; every risk-increasing action passes a margin check.
#![allow(clippy::result_large_err)]
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;
// SBF builds (scripts/sbf): i128 helpers and mem* routed to syscalls, for upstream LLVM's BPF target.
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

pub mod constants;
pub mod cu;
pub mod error;
pub mod events;
pub mod health_accounts;
pub mod heap;
pub mod instructions;
pub mod oracle;
pub mod patch;
pub mod state;
pub mod validation;

/// The risk engine (`crates/ballast-risk`), re-exported so program and clients name one thing.
pub use ballast_risk as risk;

/// The engine's fixed-point helpers plus the program's storage form of I80F48.
pub mod math {
    pub use crate::state::FixedBits;
    pub use ballast_risk::math::*;
}

use instructions::*;
use state::{AssetConfig, GroupConfig};

declare_id!("BaLLastMarg1n1111111111111111111111111111111");

#[program]
pub mod ballast {
    use super::*;

    /// Creates a group governed by `admin`.
    pub fn init_group(
        ctx: Context<InitGroup>,
        group_num: u16,
        risk_guardian: Pubkey,
        config: GroupConfig,
    ) -> Result<()> {
        instructions::init_group(ctx, group_num, risk_guardian, config)
    }

    /// Lists a token: creates its Asset and vault. Admin only.
    pub fn register_asset(ctx: Context<RegisterAsset>, config: AssetConfig) -> Result<()> {
        instructions::register_asset(ctx, config)
    }

    /// Lists a derivative series (a dated future) on a listed underlying. Admin only.
    pub fn register_market(ctx: Context<RegisterMarket>, config: state::MarketConfig) -> Result<()> {
        instructions::register_market(ctx, config)
    }

    /// A bilateral futures trade: the buyer buys `contracts` at `price` (quote-native per
    /// contract) from the seller; both owners sign. `remaining_accounts`: both accounts' health
    /// accounts together.
    pub fn trade<'info>(ctx: Context<'info, Trade<'info>>, contracts: u64, price: u64) -> Result<()> {
        instructions::trade(ctx, contracts, price)
    }

    /// Permissionless: moves up to `max_amount` of a market's PnL from the owing account to the
    /// owed one as quote tokens. `remaining_accounts`: the owing account's health accounts.
    pub fn settle_pnl<'info>(ctx: Context<'info, SettlePnl<'info>>, max_amount: u64) -> Result<()> {
        instructions::settle_pnl(ctx, max_amount)
    }

    /// Permissionless crank: records an expired market's settlement price.
    pub fn settle_expiry(ctx: Context<SettleExpiry>) -> Result<()> {
        instructions::settle_expiry(ctx)
    }

    /// Permissionless: takes over up to `max_contracts` of a liquidatable account's position in
    /// the market at the mark less a ramped discount. `remaining_accounts`: both accounts'
    /// health accounts together.
    pub fn liquidate_derivative<'info>(
        ctx: Context<'info, LiquidateDerivative<'info>>,
        max_contracts: u64,
    ) -> Result<()> {
        instructions::liquidate_derivative(ctx, max_contracts)
    }

    pub fn create_account(ctx: Context<CreateAccount>, account_num: u32) -> Result<()> {
        instructions::create_account(ctx, account_num)
    }

    pub fn close_account(ctx: Context<CloseAccount>) -> Result<()> {
        instructions::close_account(ctx)
    }

    /// `remaining_accounts` (optional): health accounts; with them a deposit that restores
    /// LiquidationEnd health ends the account's liquidation.
    pub fn deposit<'info>(ctx: Context<'info, Deposit<'info>>, amount: u64) -> Result<()> {
        instructions::deposit(ctx, amount)
    }

    pub fn withdraw<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
        instructions::withdraw(ctx, amount)
    }

    pub fn borrow<'info>(ctx: Context<'info, Borrow<'info>>, amount: u64) -> Result<()> {
        instructions::borrow(ctx, amount)
    }

    /// `remaining_accounts` (optional): health accounts, as for `deposit`.
    pub fn repay<'info>(ctx: Context<'info, Repay<'info>>, amount: u64) -> Result<()> {
        instructions::repay(ctx, amount)
    }

    /// Permissionless liquidation of an account below maintenance health.
    pub fn liquidate<'info>(
        ctx: Context<'info, Liquidate<'info>>,
        liab_asset_index: u16,
        max_liab_amount: u64,
        min_value_ratio_bps: u32,
    ) -> Result<()> {
        instructions::liquidate(ctx, liab_asset_index, max_liab_amount, min_value_ratio_bps)
    }

    /// Permissionless write-off of a bankrupt account's debt in one asset (its collateral, if
    /// any, is dust; `remaining_accounts` price it).
    pub fn resolve_bankruptcy<'info>(ctx: Context<'info, ResolveBankruptcy<'info>>) -> Result<()> {
        instructions::resolve_bankruptcy(ctx)
    }

    /// Changes some of an asset's fields at once: tightenings by the admin or the guardian,
    /// loosenings by the admin only in a group without a timelock.
    pub fn apply_asset_patch(ctx: Context<ApplyAssetPatch>, entries: Vec<state::PatchEntry>) -> Result<()> {
        instructions::apply_asset_patch(ctx, entries)
    }

    /// Changes some of the group's settings at once (same rules).
    pub fn apply_group_patch(ctx: Context<ApplyGroupPatch>, entries: Vec<state::PatchEntry>) -> Result<()> {
        instructions::apply_group_patch(ctx, entries)
    }

    /// Changes some of a market's fields at once (same rules; what moves Maint is timelocked).
    pub fn apply_market_patch(ctx: Context<ApplyMarketPatch>, entries: Vec<state::PatchEntry>) -> Result<()> {
        instructions::apply_market_patch(ctx, entries)
    }

    /// Proposes a patch of an asset, a market or the group, executable after the timelock.
    /// Admin only.
    pub fn propose_patch(ctx: Context<ProposePatch>, entries: Vec<state::PatchEntry>) -> Result<()> {
        instructions::propose_patch(ctx, entries)
    }

    /// Runs a proposal whose timelock has passed. Anyone.
    pub fn execute_proposal(ctx: Context<ExecuteProposal>) -> Result<()> {
        instructions::execute_proposal(ctx)
    }

    /// Cancels a pending proposal. Admin or guardian.
    pub fn cancel_proposal(ctx: Context<CancelProposal>) -> Result<()> {
        instructions::cancel_proposal(ctx)
    }

    /// Offers the admin role (first of two steps). Admin only.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::propose_admin(ctx, new_admin)
    }

    /// Takes the offered admin role (second step). The pending admin only.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::accept_admin(ctx)
    }

    /// Pauses actions on an asset or group-wide, for a bounded time. Admin or guardian.
    pub fn pause(ctx: Context<Pause>, actions: u8) -> Result<()> {
        instructions::pause(ctx, actions)
    }

    /// Lifts a pause early. Admin only.
    pub fn unpause(ctx: Context<Unpause>) -> Result<()> {
        instructions::unpause(ctx)
    }

    /// Forgets an expired pause. Anyone.
    pub fn clear_expired_pause(ctx: Context<ClearExpiredPause>) -> Result<()> {
        instructions::clear_expired_pause(ctx)
    }

    /// Names the margin account's delegate (deposit and repay only). Owner only.
    pub fn set_delegate(ctx: Context<SetDelegate>, delegate: Pubkey) -> Result<()> {
        instructions::set_delegate(ctx, delegate)
    }

    /// Permissionless crank: one realised-volatility sample of an asset's oracle.
    pub fn update_volatility(ctx: Context<UpdateVolatility>) -> Result<()> {
        instructions::update_volatility(ctx)
    }

    /// Permissionless crank: prices an option series at the oracle spot and stores its risk
    /// array, which margin checks need fresh.
    pub fn update_risk_array(ctx: Context<UpdateRiskArray>) -> Result<()> {
        instructions::update_risk_array(ctx)
    }

    /// Read-only (simulate it): health at every level, with the factor breakdown.
    pub fn health_report<'info>(
        ctx: Context<'info, HealthReportAccounts<'info>>,
        liquidation_prices: bool,
    ) -> Result<()> {
        instructions::health_report(ctx, liquidation_prices)
    }
}
