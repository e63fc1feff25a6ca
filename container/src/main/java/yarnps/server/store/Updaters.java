package yarnps.server.store;

import yarnps.conf.TableSpec;

/** Creates the {@link Updater} a table is configured with. */
public final class Updaters {
  private Updaters() {}

  /** The updater of {@code spec.updater()} with the table's hyper-parameters. */
  public static Updater create(TableSpec spec) {
    switch (spec.updater()) {
      case ADD:
        return new AddUpdater();
      case SGD:
        return new SgdUpdater(spec.lr(), spec.l1(), spec.l2());
      case ADAGRAD:
        return new AdaGradUpdater(spec.lr(), spec.l1(), spec.l2(), spec.adagradEps());
      case FTRL:
        return new FtrlUpdater(spec.ftrlAlpha(), spec.ftrlBeta(), spec.l1(), spec.l2());
      default:
        throw new AssertionError(spec.updater());
    }
  }

  /** The L1 proximal step: shrinks {@code w} toward 0 by {@code t}, to exactly 0 within t. */
  static double softThreshold(double w, double t) {
    if (w > t) {
      return w - t;
    }
    if (w < -t) {
      return w + t;
    }
    return 0.0;
  }
}
