//! Pyth legacy price accounts (the push oracle's v2 `PriceAccount`), read with pyth-sdk-solana's
//! byte-level loader (its Solana types are from another crate tree, so only bytes cross over).

use crate::error::BallastError;
use crate::risk::OracleReading;
use crate::state::AssetConfig;
use anchor_lang::prelude::*;
use pyth_sdk_solana::state::{load_price_account, PriceStatus, SolanaPriceAccount};

/// Pyth oracle program on mainnet-beta: the only owner accepted (a devnet price account is
/// not a price a mainnet deployment may trust).
pub const PYTH_LEGACY_MAINNET_PROGRAM_ID: Pubkey = pubkey!("FsJ3A3u2vn5cTVofAjvy6y5kwABJAqYWpe4975bi2epH");

pub fn read(config: &AssetConfig, key: &Pubkey, owner: &Pubkey, data: &[u8]) -> Result<OracleReading> {
    require_keys_eq!(*key, config.oracle, BallastError::OracleMismatch);
    require_keys_eq!(*owner, PYTH_LEGACY_MAINNET_PROGRAM_ID, BallastError::OracleWrongOwner);
    let price_account: &SolanaPriceAccount =
        load_price_account::<32, ()>(data).map_err(|_| error!(BallastError::OracleInvalidData))?;
    // While the aggregate is not trading, Pyth reports the last trading price and its time;
    // the staleness check then decides whether it is still usable.
    let (price, conf, publish_time) = if price_account.agg.status == PriceStatus::Trading {
        (price_account.agg.price, price_account.agg.conf, price_account.timestamp)
    } else {
        (price_account.prev_price, price_account.prev_conf, price_account.prev_timestamp)
    };
    Ok(OracleReading {
        price,
        conf,
        ema_price: price_account.ema_price.val,
        exponent: price_account.expo,
        publish_time,
    })
}
