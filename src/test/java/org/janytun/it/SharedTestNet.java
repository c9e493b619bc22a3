package org.janytun.it;

import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestNet} for a whole test class: checked for ({@link Preflight}) and made before its first test,
 * removed after its last one, also when a test fails.
 *
 * <pre>
 *   private static TestNet net;
 *   &#64;RegisterExtension
 *   static final SharedTestNet NET = new SharedTestNet(n -&gt; net = n);
 * </pre>
 */
final class SharedTestNet implements BeforeAllCallback, AfterAllCallback {
    private final Consumer<TestNet> user;
    private TestNet net;

    SharedTestNet(Consumer<TestNet> user) {
        this.user = user;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Preflight.require();
        net = TestNet.create();
        user.accept(net);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (net != null) {
            net.close();
            net = null;
            user.accept(null);
        }
    }
}
