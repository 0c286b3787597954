//! DROP TABLE / VIEW / SEQUENCE / COLLECTION / SCHEMA / DATABASE / INDEX, validated against the catalog.

use crate::context::QuiverContext;
use crate::ddl::ddl_target;
use crate::plan::Plan;
use crate::split_name;
use datafusion::sql::sqlparser::ast::{ObjectName, ObjectType};
use quiverdb_catalog::{Error, ErrorCode, RelationKind, Result, SchemaDef, TableDef};
use std::sync::Arc;

/// DROP of tables, views, sequences, schemas, databases and indexes; `collections` (DROP COLLECTION)
/// accepts only collections.
pub fn plan_drop(
    ctx: &QuiverContext,
    kind: ObjectType,
    if_exists: bool,
    names: Vec<ObjectName>,
    cascade: bool,
    collections: bool,
) -> Result<Plan> {
    match kind {
        ObjectType::Table | ObjectType::View | ObjectType::Sequence => {
            let (wanted, word) = match kind {
                ObjectType::View => (RelationKind::View, "view"),
                ObjectType::Sequence => (RelationKind::Sequence, "sequence"),
                _ if collections => (RelationKind::Table, "collection"),
                _ => (RelationKind::Table, "table"),
            };
            let mut targets = Vec::new();
            let mut notices = Vec::new();
            for name in &names {
                let (_, n) = split_name(name)?;
                match ddl_target(ctx, name, true)? {
                    None if if_exists => notices.push(format!("{word} \"{n}\" does not exist, skipping")),
                    None => {
                        return Err(Error::new(ErrorCode::UndefinedTable, format!("{word} \"{n}\" does not exist")));
                    }
                    Some(t) if t.kind != wanted => {
                        let hint = match t.kind {
                            RelationKind::Table => "Use DROP TABLE to remove a table.",
                            RelationKind::View => "Use DROP VIEW to remove a view.",
                            RelationKind::Sequence => "Use DROP SEQUENCE to remove a sequence.",
                        };
                        return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{n}\" is not a {word}")).with_hint(hint));
                    }
                    Some(t) if collections && t.collection.is_none() => {
                        return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{n}\" is not a collection"))
                            .with_hint("Use DROP TABLE to remove a table."));
                    }
                    Some(t) => {
                        if !targets.iter().any(|x: &Arc<TableDef>| x.oid == t.oid) {
                            targets.push(t);
                        }
                    }
                }
            }
            Ok(Plan::DropRelations { kind: wanted, targets, cascade, notices, collections })
        }
        ObjectType::Schema => {
            let mut schemas = Vec::new();
            let mut notices = Vec::new();
            for name in &names {
                let (_, n) = split_name(name)?;
                match ctx.catalog.schema_by_name(&n) {
                    Some(s) => schemas.push(s),
                    None if if_exists => notices.push(format!("schema \"{n}\" does not exist, skipping")),
                    None => {
                        return Err(Error::new(ErrorCode::UndefinedSchema, format!("schema \"{n}\" does not exist")));
                    }
                }
            }
            Ok(Plan::DropSchemas { schemas, cascade, notices })
        }
        ObjectType::Database => {
            let [name] = names.as_slice() else {
                return Err(Error::syntax("DROP DATABASE takes one database name"));
            };
            let (_, n) = split_name(name)?;
            Ok(Plan::DropDatabase { name: n, if_exists })
        }
        ObjectType::Index => plan_drop_index(ctx, if_exists, &names, cascade),
        other => Err(Error::unsupported(format!("DROP {other} is not supported"))),
    }
}

/// Plans DROP INDEX [IF EXISTS] names.
fn plan_drop_index(ctx: &QuiverContext, if_exists: bool, names: &[ObjectName], cascade: bool) -> Result<Plan> {
    let _ = cascade; // nothing depends on an index
    let snap = ctx.catalog.snapshot();
    let mut targets: Vec<(Arc<TableDef>, String)> = Vec::new();
    let mut notices = Vec::new();
    for n in names {
        let (schema, name) = split_name(n)?;
        let schemas: Vec<Arc<SchemaDef>> = match &schema {
            Some(s) => ctx.catalog.schema_by_name(s).into_iter().collect(),
            None => ctx.catalog.search_path().iter().filter_map(|s| ctx.catalog.schema_by_name(s)).collect(),
        };
        let mut found = None;
        for s in &schemas {
            if let Some(t) = snap.relation_by_name(s.oid, &name) {
                let word = match t.kind {
                    RelationKind::Table => "TABLE",
                    RelationKind::View => "VIEW",
                    RelationKind::Sequence => "SEQUENCE",
                };
                return Err(Error::new(ErrorCode::WrongObjectType, format!("\"{name}\" is not an index"))
                    .with_hint(format!("Use DROP {word} to remove a {}.", word.to_lowercase())));
            }
            if let Some(t) = snap.relations_in(s.oid).find(|t| t.index_names().any(|i| i == name)) {
                found = Some(t.clone());
                break;
            }
        }
        match found {
            Some(t) if t.indexes.iter().any(|i| i.name == name) => {
                if !targets.iter().any(|(x, i)| x.oid == t.oid && *i == name) {
                    targets.push((t, name));
                }
            }
            Some(t) => {
                return Err(Error::new(
                    ErrorCode::DependentObjectsStillExist,
                    format!("cannot drop index {name} because constraint {name} on table {} requires it", t.name),
                )
                .with_hint(format!("You can drop constraint {name} on table {} instead.", t.name)));
            }
            None if if_exists => notices.push(format!("index \"{name}\" does not exist, skipping")),
            None => {
                return Err(Error::new(ErrorCode::UndefinedObject, format!("index \"{name}\" does not exist")));
            }
        }
    }
    Ok(Plan::DropIndexes { targets, notices })
}
