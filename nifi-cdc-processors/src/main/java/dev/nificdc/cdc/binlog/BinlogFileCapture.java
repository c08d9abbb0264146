package dev.nificdc.cdc.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDataDeserializationException;
import dev.nificdc.cdc.binlog.convert.MySqlCharsets;
import dev.nificdc.cdc.binlog.schema.SchemaSource;
import dev.nificdc.cdc.binlog.schema.TableSchemaResolver;
import dev.nificdc.cdc.core.CaptureLogger;
import dev.nificdc.cdc.core.CapturedChange;
import dev.nificdc.cdc.core.TableFilter;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads changes from a binlog file (e.g. copied from a server's data directory) through the same event handling as
 * {@link BinlogReader}. Useful for offline replays and tests.
 */
public final class BinlogFileCapture {
    private BinlogFileCapture() {
    }

    /**
     * Reads every change of a binlog file.
     *
     * @param fileName     the binlog file name written into the change sources and offsets
     * @param content      the file content (starting with the binlog magic bytes); closed by this method
     * @param filter       which tables to capture
     * @param schemaSource table definitions for servers that wrote no column metadata ({@link SchemaSource#none()} for
     *                     positional names)
     * @param logicalName  the logical server name for {@code source.name}
     */
    public static List<CapturedChange<BinlogOffset>> readAll(String fileName, InputStream content, TableFilter filter,
                                               SchemaSource schemaSource, String logicalName, CaptureLogger logger)
            throws IOException {
        return readFrom(BinlogOffset.at(fileName, 4), content, filter, schemaSource, logicalName, logger);
    }

    /**
     * Reads the changes after an offset of this file, as a reader resuming there would: events before the offset's
     * position are decoded but not handled, and the changes the offset counts as emitted are skipped.
     */
    public static List<CapturedChange<BinlogOffset>> readFrom(BinlogOffset offset, InputStream content, TableFilter filter,
                                                SchemaSource schemaSource, String logicalName, CaptureLogger logger)
            throws IOException {
        List<CapturedChange<BinlogOffset>> changes = new ArrayList<>();
        TableSchemaResolver resolver = new TableSchemaResolver(filter, schemaSource, MySqlCharsets.builtIn(), logger);
        BinlogEventProcessor processor = new BinlogEventProcessor(offset, false, null, logicalName, resolver, logger, changes::add);
        String fileName = offset.file();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(content, EventDeserializers.create())) {
            for (Event event = reader.readEvent(); event != null; event = reader.readEvent()) {
                if (((com.github.shyiko.mysql.binlog.event.EventHeaderV4) event.getHeader()).getPosition() >= offset.position()) {
                    processor.accept(event);
                }
            }
        } catch (EventDataDeserializationException e) {
            throw EventDeserializers.notDecodable(fileName, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while reading " + fileName, e);
        }
        return changes;
    }
}
