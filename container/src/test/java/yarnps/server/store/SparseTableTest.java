package yarnps.server.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import yarnps.conf.Initializer;
import yarnps.conf.Initializer.Kind;

class SparseTableTest {

  private static final Initializer UNIFORM = new Initializer(new Initializer.Spec(Kind.UNIFORM, 0.5), 99);
  private static final Initializer ZERO = new Initializer(new Initializer.Spec(Kind.ZERO, 0), 1);

  private static float[] initRow(Initializer init, long key, int width) {
    float[] row = new float[width];
    init.fill(key, width, row, 0);
    return row;
  }

  @Test
  void matchesHashMapUnderRandomPushesAndPulls() {
    int width = 3;
    SparseTable t = new SparseTable(width, new AddUpdater(), UNIFORM, 1);
    Map<Long, float[]> ref = new HashMap<>();
    SplittableRandom rnd = new SplittableRandom(21);
    long[] pool = adversarialKeys(3000, rnd);
    long lastMemory = t.memoryBytes();
    int grew = 0;
    for (int round = 0; round < 400; round++) {
      int n = rnd.nextInt(1, 60);
      long[] keys = new long[n + 2];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = pool[rnd.nextInt(round < 20 ? 10 : pool.length)];
      }
      int from = 1;
      int to = n + 1;
      if (rnd.nextBoolean()) {
        float[] values = new float[2 + n * width];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) rnd.nextGaussian();
        }
        t.push(keys, from, to, values, 2);
        for (int i = from; i < to; i++) {
          float[] row = ref.computeIfAbsent(keys[i], k -> initRow(UNIFORM, k, width));
          for (int j = 0; j < width; j++) {
            row[j] += values[2 + (i - from) * width + j];
          }
        }
      } else {
        float[] out = new float[1 + n * width];
        long sizeBefore = t.size();
        t.pull(keys, from, to, out, 1);
        assertEquals(sizeBefore, t.size(), "pull must not insert");
        for (int i = from; i < to; i++) {
          float[] want = ref.getOrDefault(keys[i], initRow(UNIFORM, keys[i], width));
          assertArrayEquals(want, Arrays.copyOfRange(out, 1 + (i - from) * width, 1 + (i - from + 1) * width),
              "key " + keys[i]);
        }
      }
      assertEquals(ref.size(), t.size());
      if (t.memoryBytes() > lastMemory) {
        grew++;
        lastMemory = t.memoryBytes();
      }
    }
    assertTrue(grew >= 5, "the table must have resized several times, grew " + grew);
    assertTrue(ref.containsKey(0L) && ref.containsKey(-1L));

    Map<Long, float[]> seen = new HashMap<>();
    t.forEach((key, data, off) -> {
      assertTrue(seen.put(key, Arrays.copyOfRange(data, off, off + t.stride())) == null, "visited twice");
    });
    assertEquals(ref.keySet(), seen.keySet());
    for (Map.Entry<Long, float[]> e : ref.entrySet()) {
      assertArrayEquals(e.getValue(), seen.get(e.getKey()));
    }
  }

  @Test
  void missingKeysReadAsInitializerAndAreNotInserted() {
    SparseTable t = new SparseTable(4, new AddUpdater(), UNIFORM, 0);
    long[] keys = {0, 5, -1L, 123456789L};
    float[] out = new float[16];
    t.pull(keys, 0, 4, out, 0);
    for (int i = 0; i < 4; i++) {
      float[] want = initRow(UNIFORM, keys[i], 4);
      assertTrue(want[0] != 0f || want[1] != 0f, "the initializer is not all zeros");
      assertArrayEquals(want, Arrays.copyOfRange(out, 4 * i, 4 * i + 4));
    }
    assertEquals(0, t.size());
    t.forEach((k, d, o) -> {
      throw new AssertionError("nothing stored, got key " + k);
    });
    t.push(new long[] {5}, 0, 1, new float[] {1, 1, 1, 1}, 0);
    assertEquals(1, t.size());
    t.pull(keys, 1, 2, out, 0);
    float[] init5 = initRow(UNIFORM, 5, 4);
    for (int j = 0; j < 4; j++) {
      assertEquals(init5[j] + 1f, out[j]);
    }
  }

  @Test
  void newRowsStartWithZeroStateAndPutRowRestores() {
    Updater ftrl = new FtrlUpdater(0.1, 1, 0, 0);
    SparseTable t = new SparseTable(2, ftrl, ZERO, 4);
    assertEquals(6, t.stride());
    assertEquals(2, t.width());
    SplittableRandom rnd = new SplittableRandom(4);
    long[] keys = new long[200];
    float[] grads = new float[400];
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < keys.length; i++) {
        keys[i] = rnd.nextLong(300) - 150;
      }
      for (int i = 0; i < grads.length; i++) {
        grads[i] = (float) rnd.nextGaussian();
      }
      t.push(keys, 0, keys.length, grads, 0);
    }
    // A single push on a fresh key leaves z = g, n = g^2: its state started at zero.
    t.push(new long[] {1L << 50}, 0, 1, new float[] {0.5f, -2f}, 0);
    float[][] row = new float[1][];
    t.forEach((k, d, o) -> {
      if (k == 1L << 50) {
        row[0] = Arrays.copyOfRange(d, o, o + 6);
      }
    });
    assertNotNull(row[0]);
    assertEquals(0.5f, row[0][2]);
    assertEquals(-2f, row[0][3]);
    assertEquals(0.25f, row[0][4]);
    assertEquals(4f, row[0][5]);

    SparseTable copy = new SparseTable(2, ftrl, UNIFORM, 0);
    t.forEach(copy::putRow);
    assertEquals(t.size(), copy.size());
    Map<Long, float[]> a = new HashMap<>();
    Map<Long, float[]> b = new HashMap<>();
    t.forEach((k, d, o) -> a.put(k, Arrays.copyOfRange(d, o, o + 6)));
    copy.forEach((k, d, o) -> b.put(k, Arrays.copyOfRange(d, o, o + 6)));
    assertEquals(a.keySet(), b.keySet());
    for (long k : a.keySet()) {
      assertArrayEquals(a.get(k), b.get(k));
    }
  }

  /**
   * 0, -1, Long.MIN_VALUE and Long.MAX_VALUE, then a mix of random keys, sequential keys, negative
   * sequential keys and multiples of 2^20, 2^32, 2^40 and 2^56 (keys whose low bits are all zero).
   */
  static long[] adversarialKeys(int n, SplittableRandom rnd) {
    long[] pool = new long[n];
    pool[0] = 0;
    pool[1] = -1L;
    pool[2] = Long.MIN_VALUE;
    pool[3] = Long.MAX_VALUE;
    int[] shifts = {20, 32, 40, 56};
    for (int i = 4; i < n; i++) {
      switch (i % 6) {
        case 0:
          pool[i] = rnd.nextLong();
          break;
        case 1:
          pool[i] = -i;
          break;
        case 2:
          pool[i] = (long) (i / 6) << shifts[(i / 6) % shifts.length];
          break;
        default:
          pool[i] = i;
      }
    }
    return pool;
  }

  @Test
  void growsThroughManySizesKeepingEveryRow() {
    for (int width : new int[] {1, 3}) {
      SparseTable t = new SparseTable(width, new AddUpdater(), UNIFORM, 0);
      long[] keys = adversarialKeys(60_000, new SplittableRandom(width));
      Map<Long, Integer> pushes = new HashMap<>();
      float[] one = new float[width];
      Arrays.fill(one, 1f);
      long memory = t.memoryBytes();
      int growths = 0;
      for (int i = 0; i < keys.length; i++) {
        t.push(keys, i, i + 1, one, 0);
        pushes.merge(keys[i], 1, Integer::sum);
        if (t.memoryBytes() != memory) {
          memory = t.memoryBytes();
          growths++;
          // Right after a rehash: every key pushed so far is there once, with all its pushes.
          assertEquals(pushes.size(), t.size());
          float[] got = new float[width];
          for (Map.Entry<Long, Integer> e : pushes.entrySet()) {
            t.pull(new long[] {e.getKey()}, 0, 1, got, 0);
            float[] want = initRow(UNIFORM, e.getKey(), width);
            for (int j = 0; j < width; j++) {
              for (int p = 0; p < e.getValue(); p++) {
                want[j] += 1f;
              }
            }
            assertArrayEquals(want, got, "key " + e.getKey() + " after growth " + growths);
          }
        }
      }
      // 16 slots growing by 1.25x to hold 60000 keys at most 0.8 full: about 35 rehashes.
      assertTrue(growths >= 30, "width " + width + " grew " + growths + " times");
    }
  }

  /** Inverse of {@link SparseTable#hash}: keys with any hashes we choose. */
  private static long unhash(long h) {
    h ^= h >>> 33;
    h *= inverse(0xc4ceb9fe1a85ec53L);
    h ^= h >>> 33;
    h *= inverse(0xff51afd7ed558ccdL);
    h ^= h >>> 33;
    return h;
  }

  /** The inverse of an odd number modulo 2^64, by Newton's iteration (3, 6, ..., 96 bits). */
  private static long inverse(long a) {
    long x = a;
    for (int i = 0; i < 5; i++) {
      x *= 2 - a * x;
    }
    return x;
  }

  @Test
  void keysThatAllHashToTheLastSlotWrapAround() {
    // Hashes just below 2^64 have the last slot as home at every capacity: one cluster that wraps.
    int n = 3000;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      long h = 0xFFFFFFFF_00000000L | i;
      keys[i] = unhash(h);
      assertEquals(h, SparseTable.hash(keys[i]));
    }
    SparseTable t = new SparseTable(2, new AddUpdater(), ZERO, 0);
    float[] values = new float[2 * n];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    for (int i = 0; i < n; i += 7) {
      t.push(keys, i, Math.min(n, i + 7), values, 2 * i);
    }
    t.push(new long[] {0L}, 0, 1, new float[] {-1f, -2f}, 0);
    assertEquals(n + 1, t.size());
    float[] out = new float[2 * n];
    t.pull(keys, 0, n, out, 0);
    assertArrayEquals(values, out);
    long[] missing = {unhash(0xFFFFFFFF_00000000L | n), unhash(-1L), 0L};
    float[] miss = new float[6];
    t.pull(missing, 0, 3, miss, 0);
    assertArrayEquals(new float[] {0f, 0f, 0f, 0f, -1f, -2f}, miss);
    assertEquals(n + 1, t.size());
  }

  @Test
  void widthOneTakesAtMostTwentyBytesPerKeyFromHundredThousandToTwelveMillionKeys() {
    // A memory property of the layout, not a timing: checked after every single insert.
    int n = 12_000_000;
    SparseTable t = new SparseTable(1, new AddUpdater(), ZERO, 1024);
    long[] key = new long[1];
    float[] one = {1f};
    double worst = 0;
    double best = Double.MAX_VALUE;
    for (int i = 1; i <= n; i++) {
      key[0] = i * 0x9E3779B97F4A7C15L;
      t.push(key, 0, 1, one, 0);
      if (i >= 100_000) {
        double perKey = t.memoryBytes() / (double) i;
        worst = Math.max(worst, perKey);
        best = Math.min(best, perKey);
        if (perKey > 20) {
          throw new AssertionError(perKey + " bytes per key at " + i + " keys");
        }
      }
    }
    assertEquals(n, t.size());
    // 12 raw bytes per key at a load between 0.64 and 0.8.
    assertTrue(worst <= 18.76 && worst > 18.5, "worst " + worst);
    assertTrue(best >= 15 && best < 15.1, "best " + best);
    float[] out = new float[2];
    t.pull(new long[] {n * 0x9E3779B97F4A7C15L, 0}, 0, 2, out, 0);
    assertArrayEquals(new float[] {1f, 0f}, out);
  }

  @Test
  void wideRowsStayWithinTheSameFactorOfTheirRawSize() {
    SparseTable t = new SparseTable(2, new FtrlUpdater(0.1, 1, 0, 0), ZERO, 0);
    assertEquals(6, t.stride());
    long[] key = new long[1];
    float[] g = {1f, 1f};
    double raw = Long.BYTES + 6 * Float.BYTES;
    for (int i = 1; i <= 300_000; i++) {
      key[0] = -i;
      t.push(key, 0, 1, g, 0);
      if (i >= 1000) {
        double factor = t.memoryBytes() / (raw * i);
        assertTrue(factor <= 1.5625 + 1e-3, factor + " times the raw size at " + i + " keys");
      }
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new SparseTable(0, new AddUpdater(), ZERO, 1));
    assertThrows(IllegalArgumentException.class, () -> new SparseTable(1, new AddUpdater(), ZERO, -1));
    SparseTable t = new SparseTable(2, new AddUpdater(), ZERO, 1);
    assertThrows(IndexOutOfBoundsException.class,
        () -> t.push(new long[] {1, 2}, 0, 2, new float[3], 0));
    assertThrows(IndexOutOfBoundsException.class,
        () -> t.pull(new long[] {1, 2}, 0, 2, new float[4], 1));
  }
}
