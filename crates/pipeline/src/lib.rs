//! The judging pipeline: plan → measure → confirm → store → judge.
//!
//! Every front end (the CLI today, a team server and a dashboard next) calls this crate to turn a
//! configured suite, ingested results or an ad-hoc command into a stored run and a judged
//! [`benchgate_model::Outcome`]. It returns values — the comparison, the notes, the outcome — and
//! never prints or exits: rendering and exit codes are the front end's job. Progress while
//! measuring goes to a [`measure::Progress`] the front end implements.

// The pipeline returns what it found; printing and exiting are a front end's.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod ab;
pub mod baseline;
pub mod confirm;
pub mod convert;
mod error;
pub mod harness_results;
pub mod history;
pub mod http_load;
pub mod ingest;
pub mod input_limit;
pub mod judge;
pub mod judging;
pub mod load;
pub mod measure;
pub mod noise;
pub mod plan;
pub mod profiles;
pub mod projection;
pub mod sources;
pub mod store;
pub mod suite;
pub mod temp_files;

pub use error::{InputError, PipelineError, Unwritable};
