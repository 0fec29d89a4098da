//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod browser;
pub mod cli;
pub mod http;
pub mod published;
pub mod server;
pub mod synthetic;
pub mod webdriver;
