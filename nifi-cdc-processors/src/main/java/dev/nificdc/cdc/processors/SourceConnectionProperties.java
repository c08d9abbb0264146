package dev.nificdc.cdc.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.processor.util.StandardValidators;

/**
 * The connection property descriptors both log-based capture processors define the same way ({@link CaptureBinlogChange},
 * {@link CapturePostgresChange}): defined once, so their names, descriptions and validation cannot drift apart. The host,
 * user and database descriptors differ per source (what the user needs is source-specific) and stay with each processor.
 */
final class SourceConnectionProperties {
    private SourceConnectionProperties() {
    }

    static final PropertyDescriptor PASSWORD = new PropertyDescriptor.Builder()
            .name("Password")
            .description("The password of the database user.")
            .required(false)
            .sensitive(true)
            .addValidator(StandardValidators.NON_EMPTY_VALIDATOR)
            .build();

    static final PropertyDescriptor CONNECT_TIMEOUT = new PropertyDescriptor.Builder()
            .name("Connect Timeout")
            .description("How long to wait for the server when connecting.")
            .required(true)
            .defaultValue("30 sec")
            .addValidator(StandardValidators.TIME_PERIOD_VALIDATOR)
            .build();
}
