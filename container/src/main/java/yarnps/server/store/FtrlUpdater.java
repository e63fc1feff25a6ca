package yarnps.server.store;

/**
 * FTRL-Proximal (McMahan et al. 2013, "Ad Click Prediction: a View from the Trenches", Algorithm
 * 1) on a pushed gradient g, with two state slots z and n:
 * <pre>
 * sigma = (sqrt(n + g^2) - sqrt(n)) / alpha
 * z += g - sigma * w
 * n += g^2
 * w = |z| &lt;= l1 ? 0 : -(z - sign(z) * l1) / ((beta + sqrt(n)) / alpha + l2)
 * </pre>
 * Computed in double, stored as float; weights with {@code |z| <= l1} are exactly 0.
 */
public final class FtrlUpdater implements Updater {
  private final double alpha;
  private final double beta;
  private final double l1;
  private final double l2;

  public FtrlUpdater(double alpha, double beta, double l1, double l2) {
    if (!(alpha > 0)) {
      throw new IllegalArgumentException("FTRL alpha must be > 0, got " + alpha);
    }
    this.alpha = alpha;
    this.beta = beta;
    this.l1 = l1;
    this.l2 = l2;
  }

  @Override
  public int stateSlots() {
    return 2;
  }

  @Override
  public void apply(float[] row, int off, int width, float[] pushed, int poff) {
    int zOff = off + width;
    int nOff = off + 2 * width;
    for (int j = 0; j < width; j++) {
      double g = pushed[poff + j];
      double n = row[nOff + j];
      double nNew = n + g * g;
      double sqrtNew = Math.sqrt(nNew);
      double sigma = (sqrtNew - Math.sqrt(n)) / alpha;
      double z = row[zOff + j] + g - sigma * row[off + j];
      double w = Math.abs(z) <= l1 ? 0.0
          : -(z - Math.signum(z) * l1) / ((beta + sqrtNew) / alpha + l2);
      row[zOff + j] = (float) z;
      row[nOff + j] = (float) nNew;
      row[off + j] = (float) w;
    }
  }

  @Override
  public String name() {
    return "ftrl";
  }
}
