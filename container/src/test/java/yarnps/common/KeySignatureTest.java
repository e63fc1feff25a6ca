package yarnps.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import net.jpountz.xxhash.XXHashFactory;
import org.junit.jupiter.api.Test;

class KeySignatureTest {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private static byte[] littleEndian(long[] keys, int from, int to) {
    ByteBuffer b = ByteBuffer.allocate(8 * (to - from)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = from; i < to; i++) {
      b.putLong(keys[i]);
    }
    return b.array();
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  /** XXH64, seed 0, straight from the specification, one 8-byte word at a time, before the 0 fix. */
  private static long referenceXxh64(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    long h;
    if (data.length >= 32) {
      long[] v = {P1 + P2, P2, 0, -P1};
      while (in.remaining() >= 32) {
        for (int lane = 0; lane < 4; lane++) {
          v[lane] = round(v[lane], in.getLong());
        }
      }
      h = Long.rotateLeft(v[0], 1) + Long.rotateLeft(v[1], 7) + Long.rotateLeft(v[2], 12)
          + Long.rotateLeft(v[3], 18);
      for (int lane = 0; lane < 4; lane++) {
        h ^= round(0, v[lane]);
        h = h * P1 + P4;
      }
    } else {
      h = P5;
    }
    h += data.length;
    while (in.remaining() >= 8) {
      h ^= round(0, in.getLong());
      h = Long.rotateLeft(h, 27) * P1 + P4;
    }
    assertEquals(0, in.remaining(), "key bytes come in whole words");
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long reference(long[] keys, int from, int to) {
    long h = referenceXxh64(littleEndian(keys, from, to));
    return h == 0 ? KeySignature.ZERO_REPLACEMENT : h;
  }

  private static long of(long... keys) {
    return KeySignature.of(keys, 0, keys.length);
  }

  private static long[] random(SplittableRandom rnd, int n) {
    long[] k = new long[n];
    for (int i = 0; i < n; i++) {
      k[i] = rnd.nextLong();
    }
    return k;
  }

  @Test
  void matchesTheReferenceAndXxh64() {
    SplittableRandom rnd = new SplittableRandom(1);
    for (int n = 0; n < 70; n++) {
      long[] keys = random(rnd, n);
      assertEquals(reference(keys, 0, n), KeySignature.of(keys, 0, n), "n = " + n);
      byte[] bytes = littleEndian(keys, 0, n);
      assertEquals(XXHashFactory.safeInstance().hash64().hash(bytes, 0, bytes.length, 0),
          KeySignature.of(keys, 0, n), "lz4-java's XXH64, n = " + n);
    }
    long[] big = random(rnd, 100_003);
    assertEquals(reference(big, 0, big.length), KeySignature.of(big, 0, big.length));
    long[] dense = new long[1000];
    Arrays.setAll(dense, i -> 1_000_000L + i);
    assertEquals(reference(dense, 0, dense.length), KeySignature.of(dense, 0, dense.length));
  }

  @Test
  void equalContentAtDifferentOffsetsIsEqual() {
    SplittableRandom rnd = new SplittableRandom(2);
    long[] keys = random(rnd, 41);
    for (int n = 0; n <= keys.length; n++) {
      long[] shifted = new long[n + 9];
      Arrays.fill(shifted, -7L);
      System.arraycopy(keys, 0, shifted, 5, n);
      assertEquals(KeySignature.of(keys, 0, n), KeySignature.of(shifted, 5, 5 + n), "n = " + n);
    }
  }

  @Test
  void everyKeyBitOrderAndCountCounts() {
    SplittableRandom rnd = new SplittableRandom(3);
    long[] keys = random(rnd, 37);
    Set<Long> seen = new HashSet<>();
    assertTrue(seen.add(of(keys)));
    for (int i = 0; i < keys.length; i++) {
      for (int bit = 0; bit < 64; bit++) {
        long[] changed = keys.clone();
        changed[i] ^= 1L << bit;
        assertTrue(seen.add(of(changed)), "key " + i + " bit " + bit);
      }
    }
    for (int i = 0; i < keys.length; i++) {
      for (int j = i + 1; j < keys.length; j++) {
        long[] swapped = keys.clone();
        swapped[i] = keys[j];
        swapped[j] = keys[i];
        assertTrue(seen.add(of(swapped)), "swap " + i + ", " + j);
      }
    }
    long[] reversed = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      reversed[i] = keys[keys.length - 1 - i];
    }
    assertTrue(seen.add(of(reversed)));
    for (int m = 0; m < keys.length; m++) {
      assertTrue(seen.add(KeySignature.of(keys, 0, m)), "prefix of " + m);
      if (m > 0) {
        assertTrue(seen.add(KeySignature.of(keys, m, keys.length)), "suffix from " + m);
      }
    }
  }

  @Test
  void countsOfEqualKeysDiffer() {
    Set<Long> seen = new HashSet<>();
    for (long value : new long[] {0, 1, -1}) {
      for (int n = 0; n < 20; n++) {
        long[] keys = new long[n];
        Arrays.fill(keys, value);
        long s = of(keys);
        assertTrue(seen.add(s) || n == 0, value + " x " + n);
      }
    }
    assertNotEquals(of(), of(0L));
    assertNotEquals(of(0L), of(0L, 0L));
    assertNotEquals(of(1L, 2L), of(2L, 1L));
  }

  /** XXH64 of one key is a bijection of the key: invert it to find the key that hashes to 0. */
  @Test
  void zeroIsNeverReturned() {
    long h = 0;
    h = unxorshift(h, 32);
    h *= inverse(P3);
    h = unxorshift(h, 29);
    h *= inverse(P2);
    h = unxorshift(h, 33);
    h = Long.rotateRight((h - P4) * inverse(P1), 27);
    long r = h ^ (P5 + 8);
    long key = Long.rotateRight(r * inverse(P1), 31) * inverse(P2);
    assertEquals(0, referenceXxh64(littleEndian(new long[] {key}, 0, 1)), "inversion");
    assertEquals(KeySignature.ZERO_REPLACEMENT, of(key));
    assertNotEquals(0, of());
  }

  private static long inverse(long odd) {
    long x = odd;
    for (int i = 0; i < 6; i++) {
      x *= 2 - odd * x;
    }
    assertEquals(1, odd * x);
    return x;
  }

  private static long unxorshift(long y, int shift) {
    long x = y;
    for (int i = 0; i < 64 / shift + 1; i++) {
      x = y ^ (x >>> shift);
    }
    return x;
  }

  @Test
  void noCollisionsAmongAMillionLists() {
    SplittableRandom rnd = new SplittableRandom(4);
    int lists = 1_000_000;
    long[] sigs = new long[lists];
    long[] buf = new long[64];
    int m = 0;
    // Random lists of 1 to 16 keys; the last is a tag, so no two lists are equal, nor equal to a
    // structured one below.
    for (int i = 0; i < lists / 2; i++) {
      int n = 1 + rnd.nextInt(16);
      for (int j = 0; j < n - 1; j++) {
        buf[j] = rnd.nextLong();
      }
      buf[n - 1] = (1L << 62) + i;
      sigs[m++] = KeySignature.of(buf, 0, n);
    }
    // Structured lists, the likelier risk: dense ranges [start, start + n) of every length up to 63
    // at many starts, and sparse arithmetic sequences.
    for (int start = 0; m < lists * 3 / 4; start++) {
      for (int n = 1; n < 64 && m < lists * 3 / 4; n++) {
        for (int j = 0; j < n; j++) {
          buf[j] = start + j;
        }
        sigs[m++] = KeySignature.of(buf, 0, n);
      }
    }
    for (long stride = 2; m < lists; stride++) {
      for (int n = 2; n < 64 && m < lists; n++) {
        for (int j = 0; j < n; j++) {
          buf[j] = (1L << 40) + j * stride;
        }
        sigs[m++] = KeySignature.of(buf, 0, n);
      }
    }
    Arrays.sort(sigs);
    int collisions = 0;
    for (int i = 1; i < lists; i++) {
      if (sigs[i] == sigs[i - 1]) {
        collisions++;
      }
    }
    assertEquals(0, collisions);
    assertTrue(Arrays.stream(sigs).noneMatch(s -> s == 0));
  }

  @Test
  void badRangesAreRefused() {
    long[] keys = new long[4];
    assertThrows(IndexOutOfBoundsException.class, () -> KeySignature.of(keys, -1, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> KeySignature.of(keys, 3, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> KeySignature.of(keys, 0, 5));
  }
}
