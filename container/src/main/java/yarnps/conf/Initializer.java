package yarnps.conf;

/**
 * The value a key reads as before any push: deterministic in (seed, key, column), so that every
 * server and every pull agree without storing untouched keys.
 */
public final class Initializer {

  /** What kind of initial value. */
  public enum Kind { ZERO, CONSTANT, UNIFORM, NORMAL }

  /** A parsed {@code yarnps.table.NAME.init} value. */
  public record Spec(Kind kind, double param) {
    public static Spec parse(String raw) {
      String s = raw.trim().toLowerCase(java.util.Locale.ROOT);
      if (s.equals("zero")) {
        return new Spec(Kind.ZERO, 0);
      }
      int colon = s.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("expected zero, constant:C, uniform:A or normal:S");
      }
      String kind = s.substring(0, colon);
      double p;
      try {
        p = Double.parseDouble(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("parameter '" + s.substring(colon + 1) + "' is not a number");
      }
      if (!Double.isFinite(p)) {
        throw new IllegalArgumentException("parameter must be finite");
      }
      switch (kind) {
        case "constant":
          return new Spec(Kind.CONSTANT, p);
        case "uniform":
        case "normal":
          if (p < 0) {
            throw new IllegalArgumentException(kind + " scale must be >= 0");
          }
          return new Spec(kind.equals("uniform") ? Kind.UNIFORM : Kind.NORMAL, p);
        default:
          throw new IllegalArgumentException("unknown initializer '" + kind + "'");
      }
    }

    @Override
    public String toString() {
      return kind == Kind.ZERO ? "zero" : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + param;
    }
  }

  private final Spec spec;
  private final long seed;

  public Initializer(Spec spec, long seed) {
    this.spec = spec;
    this.seed = seed;
  }

  public boolean isZero() {
    return spec.kind() == Kind.ZERO || (spec.kind() != Kind.NORMAL && spec.param() == 0);
  }

  /** The initial value of column {@code col} of {@code key}. */
  public float value(long key, int col) {
    switch (spec.kind()) {
      case ZERO:
        return 0f;
      case CONSTANT:
        return (float) spec.param();
      case UNIFORM: {
        double u = unit(mix(key, col, seed));
        return (float) ((2 * u - 1) * spec.param());
      }
      case NORMAL: {
        double u1 = Math.max(unit(mix(key, col, seed)), 1e-300);
        double u2 = unit(mix(key, col, seed ^ 0x9E3779B97F4A7C15L));
        return (float) (spec.param() * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
      }
      default:
        throw new AssertionError(spec.kind());
    }
  }

  /** Fills {@code out[off, off + width)} with the initial row of {@code key}. */
  public void fill(long key, int width, float[] out, int off) {
    if (isZero()) {
      java.util.Arrays.fill(out, off, off + width, 0f);
      return;
    }
    for (int j = 0; j < width; j++) {
      out[off + j] = value(key, j);
    }
  }

  private static long mix(long key, int col, long seed) {
    long z = key * 0x9E3779B97F4A7C15L + col * 0xC2B2AE3D27D4EB4FL + seed;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static double unit(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }
}
