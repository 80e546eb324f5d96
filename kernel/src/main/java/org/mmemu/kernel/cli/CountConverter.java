package org.mmemu.kernel.cli;

/** Converts a count, such as {@code --steps}: 0 or more. */
final class CountConverter extends NumberConverter {
    CountConverter() {
        super(0, Integer.MAX_VALUE, "is not a count from 0 to " + Integer.MAX_VALUE);
    }
}
