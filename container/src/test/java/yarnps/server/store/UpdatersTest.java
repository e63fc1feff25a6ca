package yarnps.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import yarnps.conf.Initializer;
import yarnps.conf.TableKeys.UpdaterKind;
import yarnps.conf.TableSpec;

class UpdatersTest {
  private static final int WIDTH = 4;
  private static final int STEPS = 300;

  /** One reference step on column state, in double; the table keeps floats, and so does this. */
  private interface Reference {
    /** s[0] is w, s[1..] the state slots, updated in place. */
    void step(double[] s, double g);
  }

  private static double shrink(double w, double t) {
    return Math.abs(w) <= t ? 0 : w - Math.signum(w) * t;
  }

  /**
   * Runs the updater and the reference side by side over random gradients, on a row that is
   * embedded at an offset in a larger array, and compares every float after every step.
   */
  private static float[] runAgainst(Updater u, Reference ref, long seed, double gradScale) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int stride = WIDTH * (1 + u.stateSlots());
    float[] row = new float[stride + 6];
    int off = 3;
    double[][] state = new double[WIDTH][1 + u.stateSlots()];
    for (int j = 0; j < WIDTH; j++) {
      row[off + j] = (float) (rnd.nextDouble() - 0.5);
      state[j][0] = row[off + j];
    }
    float[] pushed = new float[WIDTH + 1];
    for (int step = 0; step < STEPS; step++) {
      for (int j = 0; j < WIDTH; j++) {
        pushed[1 + j] = (float) (rnd.nextGaussian() * gradScale + (j - 1.5) * 0.1);
      }
      u.apply(row, off, WIDTH, pushed, 1);
      for (int j = 0; j < WIDTH; j++) {
        ref.step(state[j], pushed[1 + j]);
        for (int s = 0; s < state[j].length; s++) {
          state[j][s] = (float) state[j][s];
          double got = row[off + s * WIDTH + j];
          assertEquals(state[j][s], got, 1e-6 * (1 + Math.abs(state[j][s])),
              u.name() + " step " + step + " column " + j + " slot " + s);
        }
      }
    }
    assertEquals(0f, row[0]);
    assertEquals(0f, row[off + stride]);
    return java.util.Arrays.copyOfRange(row, off, off + WIDTH);
  }

  @Test
  void add() {
    runAgainst(new AddUpdater(), (s, g) -> s[0] += g, 1, 1);
  }

  @Test
  void sgd() {
    double lr = 0.05;
    double l1 = 0.01;
    double l2 = 0.1;
    runAgainst(new SgdUpdater(lr, l1, l2), (s, g) -> s[0] = shrink(s[0] - lr * (g + l2 * s[0]), lr * l1), 2, 1);
  }

  @Test
  void sgdWithLargeL1GivesExactZeros() {
    float[] w = runAgainst(new SgdUpdater(0.1, 100, 0), (s, g) -> s[0] = shrink(s[0] - 0.1 * g, 10), 3, 1);
    for (float x : w) {
      assertEquals(0f, x);
    }
  }

  @Test
  void adagrad() {
    double lr = 0.2;
    double l1 = 0.05;
    double l2 = 0.01;
    double eps = 1e-6;
    runAgainst(new AdaGradUpdater(lr, l1, l2, eps), (s, g) -> {
      s[1] += g * g;
      double d = Math.sqrt(s[1]) + eps;
      s[0] = shrink(s[0] - lr * (g + l2 * s[0]) / d, lr * l1 / d);
    }, 4, 1);
  }

  private static Reference ftrl(double alpha, double beta, double l1, double l2) {
    return (s, g) -> {
      double sigma = (Math.sqrt(s[2] + g * g) - Math.sqrt(s[2])) / alpha;
      s[1] += g - sigma * s[0];
      s[2] += g * g;
      s[0] = Math.abs(s[1]) <= l1 ? 0
          : -(s[1] - Math.signum(s[1]) * l1) / ((beta + Math.sqrt(s[2])) / alpha + l2);
    };
  }

  @Test
  void ftrl() {
    float[] w = runAgainst(new FtrlUpdater(0.1, 1, 0.5, 0.2), ftrl(0.1, 1, 0.5, 0.2), 5, 1);
    boolean nonZero = false;
    for (float x : w) {
      nonZero |= x != 0f;
    }
    assertTrue(nonZero, "with a small L1 some weights must be non-zero");
  }

  @Test
  void ftrlWithLargeL1GivesExactZeros() {
    float[] w = runAgainst(new FtrlUpdater(0.1, 1, 1e4, 0), ftrl(0.1, 1, 1e4, 0), 6, 1);
    for (float x : w) {
      assertEquals(0f, x);
    }
  }

  @Test
  void factoryFollowsTheSpec() {
    Initializer.Spec zero = new Initializer.Spec(Initializer.Kind.ZERO, 0);
    int[] slots = {0, 0, 1, 2};
    Class<?>[] types = {AddUpdater.class, SgdUpdater.class, AdaGradUpdater.class, FtrlUpdater.class};
    for (UpdaterKind kind : UpdaterKind.values()) {
      Updater u = Updaters.create(new TableSpec("t", 2, kind, zero, 0.1, 0, 0, 0.1, 1, 1e-6));
      assertInstanceOf(types[kind.ordinal()], u);
      assertEquals(kind.name().toLowerCase(Locale.ROOT), u.name());
      assertEquals(slots[kind.ordinal()], u.stateSlots());
    }
    // The spec's hyper-parameters reach the updater.
    Updater sgd = Updaters.create(new TableSpec("t", 1, UpdaterKind.SGD, zero, 0.5, 0, 0, 0.1, 1, 1e-6));
    float[] row = {1f};
    sgd.apply(row, 0, 1, new float[] {1f}, 0);
    assertEquals(0.5f, row[0]);
  }
}
