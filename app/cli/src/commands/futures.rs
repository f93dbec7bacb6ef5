//! Futures: a bilateral trade (both owners sign), PnL settlement and expiry settlement (anyone).

use super::Client;
use crate::error::{CliError, CliResult};
use crate::units::Decimal;
use anchor_lang::prelude::Pubkey;
use ballast_sdk::Chain;
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

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

impl<C: Chain> Client<C> {
    /// The signer's account `mine` trades `contracts` of market `market_index` at `price`
    /// (quote tokens per contract, e.g. `101.25`) with `counterparty_account`, owned by
    /// `counterparty` (whose keypair signs the same transaction: a local run, or two keys held
    /// by one desk).
    #[allow(clippy::too_many_arguments)]
    pub async fn trade(
        &self,
        mine: &Pubkey,
        market_index: u16,
        side: TradeSide,
        contracts: u64,
        price: &str,
        counterparty: &Keypair,
        counterparty_account: &Pubkey,
    ) -> CliResult<FuturesAction> {
        let snap = self.snapshot().await?;
        let market = snap.market(market_index)?.state;
        let quote_decimals = snap.asset(market.quote_index)?.state.decimals;
        let units = Decimal::parse(price)?.to_units(quote_decimals)?;
        let price_native =
            u64::try_from(units).map_err(|_| CliError::input(format!("price {price} must be positive")))?;
        let me = self.margin_account(mine).await?;
        let them = self.margin_account(counterparty_account).await?;
        if them.owner != counterparty.pubkey() {
            return Err(CliError::input(format!(
                "{counterparty_account} is not owned by the counterparty keypair ({})",
                counterparty.pubkey()
            )));
        }
        let (buyer, buyer_state, seller, seller_state) = match side {
            TradeSide::Buy => (*mine, &me, *counterparty_account, &them),
            TradeSide::Sell => (*counterparty_account, &them, *mine, &me),
        };
        let i =
            snap.trade(market_index, buyer, buyer_state, seller, seller_state, contracts, price_native)?;
        let ixs = ballast_sdk::tx::with_compute_budget(&[i], 0);
        let payer = self.payer();
        let mut signers: Vec<&Keypair> = vec![counterparty];
        if payer.pubkey() != self.signer.pubkey() {
            signers.push(&self.signer);
        }
        let signature = self.chain.send(&ixs, payer, &signers).await?;
        Ok(FuturesAction {
            action: match side {
                TradeSide::Buy => "bought".into(),
                TradeSide::Sell => "sold".into(),
            },
            market: market_index,
            detail: format!("{contracts} contracts at {price} with {counterparty_account}"),
            signature,
        })
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
