package yarnps.server.store;

/**
 * A server-side update rule (the paper's user-defined server function), applied to one row of a
 * table under the row's lock.
 *
 * <p>A row holds {@code width * (1 + stateSlots())} floats: first the {@code width} weights that
 * pulls return, then {@code stateSlots()} blocks of {@code width} floats of updater state; state
 * slot {@code s} of column {@code j} is at {@code row[off + width * (1 + s) + j]}. A new row starts
 * with the initializer's weights and zero state.
 */
public interface Updater {

  /** Floats of state per column besides the weight. */
  int stateSlots();

  /**
   * Applies the pushed values {@code pushed[poff, poff + width)} to the row at
   * {@code row[off, off + width * (1 + stateSlots()))}.
   */
  void apply(float[] row, int off, int width, float[] pushed, int poff);

  /**
   * Applies many pushed rows at once: the row of update i starts at {@code data[slots[slotsOff +
   * i] * stride]} and its values at {@code pushed[poff + i * width]}. The same as calling
   * {@link #apply} for each i in order; an updater may override it with a tighter loop (the
   * server's hot path for cached key lists).
   */
  default void applyAll(float[] data, int[] slots, int slotsOff, int n, int stride, int width, float[] pushed,
      int poff) {
    for (int i = 0; i < n; i++) {
      apply(data, slots[slotsOff + i] * stride, width, pushed, poff + i * width);
    }
  }

  /** The name used in config and in the model and checkpoint formats. */
  String name();
}
