package dev.nificdc.bench;

/** One way of reading a {@link BinlogRange}: the raw library, the processor in NiFi's mock framework, or a real NiFi. */
interface BinlogCaptureCandidate extends AutoCloseable {
    /** A short name for the report, e.g. {@code raw-library}. */
    String name();

    /** Reads the whole range once, from a fresh start (no state kept from an earlier call), and counts its changes. */
    CaptureMeasurement capture(BinlogRange range) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
