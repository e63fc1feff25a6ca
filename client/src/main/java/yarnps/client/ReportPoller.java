package yarnps.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.exceptions.YarnException;

/**
 * Polls an application's report until it ends, showing a {@link ProgressLine} with the clock and
 * loss that the ApplicationMaster reports. On a terminal the line is redrawn in place; otherwise
 * (a log file, a pipe) a plain line is printed when the state or the whole percent changes, and at
 * least every 30 s.
 */
final class ReportPoller {
  private static final long AM_POLL_MS = 2_000;
  private static final long PLAIN_EVERY_MS = 30_000;

  private final YarnClient yarn;
  private final Configuration conf;
  private final PrintStream out;
  private final long pollMs;
  private final boolean interactive;
  private final AmStatusReader am;
  private int drawnWidth;

  ReportPoller(YarnClient yarn, Configuration conf, PrintStream out, long pollMs, boolean interactive, AmStatusReader am) {
    this.yarn = yarn;
    this.conf = conf;
    this.out = out;
    this.pollMs = pollMs;
    this.interactive = interactive;
    this.am = am;
  }

  ApplicationReport waitForEnd(ApplicationId id) throws IOException, YarnException, InterruptedException {
    YarnApplicationState lastState = null;
    int lastPermille = -1;
    long lastPrint = 0;
    long lastAmPoll = 0;
    long clock = -1;
    double loss = Double.NaN;
    boolean trackingShown = false;
    long localStart = System.currentTimeMillis();
    while (true) {
      ApplicationReport r = yarn.getApplicationReport(id);
      YarnApplicationState s = r.getYarnApplicationState();
      long now = System.currentTimeMillis();
      if (!trackingShown && s == YarnApplicationState.RUNNING && AmStatusReader.directUrl(r) != null) {
        permanent("tracking page: " + AmStatusReader.proxyUrl(r, conf) + " (ApplicationMaster: "
            + AmStatusReader.directUrl(r) + ")");
        trackingShown = true;
      }
      if (s == YarnApplicationState.RUNNING && now - lastAmPoll >= AM_POLL_MS) {
        lastAmPoll = now;
        try {
          JsonNode st = am.read(r, conf);
          clock = st.path("clock").path("max").asLong(clock);
          JsonNode l = st.path("loss");
          loss = l.isObject() ? l.path("mean").asDouble(loss) : loss;
        } catch (IOException e) {
          // The page is a nicety here: the report's state and progress still show.
        }
      }
      long start = r.getStartTime() > 0 ? r.getStartTime() : localStart;
      long end = r.getFinishTime() > 0 ? r.getFinishTime() : now;
      String line = ProgressLine.format(id.toString(), s, r.getProgress(), clock, loss, end - start);
      int permille = (int) (1000 * r.getProgress());
      if (interactive) {
        redraw(line);
      } else if (s != lastState || permille / 10 != lastPermille / 10 || now - lastPrint >= PLAIN_EVERY_MS) {
        out.println(line);
        lastPrint = now;
      }
      lastState = s;
      lastPermille = permille;
      if (YarnPsClient.ended(s)) {
        if (interactive) {
          out.println();
          drawnWidth = 0;
        }
        out.println(id + " ended: " + s + " / " + r.getFinalApplicationStatus());
        if (r.getDiagnostics() != null && !r.getDiagnostics().isBlank()) {
          out.println("diagnostics: " + r.getDiagnostics().strip());
        }
        return r;
      }
      Thread.sleep(pollMs);
    }
  }

  /** Redraws the progress line in place: carriage return, the line, blanks over what was longer. */
  private void redraw(String line) {
    out.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())));
    out.flush();
    drawnWidth = line.length();
  }

  /** Prints a line that stays, above the progress line when it is redrawn. */
  private void permanent(String line) {
    if (interactive && drawnWidth > 0) {
      out.print("\r" + " ".repeat(drawnWidth) + "\r");
      drawnWidth = 0;
    }
    out.println(line);
  }
}
