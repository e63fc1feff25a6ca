package yarnps.common;

/**
 * Where the copies of every key range live under chain replication with {@code k} copies
 * ({@code yarnps.replication}): the replicas of range r are the first k distinct servers other
 * than r's owner met walking the layout's ranges forward from r + 1, wrapping around at the end.
 * The chain of r is its owner (the primary) followed by its replicas in that order: a push goes
 * to the primary, which forwards it to the first replica, which forwards it to the second, and so
 * on. Since ranges never change owner when a server is replaced, neither do chains.
 *
 * <pre>{@code
 * Replicas rep = new Replicas(layout, 1);
 * int first = rep.next(r, layout.owner(r));   // the primary forwards range r's pushes here
 * boolean mine = rep.holds(r, self);            // primary or replica of r
 * }</pre>
 */
public final class Replicas {
  private final KeyLayout layout;
  private final int k;
  /** chains[r] = replicas of range r, in chain order (k entries). */
  private final int[][] chains;

  /**
   * @throws IllegalArgumentException if k is negative or not below the number of servers that
   *     own a range (each copy must be on another server)
   */
  public Replicas(KeyLayout layout, int k) {
    if (k < 0) {
      throw new IllegalArgumentException("replication must be >= 0, got " + k);
    }
    boolean[] owns = new boolean[layout.numServers()];
    int owners = 0;
    for (int r = 0; r < layout.numRanges(); r++) {
      if (!owns[layout.owner(r)]) {
        owns[layout.owner(r)] = true;
        owners++;
      }
    }
    if (k > 0 && k >= owners) {
      throw new IllegalArgumentException("yarnps.replication = " + k + " needs more than " + k
          + " servers holding ranges, the layout has " + owners + " (of " + layout.numServers() + " servers)");
    }
    this.layout = layout;
    this.k = k;
    int n = layout.numRanges();
    chains = new int[n][];
    for (int r = 0; r < n; r++) {
      int[] chain = new int[k];
      int found = 0;
      for (int step = 1; found < k; step++) {
        int s = layout.owner((r + step) % n);
        if (s != layout.owner(r) && indexOf(chain, found, s) < 0) {
          chain[found++] = s;
        }
      }
      chains[r] = chain;
    }
  }

  private static int indexOf(int[] a, int n, int v) {
    for (int i = 0; i < n; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  /** Copies per range beside the primary. */
  public int copies() {
    return k;
  }

  public KeyLayout layout() {
    return layout;
  }

  /** The i-th replica of range r (0 = the first, the primary's successor in the chain). */
  public int replica(int r, int i) {
    return chains[r][i];
  }

  /** 0 when server is r's owner, i + 1 when it is r's i-th replica, -1 when it holds no copy. */
  public int position(int r, int server) {
    if (layout.owner(r) == server) {
      return 0;
    }
    int i = indexOf(chains[r], k, server);
    return i < 0 ? -1 : i + 1;
  }

  /** Whether server holds range r, as primary or replica. */
  public boolean holds(int r, int server) {
    return position(r, server) >= 0;
  }

  /** Whether server holds range r as one of its replicas. */
  public boolean isReplica(int r, int server) {
    return position(r, server) > 0;
  }

  /** The server after server in r's chain: where it forwards r's pushes; -1 at the chain's end or off it. */
  public int next(int r, int server) {
    int p = position(r, server);
    return p < 0 || p >= k ? -1 : chains[r][p];
  }
}
