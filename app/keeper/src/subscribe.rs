//! `programSubscribe` over the cluster's websocket, feeding an [`AccountFeed`]: every change to
//! a margin account of the group (the same data-size, discriminator and group filters as the
//! full scan), at confirmed commitment. The task reconnects after a drop (1 s, doubling to 30 s);
//! the feed forces a full scan on each connect and drop, so nothing missed in between is lost.

use crate::feed::AccountFeed;
use anchor_lang::prelude::Pubkey;
use ballast::state::MarginAccount;
use ballast_sdk::chain::rpc::program_accounts_config;
use ballast_sdk::snapshot::margin_account_filter;
use futures_util::StreamExt;
use solana_account::Account;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The websocket URL the Solana CLI derives from an RPC URL: ws(s), and an explicit port + 1
/// (8899 -> 8900); without a port, the same host.
pub fn websocket_url(rpc_url: &str) -> String {
    let (scheme, rest) = match rpc_url.split_once("://") {
        Some(("https", rest)) => ("wss", rest),
        Some((_, rest)) => ("ws", rest),
        None => ("ws", rpc_url),
    };
    // The path, with its leading slash, is kept as it is.
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let authority = match authority.rsplit_once(':').map(|(host, port)| (host, port.parse::<u16>())) {
        Some((host, Ok(port))) => format!("{host}:{}", port.saturating_add(1)),
        _ => authority.to_string(),
    };
    format!("{scheme}://{authority}{path}")
}

/// Subscribes for `group`'s margin accounts at `ws_url` and keeps `feed` current, until the
/// process ends. Failures are logged to stderr and retried.
pub fn spawn(ws_url: String, group: Pubkey, feed: Arc<Mutex<AccountFeed>>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = Duration::from_secs(1);
        loop {
            let connects = feed.lock().expect("feed lock").stats.connects;
            match follow(&ws_url, &group, &feed).await {
                Ok(()) => eprintln!("subscription to {ws_url} ended; resubscribing"),
                Err(e) => eprintln!("subscription to {ws_url}: {e}; retrying in {} s", backoff.as_secs()),
            }
            {
                let mut f = feed.lock().expect("feed lock");
                // A subscription that got going starts the backoff again.
                if f.stats.connects > connects {
                    backoff = Duration::from_secs(1);
                }
                f.disconnected();
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    })
}

async fn follow(ws_url: &str, group: &Pubkey, feed: &Mutex<AccountFeed>) -> Result<(), String> {
    let client = PubsubClient::new(ws_url).await.map_err(|e| e.to_string())?;
    let config = program_accounts_config(
        &margin_account_filter(group),
        Some(solana_commitment_config::CommitmentConfig::confirmed()),
    );
    let (mut stream, unsubscribe) =
        client.program_subscribe(&ballast::ID, Some(config)).await.map_err(|e| e.to_string())?;
    feed.lock().expect("feed lock").connected();
    while let Some(update) = stream.next().await {
        let slot = update.context.slot;
        let keyed = update.value;
        let (Ok(key), Some(account)) = (keyed.pubkey.parse::<Pubkey>(), keyed.account.decode::<Account>())
        else {
            continue;
        };
        // The filters match margin accounts of the group only; decode as the full scan does.
        if let Ok(margin) = ballast_sdk::decode::<MarginAccount>(&key, &account.data, "MarginAccount") {
            feed.lock().expect("feed lock").apply(slot, key, margin);
        }
    }
    unsubscribe().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::websocket_url;

    #[test]
    fn the_websocket_is_the_next_port_as_the_solana_cli_has_it() {
        assert_eq!(websocket_url("http://127.0.0.1:8899"), "ws://127.0.0.1:8900");
        assert_eq!(websocket_url("https://api.mainnet-beta.solana.com"), "wss://api.mainnet-beta.solana.com");
        assert_eq!(websocket_url("https://rpc.example.com/key123"), "wss://rpc.example.com/key123");
        assert_eq!(websocket_url("http://localhost:8899/"), "ws://localhost:8900/");
        assert_eq!(websocket_url("http://[::1]:8899"), "ws://[::1]:8900");
    }
}
