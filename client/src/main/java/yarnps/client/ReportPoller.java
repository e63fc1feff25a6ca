package yarnps.client;

import java.io.IOException;
import java.io.PrintStream;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.exceptions.YarnException;

/** Polls an application's report until it ends, printing state and progress as they change. */
final class ReportPoller {
  private final YarnClient yarn;
  private final PrintStream out;
  private final long pollMs;

  ReportPoller(YarnClient yarn, PrintStream out, long pollMs) {
    this.yarn = yarn;
    this.out = out;
    this.pollMs = pollMs;
  }

  ApplicationReport waitForEnd(ApplicationId id) throws IOException, YarnException, InterruptedException {
    YarnApplicationState lastState = null;
    int lastPercent = -1;
    boolean trackingShown = false;
    long lastPrint = 0;
    long start = System.currentTimeMillis();
    while (true) {
      ApplicationReport r = yarn.getApplicationReport(id);
      YarnApplicationState s = r.getYarnApplicationState();
      int percent = (int) (100 * r.getProgress());
      long now = System.currentTimeMillis();
      if (s != lastState || percent != lastPercent || now - lastPrint > 30_000) {
        out.printf("%s %s progress %d%% (%ds)%n", id, s, percent, (now - start) / 1000);
        lastState = s;
        lastPercent = percent;
        lastPrint = now;
      }
      if (!trackingShown && s == YarnApplicationState.RUNNING && r.getOriginalTrackingUrl() != null
          && r.getOriginalTrackingUrl().startsWith("http")) {
        out.println("tracking page: " + r.getOriginalTrackingUrl());
        trackingShown = true;
      }
      if (YarnPsClient.ended(s)) {
        out.println(id + " ended: " + s + " / " + r.getFinalApplicationStatus());
        if (r.getDiagnostics() != null && !r.getDiagnostics().isBlank()) {
          out.println("diagnostics: " + r.getDiagnostics().strip());
        }
        return r;
      }
      Thread.sleep(pollMs);
    }
  }
}
