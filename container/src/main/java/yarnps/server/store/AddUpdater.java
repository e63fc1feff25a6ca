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
  public void applyAll(float[] data, int[] slots, int slotsOff, int n, int stride, int width, float[] pushed,
      int poff) {
    if (width != 1) {
      Updater.super.applyAll(data, slots, slotsOff, n, stride, width, pushed, poff);
      return;
    }
    for (int i = 0; i < n; i++) {
      data[slots[slotsOff + i] * stride] += pushed[poff + i];
    }
  }

  @Override
  public String name() {
    return "add";
  }
}
