package org.mmemu.kernel.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.escape.EscapeCell;
import org.mmemu.kernel.escape.EscapePath;

/**
 * The escape matrix as a PNG heat map (XChart): eras across, paths down, each cell coloured by
 * the kernel memory that escaped, as a multiple of the limit; "n/a" cells are left blank.
 */
final class EscapeHeatMap {
    private static final int WIDTH = 900;
    private static final int ROW_HEIGHT = 60;
    private static final int MARGINS = 200;

    private EscapeHeatMap() {
    }

    /** Writes the heat map of {@code cells} ({@code paths} by {@code eras}, row by row) to {@code file}. */
    static void write(Path file, long limit, List<EscapePath> paths, List<Era> eras, List<EscapeCell> cells)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(MARGINS + ROW_HEIGHT * paths.size())
                .title("Kernel memory escaped from a cgroup at memory.max " + EscapeMatrixFormat.size(limit)
                        + " (multiples of the limit)")
                .xAxisTitle("era").yAxisTitle("path").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setMin(0);
        chart.getStyler().setHeatMapValueDecimalPattern("0.00");
        List<String> x = eras.stream().map(Era::version).toList();
        // XChart draws the first y value at the bottom: the rows go in reversed, so the first path is on top.
        List<String> y = new ArrayList<>(paths.stream().map(EscapePath::name).toList());
        Collections.reverse(y);
        List<Number[]> heat = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            EscapeCell c = cells.get(i);
            if (c.applicable()) {
                double rounded = Math.round(c.escapedLimits() * 100) / 100.0;
                heat.add(new Number[] {i % eras.size(), paths.size() - 1 - i / eras.size(), rounded});
            }
        }
        chart.addSeries("escaped", x, y, heat);
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
