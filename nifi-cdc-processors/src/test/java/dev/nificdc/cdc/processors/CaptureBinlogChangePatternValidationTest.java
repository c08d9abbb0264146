package dev.nificdc.cdc.processors;

import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.util.MockProcessContext;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An include/exclude pattern that does not compile is a validation error on its property, naming the pattern and the error. */
class CaptureBinlogChangePatternValidationTest {
    private static final List<PropertyDescriptor> PATTERN_PROPERTIES = List.of(BinlogCaptureProperties.DATABASE_INCLUDE,
            BinlogCaptureProperties.DATABASE_EXCLUDE, BinlogCaptureProperties.TABLE_INCLUDE, BinlogCaptureProperties.TABLE_EXCLUDE,
            BinlogCaptureProperties.COLUMN_EXCLUDE);

    @ParameterizedTest
    @ValueSource(strings = {"Database Include Pattern", "Database Exclude Pattern", "Table Include Pattern", "Table Exclude Pattern",
            "Column Exclude Pattern"})
    void anInvalidExpressionInTheListIsAValidationErrorNamingItAndTheRegexError(String property) {
        TestRunner runner = validRunner();
        runner.setProperty(property, "shop\\.orders, shop\\.(order_lines");

        List<ValidationResult> invalid = invalidResults(runner);
        assertEquals(1, invalid.size(), invalid.toString());
        ValidationResult result = invalid.getFirst();
        assertEquals(property, result.getSubject());
        assertTrue(result.getExplanation().contains("'shop\\.(order_lines' is not a valid regular expression: Unclosed group"),
                result.getExplanation());
    }

    @ParameterizedTest
    @ValueSource(strings = {"shop", "shop\\.orders,shop\\.order_.*", "a\\x2Cb", "(?i)inventory|shop"})
    void validExpressionsPassOnEveryPatternProperty(String expressions) {
        TestRunner runner = validRunner();
        PATTERN_PROPERTIES.forEach(p -> runner.setProperty(p, expressions));
        assertEquals(List.of(), invalidResults(runner));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[a-", "*orders", "shop\\"})
    void commonMistakesAreCaught(String expression) {
        TestRunner runner = validRunner();
        runner.setProperty(BinlogCaptureProperties.TABLE_INCLUDE, expression);
        List<ValidationResult> invalid = invalidResults(runner);
        assertEquals(1, invalid.size(), invalid.toString());
        assertTrue(invalid.getFirst().getExplanation().startsWith("'" + expression + "' is not a valid regular expression: "),
                invalid.getFirst().getExplanation());
    }

    private static TestRunner validRunner() {
        TestRunner runner = TestRunners.newTestRunner(CaptureBinlogChange.class);
        runner.setProperty(BinlogCaptureProperties.HOSTS, "db.example.com:3306");
        runner.setProperty(BinlogCaptureProperties.USERNAME, "nifi_cdc");
        runner.setProperty(OutputProperties.RECORD_WRITER, "writer");
        runner.setValidateExpressionUsage(false);
        return runner;
    }

    /** Validation results other than the Record Writer's (no such service exists in this test). */
    private static List<ValidationResult> invalidResults(TestRunner runner) {
        Collection<ValidationResult> results = ((MockProcessContext) runner.getProcessContext()).validate();
        return results.stream().filter(r -> !r.isValid()).filter(r -> !r.getSubject().equals("Record Writer")).toList();
    }
}
