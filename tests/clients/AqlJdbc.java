// The README's AQL example through pgjdbc (PreparedStatement, server-side prepare).
// usage: java -cp postgresql.jar AqlJdbc.java HOST PORT DBNAME   (exit status 0 when every check passed)
import java.sql.*;
import java.util.*;

public class AqlJdbc {
    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/" + args[2] + "?user=quiver&prepareThreshold=1";
        try (Connection conn = DriverManager.getConnection(url)) {
            try (Statement st = conn.createStatement()) {
                st.execute("CREATE TABLE users (id int PRIMARY KEY, name text, age int)");
                st.execute("INSERT INTO users VALUES (1, 'ann', 31), (2, 'bob', 25), (3, 'cid', 44)");
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT value FROM aql(?, ?::jsonb)")) {
                ps.setString(1, "FOR u IN users FILTER u.age > @a SORT u.name RETURN u.name");
                for (int round = 0; round < 3; round++) {
                    ps.setString(2, "{\"a\": 30}");
                    List<String> names = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        // (getColumnTypeName asks pg_catalog.pg_type, which comes with the catalog issue.)
                        while (rs.next()) {
                            names.add(rs.getString(1));
                        }
                    }
                    check(names.equals(List.of("\"ann\"", "\"cid\"")), "names " + names);
                }
            }
        }
        System.out.println("ok");
    }
}
