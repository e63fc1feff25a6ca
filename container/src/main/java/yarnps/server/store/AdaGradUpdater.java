package yarnps.server.store;

/**
 * AdaGrad on a pushed gradient g with one state slot n (sum of squared gradients):
 * {@code n += g^2; w -= lr * (g + l2 * w) / (sqrt(n) + eps)}, then the L1 proximal step with
 * threshold {@code lr * l1 / (sqrt(n) + eps)}.
 */
public final class AdaGradUpdater implements Updater {
  private final double lr;
  private final double l1;
  private final double l2;
  private final double eps;

  public AdaGradUpdater(double lr, double l1, double l2, double eps) {
    this.lr = lr;
    this.l1 = l1;
    this.l2 = l2;
    this.eps = eps;
  }

  @Override
  public int stateSlots() {
    return 1;
  }

  @Override
  public void apply(float[] row, int off, int width, float[] pushed, int poff) {
    int nOff = off + width;
    for (int j = 0; j < width; j++) {
      double g = pushed[poff + j];
      double n = row[nOff + j] + g * g;
      double d = Math.sqrt(n) + eps;
      double w = row[off + j];
      w -= lr * (g + l2 * w) / d;
      row[nOff + j] = (float) n;
      row[off + j] = (float) Updaters.softThreshold(w, lr * l1 / d);
    }
  }

  @Override
  public String name() {
    return "adagrad";
  }
}
