package yarnps.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
  private static final String[] JARS = {"--yarnps-jar", "a.jar", "--job-jar", "b.jar"};

  private static Demo.Options parse(String... more) {
    String[] args = new String[JARS.length + more.length];
    System.arraycopy(JARS, 0, args, 0, JARS.length);
    System.arraycopy(more, 0, args, JARS.length, more.length);
    return Demo.Options.parse(args);
  }

  @Test
  void setPassesJobKeysThroughInOrderAndKeepsEqualsSignsInValues() {
    Demo.Options o = parse("--set", "yarnps.replication=1", "--set", "yarnps.container.java.opts=-Da=b -Dc=d",
        "--workers", "3");
    assertEquals(Map.of("yarnps.replication", "1", "yarnps.container.java.opts", "-Da=b -Dc=d"), o.settings);
    assertEquals(3, o.workers);
  }

  @Test
  void badOptionsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--set", "noequals"));
    assertTrue(e.getMessage().contains("noequals"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> parse("--workers", "two"));
    assertTrue(e.getMessage().contains("--workers") && e.getMessage().contains("two"), e.getMessage());
  }
}
