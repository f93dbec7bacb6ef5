//! The on-chain commands, generic over the chain: each loads what it needs with the SDK, builds
//! the instruction with the SDK's builders, sends it, and returns a structured result.

mod account;
mod futures;
mod governance;
mod liquidation;
mod view;

pub use account::*;
pub use futures::*;
pub use governance::*;
pub use liquidation::*;
pub use view::*;

use crate::error::{from_anchor, CliError, CliResult};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::ballast::health_accounts::{OraclePolicy, PricedAssets};
use ballast_sdk::ballast::math::I80F48;
use ballast_sdk::ballast::risk::{health_reports, HealthReports, RiskError};
use ballast_sdk::ballast::state::{Asset, MarginAccount};
use ballast_sdk::snapshot::AssetEntry;
use ballast_sdk::{decode, ix, Chain, GroupSnapshot};
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
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

fn risk_error(snap: &GroupSnapshot, e: RiskError) -> CliError {
    match e {
        RiskError::LiabilityOracleUnusable { asset_index } => {
            let mint = snap.asset(asset_index).map(|a| a.state.mint.to_string()).unwrap_or_default();
            CliError::input(format!(
                "the oracle of debt asset {asset_index} ({mint}) is stale, too uncertain or off its EMA, \
                 so health cannot be computed (LiabilityOracleUnusable)"
            ))
        }
        RiskError::MissingUnderlying { asset_index } => {
            CliError::input(format!("a derivative's underlying, asset {asset_index}, was not priced"))
        }
        RiskError::Math(m) => CliError::input(format!("risk engine: {m:?}")),
    }
}

/// Prices just the assets in `indexes` (an unrelated asset with a missing or broken oracle
/// does not stop a command), exactly as the program prices health accounts.
pub fn price_assets(snap: &GroupSnapshot, indexes: &[u16], policy: OraclePolicy) -> CliResult<PricedAssets> {
    for index in indexes {
        let a = snap.asset(*index)?;
        if a.oracle.is_none() {
            return Err(CliError::input(format!(
                "asset {index}: no oracle account at {} (pass --oracle {index}=<ADDRESS> if its price \
                 lives elsewhere)",
                a.oracle_key
            )));
        }
    }
    let subset = ballast_sdk::snapshot::SnapshotSubset { snapshot: snap, indexes };
    PricedAssets::retrieve(&subset, snap.group.config.health_params(), policy, snap.now, indexes.len())
        .map_err(from_anchor)
}

/// The engine's reports at the three levels for `account`.
pub fn account_reports(
    snap: &GroupSnapshot,
    account: &MarginAccount,
    policy: OraclePolicy,
) -> CliResult<HealthReports> {
    let indexes = GroupSnapshot::assets_of(&[account], &[]);
    let priced = price_assets(snap, &indexes, policy)?;
    if account.active_derivatives().next().is_some() {
        // with futures: the program's own portfolio reports (scans included)
        return priced.health_reports(account).map_err(from_anchor);
    }
    let inputs = priced.inputs(&account.positions, None).map_err(from_anchor)?;
    health_reports(&inputs, &priced.params).map_err(|e| risk_error(snap, e))
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
}

/// Parses `INDEX=ADDRESS` (an `--oracle` override).
pub fn parse_oracle_override(s: &str) -> Result<(u16, Pubkey), String> {
    let (i, a) = s.split_once('=').ok_or_else(|| format!("`{s}`: expected INDEX=ADDRESS"))?;
    let i = i.trim().parse::<u16>().map_err(|_| format!("`{i}` is not an asset index"))?;
    let a = ballast_sdk::config::parse_pubkey(a).map_err(|e| format!("oracle {e}"))?;
    Ok((i, a))
}
