//! The judging pipeline: plan → measure → confirm → store → judge.
//!
//! Every front end (the CLI today, a team server and a dashboard next) calls this crate to turn a
//! configured suite, ingested results or an ad-hoc command into a stored run and a judged
//! [`benchgate_model::Outcome`]. It returns values — the comparison, the notes, the outcome — and
//! never prints or exits: rendering and exit codes are the front end's job.

pub mod ab;
pub mod confirm;
