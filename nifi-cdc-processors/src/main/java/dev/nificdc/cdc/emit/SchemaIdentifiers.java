package dev.nificdc.cdc.emit;

import dev.nificdc.cdc.record.TableSchema;
import org.apache.avro.Schema;
import org.apache.nifi.serialization.record.SchemaIdentifier;

import java.util.function.BiFunction;

/**
 * The registry identifiers of a table's schemas: {@link #apply} gives the value schema's (and registers the table's
 * schemas when needed), {@link #keyIdentifier} the key schema's. {@link SchemaIdentifier#EMPTY} means no registry.
 */
public interface SchemaIdentifiers extends BiFunction<TableSchema, Schema, SchemaIdentifier> {
    /** No registry: every identifier is empty. */
    SchemaIdentifiers NONE = (table, schema) -> SchemaIdentifier.EMPTY;

    /** The identifier (subject, id, version) of the key schema of {@code table}, or empty when it has none. */
    default SchemaIdentifier keyIdentifier(TableSchema table) {
        return SchemaIdentifier.EMPTY;
    }
}
