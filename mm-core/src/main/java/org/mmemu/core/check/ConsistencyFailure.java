package org.mmemu.core.check;

import java.util.List;

/**
 * A machine failed its checks ({@link ConsistencyChecks#runWithExpectations()}): the message
 * lists each problem, pages with their dump_page text. An {@link AssertionError}, so a test
 * framework reports it as the test's failure. The test kit's {@code TestMachine.verify()} and
 * the {@code Kernel} facade's {@code close()} throw it.
 */
public final class ConsistencyFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    /** The problems, as the checks worded them. */
    private final transient List<String> problems;

    private ConsistencyFailure(String message, List<String> problems) {
        super(message);
        this.problems = problems;
    }

    /**
     * Throws a failure for {@code machine} ("machine (64M, 4 CPUs)") listing {@code problems},
     * if there are any.
     */
    public static void throwIfAny(String machine, List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(machine).append(" failed its checks:");
        boolean leaked = false;
        for (String p : problems) {
            sb.append("\n- ").append(p.strip().replace("\n", "\n    "));
            leaked |= p.startsWith(PageLeakCheck.NAME + ":");
        }
        if (leaked) {
            sb.append("\n(free every page the test allocates, or declare a deliberate leak with"
                    + " expectLeak(page))");
        }
        throw new ConsistencyFailure(sb.toString(), List.copyOf(problems));
    }

    /** Each problem, as {@link ConsistencyChecks#runWithExpectations()} returned it. */
    public List<String> problems() {
        return problems;
    }
}
