//! The other catalogs clients read: types, access methods, databases, roles, collations,
//! settings, PostgreSQL's convenience views (`pg_tables`, `pg_views`, `pg_indexes`,
//! `pg_roles`, `pg_user`, `pg_stat_activity`), and, empty but with PostgreSQL's columns,
//! the catalogs of features QuiverDB does not have (inheritance, policies, publications,
//! triggers, rules, extended statistics, ...), so that clients' joins over them work.

use super::describe::{indexdef, viewdef};
use super::relations::{indexes_of, relations};
use super::table::{SystemTable, Ty, V, row};
use super::{DEFAULT_COLLATION, PG_CATALOG_OID, ROLE_OID, SystemView, pg_types};
use crate::objects::RelationKind;
use crate::role::RoleDef;
use crate::view::PG_CATALOG;

const TYPE: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("typname", Ty::Text),
    ("typnamespace", Ty::Oid),
    ("typowner", Ty::Oid),
    ("typlen", Ty::I16),
    ("typbyval", Ty::Bool),
    ("typtype", Ty::Text),
    ("typcategory", Ty::Text),
    ("typispreferred", Ty::Bool),
    ("typisdefined", Ty::Bool),
    ("typdelim", Ty::Text),
    ("typrelid", Ty::Oid),
    ("typsubscript", Ty::Text),
    ("typelem", Ty::Oid),
    ("typarray", Ty::Oid),
    ("typinput", Ty::Text),
    ("typoutput", Ty::Text),
    ("typreceive", Ty::Text),
    ("typsend", Ty::Text),
    ("typmodin", Ty::Text),
    ("typmodout", Ty::Text),
    ("typanalyze", Ty::Text),
    ("typalign", Ty::Text),
    ("typstorage", Ty::Text),
    ("typnotnull", Ty::Bool),
    ("typbasetype", Ty::Oid),
    ("typtypmod", Ty::I32),
    ("typndims", Ty::I32),
    ("typcollation", Ty::Oid),
    ("typdefaultbin", Ty::Text),
    ("typdefault", Ty::Text),
    ("typacl", Ty::TextArray),
];

fn type_rows(_: &SystemView) -> Vec<Vec<V>> {
    pg_types::TYPES
        .iter()
        .map(|t| {
            let subscript = if t.elem != 0 { "array_subscript_handler" } else { "-" };
            row![
                t.oid,
                t.name,
                PG_CATALOG_OID,
                ROLE_OID,
                t.len,
                t.byval,
                t.kind,
                t.category,
                t.preferred,
                true,
                ",",
                0u32,
                subscript,
                t.elem,
                t.array,
                t.io[0],
                t.io[1],
                t.io[2],
                t.io[3],
                "-",
                "-",
                "-",
                t.align,
                t.storage,
                false,
                0u32,
                -1i32,
                0i32,
                t.collation,
                V::Null,
                V::Null,
                V::Null
            ]
        })
        .collect()
}

const AM: &[(&str, Ty)] = &[("oid", Ty::Oid), ("amname", Ty::Text), ("amhandler", Ty::Text), ("amtype", Ty::Text)];

fn am_rows(_: &SystemView) -> Vec<Vec<V>> {
    vec![row![2u32, "heap", "heap_tableam_handler", "t"], row![403u32, "btree", "bthandler", "i"]]
}

const DATABASE: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("datname", Ty::Text),
    ("datdba", Ty::Oid),
    ("encoding", Ty::I32),
    ("datlocprovider", Ty::Text),
    ("datistemplate", Ty::Bool),
    ("datallowconn", Ty::Bool),
    ("datconnlimit", Ty::I32),
    ("datfrozenxid", Ty::I64),
    ("datminmxid", Ty::I64),
    ("dattablespace", Ty::Oid),
    ("datcollate", Ty::Text),
    ("datctype", Ty::Text),
    ("daticulocale", Ty::Text),
    ("datcollversion", Ty::Text),
    ("datacl", Ty::TextArray),
];

/// PostgreSQL's encoding number of UTF8.
pub const UTF8_ENCODING: i32 = 6;

fn database_rows(view: &SystemView) -> Vec<Vec<V>> {
    view.snapshot
        .databases()
        .map(|d| {
            row![d.oid, &d.name, ROLE_OID, UTF8_ENCODING, "c", false, true, -1i32, 0i64, 0i64, 1663u32, "C", "C", V::Null, V::Null, V::Null]
        })
        .collect()
}

const ROLES: &[(&str, Ty)] = &[
    ("rolname", Ty::Text),
    ("rolsuper", Ty::Bool),
    ("rolinherit", Ty::Bool),
    ("rolcreaterole", Ty::Bool),
    ("rolcreatedb", Ty::Bool),
    ("rolcanlogin", Ty::Bool),
    ("rolreplication", Ty::Bool),
    ("rolconnlimit", Ty::I32),
    ("rolpassword", Ty::Text),
    ("rolvaliduntil", Ty::Timestamptz),
    ("rolbypassrls", Ty::Bool),
    ("rolconfig", Ty::TextArray),
    ("oid", Ty::Oid),
];

/// `rolvaliduntil` of a role (NULL: no expiry).
fn valid_until(r: &RoleDef) -> V {
    r.valid_until.map(V::I).unwrap_or(V::Null)
}

fn roles_rows(view: &SystemView) -> Vec<Vec<V>> {
    view.snapshot
        .roles()
        .map(|r| {
            let r = &**r;
            row![
                &r.name,
                r.superuser,
                r.inherit,
                r.create_role,
                r.create_db,
                r.login,
                r.replication,
                r.connection_limit,
                "********",
                valid_until(r),
                r.bypass_rls,
                V::Null,
                r.oid
            ]
        })
        .collect()
}

const AUTHID: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("rolname", Ty::Text),
    ("rolsuper", Ty::Bool),
    ("rolinherit", Ty::Bool),
    ("rolcreaterole", Ty::Bool),
    ("rolcreatedb", Ty::Bool),
    ("rolcanlogin", Ty::Bool),
    ("rolreplication", Ty::Bool),
    ("rolbypassrls", Ty::Bool),
    ("rolconnlimit", Ty::I32),
    ("rolpassword", Ty::Text),
    ("rolvaliduntil", Ty::Timestamptz),
];

fn authid_rows(view: &SystemView) -> Vec<Vec<V>> {
    view.snapshot
        .roles()
        .map(|r| {
            let r = &**r;
            let password = r.password.as_deref().map(V::from).unwrap_or(V::Null);
            row![
                r.oid,
                &r.name,
                r.superuser,
                r.inherit,
                r.create_role,
                r.create_db,
                r.login,
                r.replication,
                r.bypass_rls,
                r.connection_limit,
                password,
                valid_until(r)
            ]
        })
        .collect()
}

const USER: &[(&str, Ty)] = &[
    ("usename", Ty::Text),
    ("usesysid", Ty::Oid),
    ("usecreatedb", Ty::Bool),
    ("usesuper", Ty::Bool),
    ("userepl", Ty::Bool),
    ("usebypassrls", Ty::Bool),
    ("passwd", Ty::Text),
    ("valuntil", Ty::Timestamptz),
    ("useconfig", Ty::TextArray),
];

fn user_rows(view: &SystemView) -> Vec<Vec<V>> {
    view.snapshot
        .roles()
        .filter(|r| r.login)
        .map(|r| {
            let r = &**r;
            row![&r.name, r.oid, r.create_db, r.superuser, r.replication, r.bypass_rls, "********", valid_until(r), V::Null]
        })
        .collect()
}

const AUTH_MEMBERS: &[(&str, Ty)] = &[("roleid", Ty::Oid), ("member", Ty::Oid), ("grantor", Ty::Oid), ("admin_option", Ty::Bool)];

const COLLATION: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("collname", Ty::Text),
    ("collnamespace", Ty::Oid),
    ("collowner", Ty::Oid),
    ("collprovider", Ty::Text),
    ("collisdeterministic", Ty::Bool),
    ("collencoding", Ty::I32),
    ("collcollate", Ty::Text),
    ("collctype", Ty::Text),
    ("colliculocale", Ty::Text),
    ("collversion", Ty::Text),
];

fn collation_rows(_: &SystemView) -> Vec<Vec<V>> {
    [(DEFAULT_COLLATION, "default", "d", V::Null), (950, "C", "c", V::from("C")), (951, "POSIX", "c", V::from("POSIX"))]
        .into_iter()
        .map(|(oid, name, provider, locale)| {
            row![oid, name, PG_CATALOG_OID, ROLE_OID, provider, true, -1i32, locale.clone(), locale, V::Null, V::Null]
        })
        .collect()
}

const TABLESPACE: &[(&str, Ty)] =
    &[("oid", Ty::Oid), ("spcname", Ty::Text), ("spcowner", Ty::Oid), ("spcacl", Ty::TextArray), ("spcoptions", Ty::TextArray)];

fn tablespace_rows(_: &SystemView) -> Vec<Vec<V>> {
    vec![row![1663u32, "pg_default", ROLE_OID, V::Null, V::Null], row![1664u32, "pg_global", ROLE_OID, V::Null, V::Null]]
}

const TABLES_VIEW: &[(&str, Ty)] = &[
    ("schemaname", Ty::Text),
    ("tablename", Ty::Text),
    ("tableowner", Ty::Text),
    ("tablespace", Ty::Text),
    ("hasindexes", Ty::Bool),
    ("hasrules", Ty::Bool),
    ("hastriggers", Ty::Bool),
    ("rowsecurity", Ty::Bool),
];

fn tables_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows: Vec<Vec<V>> = relations(view)
        .filter(|t| t.kind == RelationKind::Table)
        .map(|t| {
            let schema = view.schema_name(t.schema);
            row![schema, &t.name, &view.user, V::Null, !indexes_of(t).is_empty(), false, false, false]
        })
        .collect();
    rows.extend(super::tables().filter(|s| s.kind == "r").map(|s| row![s.schema, s.name, &view.user, V::Null, false, false, false, false]));
    rows
}

const VIEWS_VIEW: &[(&str, Ty)] = &[("schemaname", Ty::Text), ("viewname", Ty::Text), ("viewowner", Ty::Text), ("definition", Ty::Text)];

fn views_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows: Vec<Vec<V>> = relations(view)
        .filter(|t| t.kind == RelationKind::View)
        .map(|t| row![view.schema_name(t.schema), &t.name, &view.user, viewdef(t)])
        .collect();
    rows.extend(super::tables().filter(|s| s.kind == "v").map(|s| row![s.schema, s.name, &view.user, V::Null]));
    rows
}

const MATVIEWS: &[(&str, Ty)] = &[
    ("schemaname", Ty::Text),
    ("matviewname", Ty::Text),
    ("matviewowner", Ty::Text),
    ("tablespace", Ty::Text),
    ("hasindexes", Ty::Bool),
    ("ispopulated", Ty::Bool),
    ("definition", Ty::Text),
];

const INDEXES_VIEW: &[(&str, Ty)] =
    &[("schemaname", Ty::Text), ("tablename", Ty::Text), ("indexname", Ty::Text), ("tablespace", Ty::Text), ("indexdef", Ty::Text)];

fn indexes_rows(view: &SystemView) -> Vec<Vec<V>> {
    let mut rows = Vec::new();
    for t in relations(view) {
        for i in indexes_of(t) {
            rows.push(row![view.schema_name(t.schema), &t.name, i.name, V::Null, indexdef(view, t, &i, 0, false)]);
        }
    }
    rows
}

const SETTINGS: &[(&str, Ty)] = &[
    ("name", Ty::Text),
    ("setting", Ty::Text),
    ("unit", Ty::Text),
    ("category", Ty::Text),
    ("short_desc", Ty::Text),
    ("extra_desc", Ty::Text),
    ("context", Ty::Text),
    ("vartype", Ty::Text),
    ("source", Ty::Text),
    ("min_val", Ty::Text),
    ("max_val", Ty::Text),
    ("enumvals", Ty::TextArray),
    ("boot_val", Ty::Text),
    ("reset_val", Ty::Text),
    ("sourcefile", Ty::Text),
    ("sourceline", Ty::I32),
    ("pending_restart", Ty::Bool),
];

fn settings_rows(view: &SystemView) -> Vec<Vec<V>> {
    view.settings
        .iter()
        .map(|(name, value, desc)| {
            let vartype = if matches!(value.as_str(), "on" | "off") { "bool" } else { "string" };
            row![
                name,
                value,
                V::Null,
                "Ungrouped",
                desc,
                V::Null,
                "user",
                vartype,
                "session",
                V::Null,
                V::Null,
                V::Null,
                V::Null,
                value,
                V::Null,
                V::Null,
                false
            ]
        })
        .collect()
}

const STAT_ACTIVITY: &[(&str, Ty)] = &[
    ("datid", Ty::Oid),
    ("datname", Ty::Text),
    ("pid", Ty::I32),
    ("leader_pid", Ty::I32),
    ("usesysid", Ty::Oid),
    ("usename", Ty::Text),
    ("application_name", Ty::Text),
    ("client_addr", Ty::Text),
    ("client_hostname", Ty::Text),
    ("client_port", Ty::I32),
    ("backend_start", Ty::Timestamptz),
    ("xact_start", Ty::Timestamptz),
    ("query_start", Ty::Timestamptz),
    ("state_change", Ty::Timestamptz),
    ("wait_event_type", Ty::Text),
    ("wait_event", Ty::Text),
    ("state", Ty::Text),
    ("backend_xid", Ty::I64),
    ("backend_xmin", Ty::I64),
    ("query_id", Ty::I64),
    ("query", Ty::Text),
    ("backend_type", Ty::Text),
];

/// The session's own row (other sessions are not listed yet).
fn stat_activity_rows(view: &SystemView) -> Vec<Vec<V>> {
    let app = view.setting("application_name").unwrap_or("").to_string();
    vec![row![
        view.database,
        view.database_name(),
        view.pid,
        V::Null,
        ROLE_OID,
        &view.user,
        app,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        "active",
        V::Null,
        V::Null,
        V::Null,
        V::Null,
        "client backend"
    ]]
}

const DESCRIPTION: &[(&str, Ty)] = &[("objoid", Ty::Oid), ("classoid", Ty::Oid), ("objsubid", Ty::I32), ("description", Ty::Text)];
const SHDESCRIPTION: &[(&str, Ty)] = &[("objoid", Ty::Oid), ("classoid", Ty::Oid), ("description", Ty::Text)];
const INHERITS: &[(&str, Ty)] = &[("inhrelid", Ty::Oid), ("inhparent", Ty::Oid), ("inhseqno", Ty::I32), ("inhdetachpending", Ty::Bool)];
const POLICY: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("polname", Ty::Text),
    ("polrelid", Ty::Oid),
    ("polcmd", Ty::Text),
    ("polpermissive", Ty::Bool),
    ("polroles", Ty::OidArray),
    ("polqual", Ty::Text),
    ("polwithcheck", Ty::Text),
];
const STATISTIC_EXT: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("stxrelid", Ty::Oid),
    ("stxname", Ty::Text),
    ("stxnamespace", Ty::Oid),
    ("stxowner", Ty::Oid),
    ("stxstattarget", Ty::I32),
    ("stxkeys", Ty::Int2Vector),
    ("stxkind", Ty::TextArray),
    ("stxexprs", Ty::Text),
];
const PUBLICATION: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("pubname", Ty::Text),
    ("pubowner", Ty::Oid),
    ("puballtables", Ty::Bool),
    ("pubinsert", Ty::Bool),
    ("pubupdate", Ty::Bool),
    ("pubdelete", Ty::Bool),
    ("pubtruncate", Ty::Bool),
    ("pubviaroot", Ty::Bool),
];
const PUBLICATION_NAMESPACE: &[(&str, Ty)] = &[("oid", Ty::Oid), ("pnpubid", Ty::Oid), ("pnnspid", Ty::Oid)];
const PUBLICATION_REL: &[(&str, Ty)] =
    &[("oid", Ty::Oid), ("prpubid", Ty::Oid), ("prrelid", Ty::Oid), ("prqual", Ty::Text), ("prattrs", Ty::Int2Vector)];
const TRIGGER: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("tgrelid", Ty::Oid),
    ("tgparentid", Ty::Oid),
    ("tgname", Ty::Text),
    ("tgfoid", Ty::Oid),
    ("tgtype", Ty::I16),
    ("tgenabled", Ty::Text),
    ("tgisinternal", Ty::Bool),
    ("tgconstrrelid", Ty::Oid),
    ("tgconstrindid", Ty::Oid),
    ("tgconstraint", Ty::Oid),
    ("tgdeferrable", Ty::Bool),
    ("tginitdeferred", Ty::Bool),
    ("tgnargs", Ty::I16),
    ("tgattr", Ty::Int2Vector),
    ("tgargs", Ty::Text),
    ("tgqual", Ty::Text),
    ("tgoldtable", Ty::Text),
    ("tgnewtable", Ty::Text),
];
const REWRITE: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("rulename", Ty::Text),
    ("ev_class", Ty::Oid),
    ("ev_type", Ty::Text),
    ("ev_enabled", Ty::Text),
    ("is_instead", Ty::Bool),
    ("ev_qual", Ty::Text),
    ("ev_action", Ty::Text),
];
const EXTENSION: &[(&str, Ty)] = &[
    ("oid", Ty::Oid),
    ("extname", Ty::Text),
    ("extowner", Ty::Oid),
    ("extnamespace", Ty::Oid),
    ("extrelocatable", Ty::Bool),
    ("extversion", Ty::Text),
    ("extconfig", Ty::OidArray),
    ("extcondition", Ty::TextArray),
];
const ENUM: &[(&str, Ty)] = &[("oid", Ty::Oid), ("enumtypid", Ty::Oid), ("enumsortorder", Ty::F32), ("enumlabel", Ty::Text)];
const RANGE: &[(&str, Ty)] = &[
    ("rngtypid", Ty::Oid),
    ("rngsubtype", Ty::Oid),
    ("rngmultitypid", Ty::Oid),
    ("rngcollation", Ty::Oid),
    ("rngsubopc", Ty::Oid),
    ("rngcanonical", Ty::Text),
    ("rngsubdiff", Ty::Text),
];
const FOREIGN_TABLE: &[(&str, Ty)] = &[("ftrelid", Ty::Oid), ("ftserver", Ty::Oid), ("ftoptions", Ty::TextArray)];
const PARTITIONED_TABLE: &[(&str, Ty)] = &[
    ("partrelid", Ty::Oid),
    ("partstrat", Ty::Text),
    ("partnatts", Ty::I16),
    ("partdefid", Ty::Oid),
    ("partattrs", Ty::Int2Vector),
    ("partclass", Ty::OidVector),
    ("partcollation", Ty::OidVector),
    ("partexprs", Ty::Text),
];

fn none(_: &SystemView) -> Vec<Vec<V>> {
    Vec::new()
}

/// A catalog of a feature QuiverDB does not have: PostgreSQL's columns, no rows.
const fn empty(name: &'static str, oid: u32, columns: &'static [(&'static str, Ty)]) -> SystemTable {
    SystemTable { schema: PG_CATALOG, name, oid, kind: "r", columns, rows: none }
}

const fn catalog(
    name: &'static str,
    oid: u32,
    columns: &'static [(&'static str, Ty)],
    rows: fn(&SystemView) -> Vec<Vec<V>>,
) -> SystemTable {
    SystemTable { schema: PG_CATALOG, name, oid, kind: "r", columns, rows }
}

const fn view(name: &'static str, oid: u32, columns: &'static [(&'static str, Ty)], rows: fn(&SystemView) -> Vec<Vec<V>>) -> SystemTable {
    SystemTable { schema: PG_CATALOG, name, oid, kind: "v", columns, rows }
}

/// These catalogs and views.
pub const TABLES: &[SystemTable] = &[
    catalog("pg_type", 1247, TYPE, type_rows),
    catalog("pg_am", 2601, AM, am_rows),
    catalog("pg_database", 1262, DATABASE, database_rows),
    catalog("pg_authid", 1260, AUTHID, authid_rows),
    catalog("pg_collation", 3456, COLLATION, collation_rows),
    catalog("pg_tablespace", 1213, TABLESPACE, tablespace_rows),
    view("pg_roles", 12000, ROLES, roles_rows),
    view("pg_user", 12014, USER, user_rows),
    view("pg_views", 12028, VIEWS_VIEW, views_rows),
    view("pg_tables", 12033, TABLES_VIEW, tables_rows),
    view("pg_matviews", 12038, MATVIEWS, none),
    view("pg_indexes", 12043, INDEXES_VIEW, indexes_rows),
    view("pg_settings", 12104, SETTINGS, settings_rows),
    view("pg_stat_activity", 12222, STAT_ACTIVITY, stat_activity_rows),
    empty("pg_auth_members", 1261, AUTH_MEMBERS),
    empty("pg_description", 2609, DESCRIPTION),
    empty("pg_shdescription", 2396, SHDESCRIPTION),
    empty("pg_inherits", 2611, INHERITS),
    empty("pg_policy", 3256, POLICY),
    empty("pg_statistic_ext", 3381, STATISTIC_EXT),
    empty("pg_publication", 6104, PUBLICATION),
    empty("pg_publication_namespace", 6237, PUBLICATION_NAMESPACE),
    empty("pg_publication_rel", 6106, PUBLICATION_REL),
    empty("pg_trigger", 2620, TRIGGER),
    empty("pg_rewrite", 2618, REWRITE),
    empty("pg_extension", 3079, EXTENSION),
    empty("pg_enum", 3501, ENUM),
    empty("pg_range", 3541, RANGE),
    empty("pg_foreign_table", 3118, FOREIGN_TABLE),
    empty("pg_partitioned_table", 3350, PARTITIONED_TABLE),
];
