//! Roles and authentication through real clients: CREATE/ALTER/DROP ROLE with
//! PostgreSQL's privilege rules on the shared (loopback trust) server, and servers of their
//! own for each method: SCRAM-SHA-256 and md5 with tokio-postgres, clear-text password,
//! reject, and TLS (`sslmode=require`, channel binding, `--tls-required`) with psql.

use crate::{block_on, server};
use quiverdb::auth::{AuthConfig, Rule};
use quiverdb::server::config::TlsFiles;
use quiverdb::session::Session;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use tokio_postgres::{AsyncMessage, Client, NoTls};

use crate::common::{TestServer, runtime, start_server_with};

/// Connects as `user` (with `password`, if any) to database `db`.
async fn login(addr: SocketAddr, user: &str, password: Option<&str>, db: &str) -> Result<Client, tokio_postgres::Error> {
    let mut config = tokio_postgres::Config::new();
    config.host(addr.ip().to_string()).port(addr.port()).user(user).dbname(db);
    if let Some(p) = password {
        config.password(p);
    }
    let (client, conn) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// The SQLSTATE and message of a failed connection or statement.
fn state(e: &tokio_postgres::Error) -> (String, String) {
    let db = e.as_db_error().unwrap_or_else(|| panic!("not a server error: {e:?}"));
    (db.code().code().to_string(), db.message().to_string())
}

/// Runs `sql` in-process as the bootstrap superuser (servers that ask everyone for a
/// password get their roles this way).
fn as_bootstrap(srv: &TestServer, sql: &str) {
    runtime().block_on(async {
        let mut s = Session::new(srv.engine.clone(), "quiver", "quiver", 1).expect("session");
        for stmt in s.parse(sql).expect("parse") {
            s.run_statement(stmt).await.unwrap_or_else(|e| panic!("{sql}: {}", e.message));
        }
    });
}

fn server_with(rules: &[&str]) -> TestServer {
    start_server_with(|c| c.auth = AuthConfig { rules: rules.iter().map(|r| r.parse::<Rule>().unwrap()).collect() })
}

const ROLES: &str = "CREATE USER alice PASSWORD 'wonder'; \
     SET password_encryption = 'md5'; CREATE USER carol PASSWORD 'c4r0l'; RESET password_encryption; \
     CREATE ROLE nologin_r PASSWORD 'x'; \
     CREATE USER expired PASSWORD 'x' VALID UNTIL '2001-01-01 00:00:00+00'; \
     CREATE USER nopass";

#[test]
fn scram_sha_256_logs_in_with_the_right_password_only() {
    let srv = server_with(&["all=scram-sha-256"]);
    as_bootstrap(&srv, ROLES);
    block_on(async {
        let alice = login(srv.addr, "alice", Some("wonder"), "quiver").await.expect("alice logs in");
        let row = alice.query_one("SELECT current_user::text, current_setting('password_encryption')", &[]).await.unwrap();
        assert_eq!(row.get::<_, String>(0), "alice");
        let superuser = alice.simple_query("SHOW is_superuser").await.unwrap();
        let shown = superuser.iter().find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        });
        assert_eq!(shown.as_deref(), Some("off"));

        let cases: &[(&str, Option<&str>, &str, &str, &str)] = &[
            ("alice", Some("Wonder"), "quiver", "28P01", "password authentication failed for user \"alice\""),
            ("nobody", Some("x"), "quiver", "28P01", "password authentication failed for user \"nobody\""),
            // An md5 verifier cannot answer SCRAM (as in PostgreSQL).
            ("carol", Some("c4r0l"), "quiver", "28P01", "password authentication failed for user \"carol\""),
            ("expired", Some("x"), "quiver", "28P01", "password authentication failed for user \"expired\""),
            ("nopass", Some("x"), "quiver", "28P01", "password authentication failed for user \"nopass\""),
            ("nologin_r", Some("x"), "quiver", "28000", "role \"nologin_r\" is not permitted to log in"),
            ("alice", Some("wonder"), "no_such_db", "3D000", "database \"no_such_db\" does not exist"),
        ];
        for (user, password, db, code, message) in cases {
            let err = login(srv.addr, user, *password, db).await.err().unwrap_or_else(|| panic!("{user} must not log in"));
            assert_eq!(state(&err), (code.to_string(), message.to_string()), "{user}");
        }
        // The bootstrap superuser has no password until one is set.
        assert_eq!(state(&login(srv.addr, "quiver", Some(""), "quiver").await.err().unwrap()).0, "28P01");
    });
    as_bootstrap(&srv, "ALTER ROLE quiver PASSWORD 'boot'");
    block_on(async {
        let q = login(srv.addr, "quiver", Some("boot"), "quiver").await.expect("quiver logs in");
        assert_eq!(q.query_one("SELECT count(*) FROM pg_roles", &[]).await.unwrap().get::<_, i64>(0), 6);
    });
}

#[test]
fn md5_and_clear_text_methods() {
    let srv = server_with(&["127.0.0.1/32=md5", "all=reject"]);
    as_bootstrap(&srv, ROLES);
    block_on(async {
        let carol = login(srv.addr, "carol", Some("c4r0l"), "quiver").await.expect("md5 login");
        assert_eq!(carol.query_one("SELECT session_user::text", &[]).await.unwrap().get::<_, String>(0), "carol");
        // A SCRAM verifier under the md5 method: the server asks for SCRAM instead.
        login(srv.addr, "alice", Some("wonder"), "quiver").await.expect("SCRAM under md5");
        assert_eq!(state(&login(srv.addr, "carol", Some("nope"), "quiver").await.err().unwrap()).0, "28P01");
    });
    let srv = server_with(&["all=password"]);
    as_bootstrap(&srv, ROLES);
    block_on(async {
        login(srv.addr, "carol", Some("c4r0l"), "quiver").await.expect("clear text against md5");
        login(srv.addr, "alice", Some("wonder"), "quiver").await.expect("clear text against SCRAM");
        assert_eq!(state(&login(srv.addr, "alice", Some("x"), "quiver").await.err().unwrap()).0, "28P01");
    });
    let srv = server_with(&["10.0.0.0/8=trust", "127.0.0.1=reject"]);
    block_on(async {
        let err = login(srv.addr, "quiver", None, "quiver").await.err().unwrap();
        assert_eq!(
            state(&err),
            (
                "28000".into(),
                "pg_hba.conf rejects connection for host \"127.0.0.1\", user \"quiver\", database \"quiver\", no encryption".into()
            )
        );
    });
    let srv = server_with(&["10.0.0.0/8=trust"]);
    block_on(async {
        let (code, message) = state(&login(srv.addr, "quiver", None, "quiver").await.err().unwrap());
        assert_eq!(code, "28000");
        assert!(message.starts_with("no pg_hba.conf entry for host \"127.0.0.1\""), "{message}");
    });
}

fn tls_files() -> TlsFiles {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls"));
    TlsFiles { cert: dir.join("server.crt"), key: dir.join("server.key") }
}

/// Runs psql with connection string `conn` and `sql`; returns (success, stdout, stderr).
fn psql(conn: &str, password: &str, sql: &str) -> (bool, String, String) {
    let out = Command::new("psql")
        .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", conn, "-c", sql])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "10")
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql ({e}); install it: apt-get install postgresql-client (scripts/setup.sh does this)"));
    (out.status.success(), String::from_utf8_lossy(&out.stdout).trim().to_string(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn tls_with_scram_channel_binding_and_tls_required() {
    let srv = start_server_with(|c| {
        c.auth = AuthConfig { rules: vec!["ssl:all=scram-sha-256".parse().unwrap()] };
        c.tls = Some(tls_files());
        c.tls_required = true;
    });
    as_bootstrap(&srv, ROLES);
    let base = format!("host=127.0.0.1 port={} user=alice dbname=quiver", srv.addr.port());
    let root = tls_files().cert.display().to_string();
    // verify-full checks the certificate against its own CA file and the host name;
    // channel_binding=require insists on SCRAM-SHA-256-PLUS.
    let (ok, out, err) = psql(
        &format!("{base} sslmode=verify-full sslrootcert={root} channel_binding=require"),
        "wonder",
        "SELECT current_user || ' ' || 6 * 7",
    );
    assert!(ok, "{err}");
    assert_eq!(out, "alice 42");
    let (ok, out, err) = psql(&format!("{base} sslmode=require channel_binding=disable"), "wonder", "SELECT 'plain scram over tls'");
    assert!(ok && out == "plain scram over tls", "{out} {err}");
    let (ok, _, err) = psql(&format!("{base} sslmode=require"), "wrong", "SELECT 1");
    assert!(!ok && err.contains("password authentication failed for user \"alice\""), "{err}");
    let (ok, _, err) = psql(&format!("{base} sslmode=disable"), "wonder", "SELECT 1");
    assert!(
        !ok && err.contains("no pg_hba.conf entry for host \"127.0.0.1\", user \"alice\", database \"quiver\", no encryption"),
        "{err}"
    );
    // tokio-postgres without TLS is refused the same way.
    block_on(async {
        let (code, _) = state(&login(srv.addr, "alice", Some("wonder"), "quiver").await.err().unwrap());
        assert_eq!(code, "28000");
    });
}

/// Role DDL on the shared server (trust on loopback): privileges as in PostgreSQL 15.
#[test]
fn role_ddl_follows_postgresql_privilege_rules() {
    let addr = server().addr;
    block_on(async {
        let admin = login(addr, "quiver", None, "quiver").await.unwrap();
        admin
            .batch_execute(
                "CREATE ROLE auth_plain LOGIN; CREATE USER auth_maker CREATEROLE; \
                 CREATE ROLE auth_super SUPERUSER LOGIN; CREATE ROLE auth_group",
            )
            .await
            .unwrap();
        let row = admin
            .query_one(
                "SELECT rolcanlogin, rolcreaterole, rolsuper, rolinherit, rolconnlimit FROM pg_roles WHERE rolname = 'auth_maker'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!((row.get::<_, bool>(0), row.get::<_, bool>(1), row.get::<_, bool>(2), row.get::<_, bool>(3)), (true, true, false, true));
        assert_eq!(row.get::<_, i32>(4), -1);
        let group_login: bool = admin.query_one("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'auth_group'", &[]).await.unwrap().get(0);
        assert!(!group_login, "CREATE ROLE defaults to NOLOGIN");
        let users: i64 = admin.query_one("SELECT count(*) FROM pg_user WHERE usename LIKE 'auth_%'", &[]).await.unwrap().get(0);
        assert_eq!(users, 3, "pg_user lists login roles only");

        let plain = login(addr, "auth_plain", None, "quiver").await.unwrap();
        let maker = login(addr, "auth_maker", None, "quiver").await.unwrap();
        let expect = |r: Result<u64, tokio_postgres::Error>, code: &str, message: &str| {
            let e = r.expect_err(message);
            assert_eq!(state(&e), (code.to_string(), message.to_string()));
        };
        expect(plain.execute("CREATE ROLE auth_x", &[]).await, "42501", "permission denied to create role");
        expect(plain.execute("ALTER ROLE auth_group LOGIN", &[]).await, "42501", "permission denied to alter role");
        // Anyone may change their own password.
        plain.execute("ALTER USER auth_plain WITH ENCRYPTED PASSWORD 'mine'", &[]).await.unwrap();
        expect(plain.execute("ALTER ROLE auth_plain CREATEDB", &[]).await, "42501", "permission denied to alter role");
        maker.execute("CREATE ROLE auth_made LOGIN CONNECTION LIMIT 2", &[]).await.unwrap();
        expect(maker.execute("CREATE ROLE auth_x SUPERUSER", &[]).await, "42501", "must be superuser to create superusers");
        expect(
            maker.execute("ALTER ROLE auth_super NOLOGIN", &[]).await,
            "42501",
            "must be superuser to alter superuser roles or change superuser attribute",
        );
        expect(maker.execute("DROP ROLE auth_super", &[]).await, "42501", "permission denied to drop role");
        maker.execute("ALTER ROLE auth_made RENAME TO auth_renamed", &[]).await.unwrap();
        expect(admin.execute("CREATE ROLE auth_renamed", &[]).await, "42710", "role \"auth_renamed\" already exists");
        expect(admin.execute("ALTER ROLE auth_nobody LOGIN", &[]).await, "42704", "role \"auth_nobody\" does not exist");
        expect(admin.execute("DROP ROLE auth_nobody", &[]).await, "42704", "role \"auth_nobody\" does not exist");
        expect(admin.execute("CREATE ROLE pg_mine", &[]).await, "42939", "role name \"pg_mine\" is reserved");
        expect(admin.execute("DROP ROLE quiver", &[]).await, "55006", "current user cannot be dropped");
        expect(maker.execute("DROP ROLE quiver", &[]).await, "42501", "permission denied to drop role");
        expect(admin.execute("ALTER ROLE quiver RENAME TO boss", &[]).await, "0A000", "session user cannot be renamed");
        expect(admin.execute("CREATE ROLE auth_bad CONNECTION LIMIT -2", &[]).await, "22023", "invalid connection limit: -2");
        expect(admin.execute("ALTER ROLE auth_group LOGIN NOLOGIN", &[]).await, "42601", "conflicting or redundant options");
        expect(
            admin.execute("SET password_encryption = 'sha1'", &[]).await,
            "22023",
            "invalid value for parameter \"password_encryption\": \"sha1\"",
        );

        // A renamed md5 password is cleared (the name is its salt), with PostgreSQL's notice.
        admin.batch_execute("SET password_encryption = 'md5'; ALTER ROLE auth_renamed PASSWORD 'pw'").await.unwrap();
        let notices = notices_of(addr, "ALTER ROLE auth_renamed RENAME TO auth_made").await;
        assert_eq!(notices, ["MD5 password cleared because of role rename"]);
        let cleared: Option<String> =
            admin.query_one("SELECT rolpassword FROM pg_authid WHERE rolname = 'auth_made'", &[]).await.unwrap().get(0);
        assert_eq!(cleared, None);
        let limit: i32 = admin.query_one("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'auth_made'", &[]).await.unwrap().get(0);
        assert_eq!(limit, 2);
        // CONNECTION LIMIT holds for ordinary roles (superusers are exempt).
        let first = login(addr, "auth_made", None, "quiver").await.unwrap();
        let second = login(addr, "auth_made", None, "postgres").await.unwrap();
        let err = login(addr, "auth_made", None, "quiver").await.expect_err("over the limit");
        assert_eq!(state(&err), ("53300".into(), "too many connections for role \"auth_made\"".into()));
        drop(first);
        let mut again = None;
        for _ in 0..50 {
            // The server counts the first connection out once it has seen it close.
            if let Ok(c) = login(addr, "auth_made", None, "quiver").await {
                again = Some(c);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(again.is_some(), "a slot frees when a connection closes");
        drop((second, again));

        // Role DDL is transactional.
        admin.batch_execute("BEGIN; DROP ROLE auth_group; ROLLBACK").await.unwrap();
        let oid: u32 = admin.query_one("SELECT 'auth_group'::regrole::oid", &[]).await.unwrap().get(0);
        let name: String = admin.query_one("SELECT pg_get_userbyid($1::oid)", &[&oid]).await.unwrap().get(0);
        assert_eq!(name, "auth_group");
        let notices = notices_of(addr, "DROP ROLE IF EXISTS auth_group, auth_nobody").await;
        assert_eq!(notices, ["role \"auth_nobody\" does not exist, skipping"]);
        expect(admin.execute("SELECT 'auth_group'::regrole", &[]).await, "42704", "role \"auth_group\" does not exist");
        drop(plain);
        drop(maker);
        admin.batch_execute("DROP USER auth_plain, auth_maker, auth_super, auth_made").await.unwrap();
        let left: i64 = admin.query_one("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'auth_%'", &[]).await.unwrap().get(0);
        assert_eq!(left, 0);
    });
}

/// The notices `sql` raises, run by the bootstrap superuser on its own connection.
async fn notices_of(addr: SocketAddr, sql: &str) -> Vec<String> {
    let mut config = tokio_postgres::Config::new();
    config.host(addr.ip().to_string()).port(addr.port()).user("quiver").dbname("quiver");
    let (client, mut conn) = config.connect(NoTls).await.unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut stream = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(Ok(message)) = futures::StreamExt::next(&mut stream).await {
            if let AsyncMessage::Notice(n) = message {
                let _ = tx.send(n.message().to_string());
            }
        }
    });
    client.batch_execute(&format!("SET password_encryption = 'md5'; {sql}")).await.unwrap();
    drop(client);
    let _ = driver.await;
    let mut out = Vec::new();
    while let Ok(n) = rx.try_recv() {
        out.push(n);
    }
    out
}
