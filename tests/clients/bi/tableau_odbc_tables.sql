-- tool: Tableau over psqlODBC (SQLTables)
-- source: psqlODBC SQLTables query as logged with Tableau (treasure-data/prestogres#29)
-- expect: orders customers recent
-- absent: pg_class
select relname, nspname, relkind from pg_catalog.pg_class c, pg_catalog.pg_namespace n where relkind in ('r', 'v', 'm', 'f', 'p') and nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'pg_temp_1') and n.oid = relnamespace order by nspname, relname
