//! The on-chain commands, generic over the chain: each loads what it needs with the SDK, builds
//! the instruction with the SDK's builders, sends it, and returns a structured result.

use crate::error::{from_anchor, CliError, CliResult};
use crate::params::{diff, AssetParams, FieldChange, GroupParams};
use crate::report::{health_view, AssetLabel, HealthView};
use crate::units::{format_native, usd, usd_per_token, Amount};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::ballast::health_accounts::{price_asset, OraclePolicy, PricedAssets};
use ballast_sdk::ballast::math::I80F48;
use ballast_sdk::ballast::oracle::pyth_pull::pin_default_account;
use ballast_sdk::ballast::oracle::read_oracle_data;
use ballast_sdk::ballast::risk::{
    assess_oracle, health_report, HealthReport, HealthType, OracleFault, RiskError,
};
use ballast_sdk::ballast::state::{Asset, AssetConfig, MarginAccount};
use ballast_sdk::ballast::validation::{validate_asset_config, validate_group_config};
use ballast_sdk::snapshot::AssetEntry;
use ballast_sdk::{decode, ix, Chain, GroupSnapshot, SdkError};
use serde::Serialize;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use std::collections::HashMap;

/// The SPL Associated Token Account program.
pub const ATA_PROGRAM: Pubkey = Pubkey::from_str_const("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
const SPL_TOKEN: Pubkey = Pubkey::from_str_const("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
const TOKEN_2022: Pubkey = Pubkey::from_str_const("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// The associated token account of `owner` for `mint`.
pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[owner.as_ref(), token_program.as_ref(), mint.as_ref()], &ATA_PROGRAM).0
}

/// `CreateIdempotent` of the ATA program: creates the account unless it exists.
pub fn create_associated_token_account_idempotent(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    Instruction {
        program_id: ATA_PROGRAM,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(associated_token_address(owner, mint, token_program), false),
            AccountMeta::new_readonly(*owner, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(anchor_lang::system_program::ID, false),
            AccountMeta::new_readonly(*token_program, false),
        ],
        data: vec![1],
    }
}

/// An asset named on the command line: its index in the group, or its mint (or Asset) address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetRef {
    Index(u16),
    Address(Pubkey),
}

impl std::str::FromStr for AssetRef {
    type Err = String;
    fn from_str(s: &str) -> Result<AssetRef, String> {
        if let Ok(i) = s.parse::<u16>() {
            return Ok(AssetRef::Index(i));
        }
        ballast_sdk::config::parse_pubkey(s)
            .map(AssetRef::Address)
            .map_err(|_| format!("`{s}` is neither an asset index nor a mint address"))
    }
}

impl std::fmt::Display for AssetRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AssetRef::Index(i) => write!(f, "{i}"),
            AssetRef::Address(a) => write!(f, "{a}"),
        }
    }
}

pub fn find_asset<'a>(snap: &'a GroupSnapshot, r: &AssetRef) -> CliResult<&'a AssetEntry> {
    match r {
        AssetRef::Index(i) => {
            snap.asset(*i).map_err(|_| CliError::input(format!("the group has no asset {i}")))
        }
        AssetRef::Address(a) => snap
            .asset_by_mint(a)
            .or_else(|| snap.assets.iter().find(|e| e.key == *a))
            .ok_or_else(|| CliError::input(format!("no asset of the group has mint {a}"))),
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

fn risk_error(snap: &GroupSnapshot, e: RiskError) -> CliError {
    match e {
        RiskError::LiabilityOracleUnusable { asset_index } => {
            let mint = snap.asset(asset_index).map(|a| a.state.mint.to_string()).unwrap_or_default();
            CliError::input(format!(
                "the oracle of debt asset {asset_index} ({mint}) is stale, too uncertain or off its EMA, \
                 so health cannot be computed (LiabilityOracleUnusable)"
            ))
        }
        RiskError::Math(m) => CliError::input(format!("risk engine: {m:?}")),
    }
}

/// Prices just the assets in `indexes` (an unrelated asset with a missing or broken oracle
/// does not stop a command), exactly as the program prices health accounts.
pub fn price_assets(snap: &GroupSnapshot, indexes: &[u16], policy: OraclePolicy) -> CliResult<PricedAssets> {
    let mut assets = vec![];
    for (i, index) in indexes.iter().enumerate() {
        let a = snap.asset(*index)?;
        let oracle = a.oracle.as_ref().ok_or_else(|| {
            CliError::input(format!(
                "asset {index}: no oracle account at {} (pass --oracle {index}=<ADDRESS> if its price \
                 lives elsewhere)",
                a.oracle_key
            ))
        })?;
        let reading = read_oracle_data(&a.state.config, &a.oracle_key, &oracle.owner, &oracle.data)
            .map_err(from_anchor)?;
        assets.push(price_asset(a.key, i, &a.state, &reading, policy, snap.now).map_err(from_anchor)?);
    }
    Ok(PricedAssets { assets, params: snap.group.config.health_params(), now: snap.now, pending: None })
}

/// The engine's reports at the three levels for `account`.
pub fn account_reports(
    snap: &GroupSnapshot,
    account: &MarginAccount,
    policy: OraclePolicy,
) -> CliResult<Vec<HealthReport>> {
    let indexes: Vec<u16> = account.active_positions().map(|p| p.asset_index).collect();
    let priced = price_assets(snap, &indexes, policy)?;
    let inputs = priced.inputs(&account.positions, None).map_err(from_anchor)?;
    HealthType::ALL
        .iter()
        .map(|l| health_report(&inputs, &priced.params, *l).map_err(|e| risk_error(snap, e)))
        .collect()
}

/// Native balance of `account` in asset `index` with interest accrued to the snapshot's time
/// (negative for a debt; zero without a position).
pub fn native_balance(snap: &GroupSnapshot, account: &MarginAccount, index: u16) -> CliResult<I80F48> {
    let Some(slot) = account.find_position(index) else { return Ok(I80F48::ZERO) };
    let mut asset: Asset = snap.asset(index)?.state;
    asset.accrue_interest(snap.now).map_err(|e| CliError::input(format!("interest: {e:?}")))?;
    asset
        .native_balance(account.positions[slot].shares())
        .map_err(|e| CliError::input(format!("balance: {e:?}")))
}

// ---- results ------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct AccountCreated {
    pub account: String,
    pub owner: String,
    pub account_num: u32,
    pub signature: String,
}

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
    fn of(reports: &[HealthReport]) -> HealthSummary {
        HealthSummary {
            init_usd: usd(reports[0].health),
            liquidation_end_usd: usd(reports[1].health),
            maint_usd: usd(reports[2].health),
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

/// The outcome of deposit, withdraw, borrow or repay.
#[derive(Debug, Clone, Serialize)]
pub struct ActionResult {
    pub action: &'static str,
    pub account: String,
    pub asset_index: u16,
    pub mint: String,
    /// The amount sent, UI units (`repay all` sends u64::MAX and shows `all`).
    pub amount: String,
    pub native_amount: u64,
    pub token_account: String,
    pub signature: String,
    pub balance_before: String,
    pub balance_after: String,
    /// Init health after the action (withdraw/borrow oracle checks), when computable.
    pub init_health_after_usd: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BalanceChange {
    pub asset_index: u16,
    pub mint: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LiquidationResult {
    pub signature: String,
    pub liquidatee: String,
    pub liquidator_account: String,
    pub liab_asset_index: u16,
    pub maint_before_usd: Option<f64>,
    pub liquidation_end_before_usd: Option<f64>,
    pub maint_after_usd: Option<f64>,
    pub liquidation_end_after_usd: Option<f64>,
    pub liquidatee_changes: Vec<BalanceChange>,
    pub liquidator_changes: Vec<BalanceChange>,
    /// The lookup table a v0 transaction went through (None: sent as a legacy transaction).
    pub lookup_table: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssetRegistered {
    pub asset: String,
    pub mint: String,
    pub token_program: String,
    pub oracle_account: String,
    pub asset_index: Option<u16>,
    pub config: AssetParams,
    /// None for `--dry-run`.
    pub signature: Option<String>,
}

/// The outcome of `asset update` and `group update`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigUpdate {
    /// The Asset or Group account.
    pub target: String,
    pub changes: Vec<FieldChange>,
    /// None for `--dry-run` or when nothing changes.
    pub signature: Option<String>,
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
    pub paused: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub group: String,
    pub admin: String,
    pub risk_guardian: String,
    pub paused: bool,
    pub config: GroupParams,
    pub assets: Vec<AssetRow>,
}

// ---- the client ---------------------------------------------------------------------------

/// Everything a command needs: the chain, the group, and who signs.
pub struct Client<C: Chain> {
    pub chain: C,
    pub group: Pubkey,
    /// Owner of margin accounts, or the group admin for governance commands.
    pub signer: Keypair,
    /// Pays fees and rent; the signer when unset.
    pub fee_payer: Option<Keypair>,
    /// Oracle accounts other than the default (Pyth sponsored feed / configured legacy account),
    /// by asset index.
    pub oracle_overrides: HashMap<u16, Pubkey>,
}

impl<C: Chain> Client<C> {
    pub fn new(chain: C, group: Pubkey, signer: Keypair) -> Client<C> {
        Client { chain, group, signer, fee_payer: None, oracle_overrides: HashMap::new() }
    }

    pub fn payer(&self) -> &Keypair {
        self.fee_payer.as_ref().unwrap_or(&self.signer)
    }

    /// Margin account `num` of the signer.
    pub fn own_account(&self, num: u32) -> Pubkey {
        ix::margin_account_address(&self.group, &self.signer.pubkey(), num)
    }

    pub async fn send(&self, ixs: &[Instruction]) -> CliResult<String> {
        let payer = self.payer();
        let signers: Vec<&Keypair> =
            if payer.pubkey() == self.signer.pubkey() { vec![] } else { vec![&self.signer] };
        Ok(self.chain.send(ixs, payer, &signers).await?)
    }

    pub async fn snapshot(&self) -> CliResult<GroupSnapshot> {
        Ok(GroupSnapshot::load(&self.chain, self.group, &self.oracle_overrides).await?)
    }

    pub async fn margin_account(&self, key: &Pubkey) -> CliResult<MarginAccount> {
        let raw = self
            .chain
            .account(key)
            .await?
            .ok_or_else(|| CliError::input(format!("margin account {key} does not exist")))?;
        let account: MarginAccount = decode(key, &raw.data, "MarginAccount")?;
        if account.group != self.group {
            return Err(CliError::input(format!("margin account {key} belongs to group {}", account.group)));
        }
        Ok(account)
    }

    async fn token_amount(&self, key: &Pubkey) -> CliResult<Option<u64>> {
        let Some(acc) = self.chain.account(key).await? else { return Ok(None) };
        let base = acc
            .data
            .get(..spl_token_interface::state::Account::LEN)
            .and_then(|d| spl_token_interface::state::Account::unpack_from_slice(d).ok())
            .ok_or_else(|| CliError::input(format!("{key} is not a token account")))?;
        Ok(Some(base.amount))
    }

    // ---- trader commands ------------------------------------------------------------------

    pub async fn account_create(&self, account_num: u32) -> CliResult<AccountCreated> {
        let owner = self.signer.pubkey();
        let (account, i) = ix::create_account(self.group, owner, self.payer().pubkey(), account_num);
        let signature = self.send(&[i]).await?;
        Ok(AccountCreated { account: account.to_string(), owner: owner.to_string(), account_num, signature })
    }

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
                    pos.value_usd = reports[0]
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

    pub async fn deposit(
        &self,
        account: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        self.token_action("deposit", account, asset, amount, token_account).await
    }

    pub async fn withdraw(
        &self,
        account: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        self.token_action("withdraw", account, asset, amount, token_account).await
    }

    pub async fn borrow(
        &self,
        account: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        self.token_action("borrow", account, asset, amount, token_account).await
    }

    /// `amount` = all repays the whole debt (the program takes exactly what is owed).
    pub async fn repay(
        &self,
        account: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        self.token_action("repay", account, asset, amount, token_account).await
    }

    async fn token_action(
        &self,
        action: &'static str,
        account_key: &Pubkey,
        asset: &AssetRef,
        amount: &Amount,
        token_account: Option<Pubkey>,
    ) -> CliResult<ActionResult> {
        let account = self.margin_account(account_key).await?;
        let snap = self.snapshot().await?;
        let entry = find_asset(&snap, asset)?;
        let (index, mint, decimals, token_program) =
            (entry.state.asset_index, entry.state.mint, entry.state.decimals, entry.state.token_program);
        let before = native_balance(&snap, &account, index)?;
        let me = self.signer.pubkey();
        let outgoing = matches!(action, "withdraw" | "borrow");
        let mut ixs = vec![];
        let wallet = match token_account {
            Some(t) => t,
            None => {
                let ata = associated_token_address(&me, &mint, &token_program);
                let exists = self.chain.account(&ata).await?.is_some();
                if !exists && outgoing {
                    ixs.push(create_associated_token_account_idempotent(
                        &self.payer().pubkey(),
                        &me,
                        &mint,
                        &token_program,
                    ));
                } else if !exists {
                    return Err(CliError::input(format!(
                        "{me} has no associated token account for mint {mint} ({ata}); pass --token-account"
                    )));
                }
                ata
            }
        };
        let native = match (amount.native(decimals)?, action) {
            (Some(n), _) => n,
            (None, "repay") => u64::MAX,
            (None, "withdraw") => {
                let n = ballast_sdk::ballast::math::to_u64_floor(before.max(I80F48::ZERO)).unwrap_or(0);
                if n == 0 {
                    return Err(CliError::input(format!(
                        "account has no deposit of asset {index} to withdraw"
                    )));
                }
                n
            }
            (None, "deposit") => match self.token_amount(&wallet).await? {
                Some(n) if n > 0 => n,
                _ => return Err(CliError::input(format!("token account {wallet} holds nothing to deposit"))),
            },
            (None, _) => return Err(CliError::input("borrow needs an amount, not `all`")),
        };
        ixs.push(match action {
            "deposit" => snap.with_cure_accounts(
                snap.deposit(*account_key, index, wallet, me, native)?,
                &account,
                index,
            )?,
            "repay" => snap.with_cure_accounts(
                snap.repay(*account_key, index, wallet, me, native)?,
                &account,
                index,
            )?,
            "withdraw" => snap.withdraw(*account_key, &account, index, wallet, native)?,
            _ => snap.borrow(*account_key, &account, index, wallet, native)?,
        });
        let signature = self.send(&ixs).await?;
        let after_account = self.margin_account(account_key).await?;
        let after_snap = self.snapshot().await?;
        let after = native_balance(&after_snap, &after_account, index)?;
        let init_health_after_usd =
            account_reports(&after_snap, &after_account, OraclePolicy::RiskIncreasing)
                .ok()
                .map(|r| usd(r[0].health));
        Ok(ActionResult {
            action,
            account: account_key.to_string(),
            asset_index: index,
            mint: mint.to_string(),
            amount: if native == u64::MAX {
                "all".into()
            } else {
                crate::units::format_units(i128::from(native), u32::from(decimals))
            },
            native_amount: native,
            token_account: wallet.to_string(),
            signature,
            balance_before: format_native(before, decimals),
            balance_after: format_native(after, decimals),
            init_health_after_usd,
        })
    }

    /// Takes over up to `max` of `liquidatee`'s debt in `liab` with the signer's margin account
    /// `liquidator_account`, paid in the liquidatee's collateral. `min_value_ratio_bps`: the least
    /// collateral value per unit of debt value the liquidator accepts (10_000 = 1.0).
    pub async fn liquidate(
        &self,
        liquidator_account: &Pubkey,
        liquidatee: &Pubkey,
        liab: &AssetRef,
        max: &Amount,
        min_value_ratio_bps: u32,
        lookup_table: Option<Pubkey>,
    ) -> CliResult<LiquidationResult> {
        let liqor = self.margin_account(liquidator_account).await?;
        let liqee = self.margin_account(liquidatee).await?;
        let snap = self.snapshot().await?;
        let entry = find_asset(&snap, liab)?;
        let index = entry.state.asset_index;
        let max_native = amount_or_max(max, entry.state.decimals)?;
        let before = account_reports(&snap, &liqee, OraclePolicy::Liquidation).ok();
        let i = snap.liquidate(
            self.signer.pubkey(),
            *liquidator_account,
            &liqor,
            *liquidatee,
            &liqee,
            index,
            max_native,
            min_value_ratio_bps,
        )?;
        // A liquidation prices every asset of both accounts: it needs more compute than the
        // default, and from about 14 assets more bytes than a legacy transaction holds, when it
        // goes through the signer's lookup table of the group (`lookup_table`, or a new one).
        let ixs = ballast_sdk::tx::with_compute_budget(&[i], 0);
        let payer = self.payer();
        let (signature, table) = if ballast_sdk::tx::needs_lookup_table(&payer.pubkey(), &ixs) {
            let (ensured, account) = ballast_sdk::lookup_table::group_lookup_table(
                &self.chain,
                payer,
                &self.signer,
                lookup_table,
                &snap,
            )
            .await?;
            let signers: Vec<&Keypair> =
                if payer.pubkey() == self.signer.pubkey() { vec![] } else { vec![&self.signer] };
            (self.chain.send_versioned(&ixs, payer, &signers, &[account]).await?, Some(ensured.table.key))
        } else {
            (self.send(&ixs).await?, None)
        };
        let liqor_after = self.margin_account(liquidator_account).await?;
        let liqee_after = self.margin_account(liquidatee).await?;
        let snap_after = self.snapshot().await?;
        let after = account_reports(&snap_after, &liqee_after, OraclePolicy::Liquidation).ok();
        Ok(LiquidationResult {
            signature,
            liquidatee: liquidatee.to_string(),
            liquidator_account: liquidator_account.to_string(),
            liab_asset_index: index,
            maint_before_usd: before.as_ref().map(|r| usd(r[2].health)),
            liquidation_end_before_usd: before.as_ref().map(|r| usd(r[1].health)),
            maint_after_usd: after.as_ref().map(|r| usd(r[2].health)),
            liquidation_end_after_usd: after.as_ref().map(|r| usd(r[1].health)),
            liquidatee_changes: balance_changes(&snap, &liqee, &snap_after, &liqee_after)?,
            liquidator_changes: balance_changes(&snap, &liqor, &snap_after, &liqor_after)?,
            lookup_table: table.map(|t| t.to_string()),
        })
    }

    // ---- governance -----------------------------------------------------------------------

    /// Lists `mint` with the config `AssetConfig::template()` + `params`. The oracle account is the
    /// Pyth sponsored feed for a pull asset, the configured account for a legacy one, unless
    /// `oracle_account` says otherwise.
    pub async fn asset_register(
        &self,
        mint: &Pubkey,
        params: &AssetParams,
        oracle_account: Option<Pubkey>,
        dry_run: bool,
    ) -> CliResult<AssetRegistered> {
        let mut config = params.apply(&AssetConfig::template())?;
        // The config pins the oracle account: the one given, else (pull) the sponsored feed.
        if let Some(account) = oracle_account {
            config.oracle = account;
        }
        pin_default_account(&mut config);
        validate_asset_config(&config).map_err(from_anchor)?;
        let mint_account = self
            .chain
            .account(mint)
            .await?
            .ok_or_else(|| CliError::input(format!("mint {mint} does not exist")))?;
        let token_program = mint_account.owner;
        if token_program != SPL_TOKEN && token_program != TOKEN_2022 {
            return Err(CliError::input(format!("{mint} is not an SPL Token or Token-2022 mint")));
        }
        let oracle = config.oracle;
        let asset = ix::asset_address(&self.group, mint);
        let mut out = AssetRegistered {
            asset: asset.to_string(),
            mint: mint.to_string(),
            token_program: token_program.to_string(),
            oracle_account: oracle.to_string(),
            asset_index: None,
            config: AssetParams::from_config(&config),
            signature: None,
        };
        if dry_run {
            return Ok(out);
        }
        let i = ix::register_asset(
            self.group,
            self.signer.pubkey(),
            self.payer().pubkey(),
            *mint,
            token_program,
            oracle,
            config,
        );
        out.signature = Some(self.send(&[i]).await?);
        if let Some(raw) = self.chain.account(&asset).await? {
            out.asset_index = decode::<Asset>(&asset, &raw.data, "Asset").ok().map(|a| a.asset_index);
        }
        Ok(out)
    }

    /// Reads the asset's config, applies the fields `params` names, validates and sends it.
    pub async fn asset_update(
        &self,
        asset: &AssetRef,
        params: &AssetParams,
        oracle_account: Option<Pubkey>,
        dry_run: bool,
    ) -> CliResult<ConfigUpdate> {
        let snap = self.snapshot().await?;
        let entry = find_asset(&snap, asset)?;
        let old = entry.state.config;
        let mut new = params.apply(&old)?;
        if let Some(account) = oracle_account {
            new.oracle = account;
        } else if (old.oracle_kind, old.feed_id) != (new.oracle_kind, new.feed_id) {
            // a new pull feed without a named account pins its sponsored feed account
            new.oracle = Pubkey::default();
        }
        pin_default_account(&mut new);
        validate_asset_config(&new).map_err(from_anchor)?;
        let oracle = new.oracle;
        let changes = diff(&AssetParams::from_config(&old), &AssetParams::from_config(&new));
        let mut out = ConfigUpdate { target: entry.key.to_string(), changes, signature: None };
        if dry_run || out.changes.is_empty() {
            return Ok(out);
        }
        let i = ix::update_asset(self.group, self.signer.pubkey(), entry.key, oracle, new);
        out.signature = Some(self.send(&[i]).await?);
        Ok(out)
    }

    pub async fn group_update(&self, params: &GroupParams, dry_run: bool) -> CliResult<ConfigUpdate> {
        let raw = self.chain.account(&self.group).await?.ok_or(SdkError::AccountNotFound(self.group))?;
        let group: ballast_sdk::ballast::state::Group = decode(&self.group, &raw.data, "Group")?;
        let old = group.config;
        let new = params.apply(&old)?;
        validate_group_config(&new).map_err(from_anchor)?;
        let changes = diff(&GroupParams::from_config(&old), &GroupParams::from_config(&new));
        let mut out = ConfigUpdate { target: self.group.to_string(), changes, signature: None };
        if dry_run || out.changes.is_empty() {
            return Ok(out);
        }
        let i = ix::update_group(self.group, self.signer.pubkey(), new);
        out.signature = Some(self.send(&[i]).await?);
        Ok(out)
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
                    paused: s.config.is_paused(),
                }
            })
            .collect();
        Ok(GroupView {
            group: snap.key.to_string(),
            admin: snap.group.admin.to_string(),
            risk_guardian: snap.group.risk_guardian.to_string(),
            paused: snap.group.is_paused(),
            config: GroupParams::from_config(&snap.group.config),
            assets,
        })
    }
}

fn amount_or_max(amount: &Amount, decimals: u8) -> CliResult<u64> {
    Ok(amount.native(decimals)?.unwrap_or(u64::MAX))
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

/// Per-asset balance changes of one account between two snapshots.
fn balance_changes(
    snap_before: &GroupSnapshot,
    before: &MarginAccount,
    snap_after: &GroupSnapshot,
    after: &MarginAccount,
) -> CliResult<Vec<BalanceChange>> {
    let mut indexes: Vec<u16> = before.active_positions().map(|p| p.asset_index).collect();
    for p in after.active_positions() {
        if !indexes.contains(&p.asset_index) {
            indexes.push(p.asset_index);
        }
    }
    let mut out = vec![];
    for i in indexes {
        let a = snap_after.asset(i)?;
        let b = native_balance(snap_before, before, i)?;
        let n = native_balance(snap_after, after, i)?;
        let (b, n) = (format_native(b, a.state.decimals), format_native(n, a.state.decimals));
        if b != n {
            out.push(BalanceChange { asset_index: i, mint: a.state.mint.to_string(), before: b, after: n });
        }
    }
    Ok(out)
}

/// Parses `INDEX=ADDRESS` (an `--oracle` override).
pub fn parse_oracle_override(s: &str) -> Result<(u16, Pubkey), String> {
    let (i, a) = s.split_once('=').ok_or_else(|| format!("`{s}`: expected INDEX=ADDRESS"))?;
    let i = i.trim().parse::<u16>().map_err(|_| format!("`{i}` is not an asset index"))?;
    let a = ballast_sdk::config::parse_pubkey(a).map_err(|e| format!("oracle {e}"))?;
    Ok((i, a))
}
