//! Governance parameter files (`asset register`, `asset update`, `group update`): TOML or JSON,
//! with the field names of the program's `AssetConfig` / `GroupConfig`. Every field is
//! optional; an update applies only the fields the file names.

use crate::error::{CliError, CliResult};
use anchor_lang::prelude::Pubkey;
use ballast_sdk::ballast::state::{
    AssetConfig, CorrelationGroupConfig, GroupConfig, ASSET_FLAG_PAUSED, ASSET_FLAG_REDUCE_ONLY,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Reads a TOML or JSON file (JSON if the name ends in `.json`, TOML otherwise).
pub fn load_file<T: DeserializeOwned>(path: &Path) -> CliResult<T> {
    let file_err = |message: String| CliError::File { path: path.display().to_string(), message };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) {
        serde_json::from_str(&text).map_err(|e| file_err(e.to_string()))
    } else {
        toml::from_str(&text).map_err(|e| file_err(e.to_string()))
    }
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
    pub paused: Option<bool>,
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
}

/// What `asset register` starts from before applying the file: no caps, 60 s staleness, 2%
/// confidence (5% for liquidations), k = 1, a 5%/20%/200% rate curve, hourly volatility samples
/// with lambda 0.94, every optional factor off. Weights and the oracle have no default: the
/// file must name them.
pub fn register_defaults() -> AssetConfig {
    AssetConfig {
        oracle: Pubkey::default(),
        feed_id: [0; 32],
        deposit_cap: u64::MAX,
        borrow_cap: u64::MAX,
        max_staleness_secs: 60,
        max_conf_bps: 200,
        liquidation_max_conf_bps: 500,
        conf_multiplier_bps: 10_000,
        max_ema_deviation_bps: 1_000,
        init_asset_weight_bps: 0,
        maint_asset_weight_bps: 0,
        init_liab_weight_bps: 0,
        maint_liab_weight_bps: 0,
        liquidation_fee_bps: 500,
        max_liquidation_fee_bps: 900,
        protocol_fee_bps: 1_000,
        util0_bps: 5_000,
        rate0_bps: 500,
        util1_bps: 8_000,
        rate1_bps: 2_000,
        max_rate_bps: 20_000,
        oracle_kind: 0,
        flags: 0,
        padding: [0; 2],
        deposit_weight_scale_start: 0,
        borrow_weight_scale_start: 0,
        sigma_floor_bps: 0,
        liquidation_horizon_secs: 0,
        vol_sample_interval_secs: 3_600,
        ewma_lambda_bps: 9_400,
        size_imf_ppm: 0,
        concentration_threshold_bps: 0,
        concentration_haircut_bps: 0,
        correlation_group: 0,
        padding2: [0; 3],
        reserved: [0; 16],
    }
}

pub fn parse_feed_id(text: &str) -> CliResult<[u8; 32]> {
    let hex = text.trim().trim_start_matches("0x");
    let bad = || CliError::input(format!("feed_id `{text}` is not 32 bytes of hex"));
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

pub fn feed_id_hex(id: &[u8; 32]) -> String {
    let mut s = String::from("0x");
    for b in id {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

pub fn parse_pubkey(text: &str, what: &str) -> CliResult<Pubkey> {
    text.trim().parse().map_err(|_| CliError::input(format!("{what} `{text}` is not a base58 address")))
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
            paused: Some(c.is_paused()),
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
        }
    }

    /// `base` with the fields this file names replaced. Naming an oracle kind, feed id or
    /// oracle account clears the other oracle field, so a switch between pull and legacy needs
    /// only the new kind and its key.
    pub fn apply(&self, base: &AssetConfig) -> CliResult<AssetConfig> {
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
            correlation_group
        );
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
        set_flag(&mut c.flags, ASSET_FLAG_PAUSED, self.paused);
        let feed = self.feed_id.as_deref().map(parse_feed_id).transpose()?;
        let oracle = self.oracle.as_deref().map(|o| parse_pubkey(o, "oracle")).transpose()?;
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
    pub dust_value: Option<u64>,
    pub z_init_bps: Option<u32>,
    pub z_maint_bps: Option<u32>,
    pub correlation_groups: Option<Vec<CorrelationGroupParams>>,
}

impl GroupParams {
    pub fn from_config(c: &GroupConfig) -> GroupParams {
        GroupParams {
            liquidation_bonus_ramp_secs: Some(c.liquidation_bonus_ramp_secs),
            insurance_share_bps: Some(c.insurance_share_bps),
            dust_value: Some(c.dust_value),
            z_init_bps: Some(c.z_init_bps),
            z_maint_bps: Some(c.z_maint_bps),
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

    pub fn apply(&self, base: &GroupConfig) -> CliResult<GroupConfig> {
        let mut c = *base;
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { c.$f = v; } )* };
        }
        set!(liquidation_bonus_ramp_secs, insurance_share_bps, dust_value, z_init_bps, z_maint_bps);
        for g in self.correlation_groups.iter().flatten() {
            let slot = usize::from(g.group)
                .checked_sub(1)
                .and_then(|i| c.correlation_groups.get_mut(i))
                .ok_or_else(|| CliError::input(format!("correlation group {} is not in 1..=8", g.group)))?;
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

/// A changed field: its name and the old and new values as the files write them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// Field-by-field differences between two parameter sets (as serialized).
pub fn diff<T: Serialize>(old: &T, new: &T) -> Vec<FieldChange> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return vec![];
    };
    a.iter()
        .filter_map(|(k, v)| {
            let n = b.get(k).cloned().unwrap_or(serde_json::Value::Null);
            (n != *v).then(|| FieldChange { field: k.clone(), old: v.clone(), new: n })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_applies_only_named_fields() {
        let base = AssetConfig { feed_id: [7; 32], init_asset_weight_bps: 8_000, ..register_defaults() };
        let p: AssetParams =
            toml::from_str("init_asset_weight_bps = 7500\npaused = true\ndeposit_cap = 5").unwrap();
        let c = p.apply(&base).unwrap();
        assert_eq!(c.init_asset_weight_bps, 7_500);
        assert!(c.is_paused());
        assert_eq!(c.deposit_cap, 5);
        assert_eq!(c.feed_id, [7; 32]);
        let changes = diff(&AssetParams::from_config(&base), &AssetParams::from_config(&c));
        let names: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(toml::from_str::<AssetParams>("init_asset_weigth_bps = 1").is_err(), "typos are refused");
        let legacy: AssetParams = toml::from_str("oracle = \"11111111111111111111111111111112\"").unwrap();
        let c = legacy.apply(&base).unwrap();
        assert_eq!((c.oracle_kind, c.feed_id), (1, [0; 32]));
    }

    #[test]
    fn group_update_replaces_listed_correlation_groups() {
        let base = GroupConfig {
            liquidation_bonus_ramp_secs: 3_600,
            insurance_share_bps: 2_000,
            dust_value: 10_000,
            z_init_bps: 0,
            z_maint_bps: 0,
            correlation_groups: [CorrelationGroupConfig::default(); 8],
        };
        let p: GroupParams = toml::from_str(
            "z_init_bps = 20000\n[[correlation_groups]]\ngroup = 2\ninit_asset_weight_bps = 9000\n\
             maint_asset_weight_bps = 9500\ninit_liab_weight_bps = 11000\nmaint_liab_weight_bps = 10500\n",
        )
        .unwrap();
        let c = p.apply(&base).unwrap();
        assert_eq!(c.z_init_bps, 20_000);
        assert_eq!(c.correlation_groups[1].maint_asset_weight_bps, 9_500);
        assert!(!c.correlation_groups[0].is_used());
    }
}
