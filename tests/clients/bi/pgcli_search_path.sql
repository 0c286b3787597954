-- tool: pgcli (completion: search path)
-- source: dbcli/pgcli pgcli/pgexecute.py
-- expect: public pg_catalog
        SELECT * FROM unnest(current_schemas(true))
