package yarnps.appmaster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.Test;

class ProxyFilterTest {
  private static final String BASE = "/proxy/application_1_0001";

  @Test
  void theRmIsTheProxyWhenNoWebProxyServerIsConfigured() {
    YarnConfiguration conf = new YarnConfiguration();
    conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS, "10.1.2.3:8088");
    Map<String, String> p = ProxyFilter.params(conf, BASE);
    assertEquals("10.1.2.3", p.get(ProxyFilter.PROXY_HOSTS));
    assertEquals("http://10.1.2.3:8088" + BASE, p.get(ProxyFilter.PROXY_URI_BASES));
    assertFalse(p.containsKey(ProxyFilter.RM_HA_URLS));
  }

  @Test
  void aStandaloneWebProxyServerIsTheProxy() {
    YarnConfiguration conf = new YarnConfiguration();
    conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS, "10.1.2.3:8088");
    conf.set(YarnConfiguration.PROXY_ADDRESS, "10.1.2.4:9046");
    Map<String, String> p = ProxyFilter.params(conf, BASE);
    assertEquals("10.1.2.4", p.get(ProxyFilter.PROXY_HOSTS));
    assertEquals("http://10.1.2.4:9046" + BASE, p.get(ProxyFilter.PROXY_URI_BASES));
  }

  @Test
  void withRmHaEveryRmIsAProxyAndTheFilterGetsTheirUrls() {
    YarnConfiguration conf = new YarnConfiguration();
    conf.setBoolean(YarnConfiguration.RM_HA_ENABLED, true);
    conf.set(YarnConfiguration.RM_HA_IDS, "rm1,rm2");
    conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS + ".rm1", "10.1.2.5:8088");
    conf.set(YarnConfiguration.RM_WEBAPP_ADDRESS + ".rm2", "10.1.2.6:8088");
    conf.set(YarnConfiguration.RM_ADDRESS + ".rm1", "10.1.2.5:8032");
    conf.set(YarnConfiguration.RM_ADDRESS + ".rm2", "10.1.2.6:8032");
    Map<String, String> p = ProxyFilter.params(conf, BASE);
    assertEquals("10.1.2.5,10.1.2.6", p.get(ProxyFilter.PROXY_HOSTS));
    assertEquals("http://10.1.2.5:8088" + BASE + ",http://10.1.2.6:8088" + BASE, p.get(ProxyFilter.PROXY_URI_BASES));
    assertEquals("10.1.2.5:8088,10.1.2.6:8088", p.get(ProxyFilter.RM_HA_URLS));
  }

  @Test
  void hadoopsFilterIsOnTheTestClasspath() {
    assertTrue(ProxyFilter.available());
  }
}
