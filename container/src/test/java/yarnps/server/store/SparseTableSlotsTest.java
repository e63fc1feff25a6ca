package yarnps.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import yarnps.conf.Initializer;
import yarnps.conf.Initializer.Kind;

/** The row-slot API: {@code slotsOf}, {@code pushSlots}, {@code pullSlots}, {@code structureVersion}. */
class SparseTableSlotsTest {

  private static final Initializer UNIFORM = new Initializer(new Initializer.Spec(Kind.UNIFORM, 0.5), 7);

  private static Map<Long, float[]> contents(SparseTable t) {
    Map<Long, float[]> m = new HashMap<>();
    t.forEach((k, d, o) -> m.put(k, Arrays.copyOfRange(d, o, o + t.stride())));
    return m;
  }

  private static void assertSameContents(SparseTable a, SparseTable b) {
    Map<Long, float[]> ma = contents(a);
    Map<Long, float[]> mb = contents(b);
    assertEquals(ma.keySet(), mb.keySet());
    for (long k : ma.keySet()) {
      assertArrayEquals(ma.get(k), mb.get(k), "key " + k);
    }
  }

  /**
   * One table driven by push/pull, the other by a key cache as a server would keep one: slots of a
   * batch resolved once and re-resolved only when the structure version moved.
   */
  @Test
  void slotsGiveTheSameResultsAsKeys() {
    for (int width : new int[] {1, 2}) {
      Updater updater = width == 1 ? new AddUpdater() : new AdaGradUpdater(0.1, 0.01, 0.01, 1e-6);
      SparseTable byKey = new SparseTable(width, updater, UNIFORM, 0);
      SparseTable bySlot = new SparseTable(width, updater, UNIFORM, 0);
      SplittableRandom rnd = new SplittableRandom(width);
      long[] pool = SparseTableTest.adversarialKeys(5000, rnd);
      int batches = 50;
      int n = 300;
      long[][] keys = new long[batches][n + 3];
      int[][] slots = new int[batches][n + 1];
      int[] versions = new int[batches];
      for (int b = 0; b < batches; b++) {
        for (int i = 0; i < keys[b].length; i++) {
          keys[b][i] = pool[rnd.nextInt(pool.length)];
        }
        versions[b] = -1;
      }
      int reused = 0;
      int withMissing = 0;
      for (int round = 0; round < 2000; round++) {
        int b = rnd.nextInt(round < 300 ? 5 : batches);
        long[] k = keys[b];
        int from = 3;
        if (bySlot.structureVersion() != versions[b]) {
          versions[b] = bySlot.structureVersion();
          bySlot.slotsOf(k, from, from + n, slots[b], 1);
        } else {
          reused++;
        }
        if (Arrays.stream(slots[b]).skip(1).anyMatch(s -> s < 0)) {
          withMissing++;
        }
        if (rnd.nextInt(3) == 0) {
          float[] values = new float[n * width + 5];
          for (int i = 0; i < values.length; i++) {
            values[i] = (float) rnd.nextGaussian();
          }
          byKey.push(k, from, from + n, values, 5);
          bySlot.pushSlots(slots[b], 1, n, k, from, values, 5);
        } else {
          float[] want = new float[n * width + 1];
          float[] got = new float[n * width + 1];
          byKey.pull(k, from, from + n, want, 1);
          long size = bySlot.size();
          int version = bySlot.structureVersion();
          bySlot.pullSlots(slots[b], 1, n, k, from, got, 1);
          assertArrayEquals(want, got, "round " + round);
          assertEquals(size, bySlot.size(), "pullSlots must not insert");
          assertEquals(version, bySlot.structureVersion());
        }
        assertEquals(byKey.size(), bySlot.size());
      }
      assertTrue(reused > 500, "cached slots were reused " + reused + " times");
      assertTrue(withMissing > 20, "batches with missing keys: " + withMissing);
      assertSameContents(byKey, bySlot);
    }
  }

  @Test
  void slotsOfReportsMissingKeysAndInsertsNothing() {
    SparseTable t = new SparseTable(1, new AddUpdater(), UNIFORM, 0);
    t.push(new long[] {0, 5, -1}, 0, 3, new float[] {1, 2, 3}, 0);
    int version = t.structureVersion();
    int[] slots = new int[6];
    Arrays.fill(slots, 99);
    t.slotsOf(new long[] {7, 5, 0, 6, -1}, 1, 5, slots, 2);
    assertEquals(99, slots[1]);
    assertTrue(slots[2] >= 0 && slots[3] >= 0 && slots[5] >= 0);
    assertEquals(-1, slots[4]);
    assertEquals(3, t.size());
    assertEquals(version, t.structureVersion());
    assertThrows(IndexOutOfBoundsException.class, () -> t.slotsOf(new long[] {1, 2}, 0, 2, new int[1], 0));
    assertThrows(IndexOutOfBoundsException.class,
        () -> t.pullSlots(new int[] {-1, -1}, 0, 2, new long[] {1, 2}, 0, new float[1], 0));
    assertThrows(IndexOutOfBoundsException.class,
        () -> t.pushSlots(new int[] {-1}, 0, 2, new long[] {1, 2}, 0, new float[2], 0));
  }

  @Test
  void structureVersionMovesOnInsertAndRehashOnly() {
    SparseTable t = new SparseTable(1, new AddUpdater(), UNIFORM, 0);
    int v = t.structureVersion();
    long[] keys = {0, 11, 12};
    float[] out = new float[3];
    t.pull(keys, 0, 3, out, 0);
    assertEquals(v, t.structureVersion(), "pull of missing keys");
    t.push(keys, 0, 1, new float[] {1}, 0);
    assertNotEquals(v, v = t.structureVersion(), "insert of key 0");
    t.push(keys, 1, 2, new float[] {1}, 0);
    assertNotEquals(v, v = t.structureVersion(), "insert of key 11");
    t.push(keys, 0, 2, new float[] {1, 1}, 0);
    t.putRow(11, new float[] {4}, 0);
    t.slotsOf(keys, 0, 3, new int[3], 0);
    t.pull(keys, 0, 3, out, 0);
    assertEquals(v, t.structureVersion(), "updates, putRow of a stored key, slotsOf and pull");
    t.putRow(12, new float[] {4}, 0);
    assertNotEquals(v, t.structureVersion(), "putRow of a new key");
  }

  /**
   * Slots must be re-resolved when the version moved: a rehash moves rows. With assertions on (as in
   * tests), using a slot that no longer holds its key fails an assert; without, it reads another row.
   */
  @Test
  void rehashMovesSlotsAndStaleSlotsFailAnAssert() {
    SparseTable t = new SparseTable(1, new AddUpdater(), UNIFORM, 0);
    long[] keys = new long[12];
    float[] values = new float[12];
    for (int i = 0; i < 12; i++) {
      keys[i] = 1000 + i;
      values[i] = i;
    }
    t.push(keys, 0, 12, values, 0);
    int[] before = new int[12];
    t.slotsOf(keys, 0, 12, before, 0);
    long memory = t.memoryBytes();
    int version = t.structureVersion();
    t.push(new long[] {1}, 0, 1, new float[] {0}, 0);
    assertTrue(t.memoryBytes() > memory, "the 13th key must rehash 16 slots");
    assertNotEquals(version, t.structureVersion());
    int[] after = new int[12];
    t.slotsOf(keys, 0, 12, after, 0);
    assertTrue(!Arrays.equals(before, after), "some slot moved");

    float[] out = new float[12];
    t.pullSlots(after, 0, 12, keys, 0, out, 0);
    for (int i = 0; i < 12; i++) {
      assertEquals(values[i] + UNIFORM.value(keys[i], 0), out[i], 1e-6f);
    }
    boolean assertions = false;
    assert assertions = true;
    assumeTrue(assertions, "stale slots are detected only with -ea");
    int moved = 0;
    while (before[moved] == after[moved]) {
      moved++;
    }
    int[] stale = {before[moved]};
    long[] key = {keys[moved]};
    assertThrows(AssertionError.class, () -> t.pullSlots(stale, 0, 1, key, 0, new float[1], 0));
  }

  /**
   * Slots resolved before a batch whose missing key makes the table rehash: the rest of the batch
   * must go by key, or its updates land on the rows that the old slots now point at.
   */
  @Test
  void pushSlotsThatRehashesMidBatchFinishesByKey() {
    SparseTable byKey = new SparseTable(1, new AddUpdater(), UNIFORM, 0);
    SparseTable bySlot = new SparseTable(1, new AddUpdater(), UNIFORM, 0);
    long[] fill = new long[12];
    for (int i = 0; i < 12; i++) {
      fill[i] = 77 * (i + 1);
    }
    byKey.push(fill, 0, 12, new float[12], 0);
    bySlot.push(fill, 0, 12, new float[12], 0);
    // New keys first, then all 12 stored keys: the first new key rehashes 16 slots to 20.
    long[] batch = new long[16];
    batch[0] = 5;
    batch[1] = 6;
    batch[2] = 5;
    batch[3] = 0;
    System.arraycopy(fill, 0, batch, 4, 12);
    float[] values = new float[16];
    for (int i = 0; i < 16; i++) {
      values[i] = i + 1;
    }
    int[] slots = new int[16];
    bySlot.slotsOf(batch, 0, 16, slots, 0);
    assertEquals(-1, slots[0]);
    assertEquals(-1, slots[3]);
    long memory = bySlot.memoryBytes();
    bySlot.pushSlots(slots, 0, 16, batch, 0, values, 0);
    byKey.push(batch, 0, 16, values, 0);
    assertTrue(bySlot.memoryBytes() > memory, "the batch must have rehashed the table");
    assertEquals(15, bySlot.size());
    assertSameContents(byKey, bySlot);
  }
}
