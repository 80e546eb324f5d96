package org.mmemu.kernel.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.mmemu.kernel.Era;
import org.mmemu.kernel.trace.MemoryCurrentSamples;

/**
 * {@code compare --plot}: memory.current over the run as line charts (XChart), one chart per
 * cgroup with one line per era, the charts one above the other in one PNG.
 */
final class MemoryCurrentPlot {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;

    private MemoryCurrentPlot() {
    }

    /** Draws {@code samples} (per era) of the workload {@code title} to {@code file}. */
    static void write(String title, Map<Era, MemoryCurrentSamples> samples, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, XYChart> charts = new LinkedHashMap<>();
        samples.forEach((era, s) -> s.series().forEach((cgroup, series) -> {
            XYChart chart = charts.computeIfAbsent(cgroup, c -> chart(title, c));
            List<Double> kib = new ArrayList<>();
            series.bytes().forEach(b -> kib.add(b / 1024.0));
            chart.addSeries(era.version(), series.steps(), kib).setMarker(SeriesMarkers.NONE);
        }));
        if (charts.isEmpty()) {
            charts.put("/", chart(title, "(no cgroup made)"));
            charts.get("/").addSeries("none", new double[] {0}, new double[] {0});
        }
        // One column: XChart's grid fails on a row it cannot fill.
        List<XYChart> all = new ArrayList<>(charts.values());
        BitmapEncoder.saveBitmap(all, all.size(), 1, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(String title, String cgroup) {
        return new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title + ": " + cgroup + " memory.current")
                .xAxisTitle("operation").yAxisTitle("KiB").build();
    }
}
