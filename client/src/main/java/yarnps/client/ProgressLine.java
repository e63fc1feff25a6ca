package yarnps.client;

import java.util.Locale;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;

/**
 * The client's one-line view of a job while it waits:
 * {@code application_1_0001 RUNNING [######--------------]  31.5%  clock 1240  loss 0.4712  0:01:23}.
 * Clock and loss come from the ApplicationMaster and are left out when it has not told them.
 */
final class ProgressLine {
  private ProgressLine() {}

  static final int BAR_WIDTH = 20;

  /**
   * @param clock the workers' highest clock, or -1 if unknown
   * @param loss the mean training loss, or NaN if unknown
   */
  static String format(String appId, YarnApplicationState state, double progress, long clock, double loss,
      long elapsedMs) {
    StringBuilder sb = new StringBuilder(96).append(appId).append(' ').append(state).append(' ')
        .append(bar(progress, BAR_WIDTH)).append(String.format(Locale.ROOT, " %5.1f%%", 100 * clamp(progress)));
    if (clock >= 0) {
      sb.append("  clock ").append(clock);
    }
    if (!Double.isNaN(loss)) {
      sb.append(String.format(Locale.ROOT, "  loss %.4f", loss));
    }
    return sb.append("  ").append(elapsed(elapsedMs)).toString();
  }

  static String bar(double fraction, int width) {
    int full = (int) Math.round(clamp(fraction) * width);
    return "[" + "#".repeat(full) + "-".repeat(width - full) + "]";
  }

  static String elapsed(long ms) {
    long s = Math.max(0, ms) / 1000;
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }

  private static double clamp(double v) {
    return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
  }
}
