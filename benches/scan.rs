//! Scan throughput of the stored-table provider next to a raw RocksDB iteration over the
//! same keys.
//!
//! * `raw_rocksdb_iteration` — RocksDB's own iterator over the table's key range, touching
//!   every key and value byte (the floor a scan cannot beat);
//! * `provider_scan_to_arrow` — `SELECT id, a, b, c FROM t` through the engine: the
//!   provider's partitioned scan decodes every row into Arrow arrays (plus DataFusion's
//!   projection and stream plumbing);
//! * `provider_count` — `SELECT count(*) FROM t`: the scan without column decoding.
//!
//! Throughput is reported per row (rows/s); the table's total key+value size is printed
//! once so MB/s follows. Run: `cargo bench --bench scan` (release profile). Rows: 1,000,000
//! by default, `QUIVER_BENCH_ROWS` to change.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;
use quiverdb::engine::Engine;
use quiverdb::session::{Response, Session};
use quiverdb::storage::Storage;
use std::time::Duration;

/// Runs `sql` and returns the number of rows it produced.
async fn run(session: &mut Session, sql: &str) -> usize {
    let mut rows = 0;
    for stmt in session.parse(sql).expect("parse") {
        if let Response::Rows { mut stream, .. } = session.run_statement(stmt).await.expect("run").response {
            while let Some(batch) = stream.next().await {
                rows += batch.expect("batch").num_rows();
            }
        }
    }
    rows
}

/// Iterates the table's whole key range with a raw RocksDB iterator: (rows, key+value bytes).
fn raw_scan(storage: &Storage, storage_id: u64) -> (usize, usize) {
    let db = storage.db();
    let cf = db.cf_handle("rows").expect("rows column family");
    let lower = storage_id.to_be_bytes();
    let upper = (storage_id + 1).to_be_bytes();
    let mut opts = rocksdb::ReadOptions::default();
    opts.set_iterate_upper_bound(upper.to_vec());
    let mut it = db.raw_iterator_cf_opt(&cf, opts);
    it.seek(lower);
    let (mut rows, mut bytes) = (0, 0);
    while let (Some(k), Some(v)) = (it.key(), it.value()) {
        rows += 1;
        // Touch the bytes so the iteration cannot be optimised into key counting.
        bytes += k.len() + v.len() + usize::from(v.last().copied().unwrap_or(0) & 1);
        it.next();
    }
    (rows, bytes)
}

fn bench_scan(c: &mut Criterion) {
    let n: usize = std::env::var("QUIVER_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = Storage::open(dir.path()).expect("open storage");
    let engine = Engine::new(storage.clone());
    let mut session = Session::new(engine, "quiver", "quiver", 1).expect("session");
    rt.block_on(async {
        run(&mut session, "create table t (id int8 primary key, a int4, b float8, c text)").await;
        let load = format!("insert into t select g, g % 1000, g * 0.5, 'row-' || g from generate_series(1, {n}) g");
        run(&mut session, &load).await;
    });
    storage.flush().expect("flush");
    let db = storage.catalog().database_by_name("quiver").expect("db").oid;
    let storage_id = storage.catalog().relations_in_database(db).find(|t| t.name == "t").expect("table t").storage_id;
    let (rows, bytes) = raw_scan(&storage, storage_id);
    assert_eq!(rows, n, "the raw scan sees every row");
    eprintln!("table t: {rows} rows, {bytes} key+value bytes ({:.1} bytes/row)", bytes as f64 / rows as f64);

    let mut group = c.benchmark_group("scan");
    group.sample_size(10).measurement_time(Duration::from_secs(10)).throughput(Throughput::Elements(n as u64));
    group.bench_function("raw_rocksdb_iteration", |b| b.iter(|| raw_scan(&storage, storage_id)));
    group.bench_function("provider_scan_to_arrow", |b| {
        b.iter(|| assert_eq!(rt.block_on(run(&mut session, "select id, a, b, c from t")), n))
    });
    group.bench_function("provider_count", |b| b.iter(|| assert_eq!(rt.block_on(run(&mut session, "select count(*) from t")), 1)));
    group.finish();
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
