package dev.nificdc.cdc.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both log processors offer the very same incremental-snapshot and connection descriptors, failure relationship and
 * request input, and refuse a chunk byte limit that is not a data size between 64 KB and 1 GB.
 */
class IncrementalSnapshotPropertiesTest {

    @ParameterizedTest
    @ValueSource(classes = {CaptureBinlogChange.class, CapturePostgresChange.class})
    void bothLogProcessorsShareTheDescriptorsAndTheFailureRelationship(Class<? extends Processor> type) {
        TestRunner runner = TestRunners.newTestRunner(type);
        List<PropertyDescriptor> descriptors = runner.getProcessor().getPropertyDescriptors();
        for (PropertyDescriptor shared : List.of(IncrementalSnapshotProperties.SNAPSHOT_NEW_TABLES, IncrementalSnapshotProperties.CHUNK_SIZE,
                IncrementalSnapshotProperties.CHUNK_BYTES, SourceConnectionProperties.PASSWORD, SourceConnectionProperties.CONNECT_TIMEOUT)) {
            assertSame(shared, descriptors.stream().filter(d -> d.getName().equals(shared.getName())).findFirst().orElseThrow(),
                    shared.getName());
        }
        assertTrue(runner.getProcessor().getRelationships().contains(IncrementalSnapshotRequests.REL_FAILURE));
        assertTrue(IncrementalSnapshotRequests.REL_FAILURE.isAutoTerminated());
        assertEquals("32 MB", IncrementalSnapshotProperties.CHUNK_BYTES.getDefaultValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10 KB", "63 KB", "2 GB", "lots", "-1 MB", "32"})
    void aChunkByteLimitOutsideItsBoundsIsRefused(String value) {
        for (Class<? extends Processor> type : List.of(CaptureBinlogChange.class, CapturePostgresChange.class)) {
            ValidationResult result = TestRunners.newTestRunner(type).setProperty(IncrementalSnapshotProperties.CHUNK_BYTES, value);
            assertFalse(result.isValid(), type.getSimpleName() + " took " + value);
            assertEquals("Incremental Snapshot Max Chunk Size", result.getSubject());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"64 KB", "512 KB", "32 MB", "1 GB"})
    void aChunkByteLimitWithinItsBoundsIsTaken(String value) {
        for (Class<? extends Processor> type : List.of(CaptureBinlogChange.class, CapturePostgresChange.class)) {
            assertTrue(TestRunners.newTestRunner(type).setProperty(IncrementalSnapshotProperties.CHUNK_BYTES, value).isValid(),
                    type.getSimpleName() + " refused " + value);
        }
    }
}
