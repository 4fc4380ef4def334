//! The token endpoint on hyper 1.x.

pub mod service;
