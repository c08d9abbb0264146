package dev.nificdc.cdc.postgres;

import java.util.List;

/**
 * The messages of PostgreSQL's {@code pgoutput} logical replication protocol, version 1 (what this engine negotiates:
 * whole transactions, sent at commit, values in text form). Field names follow the protocol's documentation
 * ("Logical Replication Message Formats").
 */
public sealed interface PgoutputMessage {

    /** 'B': a transaction starts; {@code finalLsn} is its commit record's LSN. */
    record Begin(long finalLsn, long commitMicros, long xid) implements PgoutputMessage {
    }

    /** 'C': the transaction ends; {@code endLsn} is the end of its commit record. */
    record Commit(long commitLsn, long endLsn, long commitMicros) implements PgoutputMessage {
    }

    /** 'O': the transaction came from another node (replication origin). */
    record Origin(long lsn, String name) implements PgoutputMessage {
    }

    /**
     * 'R': the columns of a relation as the following changes of it were written; sent before its first change in a
     * session and again after every change of its definition.
     *
     * @param replicaIdentity 'd' default (primary key), 'n' nothing, 'f' full, 'i' an index
     */
    record Relation(int oid, String namespace, String name, char replicaIdentity, List<Column> columns) implements PgoutputMessage {
    }

    /** A column of a {@link Relation}; {@code key} when it is part of the replica identity. */
    record Column(boolean key, String name, int typeOid, int typmod) {
    }

    /** 'Y': a data type's name (sent before a relation that uses a non-built-in type). */
    record Type(int oid, String namespace, String name) implements PgoutputMessage {
    }

    /** 'I': a row was inserted. */
    record Insert(int relationOid, TupleData row) implements PgoutputMessage {
    }

    /**
     * 'U': a row was updated; {@code old} is the old key ('K', when the replica identity key changed) or the old row
     * ('O', REPLICA IDENTITY FULL), else null.
     */
    record Update(int relationOid, TupleData old, boolean oldIsFullRow, TupleData row) implements PgoutputMessage {
    }

    /** 'D': a row was deleted; {@code old} is its key ('K') or the whole row ('O', REPLICA IDENTITY FULL). */
    record Delete(int relationOid, TupleData old, boolean oldIsFullRow) implements PgoutputMessage {
    }

    /** 'T': tables were truncated. */
    record Truncate(List<Integer> relationOids, boolean cascade, boolean restartIdentity) implements PgoutputMessage {
    }

    /** 'M' and any other message this engine does not act on. */
    record Other(char type) implements PgoutputMessage {
    }

    /**
     * The values of a row, one per relation column, in text form: {@code null} for SQL NULL, {@link #UNCHANGED} for an
     * unchanged TOASTed value the server did not send ('u').
     */
    record TupleData(String[] values) {
        /** Marks an unchanged TOASTed value; compared by identity. */
        @SuppressWarnings("StringOperationCanBeSimplified")
        public static final String UNCHANGED = new String("unchanged-toast");

        public boolean unchanged(int column) {
            return values[column] == UNCHANGED;
        }
    }
}
