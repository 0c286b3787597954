//! Runs every `.slt` file under `sqllogictest/` twice: in-process (straight into a
//! [`Session`]) and over the wire (tokio-postgres, simple protocol). Each file gets a fresh
//! database. Each (file, engine) pair is its own test, so `cargo test --test
//! sqllogictest -- types_json` runs one area; the run fails when no file is found.

mod common;

use async_trait::async_trait;
use common::{TestServer, connect, runtime};
use datafusion::arrow::array::{Array, RecordBatch};
use futures::StreamExt;
use libtest_mimic::{Arguments, Failed, Trial};
use quiverdb::session::{Response, Session};
use quiverdb_catalog::format::ValueFormatter;
use sqllogictest::{AsyncDB, DBOutput, DefaultColumnType, Runner};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(common::start_shared_server)
}

/// Text of a cell as sqllogictest compares it.
fn cell(v: Option<&str>) -> String {
    match v {
        None => "NULL".to_string(),
        Some("") => "(empty)".to_string(),
        Some(s) => s.to_string(),
    }
}

#[derive(Debug)]
struct SltError(String);

impl std::fmt::Display for SltError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SltError {}

/// An error as libpq/tokio-postgres print it (message, then DETAIL and HINT lines), so
/// `statement error` regexes see the same text from both engines.
fn error_text(e: &quiverdb_catalog::Error) -> SltError {
    let mut s = format!("ERROR: {}", e.message);
    if let Some(d) = &e.detail {
        s.push_str(&format!("\nDETAIL: {d}"));
    }
    if let Some(h) = &e.hint {
        s.push_str(&format!("\nHINT: {h}"));
    }
    SltError(s)
}

/// Statements straight into a session.
struct InProcess {
    session: Session,
}

#[async_trait]
impl AsyncDB for InProcess {
    type Error = SltError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SltError> {
        let stmts = self.session.parse(sql).map_err(|e| error_text(&e))?;
        let mut last = DBOutput::StatementComplete(0);
        for stmt in stmts {
            let result = self.session.run_statement(stmt).await.map_err(|e| error_text(&e))?;
            last = match result.response {
                Response::Rows { columns, mut stream, .. } => {
                    let mut rows = Vec::new();
                    let settings = self.session.settings().format.clone();
                    while let Some(batch) = stream.next().await {
                        let batch: RecordBatch = batch.map_err(|e| {
                            self.session.mark_failed();
                            error_text(&quiverdb_catalog::Error::from(e))
                        })?;
                        let fmts: Vec<ValueFormatter> = batch
                            .columns()
                            .iter()
                            .zip(&columns)
                            .map(|(a, c)| ValueFormatter::new(a.as_ref(), &c.ty, &settings))
                            .collect::<Result<_, _>>()
                            .map_err(|e| SltError(e.message))?;
                        for r in 0..batch.num_rows() {
                            let mut row = Vec::with_capacity(fmts.len());
                            for (i, f) in fmts.iter().enumerate() {
                                if batch.column(i).is_null(r) {
                                    row.push(cell(None));
                                } else {
                                    let mut s = String::new();
                                    f.write(r, &mut s).map_err(|e| SltError(e.message))?;
                                    row.push(cell(Some(&s)));
                                }
                            }
                            rows.push(row);
                        }
                    }
                    DBOutput::Rows { types: vec![DefaultColumnType::Any; columns.len()], rows }
                }
                Response::Command(tag) => {
                    let n = tag.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                    DBOutput::StatementComplete(n)
                }
                Response::Empty => DBOutput::StatementComplete(0),
                Response::CopyIn(_) | Response::CopyOut { .. } => {
                    return Err(SltError("COPY moves data over the protocol; test it through the wire".into()));
                }
            };
        }
        Ok(last)
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "quiverdb-inprocess"
    }
}

/// Statements over the PostgreSQL protocol (simple query).
struct Wire {
    client: tokio_postgres::Client,
}

#[async_trait]
impl AsyncDB for Wire {
    type Error = SltError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SltError> {
        let messages = self
            .client
            .simple_query(sql)
            .await
            .map_err(|e| SltError(e.as_db_error().map(|d| d.to_string()).unwrap_or_else(|| e.to_string())))?;
        let mut rows = Vec::new();
        let mut columns = None;
        let mut count = 0;
        for m in messages {
            match m {
                tokio_postgres::SimpleQueryMessage::RowDescription(cols) => columns = Some(cols.len()),
                tokio_postgres::SimpleQueryMessage::Row(row) => {
                    columns.get_or_insert(row.len());
                    rows.push((0..row.len()).map(|i| cell(row.get(i))).collect::<Vec<_>>());
                }
                tokio_postgres::SimpleQueryMessage::CommandComplete(n) => count = n,
                _ => {}
            }
        }
        Ok(match columns {
            Some(n) => DBOutput::Rows { types: vec![DefaultColumnType::Any; n], rows },
            None => DBOutput::StatementComplete(count),
        })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "quiverdb-wire"
    }
}

fn slt_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "slt") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// Longest a single file may run (a hang fails the file instead of stalling the suite).
const FILE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs `file` against a fresh database with the given engine.
async fn run_file(file: PathBuf, wire: bool) -> Result<(), Failed> {
    let srv = server();
    let db = format!("slt_{}", NEXT_DB.fetch_add(1, Ordering::Relaxed));
    let admin = connect(srv.addr, "quiver").await;
    admin.simple_query(&format!("CREATE DATABASE {db}")).await.map_err(|e| Failed::from(e.to_string()))?;
    let result = if wire {
        let addr = srv.addr;
        let db2 = db.clone();
        let mut runner = Runner::new(move || {
            let db2 = db2.clone();
            async move { Ok(Wire { client: connect(addr, &db2).await }) }
        });
        runner.add_label("postgresql");
        runner.add_label("quiverdb");
        runner.run_file_async(&file).await
    } else {
        let engine = srv.engine.clone();
        let db2 = db.clone();
        let mut runner = Runner::new(move || {
            let engine = Arc::clone(&engine);
            let db2 = db2.clone();
            async move {
                let session = Session::new(engine, &db2, "quiver", 1).map_err(|e| SltError(e.message))?;
                Ok(InProcess { session })
            }
        });
        runner.add_label("postgresql");
        runner.add_label("quiverdb");
        runner.run_file_async(&file).await
    };
    // Sessions end when the runner is dropped; then the database can go.
    let _ = admin.simple_query(&format!("DROP DATABASE IF EXISTS {db}")).await;
    result.map_err(|e| Failed::from(e.display(false).to_string()))
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sqllogictest");
    let files = slt_files(&root);
    if files.is_empty() {
        eprintln!("no .slt files found under {}", root.display());
        std::process::exit(1);
    }
    // Start the shared server before the trials run inside the runtime.
    let _ = server();
    let mut trials = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
        for (wire, label) in [(false, "inprocess"), (true, "wire")] {
            let f = file.clone();
            trials.push(Trial::test(format!("{label}::{rel}"), move || {
                runtime().block_on(async move {
                    match tokio::time::timeout(FILE_TIMEOUT, run_file(f, wire)).await {
                        Ok(r) => r,
                        Err(_) => Err(Failed::from(format!("timed out after {FILE_TIMEOUT:?}"))),
                    }
                })
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
