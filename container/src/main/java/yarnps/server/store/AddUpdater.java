package yarnps.server.store;

/** {@code w += v}: pushed values are deltas. No state. */
public final class AddUpdater implements Updater {
  @Override
  public int stateSlots() {
    return 0;
  }

  @Override
  public void apply(float[] row, int off, int width, float[] pushed, int poff) {
    for (int j = 0; j < width; j++) {
      row[off + j] += pushed[poff + j];
    }
  }

  @Override
  public String name() {
    return "add";
  }
}
