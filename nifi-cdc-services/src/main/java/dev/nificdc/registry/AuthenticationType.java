package dev.nificdc.registry;

import org.apache.nifi.components.DescribedValue;

/**
 * How the service authenticates to the Schema Registry.
 */
public enum AuthenticationType implements DescribedValue {
    NONE("None", "No authentication."),
    BASIC("Basic", "HTTP Basic authentication with a username and password (sent with every request; use HTTPS).");

    private final String displayName;
    private final String description;

    AuthenticationType(final String displayName, final String description) {
        this.displayName = displayName;
        this.description = description;
    }

    @Override
    public String getValue() {
        return name();
    }

    @Override
    public String getDisplayName() {
        return displayName;
    }

    @Override
    public String getDescription() {
        return description;
    }
}
