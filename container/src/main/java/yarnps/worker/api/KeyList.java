package yarnps.worker.api;

/**
 * A key list prepared for repeated pushes and pulls ({@link ParameterClient#keys}): it is sliced
 * by the layout's key ranges, its slices signed and their key blocks encoded once. With key
 * caching on ({@code yarnps.rpc.key.cache}), the first call that sends a slice to its server lets
 * the server remember it, and later calls with the same list send its 64-bit signature instead of
 * the keys. Typical use: pull the weights of a minibatch's keys, compute, push the gradient for
 * the same {@code KeyList}.
 *
 * <p>The keys array it was made from must not change while the list is used.
 */
public interface KeyList {
  /** The keys, sorted ascending (unsigned) and unique. */
  long[] keys();

  /** Number of keys. */
  int size();
}
