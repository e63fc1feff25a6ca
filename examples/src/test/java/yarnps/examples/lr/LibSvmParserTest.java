package yarnps.examples.lr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LibSvmParserTest {
  private final LibSvmParser.Example ex = new LibSvmParser.Example();

  private String parse(String line) {
    byte[] b = (line + "garbage after len").getBytes(StandardCharsets.UTF_8);
    return LibSvmParser.parse(b, line.getBytes(StandardCharsets.UTF_8).length, ex);
  }

  private void assertParses(String line, int label, long[] keys, float[] vals) {
    assertNull(parse(line), line);
    assertEquals(label, ex.label, line);
    assertArrayEquals(keys, Arrays.copyOf(ex.keys, ex.n), line);
    assertArrayEquals(vals, Arrays.copyOf(ex.vals, ex.n), line);
  }

  @Test
  void acceptsLabelsSeparatorsCommentsAndExtremeIds() {
    assertParses("1 3:1 7:0.5", 1, new long[] {3, 7}, new float[] {1, 0.5f});
    assertParses("+1\t2:-1.5e2  \t9:3", 1, new long[] {2, 9}, new float[] {-150, 3});
    assertParses("1.0 4:2", 1, new long[] {4}, new float[] {2});
    assertParses("0 4:2 # a comment 5:5", 0, new long[] {4}, new float[] {2});
    assertParses("-1 1:.25", 0, new long[] {1}, new float[] {0.25f});
    assertParses("0.0 9223372036854775808:1", 0,
        new long[] {Long.MIN_VALUE}, new float[] {1});
    assertParses("1 9223372036854775807:1 5:1 5:2\r", 1, new long[] {Long.MAX_VALUE, 5, 5}, new float[] {1, 1, 2});
    assertParses("1", 1, new long[0], new float[0]);
    assertParses("  0   ", 0, new long[0], new float[0]);
    assertParses("1 00012:+3.", 1, new long[] {12}, new float[] {3});
  }

  @Test
  void blankAndCommentLinesAreBlank() {
    assertSame(LibSvmParser.BLANK, parse(""));
    assertSame(LibSvmParser.BLANK, parse(" \t"));
    assertSame(LibSvmParser.BLANK, parse("# header"));
  }

  private void assertRejected(String line, String reason) {
    String err = parse(line);
    assertTrue(err != null && err != LibSvmParser.BLANK && err.contains(reason), line + " -> " + err);
  }

  @Test
  void rejectsEachMalformedPartWithItsReason() {
    assertRejected("2 1:1", "bad label '2'");
    assertRejected("yes 1:1", "bad label 'yes'");
    assertRejected("1:1 2:1", "bad label '1:1'");
    assertRejected("1 0:1", "feature id 0");
    assertRejected("1 9223372036854775809:1", "over 2^63");
    assertRejected("1 18446744073709551616:1", "over 2^63");
    assertRejected("1 123456789012345678901234567890:1", "over 2^63");
    assertRejected("1 5", "has no ':value'");
    assertRejected("1 3:1 5 7:1", "feature '5' has no ':value'");
    assertRejected("1 :1", "has no id");
    assertRejected("1 -5:1", "not an unsigned integer");
    assertRejected("1 5a:1", "not an unsigned integer");
    assertRejected("1 5:", "is not a number");
    assertRejected("1 5:x", "is not a number");
    assertRejected("1 5:1.2.3", "is not a number");
    assertRejected("1 5:1e", "is not a number");
    assertRejected("1 5:NaN", "is not a number");
    assertRejected("1 5:1e39", "out of the float range");
    assertRejected("1 5:1:2", "is not a number");
  }

  @Test
  void valuesMatchJavasFloatParsing() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (int i = 0; i < 20_000; i++) {
      float v = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-8, 9)));
      String s = rnd.nextBoolean() ? Float.toString(v) : String.format("%.6f", v);
      assertNull(parse("1 1:" + s), s);
      float expected = Float.parseFloat(s);
      assertTrue(Math.abs(ex.vals[0] - expected) <= Math.ulp(expected), s + " -> " + ex.vals[0]);
    }
  }

  @Test
  void holderGrowsAndIsReused() {
    StringBuilder sb = new StringBuilder("1");
    for (int i = 1; i <= 1000; i++) {
      sb.append(' ').append(i).append(":1");
    }
    assertNull(parse(sb.toString()));
    assertEquals(1000, ex.n);
    assertEquals(1000, ex.keys[999]);
    assertNull(parse("0 8:2"));
    assertEquals(1, ex.n);
    assertEquals(0, ex.label);
  }
}
