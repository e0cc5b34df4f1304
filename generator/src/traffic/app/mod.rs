//! (being written) Application-layer payload builders.
