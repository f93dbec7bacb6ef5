//! `ballast`: parses the command line, loads the Solana CLI config and keypair, connects over
//! JSON-RPC and calls the library; renders the result as a table, or as JSON with `--json`.

use anchor_lang::prelude::Pubkey;
use ballast_cli::calc::margin_calc_files;
use ballast_cli::commands::{
    parse_oracle_override, AssetRef, Client, Counterparty, PauseCommand, UpdateMode,
};
use ballast_cli::config::{load_config, read_keypair, resolve};
use ballast_cli::params::{load_file, AssetParams, GroupParams, MarketParams};
use ballast_cli::render::Human;
use ballast_cli::units::Amount;
use ballast_cli::{CliError, CliResult};
use ballast_sdk::chain::rpc::RpcChain;
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "ballast",
    version,
    about = "Ballast margin engine: trade, inspect health, govern, and compute margin offline"
)]
struct Cli {
    /// Solana CLI config file [default: ~/.config/solana/cli/config.yml]
    #[arg(short = 'C', long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// RPC URL or moniker (mainnet-beta, devnet, testnet, localhost, or m/d/t/l); overrides the config file
    #[arg(short = 'u', long = "url", global = true, value_name = "URL_OR_MONIKER")]
    url: Option<String>,
    /// Keypair that signs (account owner, or group admin); overrides the config file
    #[arg(short = 'k', long, global = true, value_name = "PATH")]
    keypair: Option<String>,
    /// Keypair that pays fees and rent [default: the signing keypair]
    #[arg(long, global = true, value_name = "PATH")]
    fee_payer: Option<String>,
    /// The Ballast group
    #[arg(short = 'g', long, global = true, env = "BALLAST_GROUP", value_name = "ADDRESS")]
    group: Option<Pubkey>,
    /// Oracle account of an asset, when not the default (the Pyth sponsored feed for pull
    /// oracles, the configured account for legacy ones); repeatable
    #[arg(long = "oracle", global = true, value_name = "INDEX=ADDRESS", value_parser = parse_oracle_override)]
    oracles: Vec<(u16, Pubkey)>,
    /// Print the result as JSON
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct AccountSel {
    /// Margin account address [default: the signer's account number --account-num]
    #[arg(short = 'a', long, value_name = "ADDRESS")]
    account: Option<Pubkey>,
    /// The signer's margin account number
    #[arg(short = 'n', long, default_value_t = 0)]
    account_num: u32,
}

#[derive(Args)]
struct TokenArgs {
    /// Asset index or mint address
    asset: AssetRef,
    /// Amount in whole tokens (e.g. 1.5), or `all`
    amount: Amount,
    #[command(flatten)]
    sel: AccountSel,
    /// The signer's token account [default: its associated token account, created if a
    /// withdraw or borrow needs it]
    #[arg(short = 't', long, value_name = "ADDRESS")]
    token_account: Option<Pubkey>,
}

#[derive(Subcommand)]
enum Command {
    /// Create or show a margin account
    #[command(subcommand)]
    Account(AccountCmd),
    /// Deposit tokens into a margin account (`all`: the token account's whole balance)
    Deposit(TokenArgs),
    /// Withdraw deposited tokens (`all`: the whole deposit); must keep Init health >= 0
    Withdraw(TokenArgs),
    /// Borrow tokens; must keep Init health >= 0
    Borrow(TokenArgs),
    /// Repay a debt (`all`: the whole debt)
    Repay(TokenArgs),
    /// Health at Init, LiquidationEnd and Maint with the per-position factor breakdown
    Health {
        /// Margin account [default: the signer's account --account-num]
        account: Option<Pubkey>,
        #[arg(short = 'n', long, default_value_t = 0)]
        account_num: u32,
        /// Judge oracles as a liquidation does (wider confidence limit, no EMA check)
        #[arg(long)]
        liquidation_prices: bool,
    },
    /// Liquidate an account below maintenance health with the signer's margin account
    Liquidate {
        /// The margin account to liquidate
        liquidatee: Pubkey,
        /// The debt to take over: asset index or mint
        liab_asset: AssetRef,
        /// Most debt to take over, whole tokens, or `all`
        #[arg(long, default_value = "all")]
        max: Amount,
        /// Least collateral value per unit of debt value accepted, bps (10000 = 1.0)
        #[arg(long, default_value_t = 10_000)]
        min_value_ratio_bps: u32,
        /// The liquidator's (signer's) margin account number
        #[arg(short = 'n', long, default_value_t = 0)]
        account_num: u32,
        /// The signer's address lookup table of the group, for a liquidation too large for a
        /// legacy transaction (extended as needed; created, and printed, when absent)
        #[arg(long)]
        lookup_table: Option<Pubkey>,
    },
    /// Trade a future with a counterparty whose keypair signs the same transaction (both owners
    /// sign every trade)
    Trade {
        /// Market index
        market: u16,
        /// buy or sell (the signer's side)
        side: ballast_cli::commands::TradeSide,
        /// Number of contracts
        contracts: u64,
        /// Price per contract, in quote tokens (e.g. 101.25)
        price: String,
        /// The counterparty's keypair: both sign here and the trade is sent
        #[arg(long, value_name = "PATH", conflicts_with = "out")]
        counterparty_keypair: Option<String>,
        /// The counterparty's margin account [default: its account 0; required with --out]
        #[arg(long, value_name = "ADDRESS")]
        counterparty_account: Option<Pubkey>,
        /// Without the counterparty's keypair: write the trade, signed by this side, to FILE
        /// for the counterparty's `ballast cosign FILE`
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The signer's margin account number
        #[arg(short = 'n', long, default_value_t = 0)]
        account_num: u32,
    },
    /// Check a trade offer written by `ballast trade --out` (one trade, the signer a side and
    /// not the fee payer), sign it and send it
    Cosign {
        file: PathBuf,
        /// Where to write it if a signature is still missing
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Settle a market's PnL from the account that owes to the one owed, in the quote asset;
    /// anyone
    Settle {
        market: u16,
        owed: Pubkey,
        owing: Pubkey,
        /// Most to settle, in quote tokens, or `all`
        #[arg(long, default_value = "all")]
        max: Amount,
    },
    /// Record an expired market's settlement price from its underlying's oracle; anyone
    SettleExpiry { market: u16 },
    /// Governance: register and update assets
    #[command(subcommand)]
    Asset(AssetCmd),
    /// Governance: show or change the group
    #[command(subcommand)]
    Group(GroupCmd),
    /// Derivative markets: list them, or show one
    #[command(subcommand)]
    Market(MarketCmd),
    /// Governance through the timelock: propose, execute, cancel, show; admin handover
    #[command(subcommand)]
    Gov(GovCmd),
    /// The risk guardian (and the admin): tighten at once, pause, unpause
    #[command(subcommand)]
    Guardian(GuardianCmd),
    /// Offline: health of a portfolio from files, with the program's engine (no network)
    MarginCalc {
        /// Portfolio file (TOML, or JSON if it ends in .json); may hold the assets too
        portfolio: PathBuf,
        /// Asset parameters file (TOML or JSON)
        #[arg(long, value_name = "FILE")]
        assets: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AccountCmd {
    /// Create the signer's margin account number --account-num
    Create {
        #[arg(short = 'n', long, default_value_t = 0)]
        account_num: u32,
    },
    /// Positions, balances and health of a margin account
    Show {
        /// Margin account [default: the signer's account --account-num]
        account: Option<Pubkey>,
        #[arg(short = 'n', long, default_value_t = 0)]
        account_num: u32,
    },
}

#[derive(Subcommand)]
enum AssetCmd {
    /// List a mint with the config in FILE (on top of documented defaults); admin only
    Register {
        mint: Pubkey,
        /// Asset config (TOML or JSON)
        file: PathBuf,
        /// Oracle account to pass [default: Pyth sponsored feed / the configured legacy account]
        #[arg(long, value_name = "ADDRESS")]
        oracle_account: Option<Pubkey>,
        /// Validate and print the config without sending
        #[arg(long)]
        dry_run: bool,
    },
    /// Change the fields FILE names in an asset's config at once (tightenings; loosenings too
    /// in a group without a timelock); admin or guardian
    Update {
        /// Asset index or mint
        asset: AssetRef,
        file: PathBuf,
        #[arg(long, value_name = "ADDRESS")]
        oracle_account: Option<Pubkey>,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum GroupCmd {
    /// The group's settings and its assets with oracle prices
    Show,
    /// Change the fields FILE names in the group's config at once (as `asset update`)
    Update {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum PatchTargetCmd {
    /// An asset's config: the fields FILE names
    Asset {
        asset: AssetRef,
        file: PathBuf,
        #[arg(long, value_name = "ADDRESS")]
        oracle_account: Option<Pubkey>,
        #[arg(long)]
        dry_run: bool,
    },
    /// The group's config: the fields FILE names (and the guardian, with --risk-guardian)
    Group {
        file: PathBuf,
        #[arg(long, value_name = "ADDRESS")]
        risk_guardian: Option<Pubkey>,
        #[arg(long)]
        dry_run: bool,
    },
    /// A market's config: the fields FILE names (not its terms: kind, expiry, contract size,
    /// settlement window)
    Market {
        index: u16,
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum MarketCmd {
    /// Every market of the group: expiry, contract size, open interest, band, settlement
    List,
    /// One market with its whole config
    Show { index: u16 },
    /// Change the fields FILE names in a market's config at once (as `asset update`; what
    /// moves Maint waits for the timelock: `gov propose market`)
    Update {
        index: u16,
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum GovCmd {
    /// Propose a change, executable by anyone after the group's timelock; admin only
    #[command(subcommand)]
    Propose(PatchTargetCmd),
    /// Execute a proposal whose timelock has passed; anyone
    Execute { proposal: Pubkey },
    /// Cancel a pending proposal; admin or guardian
    Cancel { proposal: Pubkey },
    /// The group's proposals (or one), each entry as current -> proposed
    Show { proposal: Option<Pubkey> },
    /// Offer the admin role to ADDRESS (a multisig vault or DAO PDA); the default address
    /// withdraws the offer
    ProposeAdmin { new_admin: Pubkey },
    /// Take the admin role offered to the signer
    AcceptAdmin,
}

#[derive(Subcommand)]
enum GuardianCmd {
    /// Apply a tightening at once (refused, naming the fields, if anything in it loosens)
    #[command(subcommand)]
    Tighten(PatchTargetCmd),
    /// Pause actions for 30 minutes (renewable once in a row, 3 times a day)
    Pause {
        /// Asset index or mint [default: group-wide, where only withdraw and borrow pause]
        #[arg(long)]
        asset: Option<AssetRef>,
        /// Comma-separated: deposit, withdraw, borrow, or risk (= withdraw,borrow)
        #[arg(long, default_value = "risk", value_parser = ballast_cli::commands::parse_pause_actions)]
        actions: u8,
    },
    /// Lift a pause early; admin only
    Unpause {
        #[arg(long)]
        asset: Option<AssetRef>,
    },
    /// Forget an expired pause; anyone
    ClearExpired {
        #[arg(long)]
        asset: Option<AssetRef>,
    },
}

fn emit<T: Serialize + Human>(value: &T, json: bool) -> CliResult<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value).map_err(|e| CliError::input(e.to_string()))?);
    } else {
        print!("{}", value.human());
    }
    Ok(())
}

async fn run(cli: Cli) -> CliResult<()> {
    let json = cli.json;
    if let Command::MarginCalc { portfolio, assets } = &cli.command {
        return emit(&margin_calc_files(portfolio, assets.as_deref())?, json);
    }
    let config = load_config(cli.config.as_deref())?;
    let (url, keypair_path) = resolve(&config, cli.url.as_deref(), cli.keypair.as_deref());
    // Read-only commands given an explicit account do not need a keypair.
    let read_only_with_address = matches!(
        &cli.command,
        Command::Health { account: Some(_), .. }
            | Command::Account(AccountCmd::Show { account: Some(_), .. })
    ) || matches!(
        &cli.command,
        Command::Group(GroupCmd::Show) | Command::Gov(GovCmd::Show { .. }) | Command::Market(_)
    );
    let signer = match read_keypair(&keypair_path) {
        Ok(k) => k,
        Err(_) if read_only_with_address && cli.keypair.is_none() => solana_keypair::Keypair::new(),
        Err(e) => return Err(e),
    };
    let group =
        cli.group.ok_or_else(|| CliError::input("no group: pass --group <ADDRESS> or set BALLAST_GROUP"))?;
    let mut client = Client::new(RpcChain::new(&url), group, signer);
    client.oracle_overrides = cli.oracles.iter().copied().collect();
    if let Some(p) = &cli.fee_payer {
        client.fee_payer = Some(read_keypair(&ballast_cli::config::expand_tilde(p))?);
    }
    let own = |sel: &AccountSel| sel.account.unwrap_or_else(|| client.own_account(sel.account_num));
    match cli.command {
        Command::MarginCalc { .. } => unreachable!("handled above"),
        Command::Account(AccountCmd::Create { account_num }) => {
            emit(&client.account_create(account_num).await?, json)
        }
        Command::Account(AccountCmd::Show { account, account_num }) => {
            let key = account.unwrap_or_else(|| client.own_account(account_num));
            emit(&client.account_show(&key).await?, json)
        }
        Command::Deposit(t) => {
            emit(&client.deposit(&own(&t.sel), &t.asset, &t.amount, t.token_account).await?, json)
        }
        Command::Withdraw(t) => {
            emit(&client.withdraw(&own(&t.sel), &t.asset, &t.amount, t.token_account).await?, json)
        }
        Command::Borrow(t) => {
            emit(&client.borrow(&own(&t.sel), &t.asset, &t.amount, t.token_account).await?, json)
        }
        Command::Repay(t) => {
            emit(&client.repay(&own(&t.sel), &t.asset, &t.amount, t.token_account).await?, json)
        }
        Command::Health { account, account_num, liquidation_prices } => {
            let key = account.unwrap_or_else(|| client.own_account(account_num));
            emit(&client.health(&key, liquidation_prices).await?, json)
        }
        Command::Liquidate {
            liquidatee,
            liab_asset,
            max,
            min_value_ratio_bps,
            account_num,
            lookup_table,
        } => {
            let mine = client.own_account(account_num);
            emit(
                &client
                    .liquidate(&mine, &liquidatee, &liab_asset, &max, min_value_ratio_bps, lookup_table)
                    .await?,
                json,
            )
        }
        Command::Asset(AssetCmd::Register { mint, file, oracle_account, dry_run }) => {
            let params: AssetParams = load_file(&file)?;
            emit(&client.asset_register(&mint, &params, oracle_account, dry_run).await?, json)
        }
        Command::Asset(AssetCmd::Update { asset, file, oracle_account, dry_run }) => {
            let params: AssetParams = load_file(&file)?;
            emit(
                &client.asset_update(&asset, &params, oracle_account, UpdateMode::Apply, dry_run).await?,
                json,
            )
        }
        Command::Group(GroupCmd::Show) => emit(&client.group_show().await?, json),
        Command::Group(GroupCmd::Update { file, dry_run }) => {
            let params: GroupParams = load_file(&file)?;
            emit(&client.group_update(&params, None, UpdateMode::Apply, dry_run).await?, json)
        }
        Command::Trade {
            market,
            side,
            contracts,
            price,
            counterparty_keypair,
            counterparty_account,
            out,
            account_num,
        } => {
            let mine = client.own_account(account_num);
            let result = match counterparty_keypair {
                Some(path) => {
                    let k = read_keypair(&ballast_cli::config::expand_tilde(&path))?;
                    let theirs = counterparty_account.unwrap_or_else(|| {
                        ballast_sdk::ix::margin_account_address(&group, &solana_signer::Signer::pubkey(&k), 0)
                    });
                    let c = Counterparty::Keypair(&k);
                    client.trade(&mine, market, side, contracts, &price, c, &theirs, None).await?
                }
                None => {
                    let theirs = counterparty_account.ok_or_else(|| {
                        CliError::input("pass --counterparty-keypair, or --counterparty-account with --out")
                    })?;
                    let owner = client.margin_account(&theirs).await?.owner;
                    let c = Counterparty::Offer { owner };
                    client.trade(&mine, market, side, contracts, &price, c, &theirs, out.as_deref()).await?
                }
            };
            emit(&result, json)
        }
        Command::Cosign { file, out } => emit(&client.cosign(&file, out.as_deref()).await?, json),
        Command::Settle { market, owed, owing, max } => {
            let snap = client.snapshot().await?;
            let m = snap.market(market)?.state;
            let decimals = snap.asset(m.quote_index)?.state.decimals;
            let max = max.native(decimals)?.unwrap_or(u64::MAX);
            emit(&client.settle(market, &owed, &owing, max).await?, json)
        }
        Command::SettleExpiry { market } => emit(&client.settle_expiry(market).await?, json),
        Command::Market(MarketCmd::List) => emit(&client.market_list(None).await?, json),
        Command::Market(MarketCmd::Show { index }) => emit(&client.market_list(Some(index)).await?, json),
        Command::Market(MarketCmd::Update { index, file, dry_run }) => {
            let params: MarketParams = load_file(&file)?;
            emit(&client.market_update(index, &params, UpdateMode::Apply, dry_run).await?, json)
        }
        Command::Gov(GovCmd::Propose(t)) => emit(&patch(&client, t, UpdateMode::Propose).await?, json),
        Command::Guardian(GuardianCmd::Tighten(t)) => {
            emit(&patch(&client, t, UpdateMode::Apply).await?, json)
        }
        Command::Gov(GovCmd::Execute { proposal }) => emit(&client.gov_execute(&proposal).await?, json),
        Command::Gov(GovCmd::Cancel { proposal }) => emit(&client.gov_cancel(&proposal).await?, json),
        Command::Gov(GovCmd::Show { proposal }) => emit(&client.gov_show(proposal).await?, json),
        Command::Gov(GovCmd::ProposeAdmin { new_admin }) => {
            emit(&client.gov_propose_admin(&new_admin).await?, json)
        }
        Command::Gov(GovCmd::AcceptAdmin) => emit(&client.gov_accept_admin().await?, json),
        Command::Guardian(GuardianCmd::Pause { asset, actions }) => {
            emit(&client.guardian_pause(asset.as_ref(), PauseCommand::Pause(actions)).await?, json)
        }
        Command::Guardian(GuardianCmd::Unpause { asset }) => {
            emit(&client.guardian_pause(asset.as_ref(), PauseCommand::Unpause).await?, json)
        }
        Command::Guardian(GuardianCmd::ClearExpired { asset }) => {
            emit(&client.guardian_pause(asset.as_ref(), PauseCommand::ClearExpired).await?, json)
        }
    }
}

async fn patch(
    client: &Client<RpcChain>,
    target: PatchTargetCmd,
    mode: UpdateMode,
) -> CliResult<ballast_cli::commands::ConfigUpdate> {
    match target {
        PatchTargetCmd::Asset { asset, file, oracle_account, dry_run } => {
            let params: AssetParams = load_file(&file)?;
            client.asset_update(&asset, &params, oracle_account, mode, dry_run).await
        }
        PatchTargetCmd::Group { file, risk_guardian, dry_run } => {
            let params: GroupParams = load_file(&file)?;
            client.group_update(&params, risk_guardian, mode, dry_run).await
        }
        PatchTargetCmd::Market { index, file, dry_run } => {
            let params: MarketParams = load_file(&file)?;
            client.market_update(index, &params, mode, dry_run).await
        }
    }
}

#[derive(Serialize)]
struct JsonError<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: &'a str,
    message: String,
    program_error: Option<&'a ballast_cli::error::ProgramErrorInfo>,
}

fn main() {
    let cli = Cli::parse();
    let json = cli.json;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    if let Err(e) = runtime.block_on(run(cli)) {
        if json {
            let body = JsonError {
                error: ErrorBody { kind: e.kind(), message: e.to_string(), program_error: e.program_error() },
            };
            println!("{}", serde_json::to_string_pretty(&body).unwrap_or_default());
        } else {
            eprintln!("error: {e}");
            if let CliError::Program { detail, .. } | CliError::Transaction(detail) = &e {
                if std::env::var_os("BALLAST_VERBOSE").is_some() {
                    eprintln!("{detail}");
                }
            }
        }
        std::process::exit(1);
    }
}
