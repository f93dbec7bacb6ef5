//! Margin accounts kept current between full scans.
//!
//! A full scan (getProgramAccounts with the group's filters) costs the RPC node a pass over
//! every account of the program; a keeper that only did that would either scan often (and be
//! rate-limited) or late. So the keeper scans in full every `resync_every` and, in between,
//! takes the changes a `programSubscribe` pushes ([`AccountFeed::apply`], fed by
//! `subscribe::spawn` in the binary). The full scan stays the source of truth: a dropped
//! subscription forces one at the next round ([`AccountFeed::disconnected`]), and so does a
//! new one ([`AccountFeed::connected`]), since changes may have been missed in between.
//!
//! Ordering: every entry remembers the slot it is from. A notification replaces an entry only
//! if it is from a later slot; a full scan replaces every entry but those notified after the
//! slot the scan started at. An account that stops matching the filters (closed) is not
//! notified; it leaves at the next full scan, and until then a liquidation of it fails its
//! refetch and is skipped.

use anchor_lang::prelude::Pubkey;
use ballast::state::MarginAccount;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedStats {
    /// Notifications applied.
    pub updates: u64,
    /// Notifications older than the entry they would replace (dropped).
    pub stale_updates: u64,
    /// Full scans.
    pub resyncs: u64,
    /// Subscriptions made, and lost.
    pub connects: u64,
    pub disconnects: u64,
}

#[derive(Debug)]
pub struct AccountFeed {
    accounts: BTreeMap<Pubkey, (u64, MarginAccount)>,
    last_resync: Option<Instant>,
    resync_due: bool,
    /// The longest between full scans.
    pub resync_every: Duration,
    pub stats: FeedStats,
}

impl AccountFeed {
    pub fn new(resync_every: Duration) -> AccountFeed {
        AccountFeed {
            accounts: BTreeMap::new(),
            last_resync: None,
            resync_due: true,
            resync_every,
            stats: FeedStats::default(),
        }
    }

    /// Whether the next round must scan in full: never scanned, the subscription (re)connected
    /// or dropped, or `resync_every` has passed.
    pub fn needs_resync(&self, now: Instant) -> bool {
        self.resync_due || self.last_resync.is_none_or(|t| now.duration_since(t) >= self.resync_every)
    }

    /// A full scan that started at `slot`: it replaces every entry but the ones notified from a
    /// later slot.
    pub fn resync(&mut self, slot: u64, accounts: Vec<(Pubkey, MarginAccount)>, now: Instant) {
        let newer: Vec<(Pubkey, (u64, MarginAccount))> =
            self.accounts.iter().filter(|(_, (s, _))| *s > slot).map(|(k, v)| (*k, *v)).collect();
        self.accounts = accounts.into_iter().map(|(k, a)| (k, (slot, a))).collect();
        self.accounts.extend(newer);
        self.last_resync = Some(now);
        self.resync_due = false;
        self.stats.resyncs += 1;
    }

    /// A notification: `account` as of `slot`. Returns whether it was applied.
    pub fn apply(&mut self, slot: u64, key: Pubkey, account: MarginAccount) -> bool {
        match self.accounts.get(&key) {
            Some((s, _)) if *s > slot => {
                self.stats.stale_updates += 1;
                false
            }
            _ => {
                self.accounts.insert(key, (slot, account));
                self.stats.updates += 1;
                true
            }
        }
    }

    /// A subscription started: what changed before it may have been missed.
    pub fn connected(&mut self) {
        self.resync_due = true;
        self.stats.connects += 1;
    }

    /// The subscription dropped: scan in full until it is back.
    pub fn disconnected(&mut self) {
        self.resync_due = true;
        self.stats.disconnects += 1;
    }

    /// The accounts, in address order (as a full scan returns them).
    pub fn accounts(&self) -> Vec<(Pubkey, MarginAccount)> {
        self.accounts.iter().map(|(k, (_, a))| (*k, *a)).collect()
    }

    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(num: u32) -> MarginAccount {
        let mut a: MarginAccount = bytemuck::Zeroable::zeroed();
        a.account_num = num;
        a
    }

    #[test]
    fn notifications_and_scans_keep_the_newest_state() {
        let t0 = Instant::now();
        let mut feed = AccountFeed::new(Duration::from_secs(60));
        assert!(feed.needs_resync(t0), "never scanned");
        let (a, b, c) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        feed.resync(10, vec![(a, account(1)), (b, account(1))], t0);
        assert!(!feed.needs_resync(t0 + Duration::from_secs(59)));
        assert!(feed.needs_resync(t0 + Duration::from_secs(60)));

        assert!(feed.apply(12, a, account(2)));
        assert!(!feed.apply(11, a, account(3)), "an older notification is dropped");
        assert!(feed.apply(12, c, account(1)), "a new account joins");
        assert_eq!(feed.accounts().iter().find(|(k, _)| *k == a).unwrap().1.account_num, 2);
        assert_eq!(feed.len(), 3);

        // A scan from slot 11 predates a's notification at 12 (kept) and c's (kept); b is gone.
        feed.resync(11, vec![(a, account(9))], t0);
        let accounts = feed.accounts();
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts.iter().find(|(k, _)| *k == a).unwrap().1.account_num, 2);
        assert!(accounts.iter().all(|(k, _)| *k != b));
        // A scan from slot 12 or later wins.
        feed.resync(12, vec![(a, account(9))], t0);
        let accounts = feed.accounts();
        assert_eq!(accounts.len(), 1);
        assert_eq!((accounts[0].0, accounts[0].1.account_num), (a, 9));
        assert_eq!((feed.stats.updates, feed.stats.stale_updates, feed.stats.resyncs), (2, 1, 3));
    }

    #[test]
    fn a_subscription_that_connects_or_drops_forces_a_full_scan() {
        let t0 = Instant::now();
        let mut feed = AccountFeed::new(Duration::from_secs(60));
        feed.resync(1, vec![], t0);
        assert!(!feed.needs_resync(t0));
        feed.connected();
        assert!(feed.needs_resync(t0));
        feed.resync(2, vec![], t0);
        feed.disconnected();
        assert!(feed.needs_resync(t0));
        assert_eq!((feed.stats.connects, feed.stats.disconnects), (1, 1));
    }
}
