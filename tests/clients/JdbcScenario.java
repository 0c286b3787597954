// pgjdbc scenario: typed PreparedStatement setters, batches, generated keys, transactions and
// savepoints, ResultSetMetaData, DatabaseMetaData (the driver's catalog queries), fetch-size
// cursors (portal row limits) and SQLSTATEs.
// usage: java -cp /usr/share/java/postgresql.jar JdbcScenario.java HOST PORT DBNAME
// (user quiver unless PGUSER is set; PGPASSWORD is honoured; extra URL options in JDBC_OPTS, e.g.
// "loggerLevel=TRACE"; prints "ok" last and exits 0 when every check passed)
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class JdbcScenario {
    // Failed checks are collected so one run reports every problem; an exception ends only its section.
    static final List<String> failures = new ArrayList<>();

    static boolean check(boolean ok, String what) {
        if (!ok) {
            failures.add(what);
            System.out.println("FAIL: " + what);
        }
        return ok;
    }

    static boolean eq(Object actual, Object expected, String what) {
        return check(Objects.equals(actual, expected), what + ": got " + show(actual) + ", expected " + show(expected));
    }

    static String show(Object o) {
        if (o instanceof byte[]) {
            return Arrays.toString((byte[]) o);
        }
        return o == null ? "null" : o instanceof String ? "\"" + o + "\"" : o + " (" + o.getClass().getSimpleName() + ")";
    }

    interface Body {
        void run() throws Exception;
    }

    static Connection conn;

    static void section(String name, Body body) {
        try {
            body.run();
        } catch (Throwable e) {
            String state = e instanceof SQLException ? " [SQLState " + ((SQLException) e).getSQLState() + "]" : "";
            check(false, name + ": " + e + state + " at " + firstFrame(e));
        } finally {
            try {
                if (!conn.getAutoCommit()) {
                    conn.rollback();
                    conn.setAutoCommit(true);
                }
            } catch (SQLException e) {
                check(false, name + ": cleanup rollback failed: " + e);
            }
        }
    }

    static String firstFrame(Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().equals("JdbcScenario") || f.getClassName().startsWith("JdbcScenario$")) {
                return "line " + f.getLineNumber();
            }
        }
        return "?";
    }

    static String sqlState(Body body) {
        try {
            body.run();
            return "no error";
        } catch (SQLException e) {
            return e.getSQLState();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static List<List<Object>> rows(ResultSet rs, String... columns) throws SQLException {
        List<List<Object>> out = new ArrayList<>();
        while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (String c : columns) {
                row.add(rs.getObject(c));
            }
            out.add(row);
        }
        rs.close();
        return out;
    }

    static List<List<Object>> query(String sql, String... columns) throws SQLException {
        try (Statement st = conn.createStatement()) {
            return rows(st.executeQuery(sql), columns);
        }
    }

    public static void main(String[] args) throws Exception {
        TimeZone.setDefault(TimeZone.getTimeZone("UTC")); // sent as the session TimeZone; setDate/setTimestamp render in it
        String user = Objects.requireNonNullElse(System.getenv("PGUSER"), "quiver");
        String baseUrl = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/" + args[2];
        Properties props = new Properties();
        props.setProperty("user", user);
        if (System.getenv("PGPASSWORD") != null) {
            props.setProperty("password", System.getenv("PGPASSWORD"));
        }
        String opts = System.getenv("JDBC_OPTS");
        String url = opts != null && !opts.isEmpty() ? baseUrl + "?" + opts : baseUrl;
        conn = DriverManager.getConnection(url, props);
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE accounts (id int PRIMARY KEY, code bigint NOT NULL, name varchar(40) NOT NULL UNIQUE, "
                    + "balance numeric(10,2) DEFAULT 0, active boolean, data bytea, opened date, updated timestamp, uid uuid, note text)");
            st.execute("CREATE INDEX accounts_code_idx ON accounts (code)");
            st.execute("CREATE VIEW active_accounts AS SELECT id, name FROM accounts WHERE active");
        }

        UUID uuid = UUID.fromString("6f1c2a5e-0b7d-4c3e-9a8f-1234567890ab");
        section("typed setters", () -> {
            // six executions: past prepareThreshold (5) the driver switches to a named server statement
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO accounts (id, code, name, balance, active, data, opened, updated, uid, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= 6; i++) {
                    ps.setInt(1, i);
                    ps.setLong(2, 9_000_000_000L + i);
                    ps.setString(3, "acct-" + i + "-ünï'");
                    ps.setBigDecimal(4, new BigDecimal("1234.5" + i));
                    ps.setBoolean(5, i % 2 == 1);
                    ps.setBytes(6, new byte[] {0, (byte) i, (byte) 0xff, 0x5c});
                    ps.setDate(7, java.sql.Date.valueOf("2024-02-" + (20 + i)));
                    ps.setTimestamp(8, Timestamp.valueOf("2024-01-02 03:04:05.6" + i));
                    ps.setObject(9, i == 1 ? uuid : UUID.nameUUIDFromBytes(new byte[] {(byte) i}));
                    ps.setNull(10, Types.VARCHAR);
                    eq(ps.executeUpdate(), 1, "executeUpdate count, row " + i);
                }
            }
        });
        section("typed getters", () -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM accounts WHERE id = ? AND uid = ? AND balance > ?")) {
                ps.setInt(1, 1);
                ps.setObject(2, uuid);
                ps.setBigDecimal(3, new BigDecimal("0.5"));
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next(), "row 1 found by id/uuid/numeric parameters");
                    eq(rs.getInt("id"), 1, "getInt(id)");
                    eq(rs.getLong("code"), 9_000_000_001L, "getLong(code)");
                    eq(rs.getString("name"), "acct-1-ünï'", "getString(name)");
                    eq(rs.getBigDecimal("balance"), new BigDecimal("1234.51"), "getBigDecimal(balance)");
                    eq(rs.getBoolean("active"), true, "getBoolean(active)");
                    eq(Arrays.toString(rs.getBytes("data")), Arrays.toString(new byte[] {0, 1, (byte) 0xff, 0x5c}), "getBytes(data)");
                    eq(rs.getDate("opened"), java.sql.Date.valueOf("2024-02-21"), "getDate(opened)");
                    eq(rs.getTimestamp("updated"), Timestamp.valueOf("2024-01-02 03:04:05.61"), "getTimestamp(updated)");
                    eq(rs.getObject("uid"), uuid, "getObject(uid) is a UUID");
                    eq(rs.getString("note"), null, "setNull(VARCHAR) stored NULL");
                    check(rs.wasNull(), "wasNull after NULL note");
                    eq(rs.getObject("code"), 9_000_000_001L, "getObject(bigint) is a Long");
                    eq(rs.getObject("balance"), new BigDecimal("1234.51"), "getObject(numeric) is a BigDecimal");
                    check(!rs.next(), "exactly one row");
                }
            }
            eq(query("SELECT count(*) AS c, sum(balance) AS s FROM accounts WHERE active", "c", "s"),
                    List.of(List.of(3L, new BigDecimal("3703.59"))), "aggregate over inserted rows");
        });

        section("executeBatch", () -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO accounts (id, code, name) VALUES (?, ?, ?)")) {
                for (int i = 100; i < 103; i++) {
                    ps.setInt(1, i);
                    ps.setLong(2, i);
                    ps.setString(3, "batch-" + i);
                    ps.addBatch();
                }
                eq(Arrays.toString(ps.executeBatch()), "[1, 1, 1]", "executeBatch update counts (reWriteBatchedInserts=false)");
            }
            try (Statement st = conn.createStatement()) {
                st.addBatch("UPDATE accounts SET note = 'b' WHERE id >= 100");
                st.addBatch("DELETE FROM accounts WHERE id = 102");
                eq(Arrays.toString(st.executeBatch()), "[3, 1]", "Statement.executeBatch update counts");
            }
            eq(query("SELECT id, balance, note FROM accounts WHERE id >= 100 ORDER BY id", "id", "balance", "note"),
                    List.of(List.of(100, new BigDecimal("0.00"), "b"), List.of(101, new BigDecimal("0.00"), "b")),
                    "batched rows with DEFAULT balance");
            // a failing batch reports BatchUpdateException with the SQLSTATE
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO accounts (id, code, name) VALUES (?, ?, ?)")) {
                ps.setInt(1, 110);
                ps.setLong(2, 1);
                ps.setString(3, "ok-110");
                ps.addBatch();
                ps.setInt(1, 100);
                ps.setLong(2, 1);
                ps.setString(3, "dup-100");
                ps.addBatch();
                eq(sqlState(ps::executeBatch), "23505", "batch with a duplicate key");
            }
        });

        section("executeBatch with reWriteBatchedInserts=true", () -> {
            Properties p2 = new Properties();
            p2.putAll(props);
            p2.setProperty("reWriteBatchedInserts", "true");
            try (Connection c2 = DriverManager.getConnection(url, p2);
                 PreparedStatement ps = c2.prepareStatement("INSERT INTO accounts (id, code, name) VALUES (?, ?, ?)")) {
                for (int i = 200; i < 204; i++) {
                    ps.setInt(1, i);
                    ps.setLong(2, i);
                    ps.setString(3, "rw-" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                eq(counts.length, 4, "rewritten batch count array length");
            }
            eq(query("SELECT count(*) AS c FROM accounts WHERE id BETWEEN 200 AND 203", "c"), List.of(List.of(4L)), "rewritten batch rows");
        });

        section("getGeneratedKeys", () -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO accounts (id, code, name) VALUES (?, ?, ?)", new String[] {"id", "balance"})) {
                ps.setInt(1, 300);
                ps.setLong(2, 300);
                ps.setString(3, "gen-300");
                eq(ps.executeUpdate(), 1, "executeUpdate count of INSERT ... RETURNING (driver-appended)");
                eq(rows(ps.getGeneratedKeys(), "id", "balance"), List.of(List.of(300, new BigDecimal("0.00"))), "getGeneratedKeys rows");
            }
            try (Statement st = conn.createStatement()) {
                eq(st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (301, 301, 'gen-301')", Statement.RETURN_GENERATED_KEYS), 1,
                        "executeUpdate(RETURN_GENERATED_KEYS) count");
                eq(rows(st.getGeneratedKeys(), "id", "name"), List.of(List.of(301, "gen-301")), "getGeneratedKeys with RETURNING *");
            }
        });

        section("transactions", () -> {
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (400, 1, 'tx-rollback')");
                eq(query("SELECT count(*) AS c FROM accounts WHERE id = 400", "c"), List.of(List.of(1L)), "row visible inside transaction");
                conn.rollback();
                eq(query("SELECT count(*) AS c FROM accounts WHERE id = 400", "c"), List.of(List.of(0L)), "row gone after rollback()");
                st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (401, 1, 'tx-commit')");
                conn.commit();
                Savepoint named = conn.setSavepoint("sp_one");
                st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (402, 1, 'tx-sp-kept')");
                Savepoint anon = conn.setSavepoint();
                st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (403, 1, 'tx-sp-undone')");
                conn.rollback(anon);
                Savepoint inner = conn.setSavepoint("sp_two");
                st.executeUpdate("UPDATE accounts SET note = 'released' WHERE id = 402");
                conn.releaseSavepoint(inner);
                eq(named.getSavepointName(), "sp_one", "savepoint name");
                conn.commit();
                // an error aborts the transaction until rollback (to a savepoint)
                Savepoint before = conn.setSavepoint("before_error");
                eq(sqlState(() -> st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (401, 1, 'dup')")), "23505", "duplicate in transaction");
                eq(sqlState(() -> st.executeQuery("SELECT 1").close()), "25P02", "statement after error in transaction");
                conn.rollback(before);
                st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (404, 1, 'after-rollback-to')");
                conn.commit();
            }
            conn.setAutoCommit(true);
            eq(query("SELECT id, note FROM accounts WHERE id BETWEEN 400 AND 410 ORDER BY id", "id", "note"),
                    List.of(Arrays.asList(401, null), Arrays.asList(402, "released"), Arrays.asList(404, null)),
                    "rows after commit/rollback/savepoints");
        });

        section("ResultSetMetaData", () -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT id, code, name, balance, active, data, opened, updated, uid, note, id * 2 AS twice FROM accounts WHERE id = ?")) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    eq(md.getColumnCount(), 11, "getColumnCount");
                    List<String> names = new ArrayList<>();
                    List<Integer> types = new ArrayList<>();
                    List<String> typeNames = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        names.add(md.getColumnName(i));
                        types.add(md.getColumnType(i));
                        typeNames.add(md.getColumnTypeName(i));
                    }
                    eq(names, List.of("id", "code", "name", "balance", "active", "data", "opened", "updated", "uid", "note", "twice"), "getColumnName");
                    eq(types, List.of(Types.INTEGER, Types.BIGINT, Types.VARCHAR, Types.NUMERIC, Types.BIT, Types.BINARY, Types.DATE,
                            Types.TIMESTAMP, Types.OTHER, Types.VARCHAR, Types.INTEGER), "getColumnType");
                    eq(typeNames, List.of("int4", "int8", "varchar", "numeric", "bool", "bytea", "date", "timestamp", "uuid", "text", "int4"),
                            "getColumnTypeName");
                    eq(md.getPrecision(4), 10, "getPrecision(numeric(10,2))");
                    eq(md.getScale(4), 2, "getScale(numeric(10,2))");
                    eq(md.getPrecision(3), 40, "getPrecision(varchar(40))");
                    eq(md.getColumnDisplaySize(3), 40, "getColumnDisplaySize(varchar(40))");
                    eq(md.getColumnClassName(4), "java.math.BigDecimal", "getColumnClassName(numeric)");
                    eq(md.isNullable(1), ResultSetMetaData.columnNoNulls, "isNullable(id PRIMARY KEY)");
                    eq(md.isNullable(3), ResultSetMetaData.columnNoNulls, "isNullable(name NOT NULL)");
                    eq(md.isNullable(10), ResultSetMetaData.columnNullable, "isNullable(note)");
                    eq(md.isNullable(11), ResultSetMetaData.columnNullableUnknown, "isNullable(computed)");
                    eq(md.getTableName(1), "accounts", "getTableName(id)");
                    eq(md.getTableName(11), "", "getTableName(computed)");
                    eq(md.unwrap(org.postgresql.PGResultSetMetaData.class).getBaseSchemaName(1), "public", "getBaseSchemaName(id)");
                    eq(md.isAutoIncrement(1), false, "isAutoIncrement(id)");
                    eq(md.getColumnLabel(11), "twice", "getColumnLabel(computed)");
                    check(rs.next(), "metadata query row");
                }
            }
        });

        section("DatabaseMetaData products", () -> {
            DatabaseMetaData md = conn.getMetaData();
            eq(md.getDatabaseProductName(), "PostgreSQL", "getDatabaseProductName");
            String version = md.getDatabaseProductVersion();
            check(version != null && version.matches("\\d+(\\.\\d+)?.*"), "getDatabaseProductVersion: " + version);
            check(md.getDatabaseMajorVersion() >= 12, "getDatabaseMajorVersion: " + md.getDatabaseMajorVersion());
            eq(md.getUserName(), user, "getUserName");
            check(md.getURL().startsWith("jdbc:postgresql://"), "getURL: " + md.getURL());
        });

        section("DatabaseMetaData.getTables", () -> {
            DatabaseMetaData md = conn.getMetaData();
            eq(rows(md.getTables(null, "public", "%", new String[] {"TABLE"}), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"),
                    List.of(List.of("public", "accounts", "TABLE")), "getTables(TABLE)");
            eq(rows(md.getTables(null, "public", "%", new String[] {"VIEW"}), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"),
                    List.of(List.of("public", "active_accounts", "VIEW")), "getTables(VIEW)");
            eq(rows(md.getTables(null, null, "acc%", new String[] {"TABLE", "VIEW"}), "TABLE_NAME", "TABLE_TYPE"),
                    List.of(List.of("accounts", "TABLE")), "getTables(all types, pattern acc%)");
            List<List<Object>> types = rows(md.getTableTypes(), "TABLE_TYPE");
            check(types.contains(List.of("TABLE")) && types.contains(List.of("VIEW")), "getTableTypes: " + types);
        });

        section("DatabaseMetaData.getColumns", () -> {
            DatabaseMetaData md = conn.getMetaData();
            List<List<Object>> cols = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "public", "accounts", null)) {
                while (rs.next()) {
                    cols.add(Arrays.asList(rs.getInt("ORDINAL_POSITION"), rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"),
                            rs.getString("TYPE_NAME"), rs.getInt("COLUMN_SIZE"), rs.getInt("DECIMAL_DIGITS"), rs.getInt("NULLABLE"),
                            rs.getString("IS_NULLABLE"), rs.getString("COLUMN_DEF"), rs.getString("TABLE_NAME")));
                }
            }
            List<List<Object>> expected = List.of(
                    Arrays.asList(1, "id", Types.INTEGER, "int4", 10, 0, DatabaseMetaData.columnNoNulls, "NO", null, "accounts"),
                    Arrays.asList(2, "code", Types.BIGINT, "int8", 19, 0, DatabaseMetaData.columnNoNulls, "NO", null, "accounts"),
                    Arrays.asList(3, "name", Types.VARCHAR, "varchar", 40, 0, DatabaseMetaData.columnNoNulls, "NO", null, "accounts"),
                    Arrays.asList(4, "balance", Types.NUMERIC, "numeric", 10, 2, DatabaseMetaData.columnNullable, "YES", "0", "accounts"),
                    Arrays.asList(5, "active", Types.BIT, "bool", 1, 0, DatabaseMetaData.columnNullable, "YES", null, "accounts"),
                    Arrays.asList(6, "data", Types.BINARY, "bytea", Integer.MAX_VALUE, 0, DatabaseMetaData.columnNullable, "YES", null, "accounts"),
                    Arrays.asList(7, "opened", Types.DATE, "date", 13, 0, DatabaseMetaData.columnNullable, "YES", null, "accounts"),
                    Arrays.asList(8, "updated", Types.TIMESTAMP, "timestamp", 29, 6, DatabaseMetaData.columnNullable, "YES", null, "accounts"),
                    Arrays.asList(9, "uid", Types.OTHER, "uuid", Integer.MAX_VALUE, 0, DatabaseMetaData.columnNullable, "YES", null, "accounts"),
                    Arrays.asList(10, "note", Types.VARCHAR, "text", Integer.MAX_VALUE, 0, DatabaseMetaData.columnNullable, "YES", null, "accounts"));
            eq(cols.size(), expected.size(), "getColumns row count");
            for (int i = 0; i < Math.min(cols.size(), expected.size()); i++) {
                eq(cols.get(i), expected.get(i), "getColumns row " + (i + 1) + " [ORDINAL_POSITION, COLUMN_NAME, DATA_TYPE, TYPE_NAME, COLUMN_SIZE, DECIMAL_DIGITS, NULLABLE, IS_NULLABLE, COLUMN_DEF, TABLE_NAME]");
            }
            eq(rows(md.getColumns(null, "public", "active_accounts", "%"), "COLUMN_NAME", "TYPE_NAME"),
                    List.of(List.of("id", "int4"), List.of("name", "varchar")), "getColumns of a view");
        });

        section("DatabaseMetaData.getPrimaryKeys", () -> {
            DatabaseMetaData md = conn.getMetaData();
            eq(rows(md.getPrimaryKeys(null, "public", "accounts"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME"),
                    List.of(List.of("accounts", "id", 1, "accounts_pkey")), "getPrimaryKeys");
        });

        section("DatabaseMetaData.getIndexInfo", () -> {
            DatabaseMetaData md = conn.getMetaData();
            List<List<Object>> all = new ArrayList<>();
            try (ResultSet rs = md.getIndexInfo(null, "public", "accounts", false, false)) {
                while (rs.next()) {
                    all.add(Arrays.asList(rs.getString("INDEX_NAME"), rs.getBoolean("NON_UNIQUE"), rs.getString("COLUMN_NAME"),
                            rs.getInt("ORDINAL_POSITION"), rs.getString("TABLE_NAME")));
                }
            }
            all.sort(Comparator.comparing(r -> (String) r.get(0)));
            eq(all, List.of(
                    Arrays.asList("accounts_code_idx", true, "code", 1, "accounts"),
                    Arrays.asList("accounts_name_key", false, "name", 1, "accounts"),
                    Arrays.asList("accounts_pkey", false, "id", 1, "accounts")), "getIndexInfo(unique=false) [INDEX_NAME, NON_UNIQUE, COLUMN_NAME, ORDINAL_POSITION, TABLE_NAME]");
            List<List<Object>> unique = rows(md.getIndexInfo(null, "public", "accounts", true, false), "INDEX_NAME");
            unique.sort(Comparator.comparing(r -> (String) r.get(0)));
            eq(unique, List.of(List.of("accounts_name_key"), List.of("accounts_pkey")), "getIndexInfo(unique=true)");
        });

        section("DatabaseMetaData.getSchemas/getCatalogs/getImportedKeys", () -> {
            DatabaseMetaData md = conn.getMetaData();
            List<List<Object>> schemas = rows(md.getSchemas(), "TABLE_SCHEM");
            for (String s : List.of("public", "pg_catalog", "information_schema")) {
                check(schemas.contains(List.of(s)), "getSchemas lists " + s + ": " + schemas);
            }
            eq(rows(md.getSchemas(null, "pub%"), "TABLE_SCHEM"), List.of(List.of("public")), "getSchemas(pattern)");
            check(rows(md.getCatalogs(), "TABLE_CAT").contains(List.of(args[2])), "getCatalogs lists " + args[2]);
            eq(rows(md.getImportedKeys(null, "public", "accounts"), "PKTABLE_NAME"), List.of(), "getImportedKeys (no foreign keys)");
            eq(rows(md.getExportedKeys(null, "public", "accounts"), "FKTABLE_NAME"), List.of(), "getExportedKeys (no foreign keys)");
        });

        section("setFetchSize (portal row limits)", () -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO accounts (id, code, name) VALUES (?, ?, ?)")) {
                for (int i = 1000; i < 1025; i++) {
                    ps.setInt(1, i);
                    ps.setLong(2, i * 10L);
                    ps.setString(3, "fetch-" + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            conn.setAutoCommit(false);
            try (PreparedStatement a = conn.prepareStatement("SELECT id, code FROM accounts WHERE id >= ? ORDER BY id");
                 PreparedStatement b = conn.prepareStatement("SELECT name FROM accounts WHERE id >= ? ORDER BY id DESC")) {
                a.setFetchSize(10);
                b.setFetchSize(7);
                a.setInt(1, 1000);
                b.setInt(1, 1000);
                List<Integer> ids = new ArrayList<>();
                List<String> names = new ArrayList<>();
                try (ResultSet ra = a.executeQuery(); ResultSet rb = b.executeQuery()) {
                    eq(ra.getFetchSize(), 10, "ResultSet fetch size");
                    // interleave two suspended portals in one transaction
                    boolean moreA = true;
                    boolean moreB = true;
                    while (moreA || moreB) {
                        if (moreA && (moreA = ra.next())) {
                            ids.add(ra.getInt(1));
                            eq(ra.getLong(2), ra.getInt(1) * 10L, "code of id " + ra.getInt(1));
                        }
                        if (moreB && (moreB = rb.next())) {
                            names.add(rb.getString(1));
                        }
                    }
                }
                List<Integer> expectedIds = new ArrayList<>();
                List<String> expectedNames = new ArrayList<>();
                for (int i = 1000; i < 1025; i++) {
                    expectedIds.add(i);
                    expectedNames.add(0, "fetch-" + i);
                }
                eq(ids, expectedIds, "all rows through a fetch-size-10 cursor");
                eq(names, expectedNames, "all rows through a fetch-size-7 cursor interleaved with the first");
            }
            try (Statement st = conn.createStatement()) {
                st.setFetchSize(4);
                st.setMaxRows(9);
                eq(rows(st.executeQuery("SELECT id FROM accounts WHERE id >= 1000 ORDER BY id"), "id").size(), 9, "setMaxRows(9) with fetch size 4");
            }
            conn.commit();
            conn.setAutoCommit(true);
        });

        section("SQLSTATE", () -> {
            try (Statement st = conn.createStatement()) {
                eq(sqlState(() -> st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (1, 1, 'dup-pk')")), "23505", "duplicate primary key");
                eq(sqlState(() -> st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (999, 1, 'acct-2-ünï''')")), "23505", "duplicate unique name");
                eq(sqlState(() -> st.executeQuery("SELECT * FROM no_such_table")), "42P01", "undefined table (Statement)");
                try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM no_such_table WHERE id = ?")) {
                    ps.setInt(1, 1);
                    eq(sqlState(ps::executeQuery), "42P01", "undefined table (PreparedStatement)");
                }
                try {
                    st.executeUpdate("INSERT INTO accounts (id, code, name) VALUES (1, 1, 'dup-pk')");
                } catch (SQLException e) {
                    check(e.getMessage().contains("duplicate key"), "23505 message: " + e.getMessage());
                    if (e instanceof org.postgresql.util.PSQLException) {
                        org.postgresql.util.ServerErrorMessage sem = ((org.postgresql.util.PSQLException) e).getServerErrorMessage();
                        eq(sem == null ? null : sem.getTable(), "accounts", "ServerErrorMessage.getTable for 23505");
                        eq(sem == null ? null : sem.getConstraint(), "accounts_pkey", "ServerErrorMessage.getConstraint for 23505");
                    }
                }
                eq(query("SELECT count(*) AS c FROM accounts WHERE id = 1", "c"), List.of(List.of(1L)), "connection usable after errors");
            }
        });

        conn.close();
        if (!failures.isEmpty()) {
            System.out.println(failures.size() + " check(s) failed");
            System.exit(1);
        }
        System.out.println("ok");
    }
}
