//! Governance parameters as files: the one serde form of the program's `AssetConfig`,
//! `GroupConfig` and `MarketConfig`, shared by the CLI's parameter files (`asset register`, `asset update`,
//! `group update`) and the deployment configs in `migrations/` (see [`crate::deploy`]), and the
//! one parser of addresses and Pyth feed ids the clients use.
//!
//! Every field is optional and named like the program's field (ratios in bps); a file is
//! applied on top of a base config (the program's `AssetConfig::template()` /
//! `GroupConfig::template()` for something new, the current config for an update), changing
//! only the fields it names.

use crate::{SdkError, SdkResult};
use anchor_lang::prelude::Pubkey;
use ballast::state::{
    AssetConfig, CorrelationGroupConfig, GroupConfig, MarketConfig, MarketKind, ASSET_FLAG_FROZEN,
    ASSET_FLAG_REDUCE_ONLY, MARKET_FLAG_REDUCE_ONLY,
};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

fn invalid(msg: String) -> SdkError {
    SdkError::Config(msg)
}

/// A base58 address (surrounding whitespace ignored).
pub fn parse_pubkey(s: &str) -> SdkResult<Pubkey> {
    Pubkey::from_str(s.trim()).map_err(|_| invalid(format!("`{s}` is not a base58 address")))
}

/// A Pyth feed id: 32 bytes as 64 hex digits, `0x` optional (surrounding whitespace ignored).
pub fn parse_feed_id(s: &str) -> SdkResult<[u8; 32]> {
    let text = s.trim();
    let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(format!("feed_id `{s}` is not 32 bytes of hex")));
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("checked hex digits");
    }
    Ok(out)
}

/// A feed id as `parse_feed_id` reads it: `0x` and 64 lowercase hex digits.
pub fn feed_id_hex(id: &[u8; 32]) -> String {
    let mut s = String::from("0x");
    for b in id {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A token amount cap in native units, or `"max"` for none (TOML integers stop at i64::MAX).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap(pub u64);

impl Serialize for Cap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == u64::MAX {
            s.serialize_str("max")
        } else {
            s.serialize_u64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Cap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cap, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Cap(n)),
            Raw::S(s) if s == "max" || s == "none" => Ok(Cap(u64::MAX)),
            Raw::S(s) => s.parse().map(Cap).map_err(|_| serde::de::Error::custom(format!("bad cap `{s}`"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OracleKindName {
    PythPull,
    PythLegacy,
}

/// An asset's config as a file: every `AssetConfig` field by name (ratios in bps), with the
/// oracle as `oracle_kind` + `feed_id` (hex) or `oracle` (base58), and the flags as booleans.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetParams {
    pub oracle_kind: Option<OracleKindName>,
    pub feed_id: Option<String>,
    pub oracle: Option<String>,
    pub deposit_cap: Option<Cap>,
    pub borrow_cap: Option<Cap>,
    pub max_staleness_secs: Option<u32>,
    pub max_conf_bps: Option<u32>,
    pub liquidation_max_conf_bps: Option<u32>,
    pub conf_multiplier_bps: Option<u32>,
    pub max_ema_deviation_bps: Option<u32>,
    pub init_asset_weight_bps: Option<u32>,
    pub maint_asset_weight_bps: Option<u32>,
    pub init_liab_weight_bps: Option<u32>,
    pub maint_liab_weight_bps: Option<u32>,
    pub liquidation_fee_bps: Option<u32>,
    pub max_liquidation_fee_bps: Option<u32>,
    pub protocol_fee_bps: Option<u32>,
    pub util0_bps: Option<u32>,
    pub rate0_bps: Option<u32>,
    pub util1_bps: Option<u32>,
    pub rate1_bps: Option<u32>,
    pub max_rate_bps: Option<u32>,
    pub reduce_only: Option<bool>,
    /// Indefinite freeze (admin only); the guardian's halts are `ballast guardian pause`.
    pub frozen: Option<bool>,
    pub deposit_weight_scale_start: Option<u64>,
    pub borrow_weight_scale_start: Option<u64>,
    pub sigma_floor_bps: Option<u32>,
    pub liquidation_horizon_secs: Option<u32>,
    pub vol_sample_interval_secs: Option<u32>,
    pub ewma_lambda_bps: Option<u32>,
    pub size_imf_ppm: Option<u32>,
    pub concentration_threshold_bps: Option<u32>,
    pub concentration_haircut_bps: Option<u32>,
    pub correlation_group: Option<u8>,
    pub maint_weight_glide_secs: Option<u32>,
    /// The volatility surface option marks use: up to four expiry buckets, shortest first
    /// (`[[vol_surface]]` tables in TOML); naming it replaces the whole surface.
    pub vol_surface: Option<Vec<VolBucketParams>>,
}

/// One expiry bucket of an asset's volatility surface (`ballast::state::VolBucketConfig`):
/// series expiring within `tenor_secs` take `atm_vol_bps + wing * |ln(K/F)|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolBucketParams {
    pub tenor_secs: u32,
    pub atm_vol_bps: u32,
    #[serde(default)]
    pub put_wing_bps: u32,
    #[serde(default)]
    pub call_wing_bps: u32,
}

/// The names among `fields` whose value `params` leaves unset (null when serialized).
pub fn unset_fields<T: Serialize>(params: &T, fields: &[&'static str]) -> Vec<&'static str> {
    let value = serde_json::to_value(params).unwrap_or_default();
    fields.iter().copied().filter(|f| value.get(f).is_none_or(|v| v.is_null())).collect()
}

impl AssetParams {
    /// Every field of `c`.
    pub fn from_config(c: &AssetConfig) -> AssetParams {
        let kind = match c.oracle_kind {
            1 => OracleKindName::PythLegacy,
            _ => OracleKindName::PythPull,
        };
        AssetParams {
            oracle_kind: Some(kind),
            feed_id: Some(feed_id_hex(&c.feed_id)),
            oracle: Some(c.oracle.to_string()),
            deposit_cap: Some(Cap(c.deposit_cap)),
            borrow_cap: Some(Cap(c.borrow_cap)),
            max_staleness_secs: Some(c.max_staleness_secs),
            max_conf_bps: Some(c.max_conf_bps),
            liquidation_max_conf_bps: Some(c.liquidation_max_conf_bps),
            conf_multiplier_bps: Some(c.conf_multiplier_bps),
            max_ema_deviation_bps: Some(c.max_ema_deviation_bps),
            init_asset_weight_bps: Some(c.init_asset_weight_bps),
            maint_asset_weight_bps: Some(c.maint_asset_weight_bps),
            init_liab_weight_bps: Some(c.init_liab_weight_bps),
            maint_liab_weight_bps: Some(c.maint_liab_weight_bps),
            liquidation_fee_bps: Some(c.liquidation_fee_bps),
            max_liquidation_fee_bps: Some(c.max_liquidation_fee_bps),
            protocol_fee_bps: Some(c.protocol_fee_bps),
            util0_bps: Some(c.util0_bps),
            rate0_bps: Some(c.rate0_bps),
            util1_bps: Some(c.util1_bps),
            rate1_bps: Some(c.rate1_bps),
            max_rate_bps: Some(c.max_rate_bps),
            reduce_only: Some(c.is_reduce_only()),
            frozen: Some(c.is_frozen()),
            deposit_weight_scale_start: Some(c.deposit_weight_scale_start),
            borrow_weight_scale_start: Some(c.borrow_weight_scale_start),
            sigma_floor_bps: Some(c.sigma_floor_bps),
            liquidation_horizon_secs: Some(c.liquidation_horizon_secs),
            vol_sample_interval_secs: Some(c.vol_sample_interval_secs),
            ewma_lambda_bps: Some(c.ewma_lambda_bps),
            size_imf_ppm: Some(c.size_imf_ppm),
            concentration_threshold_bps: Some(c.concentration_threshold_bps),
            concentration_haircut_bps: Some(c.concentration_haircut_bps),
            correlation_group: Some(c.correlation_group),
            maint_weight_glide_secs: Some(c.maint_weight_glide_secs),
            vol_surface: Some(
                c.vol_surface
                    .buckets
                    .iter()
                    .take_while(|b| b.tenor_secs > 0)
                    .map(|b| VolBucketParams {
                        tenor_secs: b.tenor_secs,
                        atm_vol_bps: b.atm_vol_bps,
                        put_wing_bps: b.put_wing_bps,
                        call_wing_bps: b.call_wing_bps,
                    })
                    .collect(),
            ),
        }
    }

    /// Whether the file names any oracle field.
    pub fn names_oracle(&self) -> bool {
        self.oracle_kind.is_some() || self.feed_id.is_some() || self.oracle.is_some()
    }

    /// `base` with the fields this file names replaced. Naming an oracle kind, feed id or
    /// oracle account clears the other oracle field, so a switch between pull and legacy needs
    /// only the new kind and its key.
    pub fn apply(&self, base: &AssetConfig) -> SdkResult<AssetConfig> {
        let mut c = *base;
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { c.$f = v; } )* };
        }
        set!(
            max_staleness_secs,
            max_conf_bps,
            liquidation_max_conf_bps,
            conf_multiplier_bps,
            max_ema_deviation_bps,
            init_asset_weight_bps,
            maint_asset_weight_bps,
            init_liab_weight_bps,
            maint_liab_weight_bps,
            liquidation_fee_bps,
            max_liquidation_fee_bps,
            protocol_fee_bps,
            util0_bps,
            rate0_bps,
            util1_bps,
            rate1_bps,
            max_rate_bps,
            deposit_weight_scale_start,
            borrow_weight_scale_start,
            sigma_floor_bps,
            liquidation_horizon_secs,
            vol_sample_interval_secs,
            ewma_lambda_bps,
            size_imf_ppm,
            concentration_threshold_bps,
            concentration_haircut_bps,
            correlation_group,
            maint_weight_glide_secs
        );
        if let Some(buckets) = &self.vol_surface {
            if buckets.len() > ballast::risk::VOL_BUCKETS {
                return Err(invalid(format!(
                    "vol_surface has {} buckets; at most {}",
                    buckets.len(),
                    ballast::risk::VOL_BUCKETS
                )));
            }
            c.vol_surface = ballast::state::VolSurfaceConfig::EMPTY;
            for (slot, b) in c.vol_surface.buckets.iter_mut().zip(buckets) {
                *slot = ballast::state::VolBucketConfig {
                    tenor_secs: b.tenor_secs,
                    atm_vol_bps: b.atm_vol_bps,
                    put_wing_bps: b.put_wing_bps,
                    call_wing_bps: b.call_wing_bps,
                };
            }
        }
        if let Some(cap) = self.deposit_cap {
            c.deposit_cap = cap.0;
        }
        if let Some(cap) = self.borrow_cap {
            c.borrow_cap = cap.0;
        }
        let set_flag = |flags: &mut u8, bit: u8, on: Option<bool>| match on {
            Some(true) => *flags |= bit,
            Some(false) => *flags &= !bit,
            None => {}
        };
        set_flag(&mut c.flags, ASSET_FLAG_REDUCE_ONLY, self.reduce_only);
        set_flag(&mut c.flags, ASSET_FLAG_FROZEN, self.frozen);
        let feed = self.feed_id.as_deref().map(parse_feed_id).transpose()?;
        let oracle = self
            .oracle
            .as_deref()
            .map(|o| parse_pubkey(o).map_err(|_| invalid(format!("oracle `{o}` is not a base58 address"))))
            .transpose()?;
        let kind = self.oracle_kind.or(match (feed, oracle) {
            (Some(f), _) if f != [0; 32] => Some(OracleKindName::PythPull),
            (_, Some(o)) if o != Pubkey::default() => Some(OracleKindName::PythLegacy),
            _ => None,
        });
        match kind {
            Some(OracleKindName::PythPull) => {
                c.oracle_kind = 0;
                // the pinned update account if named; zero pins the sponsored feed account
                c.oracle = oracle.unwrap_or_default();
                if let Some(f) = feed {
                    c.feed_id = f;
                }
            }
            Some(OracleKindName::PythLegacy) => {
                c.oracle_kind = 1;
                c.feed_id = [0; 32];
                if let Some(o) = oracle {
                    c.oracle = o;
                }
            }
            None => {}
        }
        Ok(c)
    }
}

/// One correlation group's weights in a group file (all zero clears the group).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationGroupParams {
    /// 1..=8
    pub group: u8,
    pub init_asset_weight_bps: u32,
    pub maint_asset_weight_bps: u32,
    pub init_liab_weight_bps: u32,
    pub maint_liab_weight_bps: u32,
}

/// A group's config as a file; `correlation_groups` replaces only the groups it lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupParams {
    pub liquidation_bonus_ramp_secs: Option<u32>,
    pub insurance_share_bps: Option<u32>,
    /// Quote-native units (micro-USD).
    pub dust_value: Option<u64>,
    pub z_init_bps: Option<u32>,
    pub z_maint_bps: Option<u32>,
    /// Seconds a loosening waits (0: no timelock).
    pub timelock_delay_secs: Option<u32>,
    pub correlation_groups: Option<Vec<CorrelationGroupParams>>,
}

impl GroupParams {
    /// Every field of `c` (the correlation groups in use).
    pub fn from_config(c: &GroupConfig) -> GroupParams {
        GroupParams {
            liquidation_bonus_ramp_secs: Some(c.liquidation_bonus_ramp_secs),
            insurance_share_bps: Some(c.insurance_share_bps),
            dust_value: Some(c.dust_value),
            z_init_bps: Some(c.z_init_bps),
            z_maint_bps: Some(c.z_maint_bps),
            timelock_delay_secs: Some(c.timelock_delay_secs),
            correlation_groups: Some(
                c.correlation_groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.is_used())
                    .map(|(i, g)| CorrelationGroupParams {
                        group: i as u8 + 1,
                        init_asset_weight_bps: g.init_asset_weight_bps,
                        maint_asset_weight_bps: g.maint_asset_weight_bps,
                        init_liab_weight_bps: g.init_liab_weight_bps,
                        maint_liab_weight_bps: g.maint_liab_weight_bps,
                    })
                    .collect(),
            ),
        }
    }

    /// `base` with the fields this file names replaced.
    pub fn apply(&self, base: &GroupConfig) -> SdkResult<GroupConfig> {
        let mut c = *base;
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { c.$f = v; } )* };
        }
        set!(
            liquidation_bonus_ramp_secs,
            insurance_share_bps,
            dust_value,
            z_init_bps,
            z_maint_bps,
            timelock_delay_secs
        );
        for g in self.correlation_groups.iter().flatten() {
            let slot = usize::from(g.group)
                .checked_sub(1)
                .and_then(|i| c.correlation_groups.get_mut(i))
                .ok_or_else(|| invalid(format!("correlation group {} is not in 1..=8", g.group)))?;
            *slot = CorrelationGroupConfig {
                init_asset_weight_bps: g.init_asset_weight_bps,
                maint_asset_weight_bps: g.maint_asset_weight_bps,
                init_liab_weight_bps: g.init_liab_weight_bps,
                maint_liab_weight_bps: g.maint_liab_weight_bps,
            };
        }
        Ok(c)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketKindName {
    Future,
    Call,
    Put,
}

/// A market's config as a file: every `MarketConfig` field by name (ratios in bps, the contract
/// size in native units of the underlying, the expiry in unix seconds), reduce-only as a boolean.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketParams {
    pub kind: Option<MarketKindName>,
    pub expiry_ts: Option<i64>,
    pub contract_size: Option<u64>,
    pub open_interest_cap: Option<Cap>,
    pub price_band_bps: Option<u32>,
    pub scan_range_multiplier_bps: Option<u32>,
    pub min_scan_range_init_bps: Option<u32>,
    pub min_scan_range_maint_bps: Option<u32>,
    pub extreme_move_multiple_bps: Option<u32>,
    pub extreme_fraction_bps: Option<u32>,
    pub pnl_weight_init_bps: Option<u32>,
    pub pnl_weight_maint_bps: Option<u32>,
    pub settlement_window_secs: Option<u32>,
    /// Options: the strike per contract (quote-native), the vol shocks, the short-option
    /// minimum and the risk array's freshness (`MarketConfig`).
    pub strike: Option<u64>,
    pub vol_shock_up_bps: Option<u32>,
    pub vol_shock_down_bps: Option<u32>,
    pub short_option_minimum_bps: Option<u32>,
    pub risk_array_max_age_secs: Option<u32>,
    pub risk_array_max_move_bps: Option<u32>,
    pub reduce_only: Option<bool>,
}

impl MarketParams {
    /// Every field of `c`.
    pub fn from_config(c: &MarketConfig) -> MarketParams {
        MarketParams {
            kind: MarketKind::from_u8(c.kind).map(|k| match k {
                MarketKind::Future => MarketKindName::Future,
                MarketKind::Call => MarketKindName::Call,
                MarketKind::Put => MarketKindName::Put,
            }),
            expiry_ts: Some(c.expiry_ts),
            contract_size: Some(c.contract_size),
            strike: Some(c.strike),
            open_interest_cap: Some(Cap(c.open_interest_cap)),
            price_band_bps: Some(c.price_band_bps),
            scan_range_multiplier_bps: Some(c.scan_range_multiplier_bps),
            min_scan_range_init_bps: Some(c.min_scan_range_init_bps),
            min_scan_range_maint_bps: Some(c.min_scan_range_maint_bps),
            extreme_move_multiple_bps: Some(c.extreme_move_multiple_bps),
            extreme_fraction_bps: Some(c.extreme_fraction_bps),
            pnl_weight_init_bps: Some(c.pnl_weight_init_bps),
            pnl_weight_maint_bps: Some(c.pnl_weight_maint_bps),
            settlement_window_secs: Some(c.settlement_window_secs),
            vol_shock_up_bps: Some(c.vol_shock_up_bps),
            vol_shock_down_bps: Some(c.vol_shock_down_bps),
            short_option_minimum_bps: Some(c.short_option_minimum_bps),
            risk_array_max_age_secs: Some(c.risk_array_max_age_secs),
            risk_array_max_move_bps: Some(c.risk_array_max_move_bps),
            reduce_only: Some(c.is_reduce_only()),
        }
    }

    /// `base` with the fields this file names replaced.
    pub fn apply(&self, base: &MarketConfig) -> MarketConfig {
        let mut c = *base;
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { c.$f = v; } )* };
        }
        set!(
            expiry_ts,
            contract_size,
            price_band_bps,
            scan_range_multiplier_bps,
            min_scan_range_init_bps,
            min_scan_range_maint_bps,
            extreme_move_multiple_bps,
            extreme_fraction_bps,
            pnl_weight_init_bps,
            pnl_weight_maint_bps,
            settlement_window_secs,
            strike,
            vol_shock_up_bps,
            vol_shock_down_bps,
            short_option_minimum_bps,
            risk_array_max_age_secs,
            risk_array_max_move_bps
        );
        if let Some(cap) = self.open_interest_cap {
            c.open_interest_cap = cap.0;
        }
        if let Some(kind) = self.kind {
            c.kind = match kind {
                MarketKindName::Future => MarketKind::Future as u8,
                MarketKindName::Call => MarketKind::Call as u8,
                MarketKindName::Put => MarketKind::Put as u8,
            };
        }
        match self.reduce_only {
            Some(true) => c.flags |= MARKET_FLAG_REDUCE_ONLY,
            Some(false) => c.flags &= !MARKET_FLAG_REDUCE_ONLY,
            None => {}
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_applies_only_named_fields() {
        let base = AssetConfig { feed_id: [7; 32], init_asset_weight_bps: 8_000, ..AssetConfig::template() };
        let p: AssetParams =
            toml::from_str("init_asset_weight_bps = 7500\nfrozen = true\ndeposit_cap = 5").unwrap();
        let c = p.apply(&base).unwrap();
        assert_eq!(c.init_asset_weight_bps, 7_500);
        assert!(c.is_frozen());
        assert_eq!(c.deposit_cap, 5);
        assert_eq!(c.feed_id, [7; 32]);
        assert!(toml::from_str::<AssetParams>("init_asset_weigth_bps = 1").is_err(), "typos are refused");
        let legacy: AssetParams = toml::from_str("oracle = \"11111111111111111111111111111112\"").unwrap();
        let c = legacy.apply(&base).unwrap();
        assert_eq!((c.oracle_kind, c.feed_id), (1, [0; 32]));
        assert_eq!(
            unset_fields(&p, &["frozen", "borrow_cap", "init_asset_weight_bps", "util0_bps"]),
            ["borrow_cap", "util0_bps"]
        );
    }

    #[test]
    fn group_update_replaces_listed_correlation_groups() {
        let base = GroupConfig::template();
        let p: GroupParams = toml::from_str(
            "z_init_bps = 20000\n[[correlation_groups]]\ngroup = 2\ninit_asset_weight_bps = 9000\n\
             maint_asset_weight_bps = 9500\ninit_liab_weight_bps = 11000\nmaint_liab_weight_bps = 10500\n",
        )
        .unwrap();
        let c = p.apply(&base).unwrap();
        assert_eq!(c.z_init_bps, 20_000);
        assert_eq!(c.correlation_groups[1].maint_asset_weight_bps, 9_500);
        assert!(!c.correlation_groups[0].is_used());
        let bad: GroupParams = toml::from_str(
            "[[correlation_groups]]\ngroup = 9\ninit_asset_weight_bps = 1\n\
             maint_asset_weight_bps = 1\ninit_liab_weight_bps = 1\nmaint_liab_weight_bps = 1\n",
        )
        .unwrap();
        assert!(bad.apply(&base).is_err());
    }

    #[test]
    fn feed_ids_and_addresses() {
        let hex = "0xeaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a";
        let id = parse_feed_id(hex).unwrap();
        assert_eq!(id[0], 0xea);
        assert_eq!(feed_id_hex(&id), hex);
        assert_eq!(parse_feed_id(&format!(" {} ", &hex[2..])).unwrap(), id, "0x and whitespace optional");
        assert!(parse_feed_id(&hex[..64]).is_err(), "too short");
        assert!(parse_feed_id(&format!("0x+{}", &hex[3..])).is_err(), "signs are not hex");
        assert!(parse_feed_id(&format!("0xé{}", &hex[4..])).is_err(), "non-ASCII is refused, not a panic");
        assert_eq!(
            parse_pubkey(" 11111111111111111111111111111112 ").unwrap(),
            Pubkey::new_from_array({
                let mut k = [0; 32];
                k[31] = 1;
                k
            })
        );
        assert!(parse_pubkey("0x12").is_err());
    }

    #[test]
    fn market_params_round_trip() {
        let base =
            MarketConfig { expiry_ts: 1_700_000_000, contract_size: 1_000, ..MarketConfig::template() };
        assert_eq!(MarketParams::from_config(&base).apply(&MarketConfig::template()), base);
        let p: MarketParams = toml::from_str("reduce_only = true\nopen_interest_cap = 50").unwrap();
        let c = p.apply(&base);
        assert!(c.is_reduce_only());
        assert_eq!((c.open_interest_cap, c.expiry_ts), (50, base.expiry_ts));
        assert!(toml::from_str::<MarketParams>("contract_sise = 1").is_err(), "typos are refused");
    }
}
