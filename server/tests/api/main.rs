//! Black-box tests of the server: a real server on port 0, spoken to over HTTP.

mod activations;
mod catalog;
mod claims;
mod client_address;
mod connections;
mod coverage;
mod defaults;
mod devices;
mod durability;
mod headers;
mod health;
mod helpers;
mod instances;
mod logs;
mod metrics;
mod migrations;
mod openapi;
mod operations;
mod operator;
mod paging;
mod reminders;
mod staff;
mod test_clock;
mod uploads;
mod verifications;
mod web;
