//! Black-box tests of the server: a real server on port 0, spoken to over HTTP.

mod catalog;
mod health;
mod helpers;
mod web;
