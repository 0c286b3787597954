//! The in-memory catalog: an immutable snapshot of every object, indexed by OID and name.
//!
//! A [`CatalogSnapshot`] never changes once published. DDL records [`CatalogChange`]s in
//! its transaction; the transaction sees `latest.with_changes(own changes)`, and commit
//! applies the same changes to the newest published snapshot and publishes the result.
//! Cloning a snapshot copies maps of `Arc`s, not the objects.

use crate::objects::{DatabaseDef, SchemaDef, TableDef, TableStats};
use crate::role::RoleDef;
use crate::types::Oid;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// One change to the catalog, as recorded by DDL and replayed at commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant, reason = "one value per DDL change; boxing would only add indirection")]
pub enum CatalogChange {
    /// Creates or replaces a database.
    PutDatabase(DatabaseDef),
    /// Removes a database (its schemas and relations are removed by their own changes).
    DropDatabase(Oid),
    /// Creates or replaces a schema.
    PutSchema(SchemaDef),
    /// Removes a schema.
    DropSchema(Oid),
    /// Creates or replaces a table or view.
    PutRelation(TableDef),
    /// Removes a table or view.
    DropRelation(Oid),
    /// Replaces a table's planner statistics (ANALYZE). Stored apart from the table's
    /// definition so that ANALYZE never conflicts with concurrent writers of the table.
    PutStats(Oid, TableStats),
    /// Creates or replaces a role.
    PutRole(RoleDef),
    /// Removes a role.
    DropRole(Oid),
}

/// An immutable view of every catalog object.
#[derive(Debug, Clone, Default)]
pub struct CatalogSnapshot {
    databases: BTreeMap<Oid, Arc<DatabaseDef>>,
    schemas: BTreeMap<Oid, Arc<SchemaDef>>,
    relations: BTreeMap<Oid, Arc<TableDef>>,
    database_names: HashMap<String, Oid>,
    schema_names: HashMap<(Oid, String), Oid>,
    relation_names: HashMap<(Oid, String), Oid>,
    roles: BTreeMap<Oid, Arc<RoleDef>>,
    role_names: HashMap<String, Oid>,
}

impl CatalogSnapshot {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one change in place.
    pub fn apply(&mut self, change: &CatalogChange) {
        match change {
            CatalogChange::PutDatabase(db) => {
                if let Some(old) = self.databases.get(&db.oid) {
                    self.database_names.remove(&old.name);
                }
                self.database_names.insert(db.name.clone(), db.oid);
                self.databases.insert(db.oid, Arc::new(db.clone()));
            }
            CatalogChange::DropDatabase(oid) => {
                if let Some(old) = self.databases.remove(oid) {
                    self.database_names.remove(&old.name);
                }
            }
            CatalogChange::PutSchema(schema) => {
                if let Some(old) = self.schemas.get(&schema.oid) {
                    self.schema_names.remove(&(old.database, old.name.clone()));
                }
                self.schema_names.insert((schema.database, schema.name.clone()), schema.oid);
                self.schemas.insert(schema.oid, Arc::new(schema.clone()));
            }
            CatalogChange::DropSchema(oid) => {
                if let Some(old) = self.schemas.remove(oid) {
                    self.schema_names.remove(&(old.database, old.name.clone()));
                }
            }
            CatalogChange::PutStats(oid, stats) => {
                if let Some(rel) = self.relations.get_mut(oid) {
                    Arc::make_mut(rel).stats = Some(stats.clone());
                }
            }
            CatalogChange::PutRelation(rel) => {
                if let Some(old) = self.relations.get(&rel.oid) {
                    self.relation_names.remove(&(old.schema, old.name.clone()));
                }
                self.relation_names.insert((rel.schema, rel.name.clone()), rel.oid);
                self.relations.insert(rel.oid, Arc::new(rel.clone()));
            }
            CatalogChange::DropRelation(oid) => {
                if let Some(old) = self.relations.remove(oid) {
                    self.relation_names.remove(&(old.schema, old.name.clone()));
                }
            }
            CatalogChange::PutRole(role) => {
                if let Some(old) = self.roles.get(&role.oid) {
                    self.role_names.remove(&old.name);
                }
                self.role_names.insert(role.name.clone(), role.oid);
                self.roles.insert(role.oid, Arc::new(role.clone()));
            }
            CatalogChange::DropRole(oid) => {
                if let Some(old) = self.roles.remove(oid) {
                    self.role_names.remove(&old.name);
                }
            }
        }
    }

    /// A copy of this snapshot with `changes` applied in order.
    pub fn with_changes(&self, changes: &[CatalogChange]) -> CatalogSnapshot {
        let mut next = self.clone();
        for change in changes {
            next.apply(change);
        }
        next
    }

    /// The database named `name`.
    pub fn database_by_name(&self, name: &str) -> Option<&Arc<DatabaseDef>> {
        self.database_names.get(name).and_then(|oid| self.databases.get(oid))
    }

    /// The database with `oid`.
    pub fn database(&self, oid: Oid) -> Option<&Arc<DatabaseDef>> {
        self.databases.get(&oid)
    }

    /// Every database, by OID.
    pub fn databases(&self) -> impl Iterator<Item = &Arc<DatabaseDef>> {
        self.databases.values()
    }

    /// The schema named `name` in database `db`.
    pub fn schema_by_name(&self, db: Oid, name: &str) -> Option<&Arc<SchemaDef>> {
        self.schema_names.get(&(db, name.to_string())).and_then(|oid| self.schemas.get(oid))
    }

    /// The schema with `oid`.
    pub fn schema(&self, oid: Oid) -> Option<&Arc<SchemaDef>> {
        self.schemas.get(&oid)
    }

    /// Every schema of database `db`.
    pub fn schemas_in(&self, db: Oid) -> impl Iterator<Item = &Arc<SchemaDef>> {
        self.schemas.values().filter(move |s| s.database == db)
    }

    /// The relation named `name` in schema `schema`.
    pub fn relation_by_name(&self, schema: Oid, name: &str) -> Option<&Arc<TableDef>> {
        self.relation_names.get(&(schema, name.to_string())).and_then(|oid| self.relations.get(oid))
    }

    /// The relation with `oid`.
    pub fn relation(&self, oid: Oid) -> Option<&Arc<TableDef>> {
        self.relations.get(&oid)
    }

    /// Every relation of schema `schema`.
    pub fn relations_in(&self, schema: Oid) -> impl Iterator<Item = &Arc<TableDef>> {
        self.relations.values().filter(move |r| r.schema == schema)
    }

    /// Every relation of database `db`.
    pub fn relations_in_database(&self, db: Oid) -> impl Iterator<Item = &Arc<TableDef>> {
        self.relations.values().filter(move |r| r.database == db)
    }

    /// Every relation.
    pub fn relations(&self) -> impl Iterator<Item = &Arc<TableDef>> {
        self.relations.values()
    }

    /// The role named `name`.
    pub fn role_by_name(&self, name: &str) -> Option<&Arc<RoleDef>> {
        self.role_names.get(name).and_then(|oid| self.roles.get(oid))
    }

    /// The role with `oid`.
    pub fn role(&self, oid: Oid) -> Option<&Arc<RoleDef>> {
        self.roles.get(&oid)
    }

    /// Every role, by OID.
    pub fn roles(&self) -> impl Iterator<Item = &Arc<RoleDef>> {
        self.roles.values()
    }

    /// The largest OID in use (0 when empty).
    pub fn max_oid(&self) -> Oid {
        let d = self.databases.keys().next_back().copied().unwrap_or(0);
        let s = self.schemas.keys().next_back().copied().unwrap_or(0);
        let r = self.relations.values().map(|r| r.max_oid()).max().unwrap_or(0);
        let a = self.roles.keys().next_back().copied().unwrap_or(0);
        d.max(s).max(r).max(a)
    }

    /// The largest storage id or index id in use (0 when empty).
    pub fn max_storage_id(&self) -> u64 {
        self.relations
            .values()
            .flat_map(|r| {
                std::iter::once(r.storage_id).chain(r.uniques.iter().map(|u| u.index_id)).chain(r.indexes.iter().map(|i| i.index_id))
            })
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::RelationKind;

    fn table(oid: Oid, schema: Oid, name: &str) -> TableDef {
        TableDef { storage_id: oid as u64, ..TableDef::with_columns(oid, 1, schema, name.into(), RelationKind::Table, vec![]) }
    }

    #[test]
    fn rename_moves_the_name_index() {
        let mut cat = CatalogSnapshot::new();
        cat.apply(&CatalogChange::PutRelation(table(10, 2, "a")));
        assert!(cat.relation_by_name(2, "a").is_some());
        cat.apply(&CatalogChange::PutRelation(table(10, 2, "b")));
        assert!(cat.relation_by_name(2, "a").is_none());
        assert_eq!(cat.relation_by_name(2, "b").map(|t| t.oid), Some(10));
        cat.apply(&CatalogChange::DropRelation(10));
        assert!(cat.relation_by_name(2, "b").is_none());
        assert_eq!(cat.max_oid(), 0);
    }

    #[test]
    fn with_changes_leaves_the_original_untouched() {
        let base = CatalogSnapshot::new();
        let next = base.with_changes(&[CatalogChange::PutRelation(table(11, 2, "t"))]);
        assert!(base.relation(11).is_none());
        assert!(next.relation(11).is_some());
        assert_eq!(next.max_storage_id(), 11);
    }
}
