package yarnps.examples.lr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MetricsTest {

  /** AUC by counting every positive-negative pair, ties one half. */
  private static double bruteAuc(float[] s, byte[] y, int n) {
    double wins = 0;
    long pairs = 0;
    for (int i = 0; i < n; i++) {
      if (y[i] != 1) {
        continue;
      }
      for (int j = 0; j < n; j++) {
        if (y[j] == 1) {
          continue;
        }
        pairs++;
        wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
      }
    }
    return wins / pairs;
  }

  @Test
  void aucMatchesPairCountingWithTiesAndNegativeScores() {
    SplittableRandom rnd = new SplittableRandom(17);
    for (int round = 0; round < 200; round++) {
      int n = rnd.nextInt(2, 400);
      float[] s = new float[n + 3];
      byte[] y = new byte[n + 3];
      int levels = rnd.nextInt(1, 50);
      for (int i = 0; i < n; i++) {
        y[i] = (byte) (rnd.nextInt(3) == 0 ? 1 : 0);
        // Few levels make many ties; the sign and -0.0 exercise the float ordering.
        float v = rnd.nextInt(levels) - levels / 2f;
        s[i] = rnd.nextBoolean() ? v : v * 1e-3f;
        if (s[i] == 0 && rnd.nextBoolean()) {
          s[i] = -0f;
        }
        s[i] += y[i] == 1 ? rnd.nextInt(3) : 0;
      }
      y[0] = 1;
      y[1] = 0;
      s[n] = 1e9f;
      y[n] = 1;
      assertEquals(bruteAuc(s, y, n), Metrics.auc(s, y, n), 1e-12, "round " + round);
    }
  }

  @Test
  void aucOfKnownCases() {
    assertEquals(1.0, Metrics.auc(new float[] {0.1f, 0.9f}, new byte[] {0, 1}, 2));
    assertEquals(0.0, Metrics.auc(new float[] {0.1f, 0.9f}, new byte[] {1, 0}, 2));
    assertEquals(0.5, Metrics.auc(new float[] {0.3f, 0.3f, 0.3f}, new byte[] {1, 0, 1}, 3));
    assertEquals(0.75, Metrics.auc(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new byte[] {0, 0, 1, 1}, 4));
    assertTrue(Double.isNaN(Metrics.auc(new float[] {0.1f, 0.2f}, new byte[] {1, 1}, 2)));
  }

  @Test
  void loglossMatchesTheDefinitionAndClips() {
    float[] p = {0.9f, 0.2f, 0f, 1f, 0.5f};
    byte[] y = {1, 0, 1, 0, 1};
    double expected = (-Math.log(0.9f) - Math.log(1 - (double) 0.2f) - Math.log(1e-15) - Math.log(1 - (1 - 1e-15))
        - Math.log(0.5)) / 5;
    assertEquals(expected, Metrics.logloss(p, y, 5), 1e-9);
    assertEquals(-Math.log(0.9f), Metrics.logloss(p, y, 1), 1e-12);
    assertTrue(Double.isNaN(Metrics.logloss(p, y, 0)));
    assertEquals(Math.log(2), Metrics.logloss(0.5, 0), 1e-15);
  }

  @Test
  void sigmoidIsStableAtTheExtremes() {
    assertEquals(0.5, Metrics.sigmoid(0));
    assertEquals(1.0, Metrics.sigmoid(800));
    assertEquals(0.0, Metrics.sigmoid(-800));
    assertEquals(1 / (1 + Math.exp(-3)), Metrics.sigmoid(3), 1e-15);
    assertEquals(1 - 1 / (1 + Math.exp(-3)), Metrics.sigmoid(-3), 1e-15);
  }
}
