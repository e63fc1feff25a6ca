package yarnps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AppliedIdsTest {
  private static long id(long clock, long seq) {
    return clock << 24 | seq;
  }

  /** Runs over the given ranges (from/to are irrelevant to dedup). */
  private static int[] runs(int... ranges) {
    int[] r = new int[3 * ranges.length];
    for (int i = 0; i < ranges.length; i++) {
      r[3 * i] = ranges[i];
    }
    return r;
  }

  @Test
  void aResentPushIsRecognisedPerRangeAndPart() {
    AppliedIds ids = new AppliedIds(2);
    boolean[] fresh = new boolean[4];
    assertEquals(2, ids.mark(0, id(3, 7), 1, 0, runs(4, 9), 2, fresh));
    assertEquals(0, ids.mark(0, id(3, 7), 1, 0, runs(4, 9), 2, fresh), "the same request again");
    assertArrayEquals(new boolean[] {false, false, false, false}, fresh);
    assertEquals(1, ids.mark(0, id(3, 7), 1, 0, runs(9, 11), 2, fresh), "range 11 of it was not stored yet");
    assertArrayEquals(new boolean[] {false, true}, java.util.Arrays.copyOf(fresh, 2));
    assertEquals(1, ids.mark(0, id(3, 7), 2, 0, runs(4), 1, fresh), "another part of the call");
    assertEquals(1, ids.mark(1, id(3, 7), 1, 0, runs(4), 1, fresh), "another worker");
    assertEquals(1, ids.mark(0, id(3, 8), 1, 0, runs(4), 1, fresh), "another push");
    assertEquals(1, ids.mark(0, -1, -1, 0, runs(4), 1, fresh), "a push without id is always new");
    assertEquals(1, ids.mark(0, -1, -1, 0, runs(4), 1, fresh));
  }

  @Test
  void pushesBelowTheWorkersClockAreDuplicatesAndTheWindowKeepsSixteenClocks() {
    AppliedIds ids = new AppliedIds(1);
    boolean[] fresh = new boolean[1];
    assertEquals(1, ids.mark(0, id(0, 1), 0, 0, runs(0), 1, fresh));
    assertEquals(0, ids.mark(0, id(4, 1), 0, 5, runs(0), 1, fresh), "clock 4 < the worker's clock 5: all acknowledged");
    for (long c = 1; c <= AppliedIds.CLOCKS; c++) {
      ids.mark(0, id(c, 0), 0, 0, runs(0), 1, fresh);
    }
    assertFalse(ids.contains(0, id(0, 1), 0, 0), "clock 0 left the window of the last 16 clocks");
    assertTrue(ids.contains(0, id(1, 0), 0, 0));
    assertEquals(1, ids.mark(0, id(0, 1), 0, 0, runs(0), 1, fresh), "older than the window: treated as new");
    assertEquals(1, ids.unknown.sum());
  }

  @Test
  void peersExportAndImportTheRangesAReplacementHolds() {
    AppliedIds a = new AppliedIds(2);
    boolean[] fresh = new boolean[2];
    a.mark(1, id(2, 5), 3, 0, runs(0, 1), 2, fresh);
    a.mark(1, id(3, 6), 0, 0, runs(2), 1, fresh);
    List<Long> out = a.export(1);
    AppliedIds b = new AppliedIds(2);
    b.importFrom(1, out, new boolean[] {true, false, true});
    assertTrue(b.contains(1, id(2, 5), 3, 0));
    assertFalse(b.contains(1, id(2, 5), 3, 1), "range 1 is not held by the importer");
    assertTrue(b.contains(1, id(3, 6), 0, 2));
    assertEquals(0, b.mark(1, id(2, 5), 3, 0, runs(0), 1, fresh));
    assertTrue(a.export(0).isEmpty());
  }

  /**
   * Two peers' windows differ (one saw later clocks): once the newer is merged, the older peer's
   * clocks that fall out of the window are skipped, not refused (a CI run failed the recovery on
   * this), and its clocks still in the window are kept.
   */
  @Test
  void mergingAPeerWhoseWindowIsOlderSkipsItsOutOfWindowClocks() {
    boolean[] fresh = new boolean[1];
    AppliedIds newer = new AppliedIds(1);
    for (long c = 20; c < 20 + AppliedIds.CLOCKS; c++) {
      newer.mark(0, id(c, 1), 0, 0, runs(0), 1, fresh);
    }
    AppliedIds older = new AppliedIds(1);
    for (long c = 2; c <= 21; c++) {
      older.mark(0, id(c, 2), 0, 0, runs(0), 1, fresh);
    }
    AppliedIds b = new AppliedIds(1);
    boolean[] all = {true};
    b.importFrom(0, newer.export(0), all);
    b.importFrom(0, older.export(0), all);
    assertTrue(b.contains(0, id(35, 1), 0, 0));
    assertTrue(b.contains(0, id(21, 2), 0, 0), "clock 21 of the older peer is inside the window");
    assertFalse(b.contains(0, id(6, 2), 0, 0), "clock 6 is far older than the window");
    assertThrows(IllegalArgumentException.class, () -> b.importFrom(0, List.of(5L), all), "an entry before any clock");
  }
}
