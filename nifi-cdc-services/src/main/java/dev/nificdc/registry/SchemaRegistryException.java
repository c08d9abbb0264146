package dev.nificdc.registry;

import java.io.IOException;

/**
 * The registry refused a request or could not be reached. {@link #getReason()} tells callers which, so that a processor
 * can, for example, route an incompatible schema to failure but yield and retry when the registry is unreachable.
 */
public class SchemaRegistryException extends IOException {

    /** What went wrong. */
    public enum Reason {
        /** HTTP 409 (error code 409 or 40901): the subject's compatibility setting rejected the schema. */
        INCOMPATIBLE_SCHEMA,
        /** HTTP 422, error code 42201: the registry does not accept the schema text. */
        INVALID_SCHEMA,
        /** HTTP 422, error code 42202: the version is not a valid version number. */
        INVALID_VERSION,
        /** HTTP 404, error code 40401: the subject does not exist. */
        SUBJECT_NOT_FOUND,
        /** HTTP 404, error code 40402: the subject has no such version. */
        VERSION_NOT_FOUND,
        /** HTTP 404, error code 40403: no schema with that id, or the subject does not hold that schema. */
        SCHEMA_NOT_FOUND,
        /** The schema is not registered under the subject and auto-registration is switched off. */
        NOT_REGISTERED,
        /** HTTP 401 or 403: credentials missing, wrong or without permission. */
        UNAUTHORIZED,
        /** No configured URL answered (connection errors, timeouts or 5xx on every URL). */
        UNREACHABLE,
        /** Any other unexpected answer. */
        UNEXPECTED_RESPONSE
    }

    private final Reason reason;

    public SchemaRegistryException(final Reason reason, final String message) {
        super(message);
        this.reason = reason;
    }

    public SchemaRegistryException(final Reason reason, final String message, final Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason getReason() {
        return reason;
    }

    /** True for the not-found reasons (subject, version, schema, not registered). */
    public boolean isNotFound() {
        return reason == Reason.SUBJECT_NOT_FOUND || reason == Reason.VERSION_NOT_FOUND
                || reason == Reason.SCHEMA_NOT_FOUND || reason == Reason.NOT_REGISTERED;
    }
}
