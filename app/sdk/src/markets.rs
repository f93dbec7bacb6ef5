//! A group's markets: every `Market` account, found from the group's `market_count` (their
//! addresses are PDAs of the group and the index, so no account scan is needed).

use crate::chain::Chain;
use crate::{decode, ix, SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use ballast::state::{Group, Market};

/// One market and its address.
#[derive(Debug, Clone)]
pub struct MarketEntry {
    pub key: Pubkey,
    pub state: Market,
}

/// Every market of `group`, by index.
pub async fn load_markets<C: Chain>(chain: &C, group: &Pubkey) -> SdkResult<Vec<MarketEntry>> {
    let raw = chain.account(group).await?.ok_or(SdkError::AccountNotFound(*group))?;
    let g: Group = decode(group, &raw.data, "Group")?;
    let mut out = Vec::with_capacity(usize::from(g.market_count));
    for n in 0..g.market_count {
        let key = ix::market_address(group, n);
        let raw = chain.account(&key).await?.ok_or(SdkError::AccountNotFound(key))?;
        out.push(MarketEntry { key, state: decode(&key, &raw.data, "Market")? });
    }
    Ok(out)
}
