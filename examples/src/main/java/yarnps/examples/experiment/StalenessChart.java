package yarnps.examples.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws the staleness experiment's chart: time to target and idle fraction per tau, as a PNG. */
final class StalenessChart {
  private static final int W = 900;
  private static final int H = 420;

  private StalenessChart() {}

  static void write(List<StalenessExperiment.Run> runs, double target, File out) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setColor(Color.BLACK);
    g.drawString(String.format(Locale.ROOT, "LR with a straggler: time to test logloss %.4f (bars) and idle fraction of a "
        + "fast worker (line), per tau", target), 20, 24);
    panel(g, runs, 60, 50, W - 120, H - 110);
    g.dispose();
    File abs = out.getAbsoluteFile();
    abs.getParentFile().mkdirs();
    ImageIO.write(img, "png", abs);
  }

  private static void panel(Graphics2D g, List<StalenessExperiment.Run> runs, int x, int y, int w, int h) {
    double maxT = 0;
    for (StalenessExperiment.Run r : runs) {
      double t = Double.isNaN(r.timeToTarget()) ? r.trainSeconds() : r.timeToTarget();
      if (!Double.isNaN(t)) {
        maxT = Math.max(maxT, t);
      }
    }
    maxT = maxT <= 0 ? 1 : maxT * 1.15;
    g.setColor(Color.GRAY);
    g.drawLine(x, y + h, x + w, y + h);
    g.drawLine(x, y, x, y + h);
    g.drawLine(x + w, y, x + w, y + h);
    for (int i = 0; i <= 4; i++) {
      int yy = y + h - i * h / 4;
      g.setColor(new Color(230, 230, 230));
      g.drawLine(x + 1, yy, x + w - 1, yy);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(Locale.ROOT, "%.0f s", maxT * i / 4), x - 45, yy + 4);
      g.drawString(String.format(Locale.ROOT, "%.2f", i / 4.0), x + w + 6, yy + 4);
    }
    int n = runs.size();
    int slot = w / Math.max(1, n);
    int prevX = -1;
    int prevY = -1;
    for (int i = 0; i < n; i++) {
      StalenessExperiment.Run r = runs.get(i);
      int cx = x + slot * i + slot / 2;
      boolean reached = !Double.isNaN(r.timeToTarget());
      double t = reached ? r.timeToTarget() : r.trainSeconds();
      int bh = Double.isNaN(t) ? 0 : (int) (h * t / maxT);
      g.setColor(reached ? new Color(70, 130, 180) : new Color(200, 200, 200));
      g.fillRect(cx - slot / 4, y + h - bh, slot / 2, bh);
      g.setColor(Color.BLACK);
      g.drawString("tau=" + r.tauText(), cx - 22, y + h + 18);
      g.drawString(reached ? String.format(Locale.ROOT, "%.1f s", t) : "not reached", cx - 28, y + h - bh - 6);
      if (!Double.isNaN(r.idleFraction())) {
        int iy = y + h - (int) (h * Math.min(1, r.idleFraction()));
        g.setColor(new Color(200, 60, 40));
        g.fillOval(cx - 4, iy - 4, 8, 8);
        if (prevX >= 0) {
          g.setStroke(new BasicStroke(2));
          g.drawLine(prevX, prevY, cx, iy);
        }
        prevX = cx;
        prevY = iy;
      }
    }
    g.setColor(Color.DARK_GRAY);
    g.drawString("seconds of training", x - 50, y - 8);
    g.drawString("idle fraction", x + w - 40, y - 8);
  }
}
