/**
 * PostgreSQL's types as change-record values, shared by the snapshot and the logical-replication stream so that both
 * give identical values: {@link dev.nificdc.cdc.postgres.types.PgTypeCatalog} reads {@code pg_type} and resolves a
 * column's type OID and modifier to a {@link dev.nificdc.cdc.postgres.types.PgColumnType}, which converts PostgreSQL's
 * text output (what pgoutput sends and what {@code "col"::text} returns) into canonical values;
 * {@link dev.nificdc.cdc.postgres.types.PgSessionSettings} fixes the session settings that make that text exact.
 * No NiFi types.
 */
package dev.nificdc.cdc.postgres.types;
