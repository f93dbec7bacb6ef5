//! `cargo run -p ballast-idl` writes `idl/ballast.json`, the program's Anchor IDL;
//! `cargo run -p ballast-idl -- --check` fails when the committed file differs from the program
//! (CI runs it).
//!
//! The IDL comes from anchor-lang-idl's builder, as `anchor idl build` makes it: the program is
//! compiled for the host with its `idl-build` feature and its `__anchor_private_print_idl` tests
//! print each part (instructions, accounts, types, events, errors, constants). That build runs in
//! its own target directory (`target/idl`, or `BALLAST_IDL_TARGET_DIR`): the builder compiles with
//! `RUSTFLAGS=-A warnings`, which would otherwise invalidate the workspace's build.

use anchor_lang_idl::build::IdlBuilder;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--check") => true,
        Some(other) => {
            eprintln!("usage: ballast-idl [--check]  (unknown argument {other})");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    let target = std::env::var_os("BALLAST_IDL_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/idl"));
    // The builder runs cargo itself; the child inherits these variables. anchor-lang-idl 0.1.4,
    // given RUSTUP_TOOLCHAIN (which rustup's proxy sets under `cargo run`), asks rustup to install
    // it and then passes the literal `+{toolchain}`: the child uses the caller's toolchain instead.
    std::env::set_var("CARGO_TARGET_DIR", &target);
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = match IdlBuilder::new()
        .program_path(root.join("programs/ballast"))
        .cargo_args(vec!["--locked".into(), "--lib".into()])
        .build()
    {
        Ok(idl) => idl,
        Err(e) => {
            eprintln!("ballast-idl: building the IDL failed: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let json = serde_json::to_string_pretty(&idl).expect("an IDL serializes") + "\n";
    let path = root.join("idl/ballast.json");
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != json {
            eprintln!(
                "ballast-idl: {} differs from the program; run `cargo run -p ballast-idl` and commit it",
                path.display()
            );
            return ExitCode::FAILURE;
        }
        println!(
            "{} matches the program ({} instructions, {} accounts, {} events, {} errors)",
            path.display(),
            idl.instructions.len(),
            idl.accounts.len(),
            idl.events.len(),
            idl.errors.len()
        );
    } else {
        std::fs::write(&path, &json).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        println!(
            "wrote {} ({} instructions, {} accounts, {} types, {} events, {} errors)",
            path.display(),
            idl.instructions.len(),
            idl.accounts.len(),
            idl.types.len(),
            idl.events.len(),
            idl.errors.len()
        );
    }
    ExitCode::SUCCESS
}
