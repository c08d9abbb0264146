package dev.nificdc.bench;

/** Candidate (c): CaptureBinlogChange in a real headless NiFi. */
final class NiFiCapture implements BinlogCaptureCandidate {
    static NiFiCapture start() throws Exception {
        throw new UnsupportedOperationException("NiFiCapture is being written");
    }

    @Override
    public String name() {
        return "real-nifi";
    }

    @Override
    public CaptureMeasurement capture(BinlogRange range) throws Exception {
        throw new UnsupportedOperationException("NiFiCapture is being written");
    }
}
