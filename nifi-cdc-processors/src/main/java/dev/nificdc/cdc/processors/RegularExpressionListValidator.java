package dev.nificdc.cdc.processors;

import dev.nificdc.cdc.core.TableFilter;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.components.Validator;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Validates a comma-separated list of regular expressions the way {@link TableFilter} reads it: every expression must
 * compile, so a mistyped pattern is a validation error on the property instead of a failure at every run.
 */
final class RegularExpressionListValidator implements Validator {
    static final Validator INSTANCE = new RegularExpressionListValidator();

    private RegularExpressionListValidator() {
    }

    @Override
    public ValidationResult validate(String subject, String input, ValidationContext context) {
        String value = input;
        if (input != null && context.isExpressionLanguageSupported(subject) && context.isExpressionLanguagePresent(input)) {
            value = context.newPropertyValue(input).evaluateAttributeExpressions().getValue();
        }
        for (String expression : TableFilter.split(value)) {
            try {
                Pattern.compile(expression);
            } catch (PatternSyntaxException e) {
                return new ValidationResult.Builder().subject(subject).input(input).valid(false)
                        .explanation("'" + expression + "' is not a valid regular expression: " + e.getDescription()
                                + " near index " + e.getIndex() + ". Use Java regular expression syntax; separate expressions"
                                + " with commas (write a comma inside an expression as \\x2C)")
                        .build();
            }
        }
        return new ValidationResult.Builder().subject(subject).input(input).valid(true).build();
    }
}
