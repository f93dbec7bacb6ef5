//! Events for every state change a bot or an indexer wants. Token events carry the indexes after
//! accrual so an indexer can reconstruct native balances without reading accounts.

use crate::patch::FieldChanged;
use crate::state::{AssetConfig, GroupConfig, MarketConfig};
use anchor_lang::prelude::*;

#[event]
pub struct GroupCreated {
    pub group: Pubkey,
    pub admin: Pubkey,
    pub risk_guardian: Pubkey,
    pub group_num: u16,
    pub config: GroupConfig,
}

#[event]
pub struct AssetRegistered {
    pub group: Pubkey,
    pub asset: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub asset_index: u16,
    pub decimals: u8,
    pub config: AssetConfig,
}

#[event]
pub struct MarginAccountCreated {
    pub group: Pubkey,
    pub account: Pubkey,
    pub owner: Pubkey,
    pub account_num: u32,
}

#[event]
pub struct MarginAccountClosed {
    pub group: Pubkey,
    pub account: Pubkey,
    pub owner: Pubkey,
}

/// Deposit, withdraw, borrow and repay all emit this with their kind.
#[event]
pub struct TokenBalanceChanged {
    pub group: Pubkey,
    pub account: Pubkey,
    pub asset: Pubkey,
    pub asset_index: u16,
    pub kind: BalanceChangeKind,
    /// Native tokens moved.
    pub amount: u64,
    /// Position after the change, in shares (I80F48 bits).
    pub shares_after: i128,
    pub deposit_index: i128,
    pub borrow_index: i128,
    /// Init health after the change (I80F48 bits); only computed by withdraw and borrow.
    pub init_health_after: Option<i128>,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BalanceChangeKind {
    Deposit,
    Withdraw,
    Borrow,
    Repay,
}

/// One collateral asset moved by a liquidation (I80F48 bits, native units).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidatedCollateral {
    pub asset_index: u16,
    /// Native units taken from the liquidatee.
    pub amount: i128,
    /// Of which to the asset's insurance fund.
    pub to_insurance: i128,
    /// Bonus rate applied.
    pub bonus: i128,
}

#[event]
pub struct Liquidation {
    pub group: Pubkey,
    pub liquidatee: Pubkey,
    pub liquidator: Pubkey,
    pub liab_asset_index: u16,
    /// Liability native units taken over (I80F48 bits).
    pub liab_amount: i128,
    pub collateral: Vec<LiquidatedCollateral>,
    pub maint_health_before: i128,
    pub liquidation_end_health_before: i128,
    pub liquidation_end_health_after: i128,
    pub liquidation_started_at: i64,
}

/// The account is back at LiquidationEnd health >= 0 and may act again.
#[event]
pub struct LiquidationEnded {
    pub group: Pubkey,
    pub account: Pubkey,
}

#[event]
pub struct BankruptcyResolved {
    pub group: Pubkey,
    pub account: Pubkey,
    pub asset_index: u16,
    /// Debt written off, native units (I80F48 bits).
    pub debt: i128,
    /// Paid from the asset's insurance fund.
    pub from_insurance: i128,
    /// Spread over the asset's depositors by lowering the deposit index.
    pub socialized: i128,
    /// What the depositors could not absorb, added to the asset's `bad_debt`.
    pub bad_debt: i128,
    pub deposit_index_after: i128,
}

#[event]
pub struct VolatilityUpdated {
    pub asset: Pubkey,
    pub asset_index: u16,
    /// Sampled spot price (quote-native per native unit, I80F48 bits).
    pub price: i128,
    /// Annualised realised variance after the sample (I80F48 bits).
    pub realized_variance: i128,
    /// sigma * sqrt(horizon) now used by the volatility factor (I80F48 bits).
    pub horizon_vol: i128,
    /// Publish time of the oracle reading sampled.
    pub sampled_at: i64,
}

/// An option series' risk array, recomputed (`update_risk_array`); values per contract,
/// quote-native, I80F48 bits.
#[event]
pub struct RiskArrayUpdated {
    pub group: Pubkey,
    pub market: Pubkey,
    pub market_index: u16,
    /// The oracle spot (quote-native per native unit), mark volatility and Init scan range used.
    pub spot: i128,
    pub sigma: i128,
    pub range: i128,
    pub value: i128,
    /// Native units of the underlying; gamma per 1% move.
    pub delta: i128,
    pub gamma: i128,
    pub vega: i128,
    pub theta: i128,
    /// Value change per contract under each scan scenario.
    pub scenarios: [i128; 16],
    pub computed_ts: i64,
    pub publish_ts: i64,
}

#[event]
pub struct DelegateChanged {
    pub account: Pubkey,
    pub old_delegate: Pubkey,
    pub new_delegate: Pubkey,
}

/// One position's share of one level's health, in quote-native units (rounded down).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionBreakdown {
    pub asset_index: u16,
    /// Native balance (I80F48 bits); negative for debt.
    pub balance: i128,
    pub contribution: i64,
    /// Value removed by each `risk::Factor`, in its declaration order (negative: a credit).
    pub factor_cuts: [i64; crate::risk::Factor::COUNT],
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct LevelBreakdown {
    /// Exact health (I80F48 bits), derivatives included.
    pub health: i128,
    pub positions: Vec<PositionBreakdown>,
    /// One per underlying the account's derivatives are on.
    pub scans: Vec<ScanBreakdown>,
}

/// One underlying's scan (`risk::UnderlyingScan`), values in whole quote-native units.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ScanBreakdown {
    pub underlying_index: u16,
    /// Scan range as a fraction of the price (I80F48 bits).
    pub range: i128,
    /// Net delta of futures and the hedging spot (native units of the underlying, I80F48 bits).
    pub net_delta: i128,
    /// Index of the worst scenario in `risk::SCENARIOS`.
    pub worst_scenario: u8,
    pub requirement: i64,
    pub unrealised_pnl: i64,
    pub weighted_pnl: i64,
    pub hedge_credit: i64,
    /// The account's delta in the underlying (futures, options and the whole spot holding), the
    /// options' gamma (native units per 1% rise), vega (per 1.00 of volatility) and theta (per
    /// year), I80F48 bits.
    pub total_delta: i128,
    pub gamma: i128,
    pub vega: i128,
    pub theta: i128,
    /// The uncovered short options' minimum, and the value change in each scenario.
    pub short_option_minimum: i64,
    pub scenarios: [i64; 16],
}

/// Emitted by `health_report`: Init, LiquidationEnd and Maint, in that order.
#[event]
pub struct HealthBreakdown {
    pub account: Pubkey,
    pub levels: Vec<LevelBreakdown>,
}

/// A patch applied to an asset, field by field (values as in `PatchEntry`).
#[event]
pub struct AssetPatched {
    pub group: Pubkey,
    pub asset: Pubkey,
    pub asset_index: u16,
    /// The admin or the guardian, or whoever executed the proposal.
    pub by: Pubkey,
    /// The proposal executed, if it came through the timelock.
    pub proposal: Option<Pubkey>,
    pub changes: Vec<FieldChanged>,
    /// When a maintenance weight's glide (started by this patch) reaches its target; 0: none.
    pub glide_ends_at: i64,
}

/// A patch applied to the group's settings.
#[event]
pub struct GroupPatched {
    pub group: Pubkey,
    pub by: Pubkey,
    pub proposal: Option<Pubkey>,
    pub changes: Vec<FieldChanged>,
}

/// A patch applied to a market's config.
#[event]
pub struct MarketPatched {
    pub group: Pubkey,
    pub market: Pubkey,
    pub market_index: u16,
    pub by: Pubkey,
    pub proposal: Option<Pubkey>,
    pub changes: Vec<FieldChanged>,
}

#[event]
pub struct ProposalCreated {
    pub group: Pubkey,
    pub proposal: Pubkey,
    pub proposal_num: u64,
    pub target: Pubkey,
    pub proposer: Pubkey,
    /// Earliest execution time.
    pub eta: i64,
    /// Old and new values as of the proposal (execution applies the new ones to the config as it
    /// stands then, and reports the old values again).
    pub changes: Vec<FieldChanged>,
}

#[event]
pub struct ProposalCancelled {
    pub group: Pubkey,
    pub proposal: Pubkey,
    pub by: Pubkey,
}

#[event]
pub struct AdminProposed {
    pub group: Pubkey,
    pub admin: Pubkey,
    pub old_pending_admin: Pubkey,
    pub new_pending_admin: Pubkey,
}

#[event]
pub struct AdminChanged {
    pub group: Pubkey,
    pub old_admin: Pubkey,
    pub new_admin: Pubkey,
}

/// A pause set, renewed, lifted by the admin, or cleared after expiry.
#[event]
pub struct PauseChanged {
    pub group: Pubkey,
    /// The asset paused, or none for the group-wide pause.
    pub asset: Option<Pubkey>,
    pub by: Pubkey,
    /// `PAUSE_*` bits before and after.
    pub old_actions: u8,
    pub new_actions: u8,
    /// When the pause stops blocking (0 once lifted).
    pub expires_ts: i64,
    /// Pauses in the current run and in the current day-long window.
    pub consecutive: u8,
    pub day_count: u8,
}

#[event]
pub struct MarketRegistered {
    pub group: Pubkey,
    pub market: Pubkey,
    pub market_index: u16,
    pub underlying: Pubkey,
    pub quote: Pubkey,
    pub config: MarketConfig,
}

/// A bilateral futures trade: `buyer` bought `contracts` from `seller` at `price` per contract.
#[event]
pub struct FuturesTraded {
    pub group: Pubkey,
    pub market: Pubkey,
    pub market_index: u16,
    pub buyer: Pubkey,
    pub seller: Pubkey,
    pub contracts: u64,
    /// Quote-native per contract.
    pub price: u64,
    /// Each side's position after the trade (contracts, signed).
    pub buyer_contracts: i64,
    pub seller_contracts: i64,
    pub open_interest: u64,
    /// Each side's Init health after (I80F48 bits).
    pub buyer_init_health: i128,
    pub seller_init_health: i128,
}

/// PnL moved from `owing` to `owed` in `market`'s quote asset (native units).
#[event]
pub struct PnlSettled {
    pub group: Pubkey,
    pub market: Pubkey,
    pub market_index: u16,
    pub owed: Pubkey,
    pub owing: Pubkey,
    pub amount: u64,
    /// Per-contract price the PnL was measured at: the oracle spot, or the settlement price.
    pub mark: i64,
    /// Whether the positions were closed at the settlement price first.
    pub closed_at_settlement: bool,
}

/// A settlement reading recorded for an expired market (provisional until `final_ts`).
#[event]
pub struct ExpirySettlementRecorded {
    pub group: Pubkey,
    pub market: Pubkey,
    pub market_index: u16,
    /// Quote-native per native unit of the underlying (I80F48 bits).
    pub settlement_price: i128,
    pub publish_ts: i64,
    /// From then on positions close at it.
    pub final_ts: i64,
}

/// The liquidator took over `contracts` of the liquidatee's position at `price` per contract
/// (quote-native; the mark less or plus `bonus`).
#[event]
pub struct DerivativeLiquidation {
    pub group: Pubkey,
    pub market: Pubkey,
    pub market_index: u16,
    pub liquidatee: Pubkey,
    pub liquidator: Pubkey,
    pub contracts: u64,
    pub price: i64,
    pub bonus: i128,
    pub maint_health_before: i128,
    pub liquidation_end_health_before: i128,
    pub liquidation_end_health_after: i128,
    pub liquidation_started_at: i64,
}
