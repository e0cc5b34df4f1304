//! Inner traffic: the conversations an instance has, as Ethernet frames.

pub mod app;
