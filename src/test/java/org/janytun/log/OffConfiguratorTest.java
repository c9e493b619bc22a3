package org.janytun.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.status.Status;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class OffConfiguratorTest {
    @Test
    void logbackFindsItAsAService() {
        assertTrue(ServiceLoader.load(Configurator.class).stream()
                .anyMatch(p -> p.type() == OffConfigurator.class));
    }

    @Test
    void aFreshContextStartsWithEverythingOffAndWithoutTheXmlConfigurator() throws Exception {
        LoggerContext ctx = new LoggerContext();
        new ContextInitializer(ctx).autoConfig();
        assertEquals(Level.OFF, ctx.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        assertFalse(ctx.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());
        for (Status s : ctx.getStatusManager().getCopyOfStatusList()) {
            assertFalse(s.getMessage().contains("DefaultJoranConfigurator"), s.getMessage());
            assertFalse(s.getMessage().contains("logback.xml"), s.getMessage());
        }
        assertTrue(ctx.getStatusManager().getCopyOfStatusList().stream()
                .anyMatch(s -> s.getMessage().contains(OffConfigurator.class.getName())),
                "Logback's status names the configurator it ran");
    }
}
