//! The Care Refresh rules: the catalogue, the formats and every rule R1-R13 of the
//! product specification, as pure functions. No I/O and no clock: callers pass `now`.
//! The same code runs in the browser (compiled to Wasm) for instant previews and on the
//! server, which applies it again and never trusts the client.
//!
//! Where each rule lives:
//! - R1 plans, R8 fee schedules: [`catalog`]
//! - R2 direct window, R12 code checks, R13 new chain after a lapse: [`activation`]
//! - R3 72-hour verification window: [`verification`]
//! - R4 terms on calendar months: [`term`], [`time`]
//! - R5 extension, R6 cap, R7 pooled replacements, R9 warranty reward, R10 claims:
//!   [`coverage`]
//! - R11 serial transfer: [`transfer`]
//! - the claim workflow of §5: [`claim`]
//! - formats: [`code`], [`serial`], [`contact`], [`money`], [`time`]
//! - refusals (the API's error `code`s): [`refusal`]; JSON documents: [`api`]
//! - staff roles: [`staff`]; the string form of every enum: [`wire`]
//! - which bundle of the owners' app serves an address: [`journey`]

pub mod activation;
pub mod api;
pub mod catalog;
pub mod claim;
pub mod code;
pub mod contact;
pub mod coverage;
pub mod journey;
pub mod lang;
pub mod money;
pub mod refusal;
pub mod serial;
pub mod staff;
pub mod term;
pub mod text;
pub mod time;
pub mod transfer;
pub mod verification;
pub mod wire;

pub use activation::{Activation, CodeFacts, Device, Eligibility};
pub use catalog::{Plan, Product};
pub use claim::{ClaimOption, ClaimStatus, ClaimStep};
pub use code::Code;
pub use contact::{Customer, Email, Name, Phone};
pub use coverage::{Coverage, CoverageStatus, WarrantyReward};
pub use journey::Journey;
pub use lang::Lang;
pub use money::Money;
pub use refusal::{FieldRefusal, Refusal};
pub use serial::Serial;
pub use staff::Role;
pub use term::Term;
pub use time::Timestamp;
pub use verification::{RejectReason, VerificationCase, VerificationStatus};
