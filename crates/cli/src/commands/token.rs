//! `benchgate token create | list | revoke`: the API tokens of the team server (`benchgate serve`).
//! A token is printed once, when created; the store keeps only its SHA-256.

use std::io::Read;

use anyhow::Context;
use benchgate_model::Outcome;
use benchgate_pipeline::store::{open_existing_store, open_store};
use benchgate_store::{TokenScope, token_hash};
use clap::{Subcommand, ValueEnum};
use time::format_description::well_known::Rfc3339;

use crate::cli::GlobalArgs;
use crate::output::{eprint_line, print};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once (standard output, one line): keep it, e.g. as the
    /// BENCHGATE_TOKEN secret of a CI job; only its SHA-256 is stored.
    Create {
        /// write: may upload runs (and read); read: may only read (from a --private server).
        #[arg(long, value_enum)]
        scope: Scope,
        /// The project it is for: it uploads into that project only and, on a --private
        /// server, reads only it (without: any project).
        #[arg(long, value_name = "NAME")]
        project: Option<String>,
    },
    /// List the stored tokens: id, scope, project and creation time (never the token).
    List,
    /// Revoke a token by its id (as `token list` shows it): it opens nothing from now on.
    Revoke {
        /// The token's id.
        #[arg(value_name = "ID")]
        id: i64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Scope {
    Read,
    Write,
}

impl From<Scope> for TokenScope {
    fn from(scope: Scope) -> TokenScope {
        match scope {
            Scope::Read => TokenScope::Read,
            Scope::Write => TokenScope::Write,
        }
    }
}

/// 256 random bits from the kernel, as 64 lowercase hex digits.
fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .context("cannot read random bytes from /dev/urandom")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn execute(command: &TokenCommand, global: &GlobalArgs) -> anyhow::Result<Outcome> {
    match command {
        TokenCommand::Create { scope, project } => {
            let store = open_store(&global.store())?;
            let token = new_token()?;
            let record =
                store.save_token((*scope).into(), &token_hash(&token), project.as_deref())?;
            if !global.quiet {
                eprint_line(&format!(
                    "created {} token {}; it is shown only now: keep it (e.g. as BENCHGATE_TOKEN)",
                    record.scope, record.id
                ));
            }
            print(&format!("{token}\n"))?;
        }
        TokenCommand::List => {
            let location = global.store();
            let tokens = if benchgate_store::exists(location.url()) {
                open_existing_store(&location)?.list_tokens()?
            } else {
                Vec::new()
            };
            if tokens.is_empty() {
                print("no tokens (benchgate token create --scope write|read makes one)\n")?;
                return Ok(Outcome::Passed);
            }
            let mut out = String::from("ID  SCOPE  CREATED               PROJECT\n");
            for t in &tokens {
                out.push_str(&format!(
                    "{:<3} {:<6} {:<21} {}\n",
                    t.id,
                    t.scope.as_str(),
                    t.created_at.format(&Rfc3339).unwrap_or_default(),
                    t.project
                        .as_deref()
                        .map(benchgate_report::escape::terminal::line)
                        .unwrap_or_default()
                ));
            }
            print(&out)?;
        }
        TokenCommand::Revoke { id } => {
            let location = global.store();
            let revoked = benchgate_store::exists(location.url())
                && open_existing_store(&location)?.revoke_token(*id)?;
            if !revoked {
                anyhow::bail!("no token with id {id} (benchgate token list shows them)");
            }
            if !global.quiet {
                eprint_line(&format!("revoked token {id}: it opens nothing from now on"));
            }
        }
    }
    Ok(Outcome::Passed)
}
