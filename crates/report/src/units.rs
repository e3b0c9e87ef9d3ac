//! Human scaling of canonical values, shared with the rest of benchgate (see
//! `benchgate_model::display`).

pub use benchgate_model::display::{
    format_percent, format_plain, format_value, p_value, percent, significant,
};
