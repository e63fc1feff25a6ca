package yarnps.client;

import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.yarn.api.records.ApplicationReport;

/** The table {@code list} prints: one row per yarn-ps application, oldest first. */
final class AppList {
  private AppList() {}

  static final String[] HEADER = {"APPLICATION", "STATE", "FINAL", "PROGRESS", "USER", "QUEUE", "NAME", "STARTED",
      "ELAPSED", "TRACKING URL"};

  static String table(List<ApplicationReport> apps, long nowMs, java.util.function.Function<ApplicationReport, String> url) {
    List<ApplicationReport> sorted = new ArrayList<>(apps);
    sorted.sort(Comparator.comparing(ApplicationReport::getApplicationId));
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    SimpleDateFormat time = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    for (ApplicationReport r : sorted) {
      long end = r.getFinishTime() > 0 ? r.getFinishTime() : nowMs;
      String tracking = url.apply(r);
      rows.add(new String[] {
          r.getApplicationId().toString(), r.getYarnApplicationState().name(), r.getFinalApplicationStatus().name(),
          String.format(Locale.ROOT, "%.1f%%", 100 * r.getProgress()), r.getUser(), r.getQueue(), r.getName(),
          r.getStartTime() > 0 ? time.format(new Date(r.getStartTime())) : "-",
          r.getStartTime() > 0 ? ProgressLine.elapsed(end - r.getStartTime()) : "-",
          tracking == null ? "-" : tracking});
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        sb.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
