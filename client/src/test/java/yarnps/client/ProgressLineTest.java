package yarnps.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

  @Test
  void showsStateBarClockLossAndElapsed() {
    assertEquals("application_1_0001 RUNNING [######--------------]  31.5%  clock 1240  loss 0.4712  0:01:23",
        ProgressLine.format("application_1_0001", YarnApplicationState.RUNNING, 0.315, 1240, 0.47119, 83_400));
  }

  @Test
  void leavesOutWhatTheAmHasNotTold() {
    assertEquals("application_1_0001 ACCEPTED [--------------------]   0.0%  0:00:02",
        ProgressLine.format("application_1_0001", YarnApplicationState.ACCEPTED, 0, -1, Double.NaN, 2_000));
  }

  @Test
  void barAndElapsedStayInRange() {
    assertEquals("[##########]", ProgressLine.bar(1.7, 10));
    assertEquals("[----------]", ProgressLine.bar(-1, 10));
    assertEquals("[#####-----]", ProgressLine.bar(0.5, 10));
    assertEquals("26:03:04", ProgressLine.elapsed((26 * 3600 + 3 * 60 + 4) * 1000L));
  }
}
