package yarnps.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import yarnps.conf.ConfigException;
import yarnps.conf.ConfigKey;
import yarnps.conf.PsKeys;

class ClientKeysTest {

  @Test
  void tagsAreLowerCaseAndAlwaysIncludeYarnps() {
    Configuration conf = new Configuration(false);
    assertEquals(Set.of("yarnps"), ClientKeys.TAGS.get(conf));
    conf.set("yarnps.app.tags", " Team-ML, nightly ,,");
    assertEquals(Set.of("yarnps", "team-ml", "nightly"), ClientKeys.TAGS.get(conf));
  }

  @Test
  void badTagsAndPrioritiesAreRejectedNamingTheKey() {
    Configuration conf = new Configuration(false);
    conf.set("yarnps.app.tags", "ok,caf\u00e9");
    ConfigException e = assertThrows(ConfigException.class, () -> ClientKeys.TAGS.get(conf));
    assertTrue(e.getMessage().startsWith("yarnps.app.tags="), e.getMessage());
    conf.set("yarnps.app.tags", "a,b,c,d,e,f,g,h,i,j");
    assertThrows(ConfigException.class, () -> ClientKeys.TAGS.get(conf), "10 tags plus yarnps is too many");
    conf.set("yarnps.app.priority", "-1");
    e = assertThrows(ConfigException.class, () -> ClientKeys.PRIORITY.get(conf));
    assertTrue(e.getMessage().startsWith("yarnps.app.priority=-1"), e.getMessage());
  }

  @Test
  void theValidatorKnowsTheClientKeys() {
    Configuration conf = new Configuration(false);
    conf.set("yarnps.app.priority", "3");
    conf.set("yarnps.app.tags", "x");
    JobValidator.checkKeys(conf);
    conf.set("yarnps.app.prority", "3");
    ConfigException e = assertThrows(ConfigException.class, () -> JobValidator.checkKeys(conf));
    assertTrue(e.getMessage().contains("yarnps.app.prority"), e.getMessage());
  }

  @Test
  void clientKeysAreNotDeclaredTwice() {
    for (ConfigKey<?> k : ClientKeys.all()) {
      for (ConfigKey<?> p : PsKeys.all()) {
        assertTrue(!k.name().equals(p.name()), k.name() + " is also in PsKeys");
      }
      assertTrue(k.defaultValue() != null);
      k.parse(k.defaultValue());
    }
  }
}
