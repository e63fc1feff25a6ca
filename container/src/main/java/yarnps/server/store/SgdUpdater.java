package yarnps.server.store;

/**
 * Plain SGD on a pushed gradient g: {@code w -= lr * (g + l2 * w)}, then the L1 proximal step
 * (soft threshold by {@code lr * l1}). No state.
 */
public final class SgdUpdater implements Updater {
  private final double lr;
  private final double l1;
  private final double l2;

  public SgdUpdater(double lr, double l1, double l2) {
    this.lr = lr;
    this.l1 = l1;
    this.l2 = l2;
  }

  @Override
  public int stateSlots() {
    return 0;
  }

  @Override
  public void apply(float[] row, int off, int width, float[] pushed, int poff) {
    double t = lr * l1;
    for (int j = 0; j < width; j++) {
      double w = row[off + j];
      w -= lr * (pushed[poff + j] + l2 * w);
      row[off + j] = (float) Updaters.softThreshold(w, t);
    }
  }

  @Override
  public String name() {
    return "sgd";
  }
}
