package dev.nificdc.cdc.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.controller.AbstractControllerService;
import org.apache.nifi.dbcp.DBCPService;
import org.apache.nifi.processor.exception.ProcessException;
import org.apache.nifi.processor.util.StandardValidators;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only {@link DBCPService}: a new connection per call from a JDBC URL, with an optional SQL statement run on
 * each new connection (e.g. to set the session time zone). It counts open connections so tests can prove that the
 * processor returns every connection, and can make prepareStatement fail after N calls to simulate a failure mid-run.
 */
public class UrlConnectionPool extends AbstractControllerService implements DBCPService {
    static final PropertyDescriptor URL = new PropertyDescriptor.Builder().name("URL").required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();
    static final PropertyDescriptor USER = new PropertyDescriptor.Builder().name("User").required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();
    static final PropertyDescriptor PASSWORD = new PropertyDescriptor.Builder().name("Password").required(false).sensitive(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();
    static final PropertyDescriptor INIT_SQL = new PropertyDescriptor.Builder().name("Init SQL").required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR).build();

    final AtomicInteger open = new AtomicInteger();
    /** When >= 0, prepareStatement fails once this many more statements have been prepared. */
    final AtomicInteger statementsBeforeFailure = new AtomicInteger(-1);

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return List.of(URL, USER, PASSWORD, INIT_SQL);
    }

    @Override
    public Connection getConnection() throws ProcessException {
        try {
            Connection connection = DriverManager.getConnection(getConfigurationContext().getProperty(URL).getValue(),
                    getConfigurationContext().getProperty(USER).getValue(), getConfigurationContext().getProperty(PASSWORD).getValue());
            String init = getConfigurationContext().getProperty(INIT_SQL).getValue();
            if (init != null) {
                try (Statement s = connection.createStatement()) {
                    s.execute(init);
                }
            }
            open.incrementAndGet();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                if (method.getName().equals("close") && !connection.isClosed()) {
                    open.decrementAndGet();
                }
                if (method.getName().equals("prepareStatement") && statementsBeforeFailure.get() >= 0
                        && statementsBeforeFailure.getAndDecrement() == 0) {
                    throw new SQLException("Simulated failure: the connection broke");
                }
                try {
                    return method.invoke(connection, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        } catch (SQLException e) {
            throw new ProcessException("Test pool could not connect: " + e.getMessage(), e);
        }
    }
}
