package dev.surf.core.optim;

import dev.surf.core.Backend;
import dev.surf.core.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Test tensors whose host copy misbehaves, to interrupt a checkpoint write half-way: a view of a
 * CPU tensor on a proxy backend that runs {@code onCopyToHost} (which may throw or block) before
 * delegating {@link Backend#copyToHost}. Every other op goes to the CPU backend unchanged.
 */
final class FaultyBackend {
    private FaultyBackend() {
    }

    /** A non-owning view of {@code t} whose copies to the host first run {@code onCopyToHost}. */
    static Tensor wrap(Tensor t, Runnable onCopyToHost) {
        Backend inner = t.backend();
        Backend proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (self, method, args) -> {
                    if (method.getName().equals("copyToHost")) {
                        onCopyToHost.run();
                    }
                    try {
                        return method.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new Tensor(proxy, t.dtype(), t.shape(), t.storage(), t.byteOffset(), false);
    }
}
