//! Unit tests of the transaction layer: isolation, conflicts, savepoints, cursors, reopen.

use super::*;

fn open() -> (tempfile::TempDir, Arc<Storage>) {
    let dir = tempfile::tempdir().unwrap();
    let s = Storage::open(dir.path()).unwrap();
    (dir, s)
}

fn scan_all(txn: &Txn, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let end = keycode::prefix_end(prefix);
    let mut c = txn.scan(Cf::Rows, prefix, end.as_deref());
    let mut out = Vec::new();
    while let Some((k, v)) = c.item() {
        out.push((k.to_vec(), v.to_vec()));
        c.next();
    }
    c.status().unwrap();
    out
}

#[test]
fn bootstrap_creates_default_databases_once() {
    let (dir, s) = open();
    let cat = s.catalog();
    for name in BOOTSTRAP_DATABASES {
        let db = cat.database_by_name(name).expect("database exists");
        assert!(cat.schema_by_name(db.oid, "public").is_some());
    }
    drop(s);
    let s = Storage::open(dir.path()).unwrap();
    assert_eq!(s.catalog().databases().count(), BOOTSTRAP_DATABASES.len());
}

#[test]
fn uncommitted_writes_are_private_and_committed_ones_durable() {
    let (dir, s) = open();
    let t1 = s.begin(Isolation::ReadCommitted);
    t1.put(Cf::Rows, b"k1", b"v1".to_vec()).unwrap();
    assert_eq!(t1.get(Cf::Rows, b"k1").unwrap(), Some(b"v1".to_vec()));
    let t2 = s.begin(Isolation::ReadCommitted);
    assert_eq!(t2.get(Cf::Rows, b"k1").unwrap(), None, "no dirty reads");
    t1.commit(true).unwrap();
    t2.begin_statement();
    assert_eq!(t2.get(Cf::Rows, b"k1").unwrap(), Some(b"v1".to_vec()), "read committed sees it");
    // Every transaction holds the storage open; all must be gone before reopening.
    drop((t1, t2));
    drop(s);
    let s = Storage::open(dir.path()).unwrap();
    let t = s.begin(Isolation::ReadCommitted);
    assert_eq!(t.get(Cf::Rows, b"k1").unwrap(), Some(b"v1".to_vec()));
}

#[test]
fn repeatable_read_keeps_its_snapshot() {
    let (_dir, s) = open();
    let rr = s.begin(Isolation::RepeatableRead);
    let w = s.begin(Isolation::ReadCommitted);
    w.put(Cf::Rows, b"k", b"new".to_vec()).unwrap();
    w.commit(true).unwrap();
    rr.begin_statement();
    assert_eq!(rr.get(Cf::Rows, b"k").unwrap(), None);
}

#[test]
fn write_write_conflict_aborts_the_second_committer() {
    let (_dir, s) = open();
    let a = s.begin(Isolation::RepeatableRead);
    let b = s.begin(Isolation::RepeatableRead);
    a.put(Cf::Rows, b"k", b"a".to_vec()).unwrap();
    b.put(Cf::Rows, b"k", b"b".to_vec()).unwrap();
    a.commit(true).unwrap();
    assert!(matches!(b.commit(true), Err(StorageError::Conflict)));
    let t = s.begin(Isolation::ReadCommitted);
    assert_eq!(t.get(Cf::Rows, b"k").unwrap(), Some(b"a".to_vec()), "no lost update");
}

#[test]
fn concurrent_inserts_of_one_key_report_a_unique_violation() {
    let (_dir, s) = open();
    let a = s.begin(Isolation::ReadCommitted);
    let b = s.begin(Isolation::ReadCommitted);
    let kind = WriteKind::Insert { constraint: "t_pkey".into(), detail: "Key (id)=(1) already exists.".into() };
    a.write(Cf::Rows, b"k", Some(b"a".to_vec()), kind.clone()).unwrap();
    b.write(Cf::Rows, b"k", Some(b"b".to_vec()), kind).unwrap();
    a.commit(true).unwrap();
    match b.commit(true) {
        Err(StorageError::UniqueViolation { constraint, .. }) => assert_eq!(constraint, "t_pkey"),
        other => panic!("expected a unique violation, got {other:?}"),
    }
}

#[test]
fn disjoint_writes_both_commit() {
    let (_dir, s) = open();
    let a = s.begin(Isolation::RepeatableRead);
    let b = s.begin(Isolation::RepeatableRead);
    a.put(Cf::Rows, b"x", b"1".to_vec()).unwrap();
    b.put(Cf::Rows, b"y", b"2".to_vec()).unwrap();
    a.commit(true).unwrap();
    b.commit(true).unwrap();
}

#[test]
fn savepoints_undo_later_writes_only() {
    let (_dir, s) = open();
    let t = s.begin(Isolation::ReadCommitted);
    t.put(Cf::Rows, b"a", b"1".to_vec()).unwrap();
    let sp = t.savepoint();
    t.put(Cf::Rows, b"a", b"2".to_vec()).unwrap();
    t.put(Cf::Rows, b"b", b"3".to_vec()).unwrap();
    t.rollback_to(sp);
    assert_eq!(t.get(Cf::Rows, b"a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(t.get(Cf::Rows, b"b").unwrap(), None);
    t.commit(true).unwrap();
    let r = s.begin(Isolation::ReadCommitted);
    assert_eq!(r.get(Cf::Rows, b"b").unwrap(), None, "rolled-back write never reaches disk");
}

#[test]
fn cursor_merges_own_writes_deletes_and_stored_rows() {
    let (_dir, s) = open();
    let setup = s.begin(Isolation::ReadCommitted);
    for k in [&b"p1"[..], b"p3", b"p5"] {
        setup.put(Cf::Rows, k, k.to_vec()).unwrap();
    }
    setup.commit(true).unwrap();
    let t = s.begin(Isolation::ReadCommitted);
    t.put(Cf::Rows, b"p2", b"new2".to_vec()).unwrap();
    t.put(Cf::Rows, b"p3", b"new3".to_vec()).unwrap();
    t.delete(Cf::Rows, b"p5").unwrap();
    t.put(Cf::Rows, b"p6", b"new6".to_vec()).unwrap();
    let rows = scan_all(&t, b"p");
    let keys: Vec<&[u8]> = rows.iter().map(|(k, _)| k.as_slice()).collect();
    assert_eq!(keys, vec![&b"p1"[..], b"p2", b"p3", b"p6"]);
    assert_eq!(rows[2].1, b"new3".to_vec());
}

#[test]
fn dropped_transactions_leave_nothing_behind() {
    let (_dir, s) = open();
    {
        let t = s.begin(Isolation::ReadCommitted);
        t.put(Cf::Rows, b"ghost", b"x".to_vec()).unwrap();
    }
    assert_eq!(s.oracle().active_transactions(), 0);
    let r = s.begin(Isolation::ReadCommitted);
    assert_eq!(r.get(Cf::Rows, b"ghost").unwrap(), None);
}

#[test]
fn rowids_continue_after_restart() {
    let (dir, s) = open();
    let id = s.allocate_storage_id();
    let t = s.begin(Isolation::ReadCommitted);
    for _ in 0..3 {
        let rowid = s.allocate_rowid(id).unwrap();
        let mut k = id.to_be_bytes().to_vec();
        k.extend_from_slice(&rowid.to_be_bytes());
        t.put(Cf::Rows, &k, vec![1]).unwrap();
    }
    t.commit(true).unwrap();
    drop(t);
    drop(s);
    let s = Storage::open(dir.path()).unwrap();
    assert_eq!(s.allocate_rowid(id).unwrap(), 4);
}

#[test]
fn catalog_changes_publish_on_commit_only() {
    let (_dir, s) = open();
    let oid = s.allocate_oid();
    let db = s.catalog().database_by_name("quiver").unwrap().oid;
    let t = s.begin(Isolation::ReadCommitted);
    t.record_catalog(CatalogChange::PutSchema(SchemaDef { oid, database: db, name: "x".into() })).unwrap();
    assert!(s.catalog().schema(oid).is_none());
    assert!(t.catalog(&s.catalog()).schema(oid).is_some());
    t.commit(true).unwrap();
    assert!(s.catalog().schema(oid).is_some());
    assert!(!Storage::tagged_key(Cf::Rows, b"a").is_empty());
}
