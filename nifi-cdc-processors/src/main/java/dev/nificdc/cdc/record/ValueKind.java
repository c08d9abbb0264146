package dev.nificdc.cdc.record;

/**
 * The kinds of column values a change record carries, each with one canonical Java representation.
 * Readers (binlog, JDBC, snapshot) convert database values into these representations; the record layer
 * turns them into Avro without further interpretation, so every source shares one type mapping.
 */
public enum ValueKind {
    /** {@link Boolean}; BIT(1), BOOLEAN. */
    BOOLEAN,
    /** {@link Integer}; TINYINT..INT signed, TINYINT..MEDIUMINT unsigned, YEAR. */
    INT,
    /** {@link Long}; INT UNSIGNED, BIGINT. */
    LONG,
    /** {@link Float}. */
    FLOAT,
    /** {@link Double}. */
    DOUBLE,
    /** {@link java.math.BigDecimal} with the column's scale; Avro bytes decimal(precision, scale). Also BIGINT UNSIGNED as decimal(20,0). */
    DECIMAL,
    /** {@link String}; CHAR/VARCHAR/TEXT decoded with the column's charset, ENUM/SET labels, JSON text. */
    STRING,
    /** {@code byte[]}; BINARY/VARBINARY/BLOB, BIT(n>1), GEOMETRY (WKB). */
    BYTES,
    /** {@link Integer} days since 1970-01-01; Avro int date. */
    DATE,
    /** {@link Long} signed microseconds of a duration (MySQL TIME spans -838:59:59..838:59:59); Avro long. */
    TIME_MICROS,
    /** {@link Long} microseconds since the epoch, an instant in UTC (MySQL TIMESTAMP); Avro timestamp-micros. */
    TIMESTAMP_MICROS,
    /** {@link Long} microseconds of a wall-clock date-time without zone (MySQL DATETIME); Avro local-timestamp-micros. */
    LOCAL_TIMESTAMP_MICROS,
    /**
     * {@link String}: the source database's own text output of a value of a type that no Avro type carries exactly
     * (PostgreSQL numeric with NaN, timestamps beyond Avro's ranges and infinity, intervals, arrays, ...), produced under
     * fixed session settings; Avro string tagged {@code "nifi.cdc.type": "source-text"}. The field's
     * {@code nifi.cdc.source.type} names the type.
     */
    SOURCE_TEXT
}
