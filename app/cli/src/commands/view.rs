//! Read-only views: an account's positions and health, the group and its assets.

use super::{account_reports, native_balance, Client, TOKEN_2022};
use crate::error::{from_anchor, CliResult};
use crate::params::GroupParams;
use crate::report::{health_view, AssetLabel, HealthView};
use crate::units::{format_native, usd, usd_per_token};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::ballast::health_accounts::OraclePolicy;
use ballast_sdk::ballast::math::I80F48;
use ballast_sdk::ballast::oracle::read_oracle_data;
use ballast_sdk::ballast::risk::{assess_oracle, HealthReports, OracleFault};
use ballast_sdk::snapshot::AssetEntry;
use ballast_sdk::{Chain, GroupSnapshot};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PositionBalance {
    pub asset_index: u16,
    pub mint: String,
    /// `deposit` or `borrow`.
    pub kind: &'static str,
    /// UI units, negative for a debt.
    pub balance: String,
    /// At the oracle spot price, when the oracle could be read.
    pub value_usd: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HealthSummary {
    pub init_usd: f64,
    pub liquidation_end_usd: f64,
    pub maint_usd: f64,
}

impl HealthSummary {
    fn of(reports: &HealthReports) -> HealthSummary {
        HealthSummary {
            init_usd: usd(reports.init.health),
            liquidation_end_usd: usd(reports.liquidation_end.health),
            maint_usd: usd(reports.maint.health),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub account: String,
    pub group: String,
    pub owner: String,
    pub delegate: Option<String>,
    pub account_num: u32,
    pub being_liquidated: bool,
    pub positions: Vec<PositionBalance>,
    /// Health with the oracle checks of withdraw and borrow; absent (with the reason in
    /// `health_error`) when it cannot be computed.
    pub health: Option<HealthSummary>,
    pub health_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssetRow {
    pub index: u16,
    pub mint: String,
    pub asset: String,
    pub decimals: u8,
    pub token_program: &'static str,
    pub oracle_account: String,
    pub price_usd: Option<f64>,
    /// `ok`, `stale`, `confidence_too_wide`, `ema_deviation`, `non_positive_price`, or what
    /// went wrong reading it.
    pub oracle_status: String,
    pub init_asset_weight_bps: u32,
    pub maint_asset_weight_bps: u32,
    pub init_liab_weight_bps: u32,
    pub maint_liab_weight_bps: u32,
    pub total_deposits: String,
    pub total_borrows: String,
    pub reduce_only: bool,
    /// An expiring pause is in force (some of deposit, withdraw, borrow).
    pub paused: bool,
    /// Frozen by the admin until lifted through the timelock.
    pub frozen: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub group: String,
    pub admin: String,
    pub risk_guardian: String,
    /// The group-wide pause in force ("none", or its actions and expiry).
    pub pause: String,
    pub pending_admin: Option<String>,
    pub proposal_count: u64,
    pub config: GroupParams,
    pub assets: Vec<AssetRow>,
}

/// A pause as people read it: "none", or "withdraw,borrow until <unix time>".
pub fn describe_pause(p: &ballast_sdk::ballast::risk::governance::PauseState, now: i64) -> String {
    use ballast_sdk::ballast::risk::governance::{PAUSE_BORROW, PAUSE_DEPOSIT, PAUSE_WITHDRAW};
    if !p.is_active(now) {
        return "none".into();
    }
    let names: Vec<&str> =
        [(PAUSE_DEPOSIT, "deposit"), (PAUSE_WITHDRAW, "withdraw"), (PAUSE_BORROW, "borrow")]
            .iter()
            .filter(|(bit, _)| p.actions & bit != 0)
            .map(|(_, n)| *n)
            .collect();
    format!("{} until {}", names.join(","), p.expires_ts)
}

/// Spot price (USD per token) and the oracle's state under withdraw/borrow checks.
fn oracle_status(a: &AssetEntry, now: i64) -> (Option<f64>, String) {
    let Some(oracle) = a.oracle.as_ref() else { return (None, "missing".into()) };
    let reading = match read_oracle_data(&a.state.config, &a.oracle_key, &oracle.owner, &oracle.data) {
        Ok(r) => r,
        Err(e) => return (None, from_anchor(e).to_string()),
    };
    match assess_oracle(&reading, &a.state.config.risk_increasing_limits(), now, a.state.decimals) {
        Ok((prices, fault)) => {
            let status = match fault {
                None => "ok",
                Some(OracleFault::Stale) => "stale",
                Some(OracleFault::ConfidenceTooWide) => "confidence_too_wide",
                Some(OracleFault::EmaDeviation) => "ema_deviation",
                Some(OracleFault::NonPositivePrice) => "non_positive_price",
                Some(OracleFault::PriceBelowResolution) => "price_below_resolution",
            };
            (Some(usd_per_token(prices.spot, a.state.decimals)), status.into())
        }
        Err(e) => (None, format!("{e:?}")),
    }
}

impl<C: Chain> Client<C> {
    pub async fn account_show(&self, key: &Pubkey) -> CliResult<AccountView> {
        let account = self.margin_account(key).await?;
        let snap = self.snapshot().await?;
        let mut positions = vec![];
        for p in account.active_positions() {
            let a = snap.asset(p.asset_index)?;
            let balance = native_balance(&snap, &account, p.asset_index)?;
            positions.push(PositionBalance {
                asset_index: p.asset_index,
                mint: a.state.mint.to_string(),
                kind: if balance < 0 { "borrow" } else { "deposit" },
                balance: format_native(balance, a.state.decimals),
                value_usd: None,
            });
        }
        let (health, health_error) = match account_reports(&snap, &account, OraclePolicy::RiskIncreasing) {
            Ok(reports) => {
                for pos in &mut positions {
                    pos.value_usd = reports
                        .init
                        .positions
                        .iter()
                        .find(|r| r.asset_index == pos.asset_index)
                        .map(|r| usd(r.spot_value) * if r.balance < 0 { -1.0 } else { 1.0 });
                }
                (Some(HealthSummary::of(&reports)), None)
            }
            Err(e) => (None, Some(e.to_string())),
        };
        Ok(AccountView {
            account: key.to_string(),
            group: account.group.to_string(),
            owner: account.owner.to_string(),
            delegate: (account.delegate != Pubkey::default()).then(|| account.delegate.to_string()),
            account_num: account.account_num,
            being_liquidated: account.is_being_liquidated(),
            positions,
            health,
            health_error,
        })
    }

    /// Health at every level with the factor breakdown. `liquidation_prices` judges the oracles
    /// as a liquidation does (wider confidence, no EMA check) instead of as withdraw/borrow do,
    /// like the program's `health_report` instruction.
    pub async fn health(&self, key: &Pubkey, liquidation_prices: bool) -> CliResult<HealthView> {
        let account = self.margin_account(key).await?;
        let snap = self.snapshot().await?;
        let policy =
            if liquidation_prices { OraclePolicy::Liquidation } else { OraclePolicy::RiskIncreasing };
        let reports = account_reports(&snap, &account, policy)?;
        Ok(health_view(
            Some(key.to_string()),
            policy_name(policy),
            account.is_being_liquidated(),
            &reports,
            &labels(&snap),
        ))
    }

    /// The group's settings and every asset with its oracle's price and status.
    pub async fn group_show(&self) -> CliResult<GroupView> {
        let snap = self.snapshot().await?;
        let assets = snap
            .assets
            .iter()
            .map(|a| {
                let s = &a.state;
                let (price_usd, oracle_status) = oracle_status(a, snap.now);
                let lending = s.lending_state();
                let total =
                    |v: Result<I80F48, _>| v.map(|v| format_native(v, s.decimals)).unwrap_or_default();
                AssetRow {
                    index: s.asset_index,
                    mint: s.mint.to_string(),
                    asset: a.key.to_string(),
                    decimals: s.decimals,
                    token_program: if s.token_program == TOKEN_2022 { "token-2022" } else { "spl-token" },
                    oracle_account: a.oracle_key.to_string(),
                    price_usd,
                    oracle_status,
                    init_asset_weight_bps: s.config.init_asset_weight_bps,
                    maint_asset_weight_bps: s.config.maint_asset_weight_bps,
                    init_liab_weight_bps: s.config.init_liab_weight_bps,
                    maint_liab_weight_bps: s.config.maint_liab_weight_bps,
                    total_deposits: total(lending.total_deposits()),
                    total_borrows: total(lending.total_borrows()),
                    reduce_only: s.config.is_reduce_only(),
                    paused: s.pause.get().is_active(snap.now),
                    frozen: s.config.is_frozen(),
                }
            })
            .collect();
        Ok(GroupView {
            group: snap.key.to_string(),
            admin: snap.group.admin.to_string(),
            risk_guardian: snap.group.risk_guardian.to_string(),
            pause: describe_pause(&snap.group.pause.get(), snap.now),
            pending_admin: (snap.group.pending_admin != Pubkey::default())
                .then(|| snap.group.pending_admin.to_string()),
            proposal_count: snap.group.proposal_count,
            config: GroupParams::from_config(&snap.group.config),
            assets,
        })
    }
}

fn policy_name(p: OraclePolicy) -> &'static str {
    match p {
        OraclePolicy::RiskIncreasing => "risk_increasing",
        OraclePolicy::Liquidation => "liquidation",
    }
}

fn labels(snap: &GroupSnapshot) -> Vec<AssetLabel> {
    snap.assets
        .iter()
        .map(|a| AssetLabel {
            index: a.state.asset_index,
            name: a.state.mint.to_string(),
            decimals: a.state.decimals,
        })
        .collect()
}

/// One market as `market list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MarketRow {
    pub index: u16,
    pub market: String,
    pub kind: &'static str,
    pub underlying_index: u16,
    pub quote_index: u16,
    /// Unix time.
    pub expiry: i64,
    pub expired: bool,
    /// Native units of the underlying per contract.
    pub contract_size: u64,
    pub open_interest: u64,
    pub open_interest_cap: u64,
    pub price_band_bps: u32,
    pub reduce_only: bool,
    /// The settlement price in USD per whole token, once settled.
    pub settlement_price_usd: Option<f64>,
    /// The margin parameters (bps): scan range multiplier and least ranges, extreme move and the
    /// share counted, weights of positive PnL; and the settlement window (seconds).
    pub scan_range_multiplier_bps: u32,
    pub min_scan_range_init_bps: u32,
    pub min_scan_range_maint_bps: u32,
    pub extreme_move_multiple_bps: u32,
    pub extreme_fraction_bps: u32,
    pub pnl_weight_init_bps: u32,
    pub pnl_weight_maint_bps: u32,
    pub settlement_window_secs: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarketList {
    pub group: String,
    pub markets: Vec<MarketRow>,
}

impl<C: Chain> Client<C> {
    /// The group's markets (`only`: the one with that index).
    pub async fn market_list(&self, only: Option<u16>) -> CliResult<MarketList> {
        let snap = self.snapshot().await?;
        let markets = ballast_sdk::markets::load_markets(&self.chain, &self.group).await?;
        let rows = markets
            .iter()
            .filter(|m| only.is_none_or(|i| m.state.market_index == i))
            .map(|m| {
                let s = &m.state;
                let decimals = snap.asset(s.underlying_index).map(|a| a.state.decimals).unwrap_or(0);
                let settled = s.settlement_price.get();
                MarketRow {
                    index: s.market_index,
                    market: m.key.to_string(),
                    kind: "future",
                    underlying_index: s.underlying_index,
                    quote_index: s.quote_index,
                    expiry: s.config.expiry_ts,
                    expired: snap.now >= s.config.expiry_ts,
                    contract_size: s.config.contract_size,
                    open_interest: s.open_interest,
                    open_interest_cap: s.config.open_interest_cap,
                    price_band_bps: s.config.price_band_bps,
                    reduce_only: s.config.is_reduce_only(),
                    settlement_price_usd: (settled > I80F48::ZERO).then(|| usd_per_token(settled, decimals)),
                    scan_range_multiplier_bps: s.config.scan_range_multiplier_bps,
                    min_scan_range_init_bps: s.config.min_scan_range_init_bps,
                    min_scan_range_maint_bps: s.config.min_scan_range_maint_bps,
                    extreme_move_multiple_bps: s.config.extreme_move_multiple_bps,
                    extreme_fraction_bps: s.config.extreme_fraction_bps,
                    pnl_weight_init_bps: s.config.pnl_weight_init_bps,
                    pnl_weight_maint_bps: s.config.pnl_weight_maint_bps,
                    settlement_window_secs: s.config.settlement_window_secs,
                }
            })
            .collect::<Vec<_>>();
        if let (Some(i), true) = (only, rows.is_empty()) {
            return Err(crate::error::CliError::input(format!("no market {i} in this group")));
        }
        Ok(MarketList { group: self.group.to_string(), markets: rows })
    }
}
