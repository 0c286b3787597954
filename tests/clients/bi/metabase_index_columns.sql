-- tool: Metabase (sync: indexed columns, from pgjdbc getIndexInfo)
-- source: metabase/metabase src/metabase/driver/postgres.clj describe-indexes-sql, as sent (captured in datafusion-contrib/datafusion-postgres tests/metabase.rs)
-- expect: orders customers customer_id email
SELECT
    "tmp"."table-schema", "tmp"."table-name",
    TRIM(BOTH '"' FROM PG_CATALOG.PG_GET_INDEXDEF("tmp"."ci_oid", "tmp"."pos", FALSE)) AS "field-name"
FROM (SELECT
          "n"."nspname" AS "table-schema",
          "ct"."relname" AS "table-name",
          "ci"."oid" AS "ci_oid",
          (INFORMATION_SCHEMA._PG_EXPANDARRAY("i"."indkey"))."n" AS "pos"
      FROM "pg_catalog"."pg_class" AS "ct"
           INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "ct"."relnamespace" = "n"."oid"
           INNER JOIN "pg_catalog"."pg_index" AS "i" ON "ct"."oid" = "i"."indrelid"
           INNER JOIN "pg_catalog"."pg_class" AS "ci" ON "ci"."oid" = "i"."indexrelid"
      WHERE (PG_CATALOG.PG_GET_EXPR("i"."indpred", "i"."indrelid") IS NULL)
            AND n.nspname !~ '^information_schema|catalog_history|pg_') AS "tmp"
WHERE "tmp"."pos" = 1
