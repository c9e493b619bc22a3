package org.janytun.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logback's start-up configuration: every logger off until {@link LogSetup#configure} sets up the {@code -L} targets.
 * Found by Logback through {@code META-INF/services} before it looks for a {@code logback.xml}; being a class and not
 * an XML file, it spares every start the XML parser and Logback's Joran configurator (≈ 300 classes loaded, linked
 * and kept in memory for nothing: measured in docs/PERFORMANCE.md, "Footprint (issue 14): third step").
 */
public final class OffConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
