//! Ballast on a local validator (agave's `solana-test-validator`, `scripts/localnet/start.sh`).
//!
//! A local validator has everything a cluster has but prices: Pyth's receiver only accepts
//! Wormhole-verified updates, and there are no guardians here. So the localnet deploys a
//! stand-in receiver (`programs/pyth-localnet`) at the receiver's address and starts each asset's
//! `PriceUpdateV2` account at its sponsored-feed address in genesis, with the localnet's
//! authority as write authority. The program reads those accounts exactly as on mainnet: same
//! owner, same address, same bytes. Everything else goes through JSON-RPC as any client's would:
//!
//! 1. [`write_genesis`] (before the validator starts): the authority keypair (fee payer, mint
//!    authority, oracle write authority and group admin), its SOL, and the price accounts, as
//!    account files for `solana-test-validator --account-dir`.
//! 2. [`setup`] (once it answers): mints for the deployment's assets, the deployment config
//!    applied by the SDK's `deploy::apply` (as a real deployment is), fresh prices, and a
//!    liquidity provider's deposits so that traders can borrow; the result in `state.json`.
//! 3. [`fund`], [`set_price`] and [`publish`]: SOL and tokens for a wallet, a price move, and
//!    the prices re-posted at the cluster's clock so that they stay fresh.
//!
//! The configuration is the deployment file's `[localnet]` section ([`LocalnetSection`]).

use anchor_lang::prelude::Pubkey;
use ballast_cli::commands::{
    associated_token_address, create_associated_token_account_idempotent, AssetRef, Client,
};
use ballast_sdk::ballast::oracle::pyth_pull::{sponsored_feed_address, PYTH_RECEIVER_PROGRAM_ID};
use ballast_sdk::chain::rpc::RpcChain;
use ballast_sdk::chain::Chain;
use ballast_sdk::deploy::{self, DeploymentConfig};
use ballast_sdk::pyth::{price_message, price_update_data, to_pyth_int};
use ballast_sdk::token::{create_mint_ixs, mint_to_ix};
use ballast_sdk::GroupSnapshot;
use base64::Engine;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use serde::{Deserialize, Serialize};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub type Result<T> = std::result::Result<T, String>;

/// The SOL the authority starts with in genesis.
pub const AUTHORITY_SOL: u64 = 1_000_000;
const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// The `[localnet]` section of a deployment file: where the local validator's prices start,
/// and the liquidity a provider deposits at setup.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalnetSection {
    /// USD price of every asset, by symbol.
    pub prices: BTreeMap<String, f64>,
    /// Confidence interval published with every price, bps of the price.
    pub conf_bps: u32,
    /// Whole tokens a liquidity provider deposits at setup, by symbol.
    #[serde(default)]
    pub lp_deposits: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct DeploymentFile {
    localnet: Option<LocalnetSection>,
}

/// A deployment file and its `[localnet]` section.
pub struct LocalnetConfig {
    pub deployment: DeploymentConfig,
    pub localnet: LocalnetSection,
}

impl LocalnetConfig {
    pub fn load(path: &Path) -> Result<LocalnetConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let deployment: DeploymentConfig =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let file: DeploymentFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let localnet = file.localnet.ok_or_else(|| format!("{}: no [localnet] section", path.display()))?;
        for a in &deployment.assets {
            if a.oracle.kind != "pyth-pull" {
                return Err(format!(
                    "{}: the localnet posts pyth-pull prices only, not {}",
                    a.symbol, a.oracle.kind
                ));
            }
            if !localnet.prices.contains_key(&a.symbol) {
                return Err(format!("[localnet] prices: no price for {}", a.symbol));
            }
        }
        Ok(LocalnetConfig { deployment, localnet })
    }

    /// Each asset's symbol, feed id and price account, in the deployment's order.
    pub fn oracles(&self) -> Result<Vec<(String, [u8; 32], Pubkey)>> {
        self.deployment
            .assets
            .iter()
            .map(|a| {
                let feed = deploy::parse_feed_id(a.oracle.feed_id.as_deref().unwrap_or_default())
                    .map_err(|e| e.to_string())?;
                let account = match a.oracle.account.as_deref() {
                    Some(k) => deploy::parse_pubkey(k).map_err(|e| e.to_string())?,
                    None => sponsored_feed_address(&feed, 0),
                };
                Ok((a.symbol.clone(), feed, account))
            })
            .collect()
    }
}

/// The files of a localnet: `DIR/authority.json`, `DIR/accounts/*.json`, `DIR/state.json`.
#[derive(Debug, Clone)]
pub struct LocalnetDir(pub PathBuf);

impl LocalnetDir {
    pub fn authority_path(&self) -> PathBuf {
        self.0.join("authority.json")
    }
    pub fn accounts_dir(&self) -> PathBuf {
        self.0.join("accounts")
    }
    pub fn state_path(&self) -> PathBuf {
        self.0.join("state.json")
    }
    /// A keypair kept in the folder (created on first use), so that a restarted localnet keeps
    /// its addresses: the group is the authority's PDA, and stays where the README says.
    pub fn keypair(&self, name: &str) -> Result<Keypair> {
        let path = self.0.join(format!("{name}.json"));
        if let Ok(k) = solana_keypair::read_keypair_file(&path) {
            return Ok(k);
        }
        std::fs::create_dir_all(&self.0).map_err(|e| format!("{}: {e}", self.0.display()))?;
        let k = Keypair::new();
        solana_keypair::write_keypair_file(&k, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(k)
    }
    /// Held while prices are read, posted and recorded, so that the publisher never re-posts a
    /// price that a concurrent `price` has just replaced (released when dropped).
    pub fn lock_prices(&self) -> Result<std::fs::File> {
        let path = self.0.join("prices.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        file.lock().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(file)
    }
    pub fn authority(&self) -> Result<Keypair> {
        self.keypair("authority")
    }
    pub fn state(&self) -> Result<LocalnetState> {
        let path = self.state_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!("{}: {e} (run `ballast-localnet setup` once the validator is up)", path.display())
        })?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
    pub fn save_state(&self, state: &LocalnetState) -> Result<()> {
        let path = self.state_path();
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(state).map_err(|e| e.to_string())?;
        std::fs::write(&tmp, text + "\n").map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// What `setup` made, for the other commands and for tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalnetState {
    pub url: String,
    pub group: String,
    pub authority: String,
    pub conf_bps: u32,
    pub assets: Vec<LocalnetAsset>,
    /// The liquidity provider's margin account.
    pub lp_account: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocalnetAsset {
    pub symbol: String,
    pub index: u16,
    pub mint: String,
    pub token_program: String,
    pub decimals: u8,
    pub feed_id: String,
    pub oracle: String,
    /// The price last posted, USD.
    pub price: f64,
}

impl LocalnetState {
    pub fn asset(&self, symbol: &str) -> Result<&LocalnetAsset> {
        self.assets
            .iter()
            .find(|a| a.symbol.eq_ignore_ascii_case(symbol))
            .ok_or_else(|| format!("no asset {symbol} (the localnet has {})", self.symbols()))
    }
    fn symbols(&self) -> String {
        self.assets.iter().map(|a| a.symbol.as_str()).collect::<Vec<_>>().join(", ")
    }
    pub fn group(&self) -> Pubkey {
        self.group.parse().expect("state.json: group")
    }
}

impl LocalnetAsset {
    pub fn mint(&self) -> Pubkey {
        self.mint.parse().expect("state.json: mint")
    }
    pub fn token_program(&self) -> Pubkey {
        self.token_program.parse().expect("state.json: token_program")
    }
    pub fn oracle(&self) -> Pubkey {
        self.oracle.parse().expect("state.json: oracle")
    }
    pub fn feed_id(&self) -> [u8; 32] {
        deploy::parse_feed_id(&self.feed_id).expect("state.json: feed_id")
    }
    /// Whole tokens as base units.
    pub fn base_units(&self, tokens: f64) -> u64 {
        (tokens * 10f64.powi(self.decimals as i32)).round() as u64
    }
}

/// A price account's bytes: `usd` with `conf_bps` of confidence, the EMA at the price, published
/// at `publish_time`, fully verified, rewritable by `authority`.
pub fn price_bytes(
    authority: &Pubkey,
    feed_id: [u8; 32],
    usd: f64,
    conf_bps: u32,
    publish_time: i64,
) -> Vec<u8> {
    let price = to_pyth_int(usd);
    let conf = (price.unsigned_abs() as u128 * conf_bps as u128 / 10_000) as u64;
    price_update_data(
        *authority,
        VerificationLevel::Full,
        price_message(feed_id, price, conf, price, publish_time),
    )
}

/// An account file as `solana account --output json` writes it and `--account-dir` reads it.
pub fn account_file_json(key: &Pubkey, lamports: u64, owner: &Pubkey, data: &[u8]) -> serde_json::Value {
    serde_json::json!({
        "pubkey": key.to_string(),
        "account": {
            "lamports": lamports,
            "data": [base64::engine::general_purpose::STANDARD.encode(data), "base64"],
            "owner": owner.to_string(),
            "executable": false,
            "rentEpoch": 0,
            "space": data.len(),
        }
    })
}

/// Writes the genesis account files into `DIR/accounts` (replacing what was there): the
/// authority's SOL and one price account per asset, published at `now`. Returns the files.
pub fn write_genesis(config: &LocalnetConfig, dir: &LocalnetDir, now: i64) -> Result<Vec<PathBuf>> {
    let authority = dir.authority()?.pubkey();
    let accounts = dir.accounts_dir();
    let _ = std::fs::remove_dir_all(&accounts);
    std::fs::create_dir_all(&accounts).map_err(|e| format!("{}: {e}", accounts.display()))?;
    let mut files = vec![];
    let mut write = |name: String, value: serde_json::Value| -> Result<()> {
        let path = accounts.join(name);
        std::fs::write(&path, serde_json::to_string_pretty(&value).expect("json"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        files.push(path);
        Ok(())
    };
    let system = anchor_lang::system_program::ID;
    write(
        "authority.json".into(),
        account_file_json(&authority, AUTHORITY_SOL * LAMPORTS_PER_SOL, &system, &[]),
    )?;
    for (symbol, feed, key) in config.oracles()? {
        let data =
            price_bytes(&authority, feed, config.localnet.prices[&symbol], config.localnet.conf_bps, now);
        // Rent-exempt with room to spare, as the receiver funds its accounts.
        write(
            format!("price-{symbol}.json"),
            account_file_json(&key, LAMPORTS_PER_SOL / 100, &PYTH_RECEIVER_PROGRAM_ID, &data),
        )?;
    }
    Ok(files)
}

/// The instructions that post `usd` for `asset` at `publish_time`.
pub fn price_update_ix(
    authority: &Pubkey,
    asset: &LocalnetAsset,
    usd: f64,
    conf_bps: u32,
    publish_time: i64,
) -> Instruction {
    let data = price_bytes(authority, asset.feed_id(), usd, conf_bps, publish_time);
    pyth_localnet::update(PYTH_RECEIVER_PROGRAM_ID, asset.oracle(), *authority, data)
}

/// Posts every asset's current price at the cluster's clock, in one transaction.
pub async fn publish(chain: &RpcChain, dir: &LocalnetDir) -> Result<i64> {
    let _lock = dir.lock_prices()?;
    let state = dir.state()?;
    let authority = dir.authority()?;
    let now = chain.unix_timestamp().await.map_err(|e| e.to_string())?;
    let ixs: Vec<_> = state
        .assets
        .iter()
        .map(|a| price_update_ix(&authority.pubkey(), a, a.price, state.conf_bps, now))
        .collect();
    chain.send(&ixs, &authority, &[]).await.map_err(|e| e.to_string())?;
    Ok(now)
}

/// Moves `symbol` to `usd` (spot and EMA), posted at the cluster's clock, and records it.
pub async fn set_price(chain: &RpcChain, dir: &LocalnetDir, symbol: &str, usd: f64) -> Result<f64> {
    if !(usd.is_finite() && usd > 0.0) {
        return Err(format!("price must be a positive number of USD, not {usd}"));
    }
    let _lock = dir.lock_prices()?;
    let mut state = dir.state()?;
    let authority = dir.authority()?;
    let now = chain.unix_timestamp().await.map_err(|e| e.to_string())?;
    let asset = state.asset(symbol)?.clone();
    let ix = price_update_ix(&authority.pubkey(), &asset, usd, state.conf_bps, now);
    chain.send(&[ix], &authority, &[]).await.map_err(|e| e.to_string())?;
    let before = asset.price;
    state.assets.iter_mut().filter(|a| a.symbol == asset.symbol).for_each(|a| a.price = usd);
    dir.save_state(&state)?;
    Ok(before)
}

/// Sends `wallet` `sol` SOL and mints it each `(symbol, whole tokens)` into its associated token
/// accounts (created when missing). Returns the token accounts.
pub async fn fund(
    chain: &RpcChain,
    dir: &LocalnetDir,
    wallet: &Pubkey,
    sol: f64,
    tokens: &[(String, f64)],
) -> Result<Vec<(String, Pubkey)>> {
    let state = dir.state()?;
    let authority = dir.authority()?;
    let mut ixs = vec![];
    if sol > 0.0 {
        let lamports = (sol * LAMPORTS_PER_SOL as f64).round() as u64;
        ixs.push(solana_system_interface::instruction::transfer(&authority.pubkey(), wallet, lamports));
    }
    let mut accounts = vec![];
    for (symbol, amount) in tokens {
        let a = state.asset(symbol)?;
        let (mint, program) = (a.mint(), a.token_program());
        let ata = associated_token_address(wallet, &mint, &program);
        ixs.push(create_associated_token_account_idempotent(&authority.pubkey(), wallet, &mint, &program));
        ixs.push(mint_to_ix(program, mint, ata, authority.pubkey(), a.base_units(*amount)));
        accounts.push((a.symbol.clone(), ata));
    }
    for chunk in ixs.chunks(8) {
        chain.send(chunk, &authority, &[]).await.map_err(|e| e.to_string())?;
    }
    Ok(accounts)
}

/// What `setup` did, line by line.
pub struct SetupReport {
    pub state: LocalnetState,
    pub actions: Vec<String>,
}

/// Brings a running localnet in line with the deployment: mints (kept across runs in
/// `state.json` while they exist on chain), fresh prices, `deploy::apply`, and the liquidity
/// provider's margin account with its deposits. Idempotent, as `deploy::apply` is.
pub async fn setup(url: &str, config: &LocalnetConfig, dir: &LocalnetDir) -> Result<SetupReport> {
    let chain = RpcChain::new(url);
    let authority = dir.authority()?;
    let mut actions = vec![];
    let previous = dir.state().ok();
    let now = chain.unix_timestamp().await.map_err(|e| e.to_string())?;
    let rent = anchor_lang::prelude::Rent::default();
    let mut mints = HashMap::new();
    let mut assets = vec![];
    for (a, (symbol, feed, oracle)) in config.deployment.assets.iter().zip(config.oracles()?) {
        let program = a.token_program_id().map_err(|e| e.to_string())?;
        let known = previous.as_ref().and_then(|s| s.asset(&symbol).ok()).map(|a| a.mint());
        let mint = match (a.mint.as_deref(), known) {
            (Some(m), _) => deploy::parse_pubkey(m).map_err(|e| e.to_string())?,
            (None, Some(m)) if chain.account(&m).await.map_err(|e| e.to_string())?.is_some() => m,
            (None, _) => {
                let mint = Keypair::new();
                let ixs = create_mint_ixs(
                    &rent,
                    authority.pubkey(),
                    mint.pubkey(),
                    program,
                    authority.pubkey(),
                    a.decimals,
                );
                chain
                    .send(&ixs, &authority, &[&mint])
                    .await
                    .map_err(|e| format!("mint for {symbol}: {e}"))?;
                actions.push(format!("created the {symbol} mint {}", mint.pubkey()));
                mint.pubkey()
            }
        };
        mints.insert(symbol.clone(), mint);
        assets.push(LocalnetAsset {
            symbol: symbol.clone(),
            index: 0,
            mint: mint.to_string(),
            token_program: program.to_string(),
            decimals: a.decimals,
            feed_id: ballast_sdk::config::feed_id_hex(&feed),
            oracle: oracle.to_string(),
            price: previous
                .as_ref()
                .and_then(|s| s.asset(&symbol).ok())
                .map_or(config.localnet.prices[&symbol], |p| p.price),
        });
    }
    // Prices first: registering an asset reads its oracle.
    let ixs: Vec<_> = assets
        .iter()
        .map(|a| price_update_ix(&authority.pubkey(), a, a.price, config.localnet.conf_bps, now))
        .collect();
    chain.send(&ixs, &authority, &[]).await.map_err(|e| format!("posting prices: {e}"))?;
    let report = deploy::apply(&chain, &authority, &authority, &config.deployment, &mints)
        .await
        .map_err(|e| format!("deploy: {e}"))?;
    actions.extend(report.actions.iter().map(|a| format!("deploy: {a}")));
    let snapshot =
        GroupSnapshot::load(&chain, report.group, &HashMap::new()).await.map_err(|e| e.to_string())?;
    for a in &mut assets {
        let entry =
            snapshot.asset_by_mint(&a.mint()).ok_or_else(|| format!("{} is not registered", a.symbol))?;
        a.index = entry.state.asset_index;
    }
    let lp = dir.keypair("lp")?;
    let state = LocalnetState {
        url: url.to_string(),
        group: report.group.to_string(),
        authority: authority.pubkey().to_string(),
        conf_bps: config.localnet.conf_bps,
        assets,
        lp_account: ballast_sdk::ix::margin_account_address(&report.group, &lp.pubkey(), 0).to_string(),
    };
    dir.save_state(&state)?;
    let lp_account: Pubkey = state.lp_account.parse().expect("address");
    if chain.account(&lp_account).await.map_err(|e| e.to_string())?.is_none() {
        let deposits: Vec<(String, f64)> =
            config.localnet.lp_deposits.iter().map(|(s, n)| (s.clone(), *n)).collect();
        fund(&chain, dir, &lp.pubkey(), 1.0, &deposits).await?;
        let mut client = Client::new(RpcChain::new(url), report.group, lp.insecure_clone());
        client.fee_payer = Some(authority.insecure_clone());
        client.account_create(0).await.map_err(|e| format!("LP account: {e}"))?;
        for (symbol, amount) in &deposits {
            let a = state.asset(symbol)?;
            let amount = format!("{amount}").parse().map_err(|e: String| e)?;
            client
                .deposit(&lp_account, &AssetRef::Address(a.mint()), &amount, None)
                .await
                .map_err(|e| format!("LP deposit of {symbol}: {e}"))?;
            actions.push(format!("LP deposited {n} {symbol}", n = config.localnet.lp_deposits[symbol]));
        }
    }
    Ok(SetupReport { state, actions })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LocalnetConfig {
        LocalnetConfig::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sandbox.toml"))
            .unwrap()
    }

    #[test]
    fn genesis_writes_the_authority_and_a_price_account_per_asset_in_the_receivers_format() {
        let config = config();
        let dir =
            LocalnetDir(std::env::temp_dir().join(format!("ballast-localnet-test-{}", std::process::id())));
        let files = write_genesis(&config, &dir, 1_700_000_000).unwrap();
        assert_eq!(files.len(), 1 + config.deployment.assets.len());
        let authority = dir.authority().unwrap().pubkey();
        let (symbol, feed, key) = config.oracles().unwrap()[1].clone();
        assert_eq!(symbol, "SOL");
        assert_eq!(key, sponsored_feed_address(&feed, 0));
        let file: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.accounts_dir().join("price-SOL.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(file["pubkey"], key.to_string());
        assert_eq!(file["account"]["owner"], PYTH_RECEIVER_PROGRAM_ID.to_string());
        let data = base64::engine::general_purpose::STANDARD
            .decode(file["account"]["data"][0].as_str().unwrap())
            .unwrap();
        // The program's own reader accepts it, at the configured feed and address.
        let asset = &config.deployment.assets[1];
        let cfg = asset.to_config().unwrap();
        let reading =
            ballast_sdk::ballast::oracle::read_oracle_data(&cfg, &key, &PYTH_RECEIVER_PROGRAM_ID, &data)
                .unwrap();
        assert_eq!(reading.publish_time, 1_700_000_000);
        assert_eq!(&data[8..40], authority.as_ref(), "the localnet authority may rewrite it");
        // The stand-in receiver accepts a new price from the authority only.
        let moved = price_bytes(&authority, feed, 90.0, 5, 1_700_000_100);
        assert_eq!(pyth_localnet::check_update(&data, &moved, &authority), Ok(()));
        assert!(pyth_localnet::check_update(&data, &moved, &Pubkey::new_unique()).is_err());
        std::fs::remove_dir_all(&dir.0).unwrap();
    }

    #[test]
    fn a_price_carries_its_confidence_in_bps() {
        let bytes = price_bytes(&Pubkey::default(), [1; 32], 150.0, 5, 7);
        let update = <pyth_solana_receiver_sdk::price_update::PriceUpdateV2 as anchor_lang::AccountDeserialize>::try_deserialize(
            &mut bytes.as_slice(),
        )
        .unwrap();
        assert_eq!(update.price_message.price, 15_000_000_000);
        assert_eq!(update.price_message.conf, 7_500_000);
        assert_eq!(update.price_message.ema_price, 15_000_000_000);
        assert_eq!(update.price_message.publish_time, 7);
    }
}
