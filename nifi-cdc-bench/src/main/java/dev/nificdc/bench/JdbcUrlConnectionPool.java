package dev.nificdc.bench;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;

import java.sql.DriverManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A minimal {@link DBCPService} for the benchmark: a new JDBC connection per call from a URL, user and password.
 * NiFi's DBCPConnectionPool would pool them; the timestamp processor takes one connection per run, so the difference
 * is one connect per run.
 */
public class JdbcUrlConnectionPool extends AbstractControllerService implements DBCPService {
    static final PropertyDescriptor URL = new PropertyDescriptor.Builder().name("Database Connection URL").required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();
    static final PropertyDescriptor USER = new PropertyDescriptor.Builder().name("Database User").required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();
    static final PropertyDescriptor PASSWORD = new PropertyDescriptor.Builder().name("Password").required(false).sensitive(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return List.of(URL, USER, PASSWORD);
    }

    @Override
    public Connection getConnection() throws ProcessException {
        String url = getConfigurationContext().getProperty(URL).getValue();
        try {
            return DriverManager.getConnection(url, getConfigurationContext().getProperty(USER).getValue(),
                    getConfigurationContext().getProperty(PASSWORD).getValue());
        } catch (SQLException e) {
            throw new ProcessException("Could not connect to " + url + ": " + e.getMessage()
                    + "; is the benchmark's database still running?", e);
        }
    }
}
