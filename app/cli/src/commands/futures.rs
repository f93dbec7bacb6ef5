//! Futures: a bilateral trade (both owners sign, here or through an offer file the counterparty
//! cosigns), PnL settlement and expiry settlement (anyone).

use super::Client;
use crate::error::{CliError, CliResult};
use crate::units::Decimal;
use anchor_lang::prelude::Pubkey;
use ballast_sdk::{cosign, Chain};
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::Path;

/// What a futures command did.
#[derive(Debug, Clone, Serialize)]
pub struct FuturesAction {
    pub action: String,
    pub market: u16,
    pub detail: String,
    pub signature: String,
}

/// Which side of a trade the signer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TradeSide {
    Buy,
    Sell,
}

/// The other side of a trade: its keypair (both sign here), or its account alone (the signer
/// signs an offer for it to cosign).
pub enum Counterparty<'a> {
    Keypair(&'a Keypair),
    Offer { owner: Pubkey },
}

impl<C: Chain> Client<C> {
    /// The trade instruction (with its compute budget) in which the signer's account `mine`
    /// takes `side` of `contracts` at `price` (quote tokens per contract, e.g. `101.25`) against
    /// `counterparty_account`, which must be owned by `counterparty_owner`.
    #[allow(clippy::too_many_arguments)]
    async fn trade_instructions(
        &self,
        mine: &Pubkey,
        market_index: u16,
        side: TradeSide,
        contracts: u64,
        price: &str,
        counterparty_owner: &Pubkey,
        counterparty_account: &Pubkey,
    ) -> CliResult<Vec<solana_instruction::Instruction>> {
        let snap = self.snapshot().await?;
        let market = snap.market(market_index)?.state;
        let quote_decimals = snap.asset(market.quote_index)?.state.decimals;
        let units = Decimal::parse(price)?.to_units(quote_decimals)?;
        let price_native =
            u64::try_from(units).map_err(|_| CliError::input(format!("price {price} must be positive")))?;
        let me = self.margin_account(mine).await?;
        let them = self.margin_account(counterparty_account).await?;
        if them.owner != *counterparty_owner {
            return Err(CliError::input(format!(
                "{counterparty_account} is not owned by the counterparty ({counterparty_owner})"
            )));
        }
        let (buyer, buyer_state, seller, seller_state) = match side {
            TradeSide::Buy => (*mine, &me, *counterparty_account, &them),
            TradeSide::Sell => (*counterparty_account, &them, *mine, &me),
        };
        let i =
            snap.trade(market_index, buyer, buyer_state, seller, seller_state, contracts, price_native)?;
        // an option's margin check needs its array fresh: the cranks go in the same transaction
        let mut ixs = snap.risk_array_cranks(&[buyer_state, seller_state], &[market_index])?;
        ixs.push(i);
        Ok(ballast_sdk::tx::with_compute_budget(&ixs, 0))
    }

    /// The signer's account `mine` trades `contracts` of market `market_index` at `price`
    /// (quote tokens per contract) with `counterparty_account`. With the counterparty's keypair
    /// both sign and it is sent (a local run, or two keys one desk holds); with its owner alone
    /// the signer (and fee payer) sign an offer, written to `out` for the counterparty's
    /// `ballast cosign`.
    #[allow(clippy::too_many_arguments)]
    pub async fn trade(
        &self,
        mine: &Pubkey,
        market_index: u16,
        side: TradeSide,
        contracts: u64,
        price: &str,
        counterparty: Counterparty<'_>,
        counterparty_account: &Pubkey,
        out: Option<&Path>,
    ) -> CliResult<FuturesAction> {
        let owner = match &counterparty {
            Counterparty::Keypair(k) => k.pubkey(),
            Counterparty::Offer { owner } => *owner,
        };
        let ixs = self
            .trade_instructions(mine, market_index, side, contracts, price, &owner, counterparty_account)
            .await?;
        let action = match side {
            TradeSide::Buy => "bought",
            TradeSide::Sell => "sold",
        };
        let detail = format!("{contracts} contracts at {price} with {counterparty_account}");
        let payer = self.payer();
        let mut signers: Vec<&Keypair> = vec![payer];
        if payer.pubkey() != self.signer.pubkey() {
            signers.push(&self.signer);
        }
        match counterparty {
            Counterparty::Keypair(k) => {
                signers.push(k);
                let signature = self.chain.send(&ixs, payer, &signers[1..]).await?;
                Ok(FuturesAction { action: action.into(), market: market_index, detail, signature })
            }
            Counterparty::Offer { .. } => {
                let out = out.ok_or_else(|| {
                    CliError::input("without --counterparty-keypair, --out FILE takes the offer to cosign")
                })?;
                let tx = self.chain.unsigned_transaction(&ixs, &payer.pubkey()).await?;
                let offer = cosign::offer(tx, &signers)?;
                write_offer(out, &offer)?;
                Ok(FuturesAction {
                    action: format!(
                        "offered ({action}); the counterparty runs `ballast cosign {}`",
                        out.display()
                    ),
                    market: market_index,
                    detail: format!("{detail}; valid while its blockhash is (about a minute)"),
                    signature: offer.transaction.signatures[0].to_string(),
                })
            }
        }
    }

    /// The counterparty's side of an offer: checks that it is one trade in which the signer is
    /// a side and not the fee payer, signs, and sends it (or, if a signature is still missing,
    /// writes it to `out`).
    pub async fn cosign(&self, file: &Path, out: Option<&Path>) -> CliResult<FuturesAction> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| CliError::File { path: file.display().to_string(), message: e.to_string() })?;
        let offer: cosign::TradeOffer = serde_json::from_str(&text)
            .map_err(|e| CliError::File { path: file.display().to_string(), message: e.to_string() })?;
        let signed = cosign::cosign(offer, &self.signer)?;
        let t = signed.terms;
        let snap = self.snapshot().await?;
        let market = snap
            .markets
            .iter()
            .find(|m| m.key == t.market)
            .ok_or_else(|| CliError::input(format!("{} is not a market of this group", t.market)))?;
        let side = if t.buyer == self.signer.pubkey() { "bought" } else { "sold" };
        let detail = format!(
            "{} contracts at {} quote-native each, buyer {}, seller {}",
            t.contracts, t.price, t.buyer_account, t.seller_account
        );
        if !cosign::is_complete(&signed.transaction) {
            let out = out.ok_or_else(|| CliError::input("a signature is still missing: pass --out FILE"))?;
            write_offer(out, &signed)?;
            return Ok(FuturesAction {
                action: "cosigned, not complete".into(),
                market: market.state.market_index,
                detail,
                signature: String::new(),
            });
        }
        let signature = self.chain.send_transaction(&signed.transaction).await?;
        Ok(FuturesAction { action: side.into(), market: market.state.market_index, detail, signature })
    }

    /// Settles up to `max` (quote-native; `u64::MAX`: all it can) of market `market_index`'s
    /// PnL from `owing` to `owed`.
    pub async fn settle(
        &self,
        market_index: u16,
        owed: &Pubkey,
        owing: &Pubkey,
        max: u64,
    ) -> CliResult<FuturesAction> {
        let snap = self.snapshot().await?;
        let owing_state = self.margin_account(owing).await?;
        let i = snap.settle_pnl(market_index, *owed, *owing, &owing_state, max)?;
        let ixs = ballast_sdk::tx::with_compute_budget(&[i], 0);
        Ok(FuturesAction {
            action: "settled".into(),
            market: market_index,
            detail: format!("from {owing} to {owed}"),
            signature: self.send(&ixs).await?,
        })
    }

    /// Records an expired market's settlement price from its underlying's oracle.
    pub async fn settle_expiry(&self, market_index: u16) -> CliResult<FuturesAction> {
        let snap = self.snapshot().await?;
        let i = snap.settle_expiry(market_index)?;
        Ok(FuturesAction {
            action: "settlement price recorded".into(),
            market: market_index,
            detail: String::new(),
            signature: self.send(&[i]).await?,
        })
    }
}

fn write_offer(path: &Path, offer: &cosign::TradeOffer) -> CliResult<()> {
    let text = serde_json::to_string_pretty(offer).map_err(|e| CliError::input(e.to_string()))?;
    std::fs::write(path, text)
        .map_err(|e| CliError::File { path: path.display().to_string(), message: e.to_string() })
}
