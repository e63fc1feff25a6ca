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

  /** The name used in config and in the model and checkpoint formats. */
  String name();
}
