//! QuiverDB: a multi-model database that speaks the PostgreSQL protocol.
//!
//! A pgwire listener feeds SQL into DataFusion plans; our table providers read rows stored
//! in RocksDB. The modules follow the architecture (see `ARCHITECTURE.md`), from the
//! socket down to the disk:
//!
//! * [`server`] — configuration, listener, connection limit, shutdown;
//! * [`wire`] — the PostgreSQL protocol (pgwire), value encoding, the SQLSTATE table;
//! * [`auth`] — authentication rules per client address and password verifiers;
//! * [`session`] — per-connection state, transactions, prepared statements;
//! * [`engine`] — the DataFusion session template, execution, DDL application;
//! * [`exec`] — physical operators for our plan nodes (DML);
//! * [`functions`] — scalar functions and operators PostgreSQL users expect;
//! * [`provider`] — table providers and scans with key pushdown;
//! * [`storage`] — RocksDB: key encoding, row codec, transactions, catalog persistence.

pub mod auth;
pub mod engine;
pub mod exec;
pub mod functions;
pub mod provider;
pub mod server;
pub mod session;
pub mod storage;
pub mod wire;
