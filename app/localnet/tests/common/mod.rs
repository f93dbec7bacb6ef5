//! What the JSON-RPC tests share: the running localnet (`BALLAST_LOCALNET_DIR`, as
//! `scripts/localnet/ci.sh` starts it), funded wallets as keypair files, and the `ballast` and
//! `ballast-keeper` binaries run as a person runs them (`BALLAST_BIN_DIR`, default the
//! workspace's `target/debug`).

#![allow(dead_code)]

use anchor_lang::prelude::Pubkey;
use ballast_localnet::{fund, set_price, LocalnetDir, LocalnetState};
use ballast_sdk::chain::rpc::RpcChain;
use ballast_sdk::chain::Chain;
use ballast_sdk::token::token_amount;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::PathBuf;
use std::process::Command;

pub const NEEDS: &str = "needs a running local validator: scripts/localnet/ci.sh runs these";

pub struct Net {
    pub dir: LocalnetDir,
    pub state: LocalnetState,
    pub chain: RpcChain,
    /// Where this test's keypair files go.
    pub keys: PathBuf,
}

pub fn net(test: &str) -> Net {
    let dir = std::env::var_os("BALLAST_LOCALNET_DIR")
        .map(PathBuf::from)
        .expect("BALLAST_LOCALNET_DIR: the folder of a running localnet (scripts/localnet/ci.sh sets it)");
    let dir = LocalnetDir(dir);
    let state = dir.state().unwrap();
    let keys = dir.0.join("test-keys").join(test);
    std::fs::create_dir_all(&keys).unwrap();
    Net { chain: RpcChain::new(&state.url), dir, state, keys }
}

/// A binary of the workspace, built by the lane before the tests.
pub fn bin(name: &str) -> PathBuf {
    let dir = std::env::var_os("BALLAST_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/debug"));
    let path = dir.join(name);
    assert!(path.exists(), "{} is not built (cargo build -p ballast-cli -p ballast-keeper)", path.display());
    path
}

pub struct Wallet {
    pub keypair: Keypair,
    pub path: PathBuf,
}

impl Wallet {
    pub fn pubkey(&self) -> Pubkey {
        self.keypair.pubkey()
    }
}

impl Net {
    /// A new keypair file, sent 10 SOL and minted `tokens` (whole units) by the localnet.
    pub async fn wallet(&self, name: &str, tokens: &[(&str, f64)]) -> Wallet {
        let keypair = Keypair::new();
        let path = self.keys.join(format!("{name}.json"));
        solana_keypair::write_keypair_file(&keypair, &path).unwrap();
        let tokens: Vec<(String, f64)> = tokens.iter().map(|(s, n)| (s.to_string(), *n)).collect();
        fund(&self.chain, &self.dir, &keypair.pubkey(), 10.0, &tokens).await.unwrap();
        Wallet { keypair, path }
    }

    pub fn index(&self, symbol: &str) -> String {
        self.state.asset(symbol).unwrap().index.to_string()
    }

    /// Whole tokens of `symbol` in `owner`'s associated token account.
    pub async fn wallet_tokens(&self, owner: &Pubkey, symbol: &str) -> f64 {
        let a = self.state.asset(symbol).unwrap();
        let ata = ballast_cli::commands::associated_token_address(owner, &a.mint(), &a.token_program());
        let units = match self.chain.account(&ata).await.unwrap() {
            Some(acc) => token_amount(&acc.data),
            None => 0,
        };
        units as f64 / 10f64.powi(a.decimals as i32)
    }

    pub async fn price(&self, symbol: &str, usd: f64) {
        set_price(&self.chain, &self.dir, symbol, usd).await.unwrap();
    }

    /// Every price back at the config's start, posted now.
    pub async fn reset_prices(&self) {
        let config = ballast_localnet::LocalnetConfig::load(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sandbox.toml"),
        )
        .unwrap();
        for (symbol, usd) in &config.localnet.prices {
            set_price(&self.chain, &self.dir, symbol, *usd).await.unwrap();
        }
    }

    fn command(&self, wallet: &Wallet, args: &[&str]) -> Command {
        let mut c = Command::new(bin("ballast"));
        c.args(["--url", &self.state.url, "--keypair", wallet.path.to_str().unwrap()])
            .args(["--group", &self.state.group, "--json"])
            .args(args)
            .env("HOME", &self.keys); // no Solana CLI config of the machine's
        c
    }

    /// `ballast --json ARGS` signed by `wallet`: its JSON output; panics with stderr on failure.
    pub fn ballast(&self, wallet: &Wallet, args: &[&str]) -> serde_json::Value {
        let out = self.command(wallet, args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "ballast {} failed: {stderr}", args.join(" "));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("ballast {}: not JSON ({e}): {}", args.join(" "), String::from_utf8_lossy(&out.stdout))
        })
    }

    /// `ballast --json ARGS`, which must fail: the name of the program's error that refused
    /// it (`error.program_error.name` of the JSON the CLI prints), or its message.
    pub fn ballast_fails(&self, wallet: &Wallet, args: &[&str]) -> String {
        let out = self.command(wallet, args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "ballast {} succeeded: {stdout}", args.join(" "));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("ballast {}: not JSON ({e}): {stdout}", args.join(" ")));
        let e = &v["error"];
        e["program_error"]["name"].as_str().or(e["message"].as_str()).unwrap_or_default().to_string()
    }

    /// The account's health (withdraw/borrow oracle checks), from `ballast account show`.
    pub fn health(&self, wallet: &Wallet, account: &str) -> serde_json::Value {
        let view = self.ballast(wallet, &["account", "show", account]);
        view["health"].clone()
    }

    /// An account's bytes as the chain holds them: what a refused transaction must leave alone
    /// (its health, read later, moves with the interest accrued in between).
    pub async fn account_bytes(&self, address: &str) -> Vec<u8> {
        let key: Pubkey = address.parse().unwrap();
        self.chain.account(&key).await.unwrap().unwrap_or_else(|| panic!("no account {address}")).data
    }

    /// Through the CLI: a trader with 10 SOL deposited (at $150) and 900 USDC borrowed, one SOL
    /// fall to $100 away from maintenance, and a liquidator with 5,000 USDC deposited. Returns
    /// (trader, its margin account, liquidator, its margin account).
    pub async fn borrower_and_liquidator(&self, liquidator_name: &str) -> (Wallet, String, Wallet, String) {
        let (sol, usdc) = (self.index("SOL"), self.index("USDC"));
        let trader = self.wallet("trader", &[("SOL", 10.0)]).await;
        let liquidator = self.wallet(liquidator_name, &[("USDC", 5_000.0)]).await;
        let account = self.ballast(&trader, &["account", "create"])["account"].as_str().unwrap().to_string();
        self.ballast(&trader, &["deposit", &sol, "10"]);
        self.ballast(&trader, &["borrow", &usdc, "900"]);
        let liquidator_account =
            self.ballast(&liquidator, &["account", "create"])["account"].as_str().unwrap().to_string();
        self.ballast(&liquidator, &["deposit", &usdc, "5000"]);
        (trader, account, liquidator, liquidator_account)
    }

    /// The authority (group admin, risk guardian) as a wallet.
    pub fn admin(&self) -> Wallet {
        Wallet { keypair: self.dir.authority().unwrap(), path: self.dir.authority_path() }
    }
}
