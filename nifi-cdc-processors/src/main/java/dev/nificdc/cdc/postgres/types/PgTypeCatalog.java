package dev.nificdc.cdc.postgres.types;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** STAND-IN until branch i18t lands the PostgreSQL type catalog. */
public final class PgTypeCatalog {
    private final Connection connection;

    private PgTypeCatalog(Connection connection) {
        this.connection = connection;
    }

    public static PgTypeCatalog load(Connection connection) {
        return new PgTypeCatalog(connection);
    }

    public PgColumnType resolve(int typeOid, int typmod) {
        try (PreparedStatement s = connection.prepareStatement("SELECT format_type(?, ?)")) {
            s.setInt(1, typeOid);
            s.setInt(2, typmod);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return PgColumnType.of(typeOid, typmod, rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
