//! The Solana CLI's config file (`~/.config/solana/cli/config.yml`): where the RPC URL and the
//! keypair come from unless flags say otherwise.

use crate::error::{CliError, CliResult};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SolanaConfig {
    pub json_rpc_url: Option<String>,
    pub keypair_path: Option<String>,
    pub commitment: Option<String>,
}

/// `~/.config/solana/cli/config.yml`, as the Solana CLI finds it.
pub fn default_config_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(PathBuf::from(home).join(".config/solana/cli/config.yml"))
}

/// `~/.config/solana/id.json`, the Solana CLI's default keypair.
pub fn default_keypair_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(PathBuf::from(home).join(".config/solana/id.json"))
}

/// Parses the flat YAML the Solana CLI writes (`key: value` lines, optionally quoted values,
/// `#` comments); keys other than the ones Ballast uses are ignored.
pub fn parse_config(text: &str) -> SolanaConfig {
    let mut c = SolanaConfig::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line == "---" {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else { continue };
        let mut value = value.trim();
        if let Some(stripped) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            value = stripped;
        } else if let Some(stripped) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            value = stripped;
        } else if let Some(i) = value.find(" #") {
            value = value[..i].trim();
        }
        if value.is_empty() {
            continue;
        }
        let slot = match key.trim() {
            "json_rpc_url" => &mut c.json_rpc_url,
            "keypair_path" => &mut c.keypair_path,
            "commitment" => &mut c.commitment,
            _ => continue,
        };
        *slot = Some(value.to_string());
    }
    c
}

/// Reads the config at `path`; a missing default file is an empty config (the Solana CLI's
/// defaults then apply), a missing file named with `--config` is an error.
pub fn load_config(path: Option<&Path>) -> CliResult<SolanaConfig> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => match default_config_path() {
            Some(p) => (p, false),
            None => return Ok(SolanaConfig::default()),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(parse_config(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(SolanaConfig::default()),
        Err(e) => Err(CliError::File { path: path.display().to_string(), message: e.to_string() }),
    }
}

/// The Solana CLI's URL monikers (`-u m`, `-u devnet`, ...); anything else is taken as a URL.
pub fn resolve_url(url: &str) -> String {
    match url {
        "m" | "mainnet-beta" => "https://api.mainnet-beta.solana.com".into(),
        "d" | "devnet" => "https://api.devnet.solana.com".into(),
        "t" | "testnet" => "https://api.testnet.solana.com".into(),
        "l" | "localhost" => "http://localhost:8899".into(),
        other => other.to_string(),
    }
}

/// Expands a leading `~/` (the Solana CLI writes absolute paths, people type `~`).
pub fn expand_tilde(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    PathBuf::from(path)
}

/// RPC URL and keypair path: flags first, then the config file, then the Solana CLI defaults.
pub fn resolve(
    config: &SolanaConfig,
    url_flag: Option<&str>,
    keypair_flag: Option<&str>,
) -> (String, PathBuf) {
    let url = url_flag
        .map(str::to_string)
        .or_else(|| config.json_rpc_url.clone())
        .unwrap_or_else(|| "https://api.mainnet-beta.solana.com".into());
    let keypair = keypair_flag
        .map(expand_tilde)
        .or_else(|| config.keypair_path.as_deref().map(expand_tilde))
        .or_else(default_keypair_path)
        .unwrap_or_else(|| PathBuf::from("id.json"));
    (resolve_url(&url), keypair)
}

/// Reads a Solana CLI keypair file (a JSON array of 64 bytes).
pub fn read_keypair(path: &Path) -> CliResult<solana_keypair::Keypair> {
    solana_keypair::read_keypair_file(path).map_err(|e| CliError::File {
        path: path.display().to_string(),
        message: format!("cannot read keypair: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_solana_config_set_writes() {
        let text = "---\njson_rpc_url: \"https://api.devnet.solana.com\"\nwebsocket_url: \"\"\n\
                    keypair_path: /home/me/.config/solana/id.json\naddress_labels:\n  \
                    \"11111111111111111111111111111111\": System Program\ncommitment: confirmed\n";
        let c = parse_config(text);
        assert_eq!(c.json_rpc_url.as_deref(), Some("https://api.devnet.solana.com"));
        assert_eq!(c.keypair_path.as_deref(), Some("/home/me/.config/solana/id.json"));
        assert_eq!(c.commitment.as_deref(), Some("confirmed"));
    }

    #[test]
    fn flags_override_the_file() {
        let c = SolanaConfig {
            json_rpc_url: Some("http://file:8899".into()),
            keypair_path: Some("/file/id.json".into()),
            commitment: None,
        };
        assert_eq!(resolve(&c, None, None), ("http://file:8899".into(), PathBuf::from("/file/id.json")));
        let (url, kp) = resolve(&c, Some("d"), Some("/flag.json"));
        assert_eq!(url, "https://api.devnet.solana.com");
        assert_eq!(kp, PathBuf::from("/flag.json"));
    }
}
