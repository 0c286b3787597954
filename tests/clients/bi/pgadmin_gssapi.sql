-- tool: pgAdmin 4 (connect: GSSAPI state of the connection)
-- source: pgadmin-org/pgadmin4 web/pgadmin/utils/driver/psycopg3/connection.py
-- expect: f
        SELECT
             gss_authenticated, encrypted
        FROM
            pg_catalog.pg_stat_gssapi
        WHERE pid = pg_backend_pid()
