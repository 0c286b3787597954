-- tool: DBeaver (PostgreSQL plugin: tables, views and sequences of schema public)
-- source: dbeaver/dbeaver plugins/org.jkiss.dbeaver.ext.postgresql PostgreSchema.TableCache.prepareLookupStatement
-- bind: select oid from pg_namespace where nspname = 'public'
-- expect: orders customers recent customers_id_seq
-- absent: pg_class
SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key 
FROM pg_catalog.pg_class c
LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass
WHERE c.relnamespace=? AND c.relkind not in ('i','I','c')
