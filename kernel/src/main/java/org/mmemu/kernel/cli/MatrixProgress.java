package org.mmemu.kernel.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.mmemu.kernel.escape.EscapeCell;

/**
 * The escape matrix's progress bar (me.tongfei:progressbar) on stderr, one step per cell, the
 * cell just finished as its message; redrawn in place with a carriage return, ended with a newline.
 */
final class MatrixProgress implements AutoCloseable {
    private static final int WIDTH = 100;

    private final PrintWriter err;
    private final ProgressBar bar;

    MatrixProgress(PrintWriter err, int cells) {
        this.err = err;
        this.bar = new ProgressBarBuilder().setTaskName("escape-matrix").setInitialMax(cells)
                .setConsumer(new DelegatingProgressBarConsumer(line -> {
                    err.print('\r' + line);
                    err.flush();
                }, WIDTH))
                .build();
    }

    /** One more cell done. */
    void done(EscapeCell cell) {
        bar.setExtraMessage(cell.path() + " " + cell.era().version());
        bar.step();
    }

    @Override
    public void close() {
        bar.close();
        err.println();
        err.flush();
    }
}
