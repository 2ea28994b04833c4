//! Running the service: health and metrics, the binary, load, and the connections to Hydra and
//! Kratos (faults on the wire, stale and misbehaving upstreams).

mod cli;
mod faults;
mod health;
mod load;
mod metrics;
mod stale_connections;
mod upstream;
mod upstream_framing;
mod upstream_misbehaving;
mod upstream_runtimes;
